"""Who may see what of whom: presence (online, last seen) and typing.

Presence is personal data: a stranger who learns someone's email should not
learn when they are awake. Each user chooses who sees it
(``users.presence_visibility``):

- ``everybody``: anyone signed in (search results, conversations);
- ``written_to`` (the default): only people this user sent a message to, so a
  message from a stranger shows the stranger nothing until the user replies;
- ``nobody``.

A block, in either direction, hides presence whatever the setting. Typing
goes only to someone one shares a conversation with (a message either way
that both can see), and never across a block.

:func:`sees_presence` is the rule; the other functions apply it to sets of
people in one or two queries, so the REST layer, the realtime layer or a
future notifier can all call them.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import Message, User
from server.services import blocks

EVERYBODY = "everybody"
WRITTEN_TO = "written_to"
NOBODY = "nobody"
PRESENCE_CHOICES = (EVERYBODY, WRITTEN_TO, NOBODY)
DEFAULT_PRESENCE = WRITTEN_TO


def sees_presence(setting: str, subject_wrote_to_viewer: bool, blocked_either_way: bool) -> bool:
    """May a viewer see the subject's presence? ``setting`` is the subject's choice."""
    if blocked_either_way:
        return False
    if setting == EVERYBODY:
        return True
    if setting == WRITTEN_TO:
        return subject_wrote_to_viewer
    return False


def _visible_messages() -> sa.ColumnElement[bool]:
    return Message.withheld.is_(False)


_USERS = cast(sa.Table, User.__table__)
_MESSAGES = cast(sa.Table, Message.__table__)
#: Built once: presence asks these on every connect, disconnect and first message of a pair.
_SETTING = sa.select(_USERS.c.presence_visibility).where(_USERS.c.id == sa.bindparam("u"))
_WROTE_TO = sa.select(_MESSAGES.c.recipient_id).distinct().where(
    _MESSAGES.c.sender_id == sa.bindparam("u"),
    _MESSAGES.c.recipient_id.in_(sa.bindparam("cands", expanding=True)), _MESSAGES.c.withheld.is_(False))


def presence_audience(s: Session, subject_id: str, candidates: Iterable[str]) -> set[str]:
    """Among ``candidates``, those who may see ``subject_id``'s presence."""
    cands = set(candidates) - {subject_id}
    if not cands:
        return set()
    setting = s.execute(_SETTING, {"u": subject_id}).scalar()
    if setting is None or setting == NOBODY:
        return set()
    blocked = blocks.blocked_either_way(s, subject_id, cands)
    if setting == EVERYBODY:
        return cands - blocked
    wrote = set(s.execute(_WROTE_TO, {"u": subject_id, "cands": list(cands)}).scalars())
    return {c for c in cands if sees_presence(setting, c in wrote, c in blocked)}


def visible_presence(s: Session, viewer_id: str, subjects: Iterable[User]) -> set[str]:
    """The ids among ``subjects`` whose presence ``viewer_id`` may see."""
    people = {u.id: u for u in subjects if u.id != viewer_id}
    if not people:
        return set()
    blocked = blocks.blocked_either_way(s, viewer_id, set(people))
    wrote = set(s.scalars(sa.select(Message.sender_id).distinct().where(
        Message.recipient_id == viewer_id, Message.sender_id.in_(list(people)), _visible_messages())))
    return {uid for uid, u in people.items()
            if sees_presence(u.presence_visibility or DEFAULT_PRESENCE, uid in wrote, uid in blocked)}


def shares_conversation(s: Session, a: str, b: str) -> bool:
    """Is there a message between ``a`` and ``b`` that both can see?"""
    hit = s.scalar(sa.select(Message.id).where(
        sa.or_(sa.and_(Message.sender_id == a, Message.recipient_id == b),
               sa.and_(Message.sender_id == b, Message.recipient_id == a)),
        _visible_messages()).limit(1))
    return hit is not None
