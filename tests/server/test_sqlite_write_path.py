"""SQLite's message write path: the raw group commit, the search index filled after the commit, and
WAL checkpoints outside commits. Through the services, without HTTP (the live tests send through the
server); on PostgreSQL the same sends go through the Core batch."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.db import Database
from server.models import Message, User, utcnow
from server.services import search_index
from server.services.group_commit import SQLiteBatch
from server.services.messaging import MessagingService
from server.wal import Checkpointer


def _two_people(db: Database) -> tuple[str, str]:
    with db.session() as s:
        now = utcnow()
        a, b = (User(email=f"{n}-{os.urandom(4).hex()}@example.com", password_hash="x", display_name=n,
                     email_verified_at=now) for n in ("a", "b"))
        s.add_all([a, b])
        s.commit()
        return a.id, b.id


def _integrity(db: Database) -> None:
    """FTS5 checks its index against the messages it was given (raises on a mismatch)."""
    with db.engine.begin() as c:
        c.exec_driver_sql("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")


def test_sent_messages_are_stored_found_edited_and_deleted(database: Database) -> None:
    svc = MessagingService(database.dialect)
    a, b = _two_people(database)
    with database.session() as s:
        first, created = svc.send(s, a, b, "c1", "Xin chào\x00 bạn")
        assert created and first.body == "Xin chào\ufffd bạn"  # the row as stored: NUL replaced
        again, created = svc.send(s, a, b, "c1", "something else")  # a retry: the stored one
        assert not created and again.id == first.id and again.body == first.body
        second, _ = svc.send(s, a, b, "c2", "hẹn gặp lại")
        assert second.id > first.id and second.created_at.tzinfo is not None
        stored = s.get(Message, second.id)
        assert stored is not None and stored.created_at == second.created_at
        if database.dialect == "sqlite":  # stored as SQLAlchemy stores it, microseconds always written
            text = s.execute(sa.text("SELECT created_at FROM messages WHERE id = :i"), {"i": second.id}).scalar()
            assert isinstance(text, str) and len(text) == 26, text
        # found at once, before any background indexing (search brings the index up to date)
        assert [m.id for m in svc.search(s, b, "chao")] == [first.id]
        assert [m.id for m in svc.search(s, a, "hen gap")] == [second.id]
        svc.edit(s, a, second.id, "tạm biệt")
        assert svc.search(s, a, "hen gap") == []
        assert [m.id for m in svc.search(s, a, "tam biet")] == [second.id]
        third, _ = svc.send(s, a, b, "c3", "not indexed yet")
        svc.edit(s, a, third.id, "edited before the index saw it")  # above the mark: no trigger
        assert [m.id for m in svc.search(s, a, "edited before")] == [third.id]
        assert svc.search(s, a, "indexed yet") == []
    if database.dialect == "sqlite":
        _integrity(database)


def test_rows_above_the_mark_are_edited_and_deleted_without_touching_the_index(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    db.upgrade()
    try:
        svc = MessagingService(db.dialect)
        a, b = _two_people(db)
        with db.session() as s:
            ids = [svc.send(s, a, b, f"c{i}", f"word{i} common")[0].id for i in range(30)]
        with db.engine.begin() as c:  # some indexed, some not
            c.exec_driver_sql("UPDATE search_index_state SET indexed_upto = ?", (ids[9],))
            # start from an index holding exactly the first ten
            c.exec_driver_sql("INSERT INTO messages_fts(messages_fts) VALUES ('delete-all')")
            c.exec_driver_sql("INSERT INTO messages_fts(rowid, body_folded) SELECT id, body_folded FROM messages "
                              "WHERE id <= ?", (ids[9],))
            c.exec_driver_sql("DELETE FROM messages WHERE id IN (?, ?)", (ids[3], ids[20]))
            c.exec_driver_sql("UPDATE messages SET body_folded = 'changed' WHERE id IN (?, ?)", (ids[4], ids[25]))
        raw = db.engine.raw_connection()
        try:
            assert search_index.pending(raw.driver_connection) == ids[-1] - ids[9]
        finally:
            raw.close()
        with db.session() as s:
            assert len(svc.search(s, a, "common")) == 26
            assert {m.id for m in svc.search(s, a, "changed")} == {ids[4], ids[25]}
        _integrity(db)
        with db.engine.connect() as c:
            assert c.exec_driver_sql("SELECT indexed_upto FROM search_index_state").scalar() == ids[-1]
    finally:
        db.dispose()


def test_the_writer_indexes_after_its_commit_when_due(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a search: once the interval has passed, the writer's own commit leaves nothing unindexed."""
    monkeypatch.setattr(SQLiteBatch, "INDEX_SECONDS", 0.0)
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    db.upgrade()
    try:
        svc = MessagingService(db.dialect)
        a, b = _two_people(db)
        with db.session() as s:
            for i in range(3):
                svc.send(s, a, b, f"c{i}", f"indexed by the writer {i}")
        raw = db.engine.raw_connection()
        try:
            assert search_index.pending(raw.driver_connection) == 0
        finally:
            raw.close()
        _integrity(db)
    finally:
        db.dispose()


def test_checkpoints_run_outside_commits(tmp_path: Path) -> None:
    """With the checkpointer the server's connections never checkpoint in a commit (the WAL only
    grows), and one checkpoint copies everything back."""
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    db.upgrade()
    checkpointer = Checkpointer(db.engine, interval=3600)
    checkpointer.start()
    try:
        svc = MessagingService(db.dialect)
        a, b = _two_people(db)
        with db.session() as s:
            for i in range(400):
                svc.send(s, a, b, f"c{i}", "x" * 3000)  # ~1,200 pages: past SQLite's automatic 1,000
        busy, frames, copied = checkpointer.checkpoint()
        assert busy == 0 and frames > 1000 and copied == frames
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    finally:
        checkpointer.stop()
        db.dispose()
    with sa.create_engine(f"sqlite:///{tmp_path / 'p.db'}").connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 400
