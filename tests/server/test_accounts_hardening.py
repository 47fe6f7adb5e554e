"""Issue 11's smaller items: private files, operational details for admins only, ids out of range."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import requests
from flask import Flask

from server import protocol as P
from tests.conftest import LiveServer
from tests.server.accounts_helpers import make_app
from tests.server.media_helpers import Uploader
from tests.server.realtime_helpers import Device, token_of

T = 10
HUGE = [str(2**63), "9999999999999999999", 2**63, 2**64]


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_data_dir_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # what a shell usually leaves: the server must not rely on it
    try:
        srv = LiveServer(tmp_path / "data").start()
    finally:
        os.umask(old)
    try:
        alice = srv.register_verified("Alice")  # the database, its WAL, the outbox
        up = Uploader(srv, alice)
        data = b"\0" * 70_000
        started = up.start(data)
        assert up.put(started, data, 1).status_code == 200  # a stored video part
        d = srv.data_dir
        assert _mode(d) == 0o700
        files = [p for p in d.rglob("*") if p.is_file() and p.name != "server.log"]
        assert any(p.name == "parley.db" for p in files) and any(p.suffix == ".eml" for p in files)
        assert any("media" in p.parts for p in files), files
        assert {str(p.relative_to(d)): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
        assert {str(p.relative_to(d)): oct(_mode(p)) for p in d.rglob("*") if p.is_dir() and _mode(p) != 0o700} == {}
    finally:
        srv.stop()


def test_an_existing_world_readable_data_dir_is_made_private(tmp_path: Path) -> None:
    d = tmp_path / "shared"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    app = make_app(d.parent, None, PARLEY_DATA_DIR=str(d))
    try:
        assert _mode(d) == 0o700
        assert _mode(d / "parley.db") == 0o600
    finally:
        from server import close_app
        close_app(app)


@pytest.fixture
def sqlite_app(tmp_path: Path):  # noqa: ANN201
    from server import close_app
    a = make_app(tmp_path, None, PARLEY_ADMIN_TOKEN="an admin token that is long enough")
    yield a
    close_app(a)


def test_readyz_details_and_metrics_only_for_loopback_or_the_admin_token(sqlite_app: Flask) -> None:
    c = sqlite_app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    r = c.get("/readyz", environ_base=outside)
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    r = c.get("/metrics", environ_base=outside)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/problem+json")
    wrong = {"Authorization": "Bearer not the admin token at all"}
    assert c.get("/metrics", environ_base=outside, headers=wrong).status_code == 403
    admin = {"Authorization": "Bearer an admin token that is long enough"}
    assert set(c.get("/readyz", environ_base=outside, headers=admin).get_json()["components"]) == \
        {"database", "storage", "mail"}
    assert c.get("/metrics", environ_base=outside, headers=admin).status_code == 200
    for local in ("127.0.0.1", "::1"):
        assert "components" in c.get("/readyz", environ_base={"REMOTE_ADDR": local}).get_json()
        assert c.get("/metrics", environ_base={"REMOTE_ADDR": local}).status_code == 200
    # a local nginx the server was not told about makes every visitor look local: not trusted
    proxied = c.get("/readyz", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert "components" not in proxied.get_json()
    assert c.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                 headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 403


def test_ids_out_of_range_answer_422_over_rest_and_socketio(live_server: LiveServer) -> None:
    alice, bob = live_server.register_verified("Alice"), live_server.register_verified("Bob")
    h = {"Authorization": f"Bearer {alice['tokens']['access_token']}"}
    peer = bob["user"]["id"]
    base = f"{live_server.url}/api/conversations/{peer}"
    for big in (str(2**63), "9999999999999999999"):
        for r in (requests.get(f"{base}/messages?before={big}", headers=h, timeout=T),
                  requests.get(f"{base}/messages?after={big}", headers=h, timeout=T),
                  requests.post(f"{base}/read", json={"up_to": big}, headers=h, timeout=T)):
            assert r.status_code == 422 and r.json()["code"] == "validation_failed", (big, r.status_code, r.text)
    top = str(2**63 - 1)  # the largest id is valid (and finds nothing)
    assert requests.get(f"{base}/messages?before={top}", headers=h, timeout=T).status_code == 200
    dev = Device(live_server.url, token_of(alice)).connect()
    try:
        for big in HUGE:
            for event, payload in ((P.MESSAGE_EDIT, {"id": big, "body": "x"}), (P.MESSAGE_DELETE, {"id": big}),
                                   (P.MESSAGE_DELIVERED, {"ids": [big]}),
                                   (P.CONVERSATION_READ, {"peer_id": peer, "up_to": big}),
                                   (P.SYNC, {"after": big})):
                ack = dev.call(event, payload)
                assert ack["ok"] is False and ack["error"]["code"] == "validation_failed", (event, big, ack)
        assert dev.call(P.SYNC, {"after": top})["ok"] is True
    finally:
        dev.close()


def test_the_api_answers_what_its_document_says(live_server: LiveServer) -> None:
    """The conformance failures issue 11 listed, each checked directly."""
    url = live_server.url
    # authenticate before validating the body: no token is 401, whatever the body
    for body in ({"current_password": "x", "new_password": "y"}, {}):
        r = requests.post(f"{url}/api/me/password", json=body, timeout=T)
        assert r.status_code == 401 and r.json()["code"] == "unauthorized", r.text
    assert requests.patch(f"{url}/api/me", json={"display_name": ""}, timeout=T).status_code == 401
    # OPTIONS lists only documented methods (the media GET route no longer matches "uploads")
    allow = {m.strip() for m in requests.options(f"{url}/api/media/uploads", timeout=T).headers["Allow"].split(",")}
    assert allow <= {"POST", "OPTIONS", "HEAD"}, allow
    # a cancelled upload is gone
    alice = live_server.register_verified("Alice")
    up = Uploader(live_server, alice)
    started = up.start(b"\0" * 70_000)
    h = {"Authorization": f"Bearer {alice['tokens']['access_token']}"}
    assert requests.get(f"{url}/api/media/uploads/{started['upload_id']}", headers=h, timeout=T).status_code == 200
    assert requests.delete(f"{url}/api/media/uploads/{started['upload_id']}", headers=h, timeout=T).status_code == 204
    gone = requests.get(f"{url}/api/media/uploads/{started['upload_id']}", headers=h, timeout=T)
    assert gone.status_code == 404 and gone.headers["Content-Type"].startswith("application/problem+json")
    # the link page's content type is the documented one
    spec = requests.get(f"{url}/api/openapi.json", timeout=T).json()
    assert set(spec["paths"]["/verify"]["get"]["responses"]["200"]["content"]) == {"text/html"}
    page = requests.get(f"{url}/verify?token=nothing-like-a-token", timeout=T)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    # the email rule is in the document
    email = spec["components"]["schemas"]["RegisterBody"]["properties"]["email"]
    assert email["format"] == "email" and email["maxLength"] == 254 and email["pattern"]
