"""The one place that decides who is told what: every server -> client Socket.IO event.

REST endpoints, Socket.IO handlers, the presence and typing trackers, the
session sweeper and the media worker all call a :class:`Notifier` (one per
app, ``Services.notifier``) instead of emitting themselves. Event names come
from :mod:`server.protocol`, and so do room names (:func:`server.protocol.user_room`):
every socket of a user joins that user's room, so "tell a user" reaches all
of their devices, on every server process (through the Redis message queue
when there is one).

``skip_sid`` leaves out the socket that caused the event: it already has the
result in its ack.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from server.models import iso
from server.protocol import (MEDIA_STATUS, MESSAGE_DELETED, MESSAGE_NEW, MESSAGE_STATUS, MESSAGE_UPDATED,
                             PRESENCE, SESSION_ENDED, TYPING, user_room)

#: ``emit(event, data, to=room_or_sid, skip_sid=None)``
Emit = Callable[..., Any]


class Notifier:
    """Typed server -> client events; see the module docstring."""

    def __init__(self, emit: Emit) -> None:
        self._emit = emit

    @classmethod
    def for_socketio(cls, socketio: Any) -> Notifier:
        """Emits through a Flask-SocketIO extension's python-socketio server (no Flask context needed)."""
        def emit(event: str, data: Any, to: str, skip_sid: str | None = None) -> None:
            socketio.server.emit(event, data, to=to, skip_sid=skip_sid, namespace="/")
        return cls(emit)

    def _both(self, event: str, data: Any, sender_id: str, recipient_id: str, skip_sid: str | None) -> None:
        self._emit(event, data, to=user_room(recipient_id))
        self._emit(event, data, to=user_room(sender_id), skip_sid=skip_sid)

    # --- messages -------------------------------------------------------------
    def message_created(self, message: dict[str, Any], skip_sid: str | None = None) -> None:
        """``message:new`` to the recipient and to the sender's other devices."""
        self._both(MESSAGE_NEW, message, message["sender_id"], message["recipient_id"], skip_sid)

    def message_updated(self, message: dict[str, Any], skip_sid: str | None = None) -> None:
        self._both(MESSAGE_UPDATED, message, message["sender_id"], message["recipient_id"], skip_sid)

    def message_deleted(self, message_id: int | str, sender_id: str, recipient_id: str,
                        skip_sid: str | None = None) -> None:
        self._both(MESSAGE_DELETED, {"id": str(message_id)}, sender_id, recipient_id, skip_sid)

    def receipts(self, status: str, at: datetime, ids_by_sender: dict[str, list[int]],
                 reader_id: str | None = None, reader_sid: str | None = None) -> None:
        """``message:status`` to each sender; with ``reader_id``, also to the reader's other devices
        (so they clear their unread counts)."""
        when = iso(at)
        for sender, ids in ids_by_sender.items():
            payload = {"ids": [str(i) for i in ids], "status": status, "at": when}
            self._emit(MESSAGE_STATUS, payload, to=user_room(sender))
            if reader_id is not None:
                self._emit(MESSAGE_STATUS, payload, to=user_room(reader_id), skip_sid=reader_sid)

    # --- people ---------------------------------------------------------------
    def typing(self, sender_id: str, to: str, typing: bool) -> None:
        self._emit(TYPING, {"from": sender_id, "typing": typing}, to=user_room(to))

    def presence(self, user_id: str, online: bool, last_seen: datetime, peers: Iterable[str]) -> None:
        """``presence`` to everyone who shares a conversation with ``user_id``."""
        payload = {"user_id": user_id, "online": online, "last_seen": iso(last_seen)}
        for peer in peers:
            self._emit(PRESENCE, payload, to=user_room(peer))

    # --- media and sessions -------------------------------------------------------
    def media_status(self, owner_id: str, media: dict[str, Any]) -> None:
        """``media:status`` (the contract's ``media`` object) to the uploader's devices."""
        self._emit(MEDIA_STATUS, media, to=user_room(owner_id))

    def session_ended(self, sid: str, code: str, message: str) -> None:
        """``session:ended`` to one socket, just before the server disconnects it."""
        self._emit(SESSION_ENDED, {"code": code, "message": message}, to=sid)
