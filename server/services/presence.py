"""Who is online: a count of live sockets per user.

In one process an in-memory counter is exact. With several processes
(``PARLEY_REDIS_URL``), :class:`RedisPresence` keeps the counts in Redis so every
process sees the same answer.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol


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


class RedisPresence:
    """Presence shared by several server processes through Redis.

    Each process keeps its own exact count of sockets per user and tells
    Redis only about the transitions 0 -> 1 and 1 -> 0: a sorted set per user
    (``<prefix>:u:<user_id>``) holds the ids of the processes where that user
    has a socket, scored with an expiry time. ``refresh`` (called every few
    seconds by the realtime layer) pushes the expiry forward, so the entries
    of a process that crashed lapse after ``ttl`` seconds instead of keeping
    its users "online" for ever. The transition checks run in MULTI/EXEC
    transactions, so when two processes race exactly one of them reports
    "came online" or "went offline".
    """

    def __init__(self, client: Any, prefix: str = "parley", ttl: float = 30.0) -> None:  # a redis.Redis
        import time
        import uuid

        self._r = client
        self._prefix = f"{prefix}:presence"
        self._ttl = ttl
        self._time = time.time
        self.process_id = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._sockets: Counter[str] = Counter()

    @classmethod
    def from_url(cls, url: str, prefix: str = "parley", ttl: float = 30.0) -> RedisPresence:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5), prefix, ttl)

    def _key(self, user_id: str) -> str:
        return f"{self._prefix}:u:{user_id}"

    def connected(self, user_id: str) -> bool:
        with self._lock:
            self._sockets[user_id] += 1
            if self._sockets[user_id] > 1:
                return False
            now = self._time()
            key = self._key(user_id)
            pipe = self._r.pipeline(transaction=True)
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)
            pipe.zadd(key, {self.process_id: now + self._ttl})
            pipe.expire(key, int(self._ttl) + 5)
            pipe.hincrby(f"{self._prefix}:sockets", self.process_id, 1)
            res = pipe.execute()
            return bool(res[1] == 0)

    def disconnected(self, user_id: str) -> bool:
        with self._lock:
            n = self._sockets[user_id]
            if n > 1:
                self._sockets[user_id] -= 1
                self._r.hincrby(f"{self._prefix}:sockets", self.process_id, -1)
                return False
            self._sockets.pop(user_id, None)
            key = self._key(user_id)
            pipe = self._r.pipeline(transaction=True)
            pipe.zrem(key, self.process_id)
            pipe.zremrangebyscore(key, "-inf", self._time())
            pipe.zcard(key)
            pipe.hincrby(f"{self._prefix}:sockets", self.process_id, -1 if n else 0)
            res = pipe.execute()
            return bool(res[2] == 0)

    def online(self, user_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return set()
        now = self._time()
        pipe = self._r.pipeline(transaction=False)
        for u in ids:
            pipe.zcount(self._key(u), now, "+inf")
        return {u for u, n in zip(ids, pipe.execute(), strict=True) if n > 0}

    def count(self) -> int:
        """Live sockets of every process that refreshed recently."""
        live = set(self._r.zrangebyscore(f"{self._prefix}:procs", self._time(), "+inf"))
        live.add(self.process_id.encode())
        counts = self._r.hgetall(f"{self._prefix}:sockets")
        return sum(max(0, int(v)) for k, v in counts.items() if k in live)

    def refresh(self) -> None:
        """Pushes forward the expiry of this process's entries (call every ttl/3 seconds)."""
        with self._lock:
            users = list(self._sockets)
        exp = self._time() + self._ttl
        pipe = self._r.pipeline(transaction=False)
        for u in users:
            pipe.zadd(self._key(u), {self.process_id: exp})
            pipe.expire(self._key(u), int(self._ttl) + 5)
        pipe.zadd(f"{self._prefix}:procs", {self.process_id: exp})
        pipe.zremrangebyscore(f"{self._prefix}:procs", "-inf", self._time())
        pipe.execute()

    def close(self) -> None:
        """Forgets this process's sockets (clean shutdown)."""
        with self._lock:
            users = list(self._sockets)
            self._sockets.clear()
        pipe = self._r.pipeline(transaction=False)
        for u in users:
            pipe.zrem(self._key(u), self.process_id)
        pipe.hdel(f"{self._prefix}:sockets", self.process_id)
        pipe.zrem(f"{self._prefix}:procs", self.process_id)
        pipe.execute()
