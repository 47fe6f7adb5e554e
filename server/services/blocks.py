"""Blocking: who blocked whom, and what that changes.

The rules (as in Signal):

- A person's messages to someone who blocked them are stored (``withheld``)
  and acknowledged like any other, so the sender sees them as sent; they are
  never shown to the recipient, not even after an unblock, and no receipt
  ever comes back. Nothing tells the blocked person they are blocked.
- The one who blocks cannot write to the blocked person until they unblock
  (they know they blocked them, so saying so reveals nothing).
- Typing indicators, receipts and presence stop in both directions.

Every function here is a pure question or change on the database, so the
REST endpoints, the Socket.IO handlers and any notifier can call them.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import Block, User, iso, utcnow
from server.services import changed_rows


@dataclass(frozen=True)
class BlockedPerson:
    user: User
    since: datetime


@dataclass(frozen=True)
class Between:
    """The blocks between two people, seen from ``a``."""

    a_blocked_b: bool
    b_blocked_a: bool

    @property
    def any(self) -> bool:
        return self.a_blocked_b or self.b_blocked_a


_BLOCKS = Block.__table__
#: Built once: every message send asks it, and building an ORM select each time cost
#: about 0.6 ms per message (see docs/performance.md).
_BETWEEN = sa.select(_BLOCKS.c.blocker_id).where(sa.or_(
    sa.and_(_BLOCKS.c.blocker_id == sa.bindparam("a"), _BLOCKS.c.blocked_id == sa.bindparam("b")),
    sa.and_(_BLOCKS.c.blocker_id == sa.bindparam("b"), _BLOCKS.c.blocked_id == sa.bindparam("a"))))


#: How long an answer of :func:`between` is reused in this process. A block or unblock made
#: in this process clears it at once; one made by another process of a cluster is seen here
#: within this time. Without it every send took a pooled connection just for this question
#: (about half a millisecond per message, docs/performance.md).
BETWEEN_CACHE_SECONDS = 2.0
_between_cache: dict[tuple[str, str], tuple[float, Between]] = {}
_between_lock = threading.Lock()


def between(s: Session, a: str, b: str) -> Between:
    """Which of ``a`` and ``b`` blocked the other (one indexed query, cached briefly)."""
    now = time.monotonic()
    hit = _between_cache.get((a, b))
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = set(s.execute(_BETWEEN, {"a": a, "b": b}).scalars())
    answer = Between(a in rows, b in rows)
    with _between_lock:
        if len(_between_cache) > 100_000:
            _between_cache.clear()
        _between_cache[(a, b)] = (now + BETWEEN_CACHE_SECONDS, answer)
    return answer


def _forget(a: str, b: str) -> None:
    with _between_lock:
        _between_cache.pop((a, b), None)
        _between_cache.pop((b, a), None)


_EITHER_AMONG = sa.union(
    sa.select(_BLOCKS.c.blocked_id).where(_BLOCKS.c.blocker_id == sa.bindparam("u"),
                                          _BLOCKS.c.blocked_id.in_(sa.bindparam("others", expanding=True))),
    sa.select(_BLOCKS.c.blocker_id).where(_BLOCKS.c.blocked_id == sa.bindparam("u"),
                                          _BLOCKS.c.blocker_id.in_(sa.bindparam("others", expanding=True))))
_EITHER_ALL = sa.union(sa.select(_BLOCKS.c.blocked_id).where(_BLOCKS.c.blocker_id == sa.bindparam("u")),
                       sa.select(_BLOCKS.c.blocker_id).where(_BLOCKS.c.blocked_id == sa.bindparam("u")))


def blocked_either_way(s: Session, user_id: str, others: list[str] | set[str] | None = None) -> set[str]:
    """Everyone (among ``others``, when given) who blocked ``user_id`` or was blocked by them.

    Prebuilt statements: receipts ask this for every ``message:delivered``.
    """
    if others is None:
        return set(s.execute(_EITHER_ALL, {"u": user_id}).scalars())
    if not others:
        return set()
    return set(s.execute(_EITHER_AMONG, {"u": user_id, "others": list(others)}).scalars())


def block(s: Session, me: str, other: str) -> bool:
    """``me`` blocks ``other``; True if this is new. Idempotent."""
    if other == me:
        raise ApiError(409, "invalid_user", "You cannot block yourself.")
    if s.get(User, other) is None:
        raise ApiError(404, "user_not_found", "There is no Parley user with this id.")
    if s.get(Block, (me, other)) is not None:
        return False
    s.add(Block(blocker_id=me, blocked_id=other, created_at=utcnow()))
    try:
        s.commit()
    except sa.exc.IntegrityError:  # the same block from another device at the same moment
        s.rollback()
        return False
    finally:
        _forget(me, other)
    return True


def unblock(s: Session, me: str, other: str) -> bool:
    """``me`` unblocks ``other``; True if there was a block. Idempotent."""
    n = changed_rows(s.execute(sa.delete(Block).where(Block.blocker_id == me, Block.blocked_id == other)))
    s.commit()
    _forget(me, other)
    return bool(n)


def blocked_by(s: Session, me: str) -> list[BlockedPerson]:
    """The people ``me`` blocked, most recent first (the settings list)."""
    rows = s.execute(sa.select(User, Block.created_at).join(Block, Block.blocked_id == User.id)
                     .where(Block.blocker_id == me).order_by(Block.created_at.desc(), User.id)).all()
    return [BlockedPerson(u, at) for u, at in rows]


def block_times(s: Session, user_id: str, others: set[str]) -> dict[str, datetime]:
    """For each of ``others`` with a block either way, when the (earliest) block began."""
    if not others:
        return {}
    rows = s.execute(sa.select(Block.blocker_id, Block.blocked_id, Block.created_at).where(
        sa.or_(sa.and_(Block.blocker_id == user_id, Block.blocked_id.in_(others)),
               sa.and_(Block.blocked_id == user_id, Block.blocker_id.in_(others))))).all()
    out: dict[str, datetime] = {}
    for blocker, blocked, at in rows:
        peer = blocked if blocker == user_id else blocker
        out[peer] = min(at, out.get(peer, at))
    return out


def mask_receipts(s: Session, viewer_id: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Receipts stop across a block, in stored history too: on the viewer's own messages to
    someone they share a block with, a ``delivered_at`` or ``read_at`` set after the block began
    is shown as not set."""
    peers = {m["recipient_id"] for m in messages if m["sender_id"] == viewer_id}
    since = block_times(s, viewer_id, peers)
    if not since:
        return messages
    out = []
    for m in messages:
        start = since.get(m["recipient_id"]) if m["sender_id"] == viewer_id else None
        if start is not None:
            cut = iso(start) or ""
            m = {**m, **{k: None for k in ("delivered_at", "read_at") if m.get(k) and m[k] >= cut}}
        out.append(m)
    return out
