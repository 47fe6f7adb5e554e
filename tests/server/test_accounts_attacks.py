"""Issue 11's attacks, run literally against a live server: takeover, code guessing, mail bombing."""
from __future__ import annotations

import email as email_lib
import os
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, LiveServer, wait_until

T = 10
VICTIM_PW = "victim's own secret 1"
ATTACKER_PW = "attacker's secret 666"


def _mails_to(data_dir: Path, to: str) -> list[str]:
    """The text of every mail to ``to``, oldest first."""
    out = []
    for f in sorted((data_dir / "outbox").glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        msg = email_lib.message_from_bytes(f.read_bytes())
        if to in str(msg["To"]):
            part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
            out.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
    return out


def _wait_mails(data_dir: Path, to: str, n: int) -> list[str]:
    return wait_until(lambda: (m := _mails_to(data_dir, to)) and len(m) >= n and m, 15,
                      what=f"{n} mails to {to}")


def _code(text: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", re.sub(r"\S*://\S*", " ", text)).group(1)


def _link(text: str) -> str:
    return re.search(r"(http\S*/verify\?token=\S+)", text).group(1)


def _register(url: str, email: str, password: str, name: str) -> None:
    r = requests.post(f"{url}/api/auth/register", json={"email": email, "password": password, "display_name": name},
                      timeout=T)
    assert r.status_code == 202, r.text


def _login(url: str, email: str, password: str) -> requests.Response:
    return requests.post(f"{url}/api/auth/login", json={"email": email, "password": password}, timeout=T)


def test_pending_account_takeover_fails(live_server: LiveServer) -> None:
    """The victim registers; the attacker re-registers three times; the victim enters every code it got,
    newest first; a mail scanner opens every link. The attacker cannot sign in, the victim can."""
    url, data = live_server.url, live_server.data_dir
    victim = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    _register(url, victim, VICTIM_PW, "Victim")
    _wait_mails(data, victim, 1)
    for i in range(3):
        _register(url, victim, ATTACKER_PW if i != 1 else ATTACKER_PW + "x", "Attacker")
        _wait_mails(data, victim, 2 + i)
    mails = _mails_to(data, victim)
    assert len(mails) == 4
    for text in mails:  # the scanner, as the mails arrive
        page = requests.get(_link(text), timeout=T)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    answers = []
    for text in reversed(mails):  # the victim, newest code first
        r = requests.post(f"{url}/api/auth/verify", json={"email": victim, "code": _code(text), "password": VICTIM_PW},
                          timeout=T)
        answers.append(r.status_code)
        if r.status_code == 200:
            break
    assert answers == [401, 401, 401, 200], answers
    for text in mails:  # the scanner again, later
        assert requests.get(_link(text), timeout=T).status_code in (200, 404)
    for pw in (ATTACKER_PW, ATTACKER_PW + "x"):
        assert _login(url, victim, pw).status_code == 401
    me = _login(url, victim, VICTIM_PW)
    assert me.status_code == 200 and me.json()["user"]["display_name"] == "Victim"


def test_the_link_alone_verifies_nothing_and_the_attackers_link_needs_the_attackers_password(
        live_server: LiveServer) -> None:
    url, data = live_server.url, live_server.data_dir
    victim = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    _register(url, victim, VICTIM_PW, "Victim")
    _wait_mails(data, victim, 1)
    _register(url, victim, ATTACKER_PW, "Attacker")
    mine, theirs = _wait_mails(data, victim, 2)
    token = _link(theirs).split("token=", 1)[1]
    # the mailbox owner follows the attacker's link with their own password: nothing happens
    r = requests.post(f"{url}/verify", data={"token": token, "password": VICTIM_PW}, timeout=T)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("text/html")
    assert _login(url, victim, ATTACKER_PW).status_code == 403  # still pending, never verified
    token = _link(mine).split("token=", 1)[1]
    r = requests.post(f"{url}/verify", data={"token": token, "password": VICTIM_PW}, timeout=T)
    assert r.status_code == 200 and "verified" in r.text
    assert _login(url, victim, VICTIM_PW).status_code == 200
    assert _login(url, victim, ATTACKER_PW).status_code == 401


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_parallel_guesses_never_get_past_the_limits(tmp_path: Path, db: str,
                                                    request: pytest.FixtureRequest) -> None:
    """20 guesses at once: exactly 5 are compared with the code, and the hourly budget holds too."""
    env = {"PARLEY_CODE_GUESSES_PER_HOUR": "7"}
    if db == "postgres":
        env["PARLEY_DATABASE_URL"] = request.getfixturevalue("postgres_url")
        subprocess.run([sys.executable, "-m", "server", "db", "upgrade"], cwd=ROOT, check=True, timeout=120,
                       env={**os.environ, "PARLEY_DATA_DIR": str(tmp_path / db), **env}, capture_output=True)
    srv = LiveServer(tmp_path / db, env).start()
    try:
        known = srv.register_verified("Known")["email"]
        assert requests.post(f"{srv.url}/api/auth/forgot-password", json={"email": known}, timeout=T).status_code == 202
        _wait_mails(srv.data_dir, known, 2)

        def guess(i: int) -> requests.Response:
            return requests.post(f"{srv.url}/api/auth/reset-password",
                                 json={"email": known, "code": f"{i:06d}", "new_password": "a new long secret 7"},
                                 timeout=30)

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(guess, range(20)))
        codes = sorted(a.json()["code"] for a in answers)
        # 4 compared and wrong, the 5th compared and wrong (no tries left), 15 refused without comparing
        assert codes.count("invalid_code") == 4, codes
        assert codes.count("too_many_attempts") == 16, codes
        # a new code restarts the tries, but the hourly budget (7) is nearly spent: 2 more, then 429
        assert requests.post(f"{srv.url}/api/auth/forgot-password", json={"email": known}, timeout=T).status_code == 202
        _wait_mails(srv.data_dir, known, 3)
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(guess, range(100, 110)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [401, 401] + [429] * 8, statuses
        limited = next(a for a in answers if a.status_code == 429)
        assert limited.json()["code"] == "too_many_attempts" and int(limited.headers["Retry-After"]) > 0
    finally:
        srv.stop()


def test_per_address_limits_hold_whatever_ip_asks(tmp_path: Path) -> None:
    """Every request from another IP (through a trusted proxy): codes and mails per address still stop."""
    srv = LiveServer(tmp_path / "ips", {"PARLEY_RATE_LIMITS": "on", "PARLEY_TRUSTED_PROXIES": "1",
                                        "PARLEY_CODES_PER_HOUR": "3", "PARLEY_MAILS_PER_ADDRESS_PER_HOUR": "4"}).start()
    try:
        target = srv.register_verified("Target")["email"]  # mail 1 (its verification code)
        for i in range(12):  # each request from its own IPv4 address
            headers = {"X-Forwarded-For": f"198.51.{i // 250}.{i % 250 + 1}"}
            r = requests.post(f"{srv.url}/api/auth/forgot-password", json={"email": target}, headers=headers,
                              timeout=T)
            assert r.status_code == 202
        for i in range(6):  # and the "account exists" notice
            r = requests.post(f"{srv.url}/api/auth/register", headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
                              json={"email": target, "password": "some other secret 5", "display_name": "X"},
                              timeout=T)
            assert r.status_code == 202
        # the jobs finish quickly; give them a moment beyond the last mail we expect
        _wait_mails(srv.data_dir, target, 4)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            assert len(_mails_to(srv.data_dir, target)) <= 4
            time.sleep(0.1)
        mails = _mails_to(srv.data_dir, target)
        assert len(mails) == 4, len(mails)  # the verification mail + 3 reset codes, then nothing more
        assert sum("reset" in m.lower() for m in mails) == 3
    finally:
        srv.stop()


def test_ipv6_clients_are_limited_per_64(tmp_path: Path) -> None:
    srv = LiveServer(tmp_path / "v6", {"PARLEY_RATE_LIMITS": "on", "PARLEY_TRUSTED_PROXIES": "1",
                                       "PARLEY_RATE_LIMIT_LOGIN": "3/minute"}).start()
    try:
        def login(ip: str) -> int:
            return requests.post(f"{srv.url}/api/auth/login", headers={"X-Forwarded-For": ip},
                                 json={"email": "x@example.com", "password": "x" * 12}, timeout=T).status_code
        same_64 = [login(f"2001:db8:1:2::{i:x}") for i in range(1, 5)]
        assert same_64 == [401, 401, 401, 429], same_64
        assert login("2001:db8:1:3::1") == 401  # another /64 has its own budget
        assert login("::ffff:192.0.2.7") == 401 and login("192.0.2.7") == 401  # mapped IPv4 = that IPv4
    finally:
        srv.stop()
