"""Shared fixtures: real server processes on free ports, each with its own data dir.

Every end-to-end test talks to a real ``python -m server serve`` over loopback,
the way the desktop app and the contract's smoke checks do.
"""
from __future__ import annotations

import email
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.xdist_recovery import pytest_xdist_make_scheduler  # noqa: F401 - the hook, for the controller

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("PARLEY_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("PARLEY_TEST_REDIS", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse battery 9"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(cond, timeout: float = 15.0, interval: float = 0.05, what: str = "condition"):  # noqa: ANN001, ANN201
    """Polls ``cond`` until it returns something truthy; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = cond()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f" (last error: {last_exc})" if last_exc else ""))


def read_outbox_code(data_dir: Path, to: str, after: float = 0.0, timeout: float = 15.0,
                     skip: set[str] | frozenset[str] = frozenset()) -> str:
    """The newest 6-digit code the console mail backend wrote for ``to``.

    Only files modified at or after ``after`` and not named in ``skip`` count.
    """

    def find() -> str | None:
        files = sorted((data_dir / "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
        for f in files:
            if f.stat().st_mtime < after or f.name in skip:
                continue
            msg = email.message_from_bytes(f.read_bytes())
            if to.lower() not in str(msg.get("To", "")).lower():
                continue
            text = ""
            for part in msg.walk():
                if part.get_content_type() == "text/plain":
                    text += part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            text = re.sub(r"\S*://\S*", " ", text)
            m = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
            if m:
                return m.group(1)
        return None

    return wait_until(find, timeout, 0.05, f"a code mailed to {to}")


#: The server settings a test adds when it needs HLS renditions (LiveServer turns them off). The
#: encodes run at normal priority here: at their real one (nice 15 and SCHED_IDLE, checked in
#: test_media_workers.py) a loaded fresh-clone run starved them past the tests' timeouts.
HLS_ON = {"PARLEY_HLS": "on", "PARLEY_HLS_WORKER_NICE": "0", "PARLEY_HLS_IDLE_PRIORITY": "off"}


class LiveServer:
    """A ``parley-server serve`` child process.

    Attributes:
        url: base URL, e.g. ``http://127.0.0.1:54321``.
        data_dir: its ``PARLEY_DATA_DIR``.
        env: the environment it runs with (tests may add variables before ``start``).
    """

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PARLEY_DATA_DIR": str(data_dir), "PARLEY_RATE_LIMITS": "off",
                    "PARLEY_MAIL_BACKEND": "console", "PARLEY_PUBLIC_URL": self.url,
                    # no HLS encodes unless a test asks (HLS_ON): each one is seconds of CPU the
                    # other tests on this machine would wait for
                    "PARLEY_HLS": "off",
                    "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

    def start(self, timeout: float = 30.0) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--host", "127.0.0.1",
                                      "--port", str(self.port)], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def up() -> bool:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200

        deadline = time.monotonic() + timeout
        while True:
            try:
                if up():
                    return self
            except RuntimeError:
                raise
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start in {timeout}s:\n{self.log()[-3000:]}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: a crash, no cleanup."""
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # contract helpers --------------------------------------------------------
    def outbox_code(self, to: str, after: float = 0.0, timeout: float = 15.0) -> str:
        return read_outbox_code(self.data_dir, to, after, timeout)

    def register_verified(self, name: str, password: str = PASSWORD) -> dict:
        """Registers and verifies by the emailed code; returns email, password, user, tokens."""
        addr = f"{name.lower().replace(' ', '')}-{uuid.uuid4().hex[:8]}@example.com"
        t0 = time.time() - 1
        r = requests.post(f"{self.url}/api/auth/register",
                          json={"email": addr, "password": password, "display_name": name}, timeout=10)
        assert r.status_code == 202, r.text
        code = self.outbox_code(addr, after=t0)
        r = requests.post(f"{self.url}/api/auth/verify", json={"email": addr, "code": code, "password": password},
                          timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        return {"email": addr, "password": password, "user": body["user"], "tokens": body}


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment for ``live_server``; a test or fixture may fill it first."""
    return {}


@pytest.fixture
def live_server(tmp_path: Path, server_env: dict[str, str]) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path / "server", server_env).start()
    try:
        yield srv
    finally:
        srv.stop()


def _pg_admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN_URL + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    name = f"parley_test_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def moto_server() -> Iterator[str]:
    """moto's standalone server on loopback; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer
    port = free_port()
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    srv.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.stop()


@pytest.fixture
def aws_env(moto_server: str) -> dict[str, str]:
    """boto3's standard variables pointing at the moto server."""
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": moto_server,
            "AWS_ENDPOINT_URL_SESV2": moto_server}
