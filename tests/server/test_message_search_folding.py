"""Accent-insensitive message search, "messages around an id", and who may see what (issue 14).

Run on SQLite and PostgreSQL: both read ``messages.body_folded``.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

from server import protocol as P
from server.db import MIGRATIONS
from server.services.text_folding import fold
from tests.conftest import ROOT, LiveServer
from tests.server.realtime_helpers import Device, rest, token_of


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"PARLEY_MESSAGE_RATE": "10000", "PARLEY_MESSAGE_BURST": "10000"}


def _send(srv: LiveServer, sender: dict, peer_id: str, body: str, cid: str) -> dict:
    r = rest("POST", f"{srv.url}/api/conversations/{peer_id}/messages", token_of(sender),
             json={"client_id": cid, "body": body})
    assert r.status_code == 201, r.text
    return r.json()


def _found(srv: LiveServer, who: dict, q: str, **params: str) -> list[str]:
    r = rest("GET", f"{srv.url}/api/messages/search", token_of(who), params={"q": q, **params})
    assert r.status_code == 200, r.text
    return [m["client_id"] for m in r.json()["messages"]]


def test_fold() -> None:
    assert fold("Xin chào ĐẠI HỌC, Tiếng Việt ưởng") == "xin chao dai hoc, tieng viet uong"
    assert fold("đang") == "dang" and fold("Straße") == "strasse"


def _checks(srv: LiveServer) -> None:
    alice, bob, mallory = (srv.register_verified(n) for n in ("Alice", "Bob", "Mallory"))
    a_id, b_id, m_id = (u["user"]["id"] for u in (alice, bob, mallory))
    _send(srv, alice, b_id, "Xin chào Bob, hôm nay đang mưa", "v1")
    _send(srv, bob, a_id, "XIN CHAO lại nhé", "v2")
    edited = _send(srv, alice, b_id, "nothing yet", "v3")
    _send(srv, mallory, b_id, "xin chào from Mallory to Bob", "v4")

    # without diacritics, upper case, with other diacritics: the same words
    assert _found(srv, alice, "xin chao") == ["v2", "v1"]
    assert _found(srv, alice, "XÍN CHÀO") == ["v2", "v1"]
    assert _found(srv, alice, "dang mua") == ["v1"]
    assert _found(srv, alice, "hom na") == ["v1"]  # the last word as a prefix, while typing
    assert _found(srv, alice, "xin chao", peer_id=b_id) == ["v2", "v1"]
    # an edit is folded too, and a deleted message is found no more
    d = Device(srv.url, token_of(alice)).connect()
    assert d.call(P.MESSAGE_EDIT, {"id": edited["id"], "body": "Tạm biệt"})["ok"]
    assert _found(srv, alice, "tam biet") == ["v3"]
    assert d.call(P.MESSAGE_DELETE, {"id": edited["id"]})["ok"]
    d.close()
    assert _found(srv, alice, "tam biet") == []

    # a stranger finds nothing of others' conversations, even naming them
    assert _found(srv, mallory, "xin chao") == ["v4"]
    assert _found(srv, mallory, "xin chao", peer_id=a_id) == []
    assert _found(srv, mallory, "hom nay") == []
    # tsquery / MATCH syntax is only ever words
    assert _found(srv, alice, "xin & !chao | :* \"'") == ["v2", "v1"]  # syntax is dropped, words kept
    assert rest("GET", f"{srv.url}/api/messages/search", token_of(alice),
                params={"q": "x", "limit": 101}).status_code == 422
    assert rest("GET", f"{srv.url}/api/messages/search", token_of(alice),
                params={"q": "x" * 201}).status_code == 422
    assert requests.get(f"{srv.url}/api/messages/search", params={"q": "xin"}, timeout=10).status_code == 401


def _around_checks(srv: LiveServer) -> None:
    alice, bob, mallory = (srv.register_verified(n) for n in ("Ann", "Ben", "Max"))
    a_id, b_id = alice["user"]["id"], bob["user"]["id"]
    ids = [_send(srv, alice, b_id, f"m{i}", f"a{i}")["id"] for i in range(30)]
    url = f"{srv.url}/api/conversations/{b_id}/messages"
    page = rest("GET", url, token_of(alice), params={"around": ids[15], "limit": 11}).json()
    assert [m["id"] for m in page["messages"]] == ids[10:21]
    assert page["has_more_before"] is True and page["has_more_after"] is True
    page = rest("GET", url, token_of(alice), params={"around": ids[2], "limit": 11}).json()
    assert [m["id"] for m in page["messages"]] == ids[0:11]
    assert page["has_more_before"] is False and page["has_more_after"] is True
    page = rest("GET", f"{srv.url}/api/conversations/{a_id}/messages", token_of(bob),
                params={"around": ids[28], "limit": 5}).json()
    assert [m["id"] for m in page["messages"]] == ids[25:30] and page["has_more_after"] is False
    # a stranger cannot read around someone else's message, through either peer id
    for peer in (a_id, b_id):
        r = rest("GET", f"{srv.url}/api/conversations/{peer}/messages", token_of(mallory), params={"around": ids[15]})
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    page = rest("GET", url, token_of(alice), params={"around": ids[15], "before": ids[20], "limit": 11}).json()
    assert [m["id"] for m in page["messages"]] == ids[10:21]  # around wins over before/after
    assert rest("GET", url, token_of(alice), params={"around": "x1"}).status_code == 422
    assert rest("GET", url, token_of(alice), params={"around": ids[15], "limit": 101}).status_code == 422


def test_search_and_around_on_sqlite(live_server: LiveServer) -> None:
    _checks(live_server)
    _around_checks(live_server)


def test_search_and_around_on_postgres(tmp_path: Path, postgres_url: str, server_env: dict[str, str]) -> None:
    srv = LiveServer(tmp_path / "pg", {**server_env, "PARLEY_DATABASE_URL": postgres_url})
    subprocess.run([sys.executable, "-m", "server", "db", "upgrade"], cwd=ROOT, env=srv.env, check=True,
                   capture_output=True, timeout=60)
    srv.start()
    try:
        _checks(srv)
        _around_checks(srv)
    finally:
        srv.stop()


def _migrate(url: str, to: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)
    engine.dispose()


def _backfill_checks(url: str) -> None:
    """Messages stored before 0006 are folded by the migration and found by the new index."""
    _migrate(url, "0004")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for uid in ("u1", "u2"):
            conn.execute(sa.text("INSERT INTO users (id, email, password_hash, display_name, locale, created_at"
                                 ") VALUES (:id, :e, 'x', :id, 'vi', CURRENT_TIMESTAMP)"),
                         {"id": uid, "e": f"{uid}@example.org"})
        conn.execute(sa.text("INSERT INTO messages (client_id, sender_id, recipient_id, body, created_at, deleted, "
                             "withheld) VALUES ('c1', 'u1', 'u2', 'Xin chào, đang đi', CURRENT_TIMESTAMP, false, "
                             "false)"))
    _migrate(url, "head")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT body_folded FROM messages")).scalar() == "xin chao, dang di"
        if engine.dialect.name == "sqlite":
            hit = conn.execute(sa.text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'dang'")).all()
        else:
            hit = conn.execute(sa.text("SELECT id FROM messages WHERE to_tsvector('simple'::regconfig, body_folded) "
                                       "@@ to_tsquery('simple'::regconfig, 'dang')")).all()
        assert len(hit) == 1
    engine.dispose()


def test_migration_backfills_on_sqlite(tmp_path: Path) -> None:
    _backfill_checks(f"sqlite:///{tmp_path / 'old.sqlite3'}")


def test_migration_backfills_on_postgres(postgres_url: str) -> None:
    _backfill_checks(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
                     if postgres_url.startswith("postgresql://") else postgres_url)
