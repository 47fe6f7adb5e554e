"""Local copy of conversations, messages and drafts, so the app opens instantly and reads offline."""
from __future__ import annotations

import sqlite3
from typing import Iterable

from desktop.core.models import (
    Conversation,
    Message,
    StatusUpdate,
    UserSummary,
    format_time,
    max_id,
    parse_time,
)
from desktop.core.media import media_from_json, media_to_json
from desktop.core.store import Store
from desktop.core.text_folding import fold

_COLS = ("id, client_id, sender_id, recipient_id, body, created_at, edited_at, deleted, "
         "delivered_at, read_at, media")


# The incoming copy (``excluded``) is at least as new as the stored one: see Message.version.
# Times are stored as fixed-width UTC strings (format_time), so they compare as text.
_NEWER = ("(excluded.deleted > deleted OR (excluded.deleted = deleted AND "
          "COALESCE(excluded.edited_at, '') >= COALESCE(edited_at, '')))")


def _idkey(message_id: str) -> int:
    return int(message_id) if message_id.isdigit() else 0


def _row_to_message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"], client_id=row["client_id"] or "", sender_id=row["sender_id"],
        recipient_id=row["recipient_id"], body=row["body"],
        created_at=parse_time(row["created_at"]),  # type: ignore[arg-type]
        edited_at=parse_time(row["edited_at"]), deleted=bool(row["deleted"]),
        delivered_at=parse_time(row["delivered_at"]), read_at=parse_time(row["read_at"]),
        media=media_from_json(row["media"]),
    )


