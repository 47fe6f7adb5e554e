"""Socket.IO handlers of the contract's private messaging (default namespace).

Each handler is thin: :func:`handler` authenticates the socket again (token
expiry; revoked logins are ended by the realtime sweeper), applies the person's rate limit (one
budget across all their sockets and REST calls), validates the
payload with its schema from :mod:`server.protocol`, calls one
:class:`~server.services.messaging.MessagingService` method and answers with
an ack. Every failure is an ack ``{"ok": false, "error": {"code", "message"}}``
and the connection stays up, except an ended login, which is told why
(``session:ended``) and disconnected.

The sender of anything is always the socket's authenticated user.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_socketio import SocketIO
from pydantic import ValidationError
from socketio.exceptions import ConnectionRefusedError

from server.errors import ApiError, field_errors
from server.models import LoginSession, User
from server.protocol import (
    AUTH_REFRESH,
    CONVERSATION_READ,
    MESSAGE_DELETE,
    MESSAGE_DELIVERED,
    MESSAGE_EDIT,
    MESSAGE_NEW,
    MESSAGE_SEND,
    MESSAGE_UPDATED,
    SCHEMAS,
    SYNC,
    TYPING,
    USER_BLOCK,
    USER_UNBLOCK,
    AuthRefreshPayload,
    BlockPayload,
    DeletePayload,
    DeliveredPayload,
    EditPayload,
    ReadPayload,
    SendPayload,
    SyncPayload,
    TypingPayload,
    session_room,
    user_room,
)
from server.realtime.connections import Connection
from server.realtime.hub import Realtime
from server.services import blocks, visibility
from server.services.user_limits import limited
from server.services.messaging import StatusChange
from server.services.tokens import TokenService

log = logging.getLogger(__name__)

#: Which per-person budget each event draws on (:mod:`server.services.user_limits`);
#: REST sends and history pages draw on the same ones.
RATE_LIMITED = {MESSAGE_SEND: "send", MESSAGE_EDIT: "send", MESSAGE_DELETE: "send", TYPING: "typing",
                SYNC: "sync", USER_BLOCK: "block", USER_UNBLOCK: "block", CONVERSATION_READ: "read",
                MESSAGE_DELIVERED: "delivered"}

Handler = Callable[[Realtime, Connection, Any], dict[str, Any]]


def realtime() -> Realtime:
    return current_app.extensions["parley_realtime"]


def _refuse(code: str, message: str) -> ConnectionRefusedError:
    exc = ConnectionRefusedError(message)
    # The contract's shape {"message", "code"}; "data" repeats the code for
    # clients (like python-socketio's) that surface only "data".
    exc.error_args = {"message": message, "code": code, "data": {"code": code, "message": message}}
    return exc


_USERS = User.__table__
_LOGINS = LoginSession.__table__
#: Built once: the account and the login behind a connecting token, in one query on a Core
#: connection. Two ORM ``Session.get`` calls here were about a third of the server's CPU per
#: connect (docs/performance.md).
_CONNECT_CHECK = (
    sa.select(_USERS.c.email_verified_at, _USERS.c.disabled_at, _LOGINS.c.id.label("login_id"),
              _LOGINS.c.revoked_at)
    .select_from(_USERS.outerjoin(_LOGINS, sa.and_(_LOGINS.c.id == sa.bindparam("login"),
                                                    _LOGINS.c.user_id == _USERS.c.id)))
    .where(_USERS.c.id == sa.bindparam("user")))


def on_connect(rt: Realtime, sid: str, auth: Any = None) -> None:
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token:
        raise _refuse("unauthorized", "Connect with auth: {\"token\": \"<access token>\"}.")
    try:
        claims = rt.svc.tokens.decode_access(token)
    except ApiError as err:
        raise _refuse(err.code, err.message) from None
    with rt.svc.db.engine.connect() as c:
        row = c.execute(_CONNECT_CHECK, {"user": claims.user_id, "login": claims.session_id}).first()
    if row is not None and row.email_verified_at is None:
        raise _refuse("email_not_verified", "Verify your email before connecting.")
    if row is None or row.disabled_at is not None or row.login_id is None or row.revoked_at is not None:
        raise _refuse("unauthorized", "This session has ended. Sign in again.")
    conn = Connection(sid=sid, user_id=claims.user_id, session_id=claims.session_id,
                      expires_at=claims.expires_at.timestamp())
    limit = rt.svc.config.max_sockets_per_user
    if not rt.conns.add(conn, limit):
        raise _refuse("too_many_connections",
                      f"This account already has {limit} connections open to this server. Close the app on "
                      "a device or window you no longer use, then try again.")
    server = rt.socketio.server
    server.enter_room(sid, user_room(conn.user_id), namespace="/")
    server.enter_room(sid, session_room(conn.session_id), namespace="/")  # media links are minted per login
    rt.ensure_started()
    rt.presence.connected(conn.user_id)


def on_disconnect(rt: Realtime, sid: str) -> None:
    conn = rt.conns.remove(sid)
    if conn is None:
        return
    rt.typing.socket_closed(conn.sid)
    rt.presence.disconnected(conn.user_id)


def _guard(conn: Connection) -> ApiError | None:
    """The socket's access token is still valid? Checked on every event, without the database.

    Whether the login is still active is not asked per event: a revocation in
    this process ends the login's sockets at once (``sessions_revoked``), and
    the sweeper (:meth:`Realtime.sweep_sessions`) checks every socket's login
    against the database every half second, one query per 500 sockets, which
    catches revocations by other processes and admin commands. A query per
    socket per second here cost a tenth of the server's CPU under load
    (docs/performance.md, profile).
    """
    if time.time() >= conn.expires_at:
        return ApiError(401, "token_expired", "Your access token expired. Refresh it and connect again.")
    return None


def handler(rt: Realtime, event: str, fn: Handler) -> Callable[..., dict[str, Any]]:
    """Wraps ``fn`` with authentication, rate limiting, validation and error acks.

    The result is a plain python-socketio handler ``(sid, data)``: it skips
    Flask-SocketIO's per-event Flask request context (and cookie session),
    which cost about a sixth of the server's CPU per message, and pushes no
    app context either (3% more): what an event does reaches the app's
    services through ``rt``, never through ``current_app``.
    """
    schema = SCHEMAS[event]

    def run(sid: str, data: Any = None, *_extra: Any) -> dict[str, Any]:
        conn = rt.conns.get(sid)
        if conn is None or conn.ended:
            return ApiError(401, "unauthorized", "This connection is not signed in.").to_ack()
        err = _guard(conn)
        if err is not None:
            rt.end(conn, err.code, delay=0.1)
            return err.to_ack()
        kind = RATE_LIMITED.get(event)
        wait = rt.svc.user_limits.retry_after(kind, conn.user_id) if kind else None
        if wait is not None:
            err = limited(kind, wait)
            return {"ok": False, "error": {"code": err.code, "retry_after": round(wait, 3),
                                           "message": err.message}}
        try:
            payload = schema.model_validate(data if data is not None else {})
        except ValidationError as exc:
            errors = field_errors(exc)
            fields = ", ".join(sorted(errors))
            return ApiError(422, "validation_failed", f"The {event} payload is not valid: {fields}.",
                            errors=errors).to_ack()
        try:
            return fn(rt, conn, payload)
        except ApiError as exc:
            return exc.to_ack()
        except Exception:  # noqa: BLE001 - one bad event must not end the connection
            log.exception("%s failed", event)
            return ApiError(500, "internal_error", "Something went wrong on the server; try again.").to_ack()

    run.__name__ = f"on_{event.replace(':', '_')}"
    return run


# --- the events ---------------------------------------------------------------
def send(rt: Realtime, conn: Connection, p: SendPayload) -> dict[str, Any]:
    # lazy: with the recipient and blocks cached, a text message needs no session at all
    with rt.svc.db.lazy_session() as s:
        msg, created = rt.messaging.send(s, conn.user_id, p.to, p.client_id, p.body or "", p.media_id)
        data = rt.messaging.serialize(s, msg, conn.viewer)
        if created:  # withheld: the recipient blocked the sender, who must not notice
            rt.emit_message(MESSAGE_NEW, s, msg, to_recipient=not msg.withheld, skip_sid=conn.sid,
                            data=data)
    return {"ok": True, "message": data}


def edit(rt: Realtime, conn: Connection, p: EditPayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        msg = rt.messaging.edit(s, conn.user_id, p.id, p.body)
        data = rt.messaging.serialize(s, msg, conn.viewer)
        rt.emit_message(MESSAGE_UPDATED, s, msg, to_recipient=not msg.withheld, skip_sid=conn.sid)
    return {"ok": True, "message": data}


def delete(rt: Realtime, conn: Connection, p: DeletePayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        msg, changed = rt.messaging.delete(s, conn.user_id, p.id)
    if changed:
        rt.svc.notifier.message_deleted(msg.id, msg.sender_id, msg.recipient_id, skip_sid=conn.sid,
                                        to_recipient=not msg.withheld)
    return {"ok": True, "id": str(msg.id)}


def _announce_status(rt: Realtime, change: StatusChange, reader: Connection | None) -> None:
    rt.svc.notifier.receipts(change.status, change.at, change.ids_by_sender,
                             reader_id=reader.user_id if reader else None, reader_sid=reader.sid if reader else None,
                             silent_for=change.silent_for)


def delivered(rt: Realtime, conn: Connection, p: DeliveredPayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        change = rt.messaging.mark_delivered(s, conn.user_id, p.ids)
    _announce_status(rt, change, None)
    return {"ok": True, "ids": [str(i) for i in change.ids]}


def read(rt: Realtime, conn: Connection, p: ReadPayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        change = rt.messaging.mark_read(s, conn.user_id, p.peer_id, p.up_to)
    _announce_status(rt, change, conn)
    return {"ok": True, "ids": [str(i) for i in change.ids]}


def typing(rt: Realtime, conn: Connection, p: TypingPayload) -> dict[str, Any]:
    """Only to someone one shares a conversation with; across a block it is dropped in silence."""
    with rt.svc.db.session() as s:
        rt.messaging.check_recipient(s, conn.user_id, p.to)
        if not visibility.shares_conversation(s, conn.user_id, p.to):
            raise ApiError(403, "no_conversation",
                           "You can show typing only to someone you share a conversation with.")
        if blocks.between(s, conn.user_id, p.to).any:
            return {"ok": True}
    rt.typing.set(conn.sid, conn.user_id, p.to, p.typing)
    return {"ok": True}


def sync(rt: Realtime, conn: Connection, p: SyncPayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        page = rt.messaging.sync(s, conn.user_id, p.after, p.limit)
        messages = rt.messaging.serialize_many(s, page.messages, conn.viewer)
        return {"ok": True, "messages": blocks.mask_receipts(s, conn.user_id, messages), "has_more": page.has_more}


def auth_refresh(rt: Realtime, conn: Connection, p: AuthRefreshPayload) -> dict[str, Any]:
    claims = rt.svc.tokens.decode_access(p.token)
    if claims.user_id != conn.user_id:
        raise ApiError(403, "forbidden", "This token belongs to another account; connect again instead.")
    with rt.svc.db.session() as s:
        if not TokenService.session_active(s, claims.user_id, claims.session_id):
            raise ApiError(401, "session_revoked", "This login has ended. Sign in again.")
    conn.session_id = claims.session_id
    conn.expires_at = claims.expires_at.timestamp()
    conn.checked_at = time.monotonic()
    return {"ok": True, "expires_at": claims.expires_at.isoformat()}


def block(rt: Realtime, conn: Connection, p: BlockPayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        blocks.block(s, conn.user_id, p.user_id)
    announce_block(rt, conn.user_id, p.user_id, True, skip_sid=conn.sid)
    return {"ok": True, "user_id": p.user_id, "blocked": True}


def unblock(rt: Realtime, conn: Connection, p: BlockPayload) -> dict[str, Any]:
    with rt.svc.db.session() as s:
        blocks.unblock(s, conn.user_id, p.user_id)
    announce_block(rt, conn.user_id, p.user_id, False, skip_sid=conn.sid)
    return {"ok": True, "user_id": p.user_id, "blocked": False}


def announce_block(rt: Realtime, me: str, other: str, blocked: bool, skip_sid: str | None = None) -> None:
    """Tells the blocker's own devices, and stops any typing indicator across the new block.

    The blocked person is told nothing.
    """
    rt.svc.notifier.blocks_changed(me, other, blocked, skip_sid=skip_sid)
    if blocked:
        rt.typing.forget(me, other)


EVENTS: dict[str, Handler] = {
    MESSAGE_SEND: send, MESSAGE_EDIT: edit, MESSAGE_DELETE: delete, MESSAGE_DELIVERED: delivered,
    CONVERSATION_READ: read, TYPING: typing, SYNC: sync, AUTH_REFRESH: auth_refresh,
    USER_BLOCK: block, USER_UNBLOCK: unblock,
}

def register(rt: Realtime, socketio: SocketIO) -> None:
    """Installs every handler directly on this app's python-socketio server.

    Not through Flask-SocketIO's decorators: those push a Flask request
    context (and cookie session) per event and per connect, which cost about
    a sixth of the server's CPU per message. No app context is pushed either
    (:func:`handler`).
    """
    server = socketio.server

    def connect(sid: str, _environ: dict[str, Any], auth: Any = None) -> None:
        on_connect(rt, sid, auth)

    def disconnect(sid: str, *_reason: Any) -> None:
        on_disconnect(rt, sid)

    server.on("connect", connect, namespace="/")
    server.on("disconnect", disconnect, namespace="/")
    for event, fn in EVENTS.items():
        server.on(event, handler(rt, event, fn), namespace="/")
