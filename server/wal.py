"""SQLite's WAL checkpoints, moved off the event loop.

In WAL mode a commit appends pages to the ``-wal`` file; a *checkpoint*
copies them back into the database file and syncs it. By default SQLite runs
one inside whichever commit pushes the WAL past 1,000 pages. In the server
that commit is the message writer's, on the event loop: every few hundred
messages the whole process stopped while pages were copied and synced, and
measured on the real schema (docs/performance.md) the checkpoints were most
of the time SQLite spent per message.

:class:`Checkpointer` turns automatic checkpoints off for the serving
process's connections and runs ``PRAGMA wal_checkpoint(PASSIVE)`` about once a
second on a real thread (:func:`server.green.offload_database`), where SQLite works
without the GIL while the loop goes on. PASSIVE never waits for readers or
writers: it copies what it can, and the next one copies the rest. Commits
stay exactly as durable as before (``synchronous=NORMAL`` in WAL mode: a
committed transaction survives the process being killed), and several server
processes may each run one (SQLite lets one checkpoint run at a time; the
others find it busy and try again a second later).
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

import sqlalchemy as sa

from server.green import offload_database

log = logging.getLogger(__name__)

#: Seconds between checkpoints while the server runs.
INTERVAL = 1.0
#: After a complete checkpoint SQLite reuses the WAL from its start; this caps the file's size then.
JOURNAL_SIZE_LIMIT = 64 << 20


class Checkpointer:
    """Checkpoints one SQLite database's WAL in the background (see the module docstring)."""

    def __init__(self, engine: sa.Engine, interval: float = INTERVAL) -> None:
        self._engine = engine
        self._path = engine.url.database
        self._interval = interval
        self._stop = threading.Event()
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Turns automatic checkpoints off for the engine's connections and starts checkpointing."""
        sa.event.listen(self._engine, "connect", _no_automatic_checkpoints)
        self._engine.dispose()  # connections opened before (migrations) are made again with the setting
        self._thread = threading.Thread(target=self._run, name="parley-wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops, after one last checkpoint."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(5)
        self._thread = None
        sa.event.remove(self._engine, "connect", _no_automatic_checkpoints)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: ``(busy, frames in the WAL, frames copied)``, as SQLite reports it."""
        if self._conn is None:
            self._conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA busy_timeout=0")  # PASSIVE never waits; neither does opening it
            self._conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def _run(self) -> None:
        while True:
            stopping = self._stop.wait(self._interval)
            try:
                offload_database(self.checkpoint)
            except Exception:  # noqa: BLE001 - try again at the next interval
                log.warning("WAL checkpoint failed", exc_info=True)
            if stopping:
                break
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _no_automatic_checkpoints(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
    cur.close()
