"""Rate limits per signed-in person, shared by all their sockets and REST calls.

A limit per socket is no limit: ten sockets get ten budgets, and REST sends
had none. Here every budget is keyed on the user id, so a person's phone,
laptop and scripts draw from one budget. The counters live in the same
store as Flask-Limiter's (memory for one process, Redis when several share
``PARLEY_REDIS_URL``), so a cluster enforces one budget per person, not one
per process. Moving windows: a burst is allowed, a sustained flood is not.

Kinds (see ``server.config.DEFAULT_USER_LIMITS``): ``send`` (send, edit,
delete), ``typing``, ``sync`` (Socket.IO ``sync`` and REST history pages),
``user_search`` (name search and lookup by exact email),
``message_search``, ``password`` (tries of the current password when changing it),
``block`` (block and unblock, Socket.IO and REST), ``read`` (``conversation:read`` and REST),
``delivered`` (``message:delivered``) and ``position`` (saving where a video was stopped).
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque

from limits import RateLimitItem, parse_many, storage, strategies

from server.errors import ApiError

_WHAT = {
    "send": "You are sending too fast.",
    "typing": "Too many typing updates.",
    "sync": "You are syncing too often.",
    "user_search": "Too many searches for people.",
    "message_search": "Too many message searches.",
    "password": "Too many tries of your current password.",
    "block": "You are blocking and unblocking too often.",
    "read": "Too many read receipts.",
    "delivered": "Too many delivery receipts.",
    "position": "Too many saved video positions.",
}


class MemoryWindows:
    """Moving windows in this process: a deque of event times per (kind, user, limit).

    Used instead of ``limits``' memory storage, which starts a timer thread every 10 ms
    and copies every window to expire it: on the send path that cost more than the
    rest of a message (docs/performance.md).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[tuple[str, str], list[deque[float]]] = {}
        self._hits = 0

    def hit(self, kind: str, user_id: str, items: list[RateLimitItem]) -> float | None:
        now = time.monotonic()
        with self._lock:
            windows = self._events.get((kind, user_id))
            if windows is None:
                windows = self._events[(kind, user_id)] = [deque() for _ in items]
            wait = 0.0
            for item, q in zip(items, windows, strict=True):
                span = item.get_expiry()
                while q and q[0] <= now - span:
                    q.popleft()
                if len(q) >= item.amount:
                    wait = max(wait, q[0] + span - now)
            if wait > 0:
                return max(0.001, wait)
            for q in windows:
                q.append(now)
            self._hits += 1
            if self._hits % 10_000 == 0:  # forget people who went quiet
                self._events = {k: v for k, v in self._events.items() if any(v)}
        return None


class UserLimits:
    """Checks and counts one event of a kind for one user."""

    def __init__(self, limits: dict[str, str], storage_uri: str = "memory://", prefix: str = "parley") -> None:
        self._limits = {kind: parse_many(spec) for kind, spec in limits.items()}
        self._prefix = prefix
        self._memory: MemoryWindows | None = None
        self._limiter: strategies.MovingWindowRateLimiter | None = None
        if storage_uri.startswith("memory"):
            self._memory = MemoryWindows()
        else:  # shared by every process of the cluster
            options = {"socket_timeout": 5, "socket_connect_timeout": 5} if storage_uri.startswith("redis") else {}
            self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri, **options))

    def retry_after(self, kind: str, user_id: str) -> float | None:
        """Counts one event; None if allowed, else the seconds until one would be."""
        items = self._limits.get(kind)
        if not items:
            return None
        if self._memory is not None:
            return self._memory.hit(kind, user_id, items)
        assert self._limiter is not None
        for item in items:
            if not self._limiter.hit(item, self._prefix, kind, user_id):
                reset = self._limiter.get_window_stats(item, self._prefix, kind, user_id).reset_time
                return max(0.001, reset - time.time())
        return None

    def take(self, kind: str, user_id: str) -> None:
        """Counts one event, or raises 429 ``rate_limited`` with ``Retry-After``."""
        wait = self.retry_after(kind, user_id)
        if wait is not None:
            raise limited(kind, wait)


def limited(kind: str, wait: float) -> ApiError:
    err = ApiError(429, "rate_limited", f"{_WHAT.get(kind, 'Too many requests.')} Try again in {wait:.1f} s.",
                   headers={"Retry-After": str(max(1, math.ceil(wait)))})
    err.retry_after = round(wait, 3)  # type: ignore[attr-defined]
    return err
