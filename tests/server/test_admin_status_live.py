"""The admin view (issue 14): ``/api/admin/*`` and ``parley-server status`` against generated traffic."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import requests
import sqlalchemy as sa
from datetime import timedelta

from server.db import Database
from server.models import Message, utcnow

from tests.conftest import LiveServer, wait_until
from tests.server.media_helpers import Uploader, auth, make_video, video_dir  # noqa: F401 - fixture
from tests.server.test_admin_cli import SECRET, cli

T = 10


def _status(srv: LiveServer, who: dict) -> dict:
    r = requests.get(f"{srv.url}/api/admin/status", headers=auth(who), timeout=T)
    assert r.status_code == 200, r.text
    return r.json()


def _send(srv: LiveServer, sender: dict, to: dict, n: int) -> None:
    r = requests.post(f"{srv.url}/api/conversations/{to['user']['id']}/messages", headers=auth(sender), timeout=T,
                      json={"client_id": f"adm-{n}", "body": f"message {n}"})
    assert r.status_code in (200, 201), r.text


def _login(srv: LiveServer, email: str, password: str) -> dict:
    r = requests.post(f"{srv.url}/api/auth/login", json={"email": email, "password": password}, timeout=T)
    assert r.status_code == 200, r.text
    return {"email": email, "user": r.json()["user"], "tokens": r.json()}


def test_admin_status_matches_the_traffic(tmp_path: Path, video_dir: Path) -> None:  # noqa: F811
    srv = LiveServer(tmp_path / "srv").start()
    env = {"PARLEY_DATA_DIR": str(srv.data_dir)}
    try:
        made = cli("create-user", "--admin", "--email", "ops-lead@example.com", "--name", "Ops Lead", env=env,
                   stdin=SECRET + "\n")
        assert made.returncode == 0 and "created verified admin" in made.stdout, made.stderr
        admin = _login(srv, "ops-lead@example.com", SECRET)
        assert admin["user"]["is_admin"] is True
        alice, binh = srv.register_verified("Alice"), srv.register_verified("Binh")
        assert alice["user"]["is_admin"] is False
        for n in range(3):
            _send(srv, alice, binh, n)
        _send(srv, binh, alice, 3)
        # one of them three days ago, and one older than the 14 days shown
        db = Database(f"sqlite:///{srv.data_dir / 'parley.db'}")
        with db.session() as s:
            for client_id, age in (("adm-0", 3), ("adm-1", 20)):
                s.execute(sa.update(Message).where(Message.client_id == client_id)
                          .values(created_at=utcnow() - timedelta(days=age)))
            s.commit()
        db.dispose()

        # --- nobody but an admin gets anything, not even a validation error or a 404 -----------------
        for path, method, body in (("status", "GET", None), ("accounts/disable", "POST", {"email": "x"}),
                                   ("accounts/disable", "POST", {"email": binh["email"]}),
                                   ("accounts/enable", "POST", {"email": "nobody@example.com"})):
            r = requests.request(method, f"{srv.url}/api/admin/{path}", json=body, headers=auth(alice), timeout=T)
            assert r.status_code == 403 and r.json()["code"] == "forbidden", (path, r.text)
            assert r.headers["Content-Type"].startswith("application/problem+json")
            assert binh["email"] not in r.text
            r = requests.request(method, f"{srv.url}/api/admin/{path}", json=body, timeout=T)
            assert r.status_code == 401
        # a user cannot make themself an admin through their profile
        r = requests.patch(f"{srv.url}/api/me", json={"is_admin": True}, headers=auth(alice), timeout=T)
        assert r.status_code == 200 and r.json()["is_admin"] is False
        assert requests.get(f"{srv.url}/api/admin/status", headers=auth(alice), timeout=T).status_code == 403

        # --- a video that is processed and one that fails -------------------------------------------
        up = Uploader(srv, binh)
        clip = make_video(video_dir / "admin-tiny.mp4", seconds=1, size="160x120", bit_rate=200_000)
        ok_id = up.upload(clip.read_bytes())
        bad_id = up.upload(b"\x00\x00\x00\x18ftypmp42" + b"not really a video" * 200, filename="bad.mp4")
        ready, failed = up.wait_done(ok_id), up.wait_done(bad_id)
        assert ready["status"] == "ready" and failed["status"] == "failed", (ready, failed)

        # --- a mail that cannot be written (the console outbox is now a file) -----------------------
        outbox = srv.data_dir / "outbox"
        shutil.move(outbox, tmp_path / "outbox-saved")
        outbox.write_text("in the way")
        r = requests.post(f"{srv.url}/api/auth/forgot-password", json={"email": alice["email"]}, timeout=T)
        assert r.status_code in (200, 202, 204), r.text
        st = wait_until(lambda: (s := _status(srv, admin)) and s["mail"]["failed_24h"] == 1 and s,
                        30, 0.2, "the failed mail in the status")
        outbox.unlink()
        shutil.move(tmp_path / "outbox-saved", outbox)

        u = st["users"]
        assert (u["total"], u["verified"], u["disabled"], u["admins"]) == (3, 3, 0, 1)
        assert u["active_7d"] == 3  # each signed in (a refresh token) this week
        assert u["online"] == 0  # nobody holds a socket
        days = st["messages_per_day"]
        assert len(days) == 14 and days[-1]["day"] == time.strftime("%Y-%m-%d", time.gmtime())
        assert [d["messages"] for d in days[-4:]] == [1, 0, 0, 2] and sum(d["messages"] for d in days) == 3
        sto = st["storage"]
        assert sto["videos"] == 1 and sto["total_bytes"] == ready["size"] > 0
        assert [(t["id"], t["bytes"]) for t in sto["top_users"]] == [(binh["user"]["id"], ready["size"])]
        assert st["queue"]["processing"] == 0 and st["queue"]["oldest_age_seconds"] is None
        assert st["queue"]["failed_24h"] == 1 and st["queue"]["last_failure"]
        assert st["mail"]["sent_24h"] == 2  # the two registration codes
        assert st["mail"]["last_error"] and st["mail"]["last_error_at"]
        assert {c["name"]: c["ok"] for c in st["health"]} == {"database": True, "storage": True, "mail": False}
        assert st["version"] and st["uptime_seconds"] > 0 and st["started_at"]

        # --- the command line says the same ----------------------------------------------------------
        out = cli("status", "--json", env=env)
        assert out.returncode == 1, out.stderr  # mail is failing: a non-zero exit for monitoring scripts
        same = json.loads(out.stdout)
        for key in ("messages_per_day", "storage", "queue"):
            assert same[key] == st[key], key
        assert {k: v for k, v in same["users"].items() if k != "online"} == \
               {k: v for k, v in st["users"].items() if k != "online"}
        assert same["mail"]["failed_24h"] == 1 and same["started_at"] == st["started_at"]
        text = cli("status", env=env).stdout
        assert "total 3, verified 3" in text and "failed 1" in text and binh["email"] in text
        assert "1 failed in the last 24 h" in text

        # --- disable and enable ------------------------------------------------------------------------
        r = requests.post(f"{srv.url}/api/admin/accounts/disable", json={"email": admin["email"]},
                          headers=auth(admin), timeout=T)
        assert r.status_code == 409 and r.json()["code"] == "cannot_disable_self"
        r = requests.post(f"{srv.url}/api/admin/accounts/disable", json={"email": binh["email"].upper()},
                          headers=auth(admin), timeout=T)
        assert r.status_code == 200 and r.json()["disabled"] and r.json()["sessions_ended"] == 1, r.text
        assert requests.get(f"{srv.url}/api/me", headers=auth(binh), timeout=T).status_code == 401
        r = requests.post(f"{srv.url}/api/auth/login", json={"email": binh["email"], "password": binh["password"]},
                          timeout=T)
        assert r.status_code == 403 and r.json()["code"] == "account_disabled"
        assert _status(srv, admin)["users"]["disabled"] == 1
        r = requests.post(f"{srv.url}/api/admin/accounts/enable", json={"email": binh["email"]},
                          headers=auth(admin), timeout=T)
        assert r.status_code == 200 and not r.json()["disabled"]
        _login(srv, binh["email"], binh["password"])
        r = requests.post(f"{srv.url}/api/admin/accounts/enable", json={"email": "nobody@example.com"},
                          headers=auth(admin), timeout=T)
        assert r.status_code == 404

        # --- grant and revoke the role from the command line -------------------------------------------
        assert cli("grant-admin", alice["email"], env=env).returncode == 0
        assert requests.get(f"{srv.url}/api/admin/status", headers=auth(alice), timeout=T).status_code == 200
        assert requests.get(f"{srv.url}/api/me", headers=auth(alice), timeout=T).json()["is_admin"] is True
        revoked = cli("revoke-admin", alice["email"], env=env)
        assert revoked.returncode == 0 and "no longer an admin" in revoked.stdout
        assert requests.get(f"{srv.url}/api/admin/status", headers=auth(alice), timeout=T).status_code == 403
        missing = cli("grant-admin", "nobody@example.com", env=env)
        assert missing.returncode == 1 and "No account" in missing.stderr
    finally:
        srv.stop()


def test_admin_endpoints_are_in_the_openapi_document(live_server: LiveServer) -> None:
    doc = requests.get(f"{live_server.url}/api/openapi.json", timeout=T)
    paths = doc.json()["paths"]
    assert {"/api/admin/status", "/api/admin/accounts/disable", "/api/admin/accounts/enable"} <= set(paths)
    assert "403" in paths["/api/admin/status"]["get"]["responses"]
