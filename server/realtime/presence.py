"""Presence (online / last seen) and typing indicators.

Presence is announced only to people who share a conversation with the user
and may see it (their setting and blocks, :mod:`server.services.visibility`),
and only on transitions: the first socket of a user anywhere (came online) and
the last one closing (went offline, ``users.last_seen_at`` updated). Those
transitions are written and announced by one background announcer, in order,
several per commit, so a connect does not wait for them. The
counting is done by a :class:`~server.services.presence.Presence`: in memory
for one process, in Redis for several.

Typing is a soft state with a deadline: ``typing true`` must be renewed within
``typing_ttl`` seconds (6 by default) or the server tells the peer ``typing
false`` itself. The deadline lives in the process holding the typer's socket,
and the emit crosses processes through the Socket.IO message queue.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from server.models import User, utcnow
from server.protocol import session_room, user_room  # noqa: F401 - re-exported for older imports
from server.realtime.notifier import Notifier
from server.services import visibility
from server.services.messaging import MessagingService
from server.services.presence import Presence

log = logging.getLogger(__name__)

_LAST_SEEN = sa.select(User.__table__.c.last_seen_at).where(User.__table__.c.id == sa.bindparam("uid"))

_USERS = User.__table__
#: Built once; run with one parameter set per transition (executemany).
_SET_LAST_SEEN = sa.update(_USERS).where(_USERS.c.id == sa.bindparam("uid")).values(
    last_seen_at=sa.bindparam("at"))


class PresenceNotifier:
    """Turns socket connects/disconnects into ``presence`` events (sent by the :class:`Notifier`)."""

    def __init__(self, presence: Presence, db: Any, notifier: Notifier) -> None:
        self.presence = presence
        self.db = db
        self._notifier = notifier
        self._told: set[tuple[str, str]] = set()  # (sender, recipient) pairs already handled
        self._told_lock = threading.Lock()
        #: transitions (user, online, when) waiting for the announcer, oldest first
        self._pending: list[tuple[str, bool, datetime]] = []
        self._pending_lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._announcer_started = False

    def message_sent(self, sender: str, recipient: str) -> None:
        """A message (not withheld) may reveal the sender's presence to the recipient: a reply
        to a stranger, with the default setting. Then the recipient gets the current state at
        once instead of at the sender's next connect or disconnect. One query per pair and process."""
        with self._told_lock:
            if (sender, recipient) in self._told:
                return
            if len(self._told) > 100_000:
                self._told.clear()
            self._told.add((sender, recipient))
        with self.db.session() as s:
            if recipient not in visibility.presence_audience(s, sender, {recipient}):
                return
            last_seen = s.execute(_LAST_SEEN, {"uid": sender}).scalar()
        online = bool(self.presence.online([sender]))
        self._notifier.presence(sender, online, last_seen, [recipient])

    def _announce_batch(self, changes: list[tuple[str, bool, datetime]]) -> None:
        """Writes ``last_seen_at`` of every transition in one statement and one commit, then tells
        each person's audience. Transitions are in the order they happened, so a user's last one
        wins."""
        with self.db.session() as s:
            s.execute(_SET_LAST_SEEN, [{"uid": uid, "at": at} for uid, _, at in changes])
            s.commit()
            announcements = []
            for uid, online, at in changes:
                # only those allowed by the user's presence setting, and never across a block
                peers = visibility.presence_audience(s, uid, MessagingService.peer_ids(s, uid))
                announcements.append((uid, online, at, peers))
        for uid, online, at, peers in announcements:
            self._notifier.presence(uid, online, at, peers)

    def _queue_announce(self, user_id: str, online: bool) -> None:
        """Hands a transition to the announcer: the connect (or disconnect) is answered without
        waiting for the ``last_seen_at`` write and the audience queries, and transitions that come
        together share one commit."""
        with self._pending_lock:
            self._pending.append((user_id, online, utcnow()))
            self._idle.clear()
            if not self._announcer_started:
                self._announcer_started = True
                threading.Thread(target=self._announcer, name="parley-presence", daemon=True).start()
        self._wake.set()

    def _announcer(self) -> None:
        while True:
            self._wake.wait()
            with self._pending_lock:
                self._wake.clear()
                changes, self._pending = self._pending, []
            if changes:
                try:
                    self._announce_batch(changes)
                except Exception:  # noqa: BLE001 - presence is best effort; the next transition retries
                    log.exception("announcing presence failed")
            with self._pending_lock:
                if not self._pending:
                    self._idle.set()

    def drain(self, timeout: float = 5.0) -> bool:
        """Waits until every queued transition has been written and announced (shutdown, tests)."""
        return self._idle.wait(timeout)

    def audience(self, user_id: str) -> set[str]:
        """Who may see ``user_id``'s presence now (among people they share a conversation with)."""
        with self.db.session() as s:
            return visibility.presence_audience(s, user_id, MessagingService.peer_ids(s, user_id))

    def audience_changed(self, user_id: str, before: set[str]) -> None:
        """After a privacy change: those who lost sight see the user offline with no last seen;
        those who gained it get the current state."""
        after = self.audience(user_id)
        online = bool(self.presence.online([user_id]))
        with self.db.session() as s:
            user = s.get(User, user_id)
            last_seen = user.last_seen_at if user is not None else None
        self._notifier.presence(user_id, False, None, before - after)
        self._notifier.presence(user_id, online, last_seen, after - before)

    def connected(self, user_id: str) -> None:
        if self.presence.connected(user_id):
            self._queue_announce(user_id, True)

    def disconnected(self, user_id: str) -> None:
        if self.presence.disconnected(user_id):
            self._queue_announce(user_id, False)


@dataclass
class _Typing:
    sid: str
    deadline: float


class TypingTracker:
    """Typing states ``(from, to)`` with their deadlines; expires them in :meth:`expire`."""

    def __init__(self, ttl: float, notifier: Notifier) -> None:
        self.ttl = ttl
        self._notifier = notifier
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], _Typing] = {}

    def _send(self, sender: str, to: str, typing: bool) -> None:
        self._notifier.typing(sender, to, typing)

    def set(self, sid: str, sender: str, to: str, typing: bool) -> None:
        with self._lock:
            if typing:
                self._states[(sender, to)] = _Typing(sid, time.monotonic() + self.ttl)
            else:
                self._states.pop((sender, to), None)
        self._send(sender, to, typing)

    def expire(self) -> None:
        """Sends ``typing false`` for every state not renewed in time."""
        now = time.monotonic()
        with self._lock:
            gone = [k for k, v in self._states.items() if v.deadline <= now]
            for k in gone:
                del self._states[k]
        for sender, to in gone:
            self._send(sender, to, False)

    def forget(self, a: str, b: str) -> None:
        """A block between ``a`` and ``b``: any indicator between them ends now."""
        with self._lock:
            gone = [k for k in ((a, b), (b, a)) if self._states.pop(k, None) is not None]
        for sender, to in gone:
            self._send(sender, to, False)

    def socket_closed(self, sid: str) -> None:
        """A typer's socket went away: its indicators stop now, not in 6 s."""
        with self._lock:
            gone = [k for k, v in self._states.items() if v.sid == sid]
            for k in gone:
                del self._states[k]
        for sender, to in gone:
            self._send(sender, to, False)
