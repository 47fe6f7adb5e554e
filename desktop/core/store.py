"""One SQLite file per profile + server + account holding the cache and the outbox.

A Store is used from a single worker thread (the app's disk runner), never from
the GUI thread; ``check_same_thread`` is off only so that thread may change.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, idkey INTEGER NOT NULL, peer_id TEXT NOT NULL, client_id TEXT,
    sender_id TEXT NOT NULL, recipient_id TEXT NOT NULL, body TEXT NOT NULL,
    created_at TEXT NOT NULL, edited_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT, read_at TEXT
);
CREATE INDEX IF NOT EXISTS messages_peer ON messages (peer_id, idkey);
CREATE TABLE IF NOT EXISTS conversations (
    peer_id TEXT PRIMARY KEY, display_name TEXT NOT NULL, online INTEGER NOT NULL DEFAULT 0,
    last_seen TEXT, unread_count INTEGER NOT NULL DEFAULT 0, last_message_id TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT UNIQUE NOT NULL, peer_id TEXT NOT NULL,
    sender_id TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL, error TEXT
);
CREATE TABLE IF NOT EXISTS drafts (peer_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class Store:
    """The SQLite connection shared by :class:`MessageCache` and :class:`Outbox`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        for table in ("messages", "outbox"):  # added by the video issue: a message's media as JSON
            cols = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if "media" not in cols:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN media TEXT")
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(messages)")}
        if "body_folded" not in cols:  # issue 14: the text folded for search; NULL until folded
            self.db.execute("ALTER TABLE messages ADD COLUMN body_folded TEXT")
        # search reads newest first across conversations and stops at its limit
        self.db.execute("CREATE INDEX IF NOT EXISTS messages_idkey ON messages (idkey)")

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self.lock:
            self.db.execute("INSERT INTO meta(key, value) VALUES(?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))
