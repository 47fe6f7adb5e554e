"""Who is online: a count of live sockets per user.

In one process an in-memory counter is exact. With several processes
(``PARLEY_REDIS_URL``), :class:`RedisPresence` keeps the counts in Redis so every
process sees the same answer.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Protocol


class Presence(Protocol):
    def connected(self, user_id: str) -> bool:
        """Records a new socket; True when the user just came online."""

    def disconnected(self, user_id: str) -> bool:
        """Records a closed socket; True when the user just went offline."""

    def online(self, user_ids: Iterable[str]) -> set[str]:
        """The subset of ``user_ids`` with at least one live socket."""

    def count(self) -> int:
        """Live sockets in total (for metrics)."""


class MemoryPresence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: Counter[str] = Counter()

    def connected(self, user_id: str) -> bool:
        with self._lock:
            self._sockets[user_id] += 1
            return self._sockets[user_id] == 1

    def disconnected(self, user_id: str) -> bool:
        with self._lock:
            if self._sockets[user_id] <= 1:
                self._sockets.pop(user_id, None)
                return True
            self._sockets[user_id] -= 1
            return False

    def online(self, user_ids: Iterable[str]) -> set[str]:
        with self._lock:
            return {u for u in user_ids if self._sockets.get(u, 0) > 0}

    def count(self) -> int:
        with self._lock:
            return sum(self._sockets.values())
