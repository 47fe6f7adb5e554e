"""Messages written but not yet acknowledged by the server, kept on disk in order.

Each entry keeps the ``client_id`` it was created with; the server is idempotent on
it, so a retry after a lost ack never makes a second message.
"""
from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timezone

from desktop.core.media import MediaInfo, media_from_json, media_to_json
from desktop.core.models import Message, format_time, parse_time
from desktop.core.store import Store

_COLS = "client_id, peer_id, body, created_at, error, media"


class Outbox:
    """FIFO of unsent messages in the profile's SQLite store."""

    def __init__(self, store: Store, me: str) -> None:
        self.store = store
        self.me = me

    def add(self, peer_id: str, body: str, *, now: datetime | None = None, media: MediaInfo | None = None,
            client_id: str | None = None) -> Message:
        """Queue a new message and return it as a pending :class:`Message`.

        A video message comes with its ready ``media`` and the ``client_id`` its upload was
        started with; adding the same ``client_id`` twice keeps the first entry.
        """
        created = now or datetime.now(timezone.utc)
        client_id = client_id or str(uuid.uuid4())
        with self.store.lock:
            self.store.db.execute(
                "INSERT OR IGNORE INTO outbox (client_id, peer_id, sender_id, body, created_at, media) "
                "VALUES (?,?,?,?,?,?)",
                (client_id, peer_id, self.me, body, format_time(created), media_to_json(media)))
        return Message(id=None, client_id=client_id, sender_id=self.me, recipient_id=peer_id,
                       body=body, created_at=created, pending=True, media=media)

    def pending(self, peer_id: str | None = None) -> list[Message]:
        """Entries in the order they were written (all, or one conversation's)."""
        sql = f"SELECT {_COLS} FROM outbox WHERE sender_id=?"
        args: tuple[str, ...] = (self.me,)
        if peer_id is not None:
            sql += " AND peer_id=?"
            args += (peer_id,)
        with self.store.lock:
            rows = self.store.db.execute(sql + " ORDER BY seq", args).fetchall()
        return [self._message(r) for r in rows]

    def next_unsent(self) -> Message | None:
        """The oldest entry that has not failed for good.

        One indexed row, not the whole outbox: a flush calls this once per message,
        so reading everything each time made a long backlog quadratic.
        """
        with self.store.lock:
            row = self.store.db.execute(
                f"SELECT {_COLS} FROM outbox WHERE sender_id=? AND (error IS NULL OR error='') "
                "ORDER BY seq LIMIT 1",
                (self.me,)).fetchone()
        return self._message(row) if row is not None else None

    def _message(self, r: sqlite3.Row) -> Message:
        return Message(id=None, client_id=r["client_id"], sender_id=self.me, recipient_id=r["peer_id"],
                       body=r["body"], created_at=parse_time(r["created_at"]),  # type: ignore[arg-type]
                       pending=True, error=r["error"], media=media_from_json(r["media"]))

    def remove(self, client_id: str) -> None:
        with self.store.lock:
            self.store.db.execute("DELETE FROM outbox WHERE client_id=?", (client_id,))

    def mark_failed(self, client_id: str, error: str) -> None:
        """The server refused this entry (e.g. too long); it stays visible but is not retried."""
        with self.store.lock:
            self.store.db.execute("UPDATE outbox SET error=? WHERE client_id=?", (error, client_id))

    def retry(self, client_id: str) -> None:
        with self.store.lock:
            self.store.db.execute("UPDATE outbox SET error=NULL WHERE client_id=?", (client_id,))

    def __len__(self) -> int:
        with self.store.lock:
            return int(self.store.db.execute("SELECT COUNT(*) FROM outbox WHERE sender_id=?",
                                             (self.me,)).fetchone()[0])
