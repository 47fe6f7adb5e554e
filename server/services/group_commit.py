"""Group commit: new messages stored by one writer per process, many per transaction.

:meth:`GroupCommit.store` queues a message and waits until the transaction
holding it has committed, so an ack still means "durably stored". Senders
that arrive while a commit is in progress share the next one: under load this
turns one commit (and one SQLite write lock, or one PostgreSQL advisory lock)
per message into one per batch, and one writer doing the inserts in order
replaces many callers queuing for the write lock. If a batch fails, each of
its messages is retried alone, so one bad row fails only its sender.

How a batch is written depends on the database:

* :class:`SQLiteBatch` runs one prepared ``INSERT ... ON CONFLICT DO NOTHING
  RETURNING id`` per message on the raw pysqlite connection, inside the
  process's write lock, and builds the stored rows from the values it sent;
  after the commit it brings the search index up to date when enough rows
  wait (:mod:`server.services.search_index`). SQLAlchemy's Core multi-row
  insert was about half of the writer's Python time in the profile
  (docs/performance.md).
* :class:`CoreBatch` (PostgreSQL) runs one multi-row ``INSERT ... RETURNING``
  after the advisory lock that keeps ids in commit order
  (:mod:`server.services.messaging`).
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections import namedtuple
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from server.db import SQLITE_WRITE_WAIT, sqlite_write_lock, without_nul
from server.green import offload_database
from server.models import Message
from server.services import search_index

log = logging.getLogger(__name__)

MESSAGES = cast(sa.Table, Message.__table__)
#: Any constant works; it only has to be the same in every process.
MESSAGE_INSERT_LOCK = 0x7061726C6579  # "parley"
_ADVISORY_LOCK = sa.select(sa.func.pg_advisory_xact_lock(MESSAGE_INSERT_LOCK))

#: A stored message as the SQLite writer returns it: the ``messages`` columns, by name.
StoredMessage: Any = cast(Any, namedtuple("StoredMessage", [c.name for c in MESSAGES.c]))

Values = dict[str, Any]


class Batch(Protocol):
    def __call__(self, batch: list[Values]) -> list[Any]:
        """Inserts ``batch`` in one transaction; per item its new row, or None when it existed."""


class _Stored:
    """The outcome of one queued insert: a row (or None), or an exception, and an event.

    Lighter than ``concurrent.futures.Future`` (which builds a Condition and a
    lock per message), and waited for without a timeout: a gevent timeout
    costs a timer per wait, a few percent of the CPU per message. The writer
    answers every item it takes, whatever happens (:meth:`GroupCommit._run`).
    """

    __slots__ = ("_done", "_row", "_exc")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._row: Any = None
        self._exc: BaseException | None = None

    def set_result(self, row: Any) -> None:
        self._row = row
        self._done.set()

    def set_exception(self, exc: BaseException) -> None:
        self._exc = exc
        self._done.set()

    def result(self) -> Any:
        self._done.wait()
        if self._exc is not None:
            raise self._exc
        return self._row


class GroupCommit:
    """The writer: see the module docstring."""

    MAX_BATCH = 256

    def __init__(self, write: Batch) -> None:
        self._write = write
        self._queue: queue.SimpleQueue[tuple[Values, _Stored]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="parley-message-writer", daemon=True).start()

    def store(self, values: Values) -> Any:
        """Inserts one message (``ON CONFLICT DO NOTHING``); the new row, or None if it existed."""
        fut = _Stored()
        self._queue.put((values, fut))
        return fut.result()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write_batch(batch)
            except BaseException as exc:  # the writer is ending (shutdown): nobody waits forever
                for _, fut in batch:
                    fut.set_exception(exc)
                raise

    def _write_batch(self, batch: list[tuple[Values, _Stored]]) -> None:
        try:
            rows = self._write([values for values, _ in batch])
        except Exception:  # noqa: BLE001 - find the bad one: retry each alone
            for values, fut in batch:
                try:
                    fut.set_result(self._write([values])[0])
                except Exception as exc:  # noqa: BLE001 - handed to that sender
                    fut.set_exception(exc)
            return
        for (_, fut), row in zip(batch, rows, strict=True):
            fut.set_result(row)


class CoreBatch:
    """PostgreSQL: one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per batch."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._insert = (pg_insert(MESSAGES).on_conflict_do_nothing(index_elements=["sender_id", "client_id"])
                        .returning(*MESSAGES.c))

    def __call__(self, batch: list[Values]) -> list[Any]:
        with self._engine.begin() as conn:
            conn.execute(_ADVISORY_LOCK)
            if len(batch) == 1:
                return [conn.execute(self._insert, batch[0]).first()]
            inserted = {(r.sender_id, r.client_id): r for r in conn.execute(self._insert, batch)}
        out, seen = [], set()
        for values in batch:
            key = (values["sender_id"], values["client_id"])
            out.append(None if key in seen else inserted.get(key))  # a retry in the same batch: not new
            seen.add(key)
        return out


