"""Engine, sessions and migrations.

One :class:`Database` per app. Services receive a ``Session`` as an argument;
HTTP requests get one per request (:func:`server.extensions.db_session`),
Socket.IO handlers and background jobs open their own with
``database.session()``.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


class Database:
    """Owns the engine and the session factory."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.engine = sa.create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=pool_size, max_overflow=40, pool_pre_ping=False)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "connect", lambda *_: _private_files(url))
        else:
            self.engine = sa.create_engine(url, pool_size=pool_size, max_overflow=40, pool_pre_ping=True)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

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
        self.engine.dispose()
