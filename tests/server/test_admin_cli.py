"""Admin commands: create-user, list-users, disable-user, purge-expired."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa

from server.db import Database
from server.models import EmailCode, LoginSession, PendingRegistration, RefreshToken, User, utcnow
from tests.conftest import ROOT, LiveServer

SECRET = "root of all trust 99"


def cli(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env={**os.environ, **env},
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_admin_commands_against_a_running_server(tmp_path) -> None:  # noqa: ANN001
    srv = LiveServer(tmp_path / "admin").start()
    env = {"PARLEY_DATA_DIR": str(srv.data_dir)}
    try:
        made = cli("create-user", "--email", "ops@example.com", "--name", "Ops", env=env, stdin=SECRET + "\n")
        assert made.returncode == 0, made.stderr
        other = srv.register_verified("Binh")
        import requests
        login = requests.post(f"{srv.url}/api/auth/login", json={"email": "ops@example.com", "password": SECRET},
                              timeout=10)
        assert login.status_code == 200, login.text  # an admin-made user can sign in at once
        pair = login.json()

        listed = cli("list-users", env=env)
        assert listed.returncode == 0 and "ops@example.com" in listed.stdout and other["email"] in listed.stdout
        assert "2 user(s)" in listed.stdout and "verified" in listed.stdout

        off = cli("disable-user", "--email", "OPS@example.com", env=env)
        assert off.returncode == 0 and "ended 1 session" in off.stdout, off.stdout + off.stderr
        r = requests.get(f"{srv.url}/api/me", headers={"Authorization": f"Bearer {pair['access_token']}"}, timeout=10)
        assert r.status_code == 401  # its session ended at once
        r = requests.post(f"{srv.url}/api/auth/login", json={"email": "ops@example.com", "password": SECRET},
                          timeout=10)
        assert r.status_code == 403 and r.json()["code"] == "account_disabled"
        assert "disabled" in cli("list-users", env=env).stdout
        missing = cli("disable-user", "--email", "nobody@example.com", env=env)
        assert missing.returncode == 1 and "No account" in missing.stderr

        # purge: age the spent code and the revoked session past the audit window
        db = Database(f"sqlite:///{srv.data_dir / 'parley.db'}")
        with db.session() as s:
            old = utcnow() - timedelta(days=30)
            s.execute(sa.update(EmailCode).values(consumed_at=old, expires_at=old))
            s.execute(sa.update(PendingRegistration).values(created_at=old))  # the verified registration
            s.execute(sa.update(LoginSession).where(LoginSession.revoked_at.is_not(None)).values(revoked_at=old))
            s.commit()
            live_tokens = s.scalar(sa.select(sa.func.count()).select_from(RefreshToken)
                                   .join(LoginSession).where(LoginSession.revoked_at.is_(None)))
        purged = cli("purge-expired", env=env)
        assert purged.returncode == 0, purged.stderr
        assert "registrations removed:   1" in purged.stdout
        assert "login sessions removed:  1" in purged.stdout
        with db.session() as s:
            assert s.scalar(sa.select(sa.func.count()).select_from(EmailCode)) == 0
            assert s.scalar(sa.select(sa.func.count()).select_from(RefreshToken)) == live_tokens
            assert s.scalar(sa.select(sa.func.count()).select_from(User)) == 2  # people are never purged
        db.dispose()
        # the other user still works
        r = requests.get(f"{srv.url}/api/me", headers={"Authorization": f"Bearer {other['tokens']['access_token']}"},
                         timeout=10)
        assert r.status_code == 200
    finally:
        srv.stop()