class SQLiteBatch:
    """SQLite: the batch on the raw pysqlite connection, in the process's write lock."""

    #: The search index is brought up to date after a commit once this many rows wait...
    INDEX_ROWS = 2000
    #: ...or this many seconds after it last was (search itself never waits for it).
    INDEX_SECONDS = 1.0

    _COLUMNS = ("client_id", "sender_id", "recipient_id", "body", "body_folded", "media_id", "created_at",
                "deleted", "withheld")

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._lock = sqlite_write_lock(engine)
        # the column's own bind processing for the one value pysqlite cannot take as it is (a UTC
        # datetime becomes SQLAlchemy's text form); strings pass through, booleans become 0/1
        created_at = MESSAGES.c.created_at.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
        assert created_at is not None
        self._created_at = created_at
        self._sql = (f"INSERT INTO messages ({', '.join(self._COLUMNS)}) "
                     f"VALUES ({', '.join('?' for _ in self._COLUMNS)}) "
                     "ON CONFLICT (sender_id, client_id) DO NOTHING RETURNING id")
        self._unindexed: int | None = None  # rows above the search index's mark; read at first use
        self._indexed_at = time.monotonic()

    def _params(self, v: Values) -> tuple[Any, ...]:
        """The row in :attr:`_COLUMNS` order."""
        return (v["client_id"], v["sender_id"], v["recipient_id"], v["body"], v["body_folded"], v["media_id"],
                self._created_at(v["created_at"]), 1 if v["deleted"] else 0, 1 if v["withheld"] else 0)

    def __call__(self, batch: list[Values]) -> list[Any]:
        batch = [without_nul(values) for values in batch]
        if not self._lock.acquire(timeout=SQLITE_WRITE_WAIT):
            raise sqlite3.OperationalError("database is locked (waited for this process's other writers)")
        try:
            raw = self._engine.raw_connection()
            try:
                conn: Any = raw.driver_connection
                ids = [conn.execute(self._sql, self._params(values)).fetchone() for values in batch]
                conn.commit()
                try:
                    self._index_if_due(conn, sum(1 for i in ids if i is not None))
                except Exception:  # noqa: BLE001 - the messages are stored; search catches the index up
                    log.warning("indexing messages for search failed", exc_info=True)
                    self._unindexed = None
            finally:
                raw.close()  # rolls back whatever did not commit
        finally:
            self._lock.release()
        return [None if i is None else StoredMessage(id=i[0], edited_at=None, delivered_at=None, read_at=None,
                                                    **values)
                for values, i in zip(batch, ids, strict=True)]

    def _index_if_due(self, conn: Any, stored: int) -> None:
        """After a commit, still in the write lock: indexes the waiting rows for search when due,
        on a real thread (FTS5 works without the GIL), so the event loop goes on meanwhile."""
        if self._unindexed is None:
            self._unindexed = search_index.pending(conn)
        else:
            self._unindexed += stored
        now = time.monotonic()
        if self._unindexed >= self.INDEX_ROWS or (self._unindexed and now - self._indexed_at >= self.INDEX_SECONDS):
            offload_database(search_index.catch_up, conn)
            self._unindexed = 0
            self._indexed_at = now


def writer_for(engine: sa.Engine) -> GroupCommit:
    """The group commit for this engine's database."""
    write: Batch = SQLiteBatch(engine) if engine.dialect.name == "sqlite" else CoreBatch(engine)
    return GroupCommit(write)
