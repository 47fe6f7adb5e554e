"""register -> email -> verify -> login -> refresh -> logout over real HTTP, per mail backend."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message

import boto3
import pytest
import requests

from tests.conftest import ROOT, LiveServer, free_port, wait_until

PASSWORD = "a long enough secret 7"
T = 10


def _text_of(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def _code(text: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", re.sub(r"\S*://\S*", " ", text)).group(1)


def full_flow(base: str, read_code: Callable[[str], str]) -> None:
    """The whole account life cycle a person goes through, checked at each step."""
    email = f"flow-{uuid.uuid4().hex[:8]}@example.com"
    r = requests.post(f"{base}/api/auth/register",
                      json={"email": email, "password": PASSWORD, "display_name": "Flow", "locale": "vi"}, timeout=T)
    assert r.status_code == 202 and r.json() == {"status": "verification_sent"}
    code = read_code(email)
    r = requests.post(f"{base}/api/auth/verify", json={"email": email, "code": code, "password": PASSWORD}, timeout=T)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["email"] == email and r.json()["user"]["locale"] == "vi"
    r = requests.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=T)
    assert r.status_code == 200, r.text
    pair = r.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    r = requests.post(f"{base}/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}, timeout=T)
    assert r.status_code == 200
    new = r.json()
    me = requests.get(f"{base}/api/me", headers={"Authorization": f"Bearer {new['access_token']}"}, timeout=T)
    assert me.status_code == 200 and me.json()["display_name"] == "Flow"
    r = requests.post(f"{base}/api/auth/logout", json={"refresh_token": new["refresh_token"]}, timeout=T)
    assert r.status_code == 204
    r = requests.post(f"{base}/api/auth/refresh", json={"refresh_token": new["refresh_token"]}, timeout=T)
    assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json")


def test_flow_with_console_outbox(live_server: LiveServer) -> None:
    full_flow(live_server.url, lambda email: live_server.outbox_code(email))
    # the Vietnamese template was chosen from the user's locale
    eml = next((live_server.data_dir / "outbox").glob("*.eml"))
    assert "Mã xác minh" in str(message_from_bytes(eml.read_bytes())["Subject"]) or \
        "Mã xác minh" in _text_of(message_from_bytes(eml.read_bytes()))


class _Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd API
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def code_for(self, to: str) -> str:
        def find() -> str | None:
            with self.lock:
                for m in reversed(self.messages):
                    if to in str(m["To"]):
                        return _code(_text_of(m))
            return None
        return wait_until(find, 15, what=f"an SMTP message to {to}")


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[_Inbox, int]]:
    from aiosmtpd.controller import Controller
    inbox = _Inbox()
    port = free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield inbox, port
    finally:
        ctl.stop()


def test_flow_with_smtp(tmp_path, smtp_inbox) -> None:  # noqa: ANN001
    inbox, port = smtp_inbox
    srv = LiveServer(tmp_path / "smtp", {"PARLEY_MAIL_BACKEND": "smtp", "PARLEY_SMTP_HOST": "127.0.0.1",
                                         "PARLEY_SMTP_PORT": str(port), "PARLEY_MAIL_FROM": "Parley <chat@example.org>"})
    srv.start()
    try:
        full_flow(srv.url, inbox.code_for)
        assert requests.get(f"{srv.url}/readyz", timeout=T).status_code == 200
        first = inbox.messages[0]
        assert first["From"] == "Parley <chat@example.org>"
        assert any(p.get_content_type() == "text/html" for p in first.walk())
    finally:
        srv.stop()


def test_flow_with_ses(tmp_path, aws_env, moto_server) -> None:  # noqa: ANN001
    sender = "chat@example.org"
    ses = boto3.client("sesv2", endpoint_url=moto_server, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    ses.create_email_identity(EmailIdentity=sender)

    def read_code(to: str) -> str:
        def find() -> str | None:
            sent = requests.get(f"{moto_server}/moto-api/data.json", timeout=T).json()["ses"]["Message"]
            for m in reversed(sent):  # moto keeps the HTML body of each sent message
                if to in m["destinations"]["ToAddresses"]:
                    assert m["source"] == sender
                    return _code(m["body"])
            return None
        return wait_until(find, 15, what=f"an SES message to {to}")

    srv = LiveServer(tmp_path / "ses", {**aws_env, "PARLEY_MAIL_BACKEND": "ses", "PARLEY_MAIL_FROM": sender})
    srv.start()
    try:
        full_flow(srv.url, read_code)
        ready = requests.get(f"{srv.url}/readyz", timeout=T).json()
        assert ready["components"]["mail"]["ok"], ready
    finally:
        srv.stop()


def test_mail_failure_keeps_the_account_and_shows_in_readyz(tmp_path) -> None:  # noqa: ANN001
    dead_port = free_port()  # nothing listens there
    srv = LiveServer(tmp_path / "dead", {"PARLEY_MAIL_BACKEND": "smtp", "PARLEY_SMTP_HOST": "127.0.0.1",
                                         "PARLEY_SMTP_PORT": str(dead_port), "PARLEY_SMTP_TIMEOUT": "1"})
    srv.start()
    try:
        email = f"lost-{uuid.uuid4().hex[:6]}@example.com"
        t = time.perf_counter()
        r = requests.post(f"{srv.url}/api/auth/register",
                          json={"email": email, "password": PASSWORD, "display_name": "Lost"}, timeout=T)
        assert r.status_code == 202 and time.perf_counter() - t < 2  # never waits for the mail
        def failing() -> dict | None:
            r = requests.get(f"{srv.url}/readyz", timeout=T)
            body = r.json()
            return body if r.status_code == 503 and "last send failed" in body["components"]["mail"]["detail"] \
                else None

        ready = wait_until(failing, 30, 0.2, "readyz to report the mail failure")
        assert not ready["components"]["mail"]["ok"] and ready["components"]["database"]["ok"]
        assert "last send failed" in ready["components"]["mail"]["detail"]
        # the account was kept: the person can ask for a new code once mail works
        r = requests.post(f"{srv.url}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=T)
        assert r.status_code == 403 and r.json()["code"] == "email_not_verified"
    finally:
        srv.stop()


def test_rate_limits_answer_429_with_retry_after(tmp_path) -> None:  # noqa: ANN001
    srv = LiveServer(tmp_path / "rl", {"PARLEY_RATE_LIMITS": "on", "PARLEY_RATE_LIMIT_LOGIN": "3/minute"})
    srv.start()
    try:
        answers = [requests.post(f"{srv.url}/api/auth/login", json={"email": "x@example.com", "password": "x" * 12},
                                 timeout=T) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        last = answers[-1]
        assert last.headers["Content-Type"].startswith("application/problem+json")
        assert last.json()["code"] == "rate_limited" and 0 < int(last.headers["Retry-After"]) <= 60
        assert "Try again in" in last.json()["detail"]
        # other endpoints keep their own budget
        r = requests.post(f"{srv.url}/api/auth/forgot-password", json={"email": "x@example.com"}, timeout=T)
        assert r.status_code == 202
    finally:
        srv.stop()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_cli_check_create_user_and_config_errors(tmp_path) -> None:  # noqa: ANN001
    import os
    env = {**os.environ, "PARLEY_DATA_DIR": str(tmp_path / "cli")}
    assert _cli("db", "upgrade", env=env).returncode == 0
    ok = _cli("check", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert [line.split()[:2] for line in ok.stdout.splitlines()] == [["database", "ok"], ["storage", "ok"],
                                                                    ["mail", "ok"]]
    bad = _cli("check", env={**env, "PARLEY_MAIL_BACKEND": "smtp", "PARLEY_SMTP_HOST": "127.0.0.1",
                             "PARLEY_SMTP_PORT": str(free_port()), "PARLEY_SMTP_TIMEOUT": "1"})
    assert bad.returncode == 1 and "mail      FAIL" in bad.stdout
    made = subprocess.run([sys.executable, "-m", "server", "create-user", "--email", "Admin@Example.com",
                           "--name", "Admin"], cwd=ROOT, env=env, input="root of all trust 99\n", capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 0 and "admin@example.com" in made.stdout
    again = subprocess.run([sys.executable, "-m", "server", "create-user", "--email", "admin@example.com",
                            "--name", "Admin"], cwd=ROOT, env=env, input="root of all trust 99\n",
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "already exists" in again.stderr
    for var, value in (("PARLEY_MAIL_BACKEND", "pigeon"), ("PARLEY_DATABASE_URL", "mysql://x"),
                       ("PARLEY_SECRET_KEY", "short"), ("PARLEY_PUBLIC_URL", "ftp://x"),
                       ("PARLEY_MAX_UPLOAD_BYTES", "lots"), ("PARLEY_RATE_LIMITS", "maybe")):
        res = _cli("serve", env={**env, var: value})
        assert res.returncode == 2 and var in res.stderr, (var, res.stderr)
    res = _cli("serve", env={**env, "PARLEY_MAIL_BACKEND": "smtp"})
    assert res.returncode == 2 and "PARLEY_SMTP_HOST" in res.stderr
    # the secret key is generated once, private to its owner
    key = tmp_path / "cli" / "secret_key"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600


def test_postgres_live_flow(tmp_path, postgres_url) -> None:  # noqa: ANN001
    import os
    env = {"PARLEY_DATABASE_URL": postgres_url}
    res = _cli("db", "upgrade", env={**os.environ, "PARLEY_DATA_DIR": str(tmp_path / "pg"), **env})
    assert res.returncode == 0, res.stderr
    srv = LiveServer(tmp_path / "pg", env).start()
    try:
        full_flow(srv.url, srv.outbox_code)
        assert requests.get(f"{srv.url}/readyz", timeout=T).json()["components"]["database"]["detail"].startswith(
            "postgresql")
    finally:
        srv.stop()
