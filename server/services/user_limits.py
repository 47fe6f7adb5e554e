"""Rate limits per signed-in person, shared by all their sockets and REST calls.

A limit per socket is no limit: ten sockets get ten budgets, and REST sends
had none. Here every budget is keyed on the user id, so a person's phone,
laptop and scripts draw from one budget. The counters live in the same
store as Flask-Limiter's (memory for one process, Redis when several share
``PARLEY_REDIS_URL``), so a cluster enforces one budget per person, not one
per process. Moving windows: a burst is allowed, a sustained flood is not.

Kinds (see ``server.config.DEFAULT_USER_LIMITS``): ``send`` (send, edit,
delete), ``typing``, ``sync`` (Socket.IO ``sync`` and REST history pages),
``user_search`` (name search and lookup by exact email) and
``message_search``.
"""
from __future__ import annotations

import math
import time

from limits import parse_many, storage, strategies

from server.errors import ApiError

_WHAT = {
    "send": "You are sending too fast.",
    "typing": "Too many typing updates.",
    "sync": "You are syncing too often.",
    "user_search": "Too many searches for people.",
    "message_search": "Too many message searches.",
}


class UserLimits:
    """Checks and counts one event of a kind for one user."""

    def __init__(self, limits: dict[str, str], storage_uri: str = "memory://", prefix: str = "parley") -> None:
        options = {"socket_timeout": 5, "socket_connect_timeout": 5} if storage_uri.startswith("redis") else {}
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri, **options))
        self._limits = {kind: parse_many(spec) for kind, spec in limits.items()}
        self._prefix = prefix

    def retry_after(self, kind: str, user_id: str) -> float | None:
        """Counts one event; None if allowed, else the seconds until one would be."""
        for item in self._limits.get(kind, ()):
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
