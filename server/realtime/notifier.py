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

The rules of who may be told (blocks, presence visibility: :mod:`server.services.blocks`,
:mod:`server.services.visibility`) are decided by the callers, which know the
database; the notifier is told the outcome (``to_recipient``, ``silent_for``,
the presence audience). A message with a video carries media links minted for
one viewer on one login, so it is sent as one payload per login
(:func:`server.protocol.session_room`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from server.models import iso
from server.protocol import (BLOCKS_CHANGED, MEDIA_POSITION, MEDIA_STATUS, MESSAGE_DELETED, MESSAGE_NEW,
                             MESSAGE_STATUS, MESSAGE_UPDATED, PRESENCE, SESSION_ENDED, TYPING, session_room,
                             user_room)

#: ``emit(event, data, to=room_or_sid_or_list_of_them, skip_sid=None)``
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
        """One emit to both people's rooms: the packet is encoded once instead of twice (two
        emits cost a twentieth of the server's CPU per message). ``skip_sid`` is always a socket
        of the sender, who is never the recipient, so skipping it leaves the recipient's room whole."""
        self._emit(event, data, to=[user_room(recipient_id), user_room(sender_id)], skip_sid=skip_sid)

    # --- messages -------------------------------------------------------------
    def message_created(self, message: dict[str, Any], skip_sid: str | None = None,
                        to_recipient: bool = True) -> None:
        """``message:new`` to the recipient (unless withheld by a block) and the sender's other devices."""
        self._message(MESSAGE_NEW, message, skip_sid, to_recipient)

    def message_updated(self, message: dict[str, Any], skip_sid: str | None = None,
                        to_recipient: bool = True) -> None:
        self._message(MESSAGE_UPDATED, message, skip_sid, to_recipient)

    def _message(self, event: str, message: dict[str, Any], skip_sid: str | None, to_recipient: bool) -> None:
        if to_recipient:
            self._both(event, message, message["sender_id"], message["recipient_id"], skip_sid)
        else:
            self._emit(event, message, to=user_room(message["sender_id"]), skip_sid=skip_sid)

    def message_per_login(self, event: str, sender_id: str, payloads: Iterable[tuple[str, str, dict[str, Any]]],
                          skip_sid: str | None = None) -> None:
        """``message:new`` / ``message:updated`` as one payload per login, ``(user_id, login_id, message)``:
        a message with a video, whose media links name the viewer's login. The caller leaves out
        the recipient's logins when the message is withheld."""
        for user_id, login, message in payloads:
            self._emit(event, message, to=session_room(login),
                       skip_sid=skip_sid if user_id == sender_id else None)

    def message_deleted(self, message_id: int | str, sender_id: str, recipient_id: str,
                        skip_sid: str | None = None, to_recipient: bool = True) -> None:
        data = {"id": str(message_id)}
        if to_recipient:
            self._both(MESSAGE_DELETED, data, sender_id, recipient_id, skip_sid)
        else:
            self._emit(MESSAGE_DELETED, data, to=user_room(sender_id), skip_sid=skip_sid)

    def receipts(self, status: str, at: datetime, ids_by_sender: dict[str, list[int]],
                 reader_id: str | None = None, reader_sid: str | None = None,
                 silent_for: Iterable[str] = ()) -> None:
        """``message:status`` to each sender (except those in ``silent_for``: receipts stop across
        a block); with ``reader_id``, also to the reader's other devices (so they clear their
        unread counts)."""
        when = iso(at)
        silent = set(silent_for)
        for sender, ids in ids_by_sender.items():
            payload = {"ids": [str(i) for i in ids], "status": status, "at": when}
            if sender not in silent:
                self._emit(MESSAGE_STATUS, payload, to=user_room(sender))
            if reader_id is not None:
                self._emit(MESSAGE_STATUS, payload, to=user_room(reader_id), skip_sid=reader_sid)

    def blocks_changed(self, user_id: str, other_id: str, blocked: bool, skip_sid: str | None = None) -> None:
        """``blocks:changed`` to the blocker's own devices; the person blocked is never told."""
        self._emit(BLOCKS_CHANGED, {"user_id": other_id, "blocked": blocked}, to=user_room(user_id),
                   skip_sid=skip_sid)

    # --- people ---------------------------------------------------------------
    def typing(self, sender_id: str, to: str, typing: bool) -> None:
        self._emit(TYPING, {"from": sender_id, "typing": typing}, to=user_room(to))

    def presence(self, user_id: str, online: bool, last_seen: datetime | None, peers: Iterable[str]) -> None:
        """``presence`` to ``peers``: those who share a conversation with ``user_id`` and may see
        their presence (the caller applies :func:`server.services.visibility.presence_audience`)."""
        payload = {"user_id": user_id, "online": online, "last_seen": iso(last_seen)}
        for peer in peers:
            self._emit(PRESENCE, payload, to=user_room(peer))

    # --- media and sessions -------------------------------------------------------
    def media_status(self, payloads: dict[str, dict[str, Any]]) -> None:
        """``media:status`` (the contract's ``media`` object) to each login of the uploader
        (``{login_id: media}``): its links are minted for that login."""
        for login, media in payloads.items():
            self._emit(MEDIA_STATUS, media, to=session_room(login))

    def media_position(self, payload: dict[str, Any], logins: Iterable[str]) -> None:
        """``media:position`` to these logins of one person (all but the one that saved it):
        ``{"media_id", "seconds", "updated_at"}``. One emit, however many rooms."""
        rooms = [session_room(login) for login in logins]
        if rooms:
            self._emit(MEDIA_POSITION, payload, to=rooms)

    def session_ended(self, sid: str, code: str, message: str) -> None:
        """``session:ended`` to one socket, just before the server disconnects it."""
        self._emit(SESSION_ENDED, {"code": code, "message": message}, to=sid)
