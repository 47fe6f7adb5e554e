"""SQLite's message search index, filled after the commit, in batches.

FTS5 writes one new index segment per transaction and merges segments as they
pile up. Indexing each message inside the message writer's transaction (a
trigger, as before migration 0009) therefore cost about half of SQLite's work
per message; the same rows indexed a few thousand at a time cost a tenth of
that (docs/performance.md). So on SQLite:

* the message writer (:mod:`server.services.group_commit`) calls
  :func:`catch_up` after a commit once enough rows are waiting, or a second
  has passed, while it holds the process's write lock;
* search calls :func:`catch_up` before it reads the index, so a message is
  found as soon as its sender has the ack, as before;
* ``search_index_state.indexed_upto`` (one row) is the highest message id
  indexed. Edits and deletes of rows at or below it update the index through
  triggers; rows above it are indexed later with their body as it is then.

Every statement here runs in one write transaction, so the index and
``indexed_upto`` always move together, whichever process runs it.
PostgreSQL needs none of this: its GIN index is updated with the row.
"""
from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa

from server.db import SQLITE_WRITE_WAIT, sqlite_write_lock

#: Index the rows above ``indexed_upto`` (the row limit bounds one transaction).
_INDEX = ("INSERT INTO messages_fts(rowid, body_folded) SELECT id, body_folded FROM messages "
          "WHERE id > (SELECT indexed_upto FROM search_index_state WHERE id = 1) ORDER BY id LIMIT ?")
_ADVANCE = ("UPDATE search_index_state SET indexed_upto = (SELECT COALESCE(MAX(id), indexed_upto) FROM "
            "(SELECT id FROM messages WHERE id > indexed_upto ORDER BY id LIMIT ?)) WHERE id = 1")
_PENDING = ("SELECT (SELECT COALESCE(MAX(id), 0) FROM messages) - indexed_upto FROM search_index_state "
            "WHERE id = 1")

#: Rows indexed per transaction at most (a few ms of work).
BATCH = 5000


def pending(dbapi_conn: Any) -> int:
    """How many message ids are above ``indexed_upto`` (a read; 0 without the table)."""
    row = dbapi_conn.execute(_PENDING).fetchone()
    return int(row[0]) if row is not None else 0


def catch_up(dbapi_conn: Any) -> int:
    """Indexes every message above ``indexed_upto`` on a pysqlite connection with no transaction
    open, committing every :data:`BATCH` rows; returns how many were indexed.

    The caller holds the process's SQLite write lock (:func:`server.db.sqlite_write_lock`).
    """
    done = 0
    while True:
        cur = dbapi_conn.execute(_INDEX, (BATCH,))
        n = int(cur.rowcount)
        dbapi_conn.execute(_ADVANCE, (BATCH,))
        dbapi_conn.commit()
        done += max(n, 0)
        if n < BATCH:
            return done


def bring_up_to_date(engine: sa.Engine) -> None:
    """Before a search: indexes whatever the message writer has not indexed yet (usually nothing;
    then this is one read). Takes the process's write lock, as every SQLite writer does."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        if pending(conn) <= 0:
            return
        lock = sqlite_write_lock(engine)
        if not lock.acquire(timeout=SQLITE_WRITE_WAIT):
            raise sqlite3.OperationalError("database is locked (waited for this process's other writers)")
        try:
            catch_up(conn)
        finally:
            lock.release()
    finally:
        raw.close()
