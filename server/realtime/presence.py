"""Presence (online / last seen) and typing indicators.

Presence is announced only to people who share a conversation with the user,
and only on transitions: the first socket of a user anywhere (came online) and
the last one closing (went offline, ``users.last_seen_at`` updated). The
counting is done by a :class:`~server.services.presence.Presence`: in memory
for one process, in Redis for several.

Typing is a soft state with a deadline: ``typing true`` must be renewed within
``typing_ttl`` seconds (6 by default) or the server tells the peer ``typing
false`` itself. The deadline lives in the process holding the typer's socket,
and the emit crosses processes through the Socket.IO message queue.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from server.models import User, utcnow
from server.protocol import user_room  # noqa: F401 - re-exported for older imports
from server.realtime.notifier import Notifier
from server.services.messaging import MessagingService
from server.services.presence import Presence


class PresenceNotifier:
    """Turns socket connects/disconnects into ``presence`` events (sent by the :class:`Notifier`)."""

    def __init__(self, presence: Presence, db: Any, notifier: Notifier) -> None:
        self.presence = presence
        self.db = db
        self._notifier = notifier

    def _announce(self, user_id: str, online: bool) -> None:
        now = utcnow()
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None:
                return
            user.last_seen_at = now
            s.commit()
            peers = MessagingService.peer_ids(s, user_id)
        self._notifier.presence(user_id, online, now, peers)

    def connected(self, user_id: str) -> None:
        if self.presence.connected(user_id):
            self._announce(user_id, True)

    def disconnected(self, user_id: str) -> None:
        if self.presence.disconnected(user_id):
            self._announce(user_id, False)


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

    def socket_closed(self, sid: str) -> None:
        """A typer's socket went away: its indicators stop now, not in 6 s."""
        with self._lock:
            gone = [k for k, v in self._states.items() if v.sid == sid]
            for k in gone:
                del self._states[k]
        for sender, to in gone:
            self._send(sender, to, False)
