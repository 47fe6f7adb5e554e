"""Who is on each socket of this process, and whether they still may be.

A :class:`Connection` is created when a socket authenticates and holds the
claims of its access token and the time of the last session check (rate
limits are per person, in :mod:`server.services.user_limits`). :class:`Connections` is the process-local registry; the
realtime layer consults it on every event and sweeps it in the background
so that revoked logins and expired tokens end their sockets.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Connection:
    """One authenticated socket (``sid``) of ``user_id`` on login ``session_id``."""

    sid: str
    user_id: str
    session_id: str
    expires_at: float  # epoch seconds of the access token's ``exp``
    checked_at: float = field(default_factory=time.monotonic)
    ended: bool = False

    @property
    def viewer(self) -> tuple[str, str]:
        """Who messages are serialised for on this socket (media links name the login)."""
        return self.user_id, self.session_id


class Connections:
    """The sockets of this process, by sid."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, Connection] = {}
        self._per_user: dict[str, int] = {}

    def add(self, conn: Connection, limit: int | None = None) -> bool:
        """Registers ``conn``; False (and nothing registered) if its user has ``limit`` already."""
        with self._lock:
            n = self._per_user.get(conn.user_id, 0)
            if limit is not None and n >= limit:
                return False
            self._by_sid[conn.sid] = conn
            self._per_user[conn.user_id] = n + 1
            return True

    def count(self, user_id: str) -> int:
        return self._per_user.get(user_id, 0)

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def remove(self, sid: str) -> Connection | None:
        with self._lock:
            conn = self._by_sid.pop(sid, None)
            if conn is not None:
                n = self._per_user.get(conn.user_id, 1) - 1
                if n > 0:
                    self._per_user[conn.user_id] = n
                else:
                    self._per_user.pop(conn.user_id, None)
            return conn

    def all(self) -> list[Connection]:
        with self._lock:
            return list(self._by_sid.values())

    def of_sessions(self, user_id: str, session_ids: Iterable[str] | None) -> list[Connection]:
        """Sockets of ``user_id`` on the given logins (every login when None)."""
        wanted = None if session_ids is None else set(session_ids)
        return [c for c in self.all() if c.user_id == user_id and (wanted is None or c.session_id in wanted)]

    def __len__(self) -> int:
        return len(self._by_sid)
