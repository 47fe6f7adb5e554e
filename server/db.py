"""Engine, sessions and migrations.

One :class:`Database` per app. Services receive a ``Session`` as an argument;
HTTP requests get one per request (:func:`server.extensions.db_session`),
Socket.IO handlers and background jobs open their own with
``database.session()``.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def _private_files(url: str) -> None:
    """The SQLite file and its WAL hold every account and message: owner only (0600)."""
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:":
        return
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            pass


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
    cur = dbapi_conn.cursor()
    # WAL lets readers run while one writer commits; NORMAL sync in WAL mode is
    # durable across a process crash (SIGKILL), which is what an ack promises.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


#: Seconds a writer waits for this process's SQLite write lock (SQLite's own busy_timeout is 30 s too).
SQLITE_WRITE_WAIT = 30.0
_WRITE_LOCKS: weakref.WeakKeyDictionary[sa.Engine, Any] = weakref.WeakKeyDictionary()


def sqlite_write_lock(engine: sa.Engine) -> Any:
    """The lock of :func:`_sqlite_write_lock`, for code that writes on a raw DB-API connection
    (the message writer): statements run there bypass SQLAlchemy's events, so it takes the lock
    itself, around the whole transaction."""
    return _WRITE_LOCKS[engine]


def _sqlite_write_lock(engine: sa.Engine) -> None:
    """Lets one connection of this process write to SQLite at a time, waiting cooperatively.

    SQLite has one writer at a time; a second one waits in SQLite's busy
    handler, which *sleeps in C*. Under gevent that sleep stops the whole
    event loop, including the greenlet that holds the write lock and would
    release it: everything stalls until ``busy_timeout``. So the first
    writing statement of a transaction (pysqlite opens the transaction
    right there: plain SELECTs run outside one) first takes this lock, a
    gevent-aware lock once the standard library is patched, and the
    transaction's commit or rollback releases it. Readers never wait (WAL).
    """
    lock = _WRITE_LOCKS[engine] = threading.Lock()

    def before_execute(conn: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get("parley_writing"):
            return
        if statement.lstrip()[:6].upper() in ("SELECT", "PRAGMA"):
            return
        if not lock.acquire(timeout=SQLITE_WRITE_WAIT):
            raise sqlite3.OperationalError("database is locked (waited for this process's other writers)")
        info["parley_writing"] = True

    def release(info: dict[str, Any]) -> None:
        if info.pop("parley_writing", False):
            lock.release()

    sa.event.listen(engine, "before_cursor_execute", before_execute)
    sa.event.listen(engine, "commit", lambda conn: release(conn.info))
    sa.event.listen(engine, "rollback", lambda conn: release(conn.info))
    # a connection handed back or dropped mid-transaction: the pool rolls it back
    def on_reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        release(connection_record.info)

    sa.event.listen(engine, "reset", on_reset)
    sa.event.listen(engine, "checkin", lambda _dbapi, record: release(record.info) if record is not None else None)


#: What a NUL character in a text value becomes on its way to the database.
NUL_REPLACEMENT = "\ufffd"


def without_nul(params: Any) -> Any:
    """``params`` with every NUL in a string replaced (the same object when there is none).

    Handles what a DB-API cursor receives: a dict or a tuple of values, or a
    list of those (``executemany``).
    """
    if isinstance(params, dict):
        if any(isinstance(v, str) and "\x00" in v for v in params.values()):
            return {k: v.replace("\x00", NUL_REPLACEMENT) if isinstance(v, str) else v for k, v in params.items()}
        return params
    if isinstance(params, (list, tuple)):
        if any(isinstance(v, (dict, list, tuple)) for v in params):
            return type(params)(without_nul(v) for v in params)
        if any(isinstance(v, str) and "\x00" in v for v in params):
            return type(params)(v.replace("\x00", NUL_REPLACEMENT) if isinstance(v, str) else v for v in params)
    return params


def _no_nul_characters(engine: sa.Engine) -> None:
    """No NUL character reaches the database, whatever the client sent.

    PostgreSQL refuses NUL in text (psycopg raises), so any string from a
    client that contained ``\u0000`` (a message body, a display name, a user
    id in a URL, a Socket.IO field) made that request a 500. SQLite stored it.
    Replacing it with U+FFFD in every bound value, in one place, makes both
    databases behave alike: stored text gets the replacement character, and a
    lookup by such an id finds nothing, as for any unknown id.
    """
    def before_execute(_conn: sa.Connection, _cursor: Any, statement: str, parameters: Any,
                       _context: Any, _executemany: bool) -> tuple[str, Any]:
        return statement, without_nul(parameters)

    sa.event.listen(engine, "before_cursor_execute", before_execute, retval=True)


class LazySession:
    """A ``Session`` stand-in that opens the real one on first use (see :meth:`Database.lazy_session`).

    ``commit``, ``rollback`` and ``close`` of a session never opened do nothing,
    and ``get_bind`` answers with the engine without opening one.
    """

    def __init__(self, factory: sessionmaker[Session], engine: sa.Engine) -> None:
        self._factory = factory
        self._engine = engine
        self._session: Session | None = None

    def _real(self) -> Session:
        if self._session is None:
            self._session = self._factory()
        return self._session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def execute(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        """A Core statement (not an ORM one) before the session is needed runs on a short Core
        connection, and its rows come back buffered: the send path's cache refreshes (recipient,
        blocks) then cost a query, not an ORM session (about a tenth of the CPU per message)."""
        if self._session is None and not kwargs and not statement._propagate_attrs:
            with self._engine.connect() as conn:
                return conn.execute(statement, params).freeze()()
        return self._real().execute(statement, params, **kwargs)

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        if self._session is None and not args and not kwargs:
            return self._engine
        return self._real().get_bind(*args, **kwargs)

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class Database:
    """Owns the engine and the session factory."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.engine = sa.create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=pool_size, max_overflow=40, pool_pre_ping=False)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            _sqlite_write_lock(self.engine)
            sa.event.listen(self.engine, "connect", lambda *_: _private_files(url))
        else:
            self.engine = sa.create_engine(url, pool_size=pool_size, max_overflow=40, pool_pre_ping=True)
        _no_nul_characters(self.engine)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self._checkpointer: Any = None

    def checkpoint_in_background(self) -> None:
        """SQLite: WAL checkpoints on a real thread instead of inside commits on the event loop
        (:mod:`server.wal`). For the serving process; nothing to do on PostgreSQL."""
        if self.dialect == "sqlite" and self._checkpointer is None:
            from server.wal import Checkpointer
            self._checkpointer = Checkpointer(self.engine)
            self._checkpointer.start()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that rolls back on error and always closes."""
        s = self.Session()
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def lazy_session(self) -> Iterator[Any]:
        """Like :meth:`session`, but the session (and its pooled connection) is made only when used.

        For the Socket.IO hot path: a text ``message:send`` whose recipient and
        blocks are cached needs no read before the group commit, and building,
        committing and closing an unused ORM session cost about a tenth of the
        server's CPU per message (docs/performance.md).
        """
        s = LazySession(self.Session, self.engine)
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def upgrade(self) -> None:
        """Applies every Alembic migration up to head."""
        with self.engine.begin() as conn:
            cfg = AlembicConfig()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            except sa.exc.DBAPIError:
                return None

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()