class MessageCache:
    """Intent-named queries over the cache tables of a :class:`Store`."""

    def __init__(self, store: Store, me: str) -> None:
        self.store = store
        self.me = me

    # messages -----------------------------------------------------------
    def put_messages(self, messages: Iterable[Message]) -> None:
        """Insert or update messages (server copies only, never outbox items), keeping the newest.

        A stored copy is replaced only by one of the same or a higher :attr:`Message.version`
        (a tombstone, then a later ``edited_at``): a history page fetched before a live
        edit or delete, that lands after it, does not bring the old text back.
        Receipts only move forward whatever the version.
        """
        rows = [
            (m.id, _idkey(m.id), m.peer_of(self.me), m.client_id, m.sender_id, m.recipient_id, m.body,
             format_time(m.created_at), format_time(m.edited_at), int(m.deleted),
             format_time(m.delivered_at), format_time(m.read_at), media_to_json(m.media), fold(m.body))
            for m in messages if m.id is not None
        ]
        if not rows:
            return
        with self.store.lock:
            db = self.store.db
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO messages (id, idkey, peer_id, client_id, sender_id, recipient_id, body, "
                "created_at, edited_at, deleted, delivered_at, read_at, media, body_folded) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                f"ON CONFLICT(id) DO UPDATE SET body=CASE WHEN {_NEWER} THEN excluded.body ELSE body END, "
                f"body_folded=CASE WHEN {_NEWER} THEN excluded.body_folded ELSE body_folded END, "
                f"edited_at=CASE WHEN {_NEWER} THEN excluded.edited_at ELSE edited_at END, "
                f"media=CASE WHEN excluded.deleted OR deleted THEN NULL "
                f"WHEN {_NEWER} THEN COALESCE(excluded.media, media) ELSE media END, "
                "deleted=MAX(deleted, excluded.deleted), "
                "delivered_at=COALESCE(excluded.delivered_at, delivered_at), "
                "read_at=COALESCE(excluded.read_at, read_at)", rows)
            db.execute("COMMIT")

    def latest(self, peer_id: str, limit: int = 100) -> list[Message]:
        """The newest ``limit`` messages of a conversation, oldest first."""
        with self.store.lock:
            rows = self.store.db.execute(
                f"SELECT {_COLS} FROM messages WHERE peer_id=? ORDER BY idkey DESC, id DESC LIMIT ?",
                (peer_id, limit)).fetchall()
        return [_row_to_message(r) for r in reversed(rows)]

    def before(self, peer_id: str, before_id: str, limit: int = 100) -> list[Message]:
        """Up to ``limit`` messages older than ``before_id``, oldest first."""
        with self.store.lock:
            rows = self.store.db.execute(
                f"SELECT {_COLS} FROM messages WHERE peer_id=? AND idkey<? "
                "ORDER BY idkey DESC LIMIT ?", (peer_id, _idkey(before_id), limit)).fetchall()
        return [_row_to_message(r) for r in reversed(rows)]

    def after(self, peer_id: str, after_id: str, limit: int = 100) -> list[Message]:
        """Up to ``limit`` messages newer than ``after_id``, oldest first."""
        with self.store.lock:
            rows = self.store.db.execute(
                f"SELECT {_COLS} FROM messages WHERE peer_id=? AND idkey>? "
                "ORDER BY idkey LIMIT ?", (peer_id, _idkey(after_id), limit)).fetchall()
        return [_row_to_message(r) for r in rows]

    def get(self, message_id: str) -> Message | None:
        with self.store.lock:
            row = self.store.db.execute(f"SELECT {_COLS} FROM messages WHERE id=?",
                                        (message_id,)).fetchone()
        return _row_to_message(row) if row else None

    def apply_status(self, update: StatusUpdate) -> None:
        column = "read_at" if update.status == "read" else "delivered_at"
        at = format_time(update.at)
        with self.store.lock:
            self.store.db.executemany(
                f"UPDATE messages SET {column}=COALESCE({column}, ?) WHERE id=?",
                [(at, i) for i in update.ids])
            if update.status == "read":
                self.store.db.executemany(
                    "UPDATE messages SET delivered_at=COALESCE(delivered_at, ?) WHERE id=?",
                    [(at, i) for i in update.ids])

    def mark_deleted(self, message_id: str) -> None:
        with self.store.lock:
            self.store.db.execute("UPDATE messages SET deleted=1, body='', body_folded='', media=NULL WHERE id=?",
                                  (message_id,))

    def last_id(self) -> str | None:
        """The newest message id this device knows, where ``sync`` starts from."""
        return self.store.get_meta("sync_after")

    def set_last_id(self, message_id: str | None) -> None:
        self.store.set_meta("sync_after", max_id(self.last_id(), message_id))

    # conversations -------------------------------------------------------
    def put_conversations(self, conversations: Iterable[Conversation]) -> None:
        convs = list(conversations)
        self.put_messages([c.last_message for c in convs if c.last_message])
        with self.store.lock:
            self.store.db.executemany(
                "INSERT INTO conversations (peer_id, display_name, online, last_seen, unread_count, "
                "last_message_id) VALUES (?,?,?,?,?,?) ON CONFLICT(peer_id) DO UPDATE SET "
                "display_name=excluded.display_name, online=excluded.online, "
                "last_seen=excluded.last_seen, unread_count=excluded.unread_count, "
                "last_message_id=COALESCE(excluded.last_message_id, last_message_id)",
                [(c.peer.id, c.peer.display_name, int(c.peer.online), format_time(c.peer.last_seen),
                  c.unread_count, c.last_message.id if c.last_message else None) for c in convs])

    def conversations(self) -> list[Conversation]:
        """Every cached conversation, newest activity first."""
        with self.store.lock:
            rows = self.store.db.execute(
                "SELECT c.peer_id, c.display_name, c.online, c.last_seen, c.unread_count, "
                "(SELECT id FROM messages m WHERE m.peer_id=c.peer_id ORDER BY idkey DESC LIMIT 1) "
                "AS last_id FROM conversations c").fetchall()
        result = []
        for r in rows:
            last = self.get(r["last_id"]) if r["last_id"] else None
            peer = UserSummary(r["peer_id"], r["display_name"], bool(r["online"]),
                               parse_time(r["last_seen"]))
            result.append(Conversation(peer=peer, last_message=last, unread_count=r["unread_count"]))
        result.sort(key=lambda c: c.activity, reverse=True)
        return result

    # drafts -------------------------------------------------------------
    def draft(self, peer_id: str) -> str:
        with self.store.lock:
            row = self.store.db.execute("SELECT body FROM drafts WHERE peer_id=?", (peer_id,)).fetchone()
        return row[0] if row else ""

    def set_draft(self, peer_id: str, body: str) -> None:
        with self.store.lock:
            if body:
                self.store.db.execute("INSERT INTO drafts(peer_id, body) VALUES(?, ?) ON CONFLICT(peer_id) "
                                      "DO UPDATE SET body=excluded.body", (peer_id, body))
            else:
                self.store.db.execute("DELETE FROM drafts WHERE peer_id=?", (peer_id,))
