"""The realtime layer's state for one app, and its background sweeper.

One :class:`Realtime` per app holds the socket registry, the presence
notifier and the typing tracker. A single background task (started with the
first connection) expires typing indicators, ends sockets whose login was
revoked or whose access token expired, and refreshes shared presence.

Ending revoked sessions, with one process or several:

* the ``sessions_revoked`` signal (logout, password reset, password change)
  ends that account's matching sockets in the process that handled the REST
  call at once;
* every process also asks the database every ``SWEEP_SECONDS`` for the
  logins revoked and accounts disabled since its last look, and checks all
  its sockets' logins in full every ``FULL_SWEEP_SECONDS``; this catches
  revocations made by any other process (or by an admin command) within
  half a second. No cross-process message is needed, so a lost pub/sub message cannot
  leave a revoked socket open.

Half-open sessions: an Engine.IO session that has not completed the
Socket.IO ``CONNECT`` within ``socketio_connect_timeout`` seconds (a refused
or abandoned handshake, or someone holding sessions open on purpose) is
closed by the same sweeper (:meth:`Realtime.watch_handshakes`).
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_socketio import SocketIO

from server.extensions import Services, sessions_revoked
from server.models import LoginSession, User, utcnow
from server.protocol import MESSAGE_NEW
from server.realtime.connections import Connection, Connections
from server.realtime.presence import PresenceNotifier, TypingTracker
from server.services.media_view import active_session_ids
from server.services.messaging import MessagingService

log = logging.getLogger(__name__)

SWEEP_SECONDS = 0.5
#: How often every socket's login is checked in full (between, only recent revocations are asked for).
FULL_SWEEP_SECONDS = 30.0
#: Revocations this much older than the last sweep are still looked at (other processes' clocks).
REVOCATION_MARGIN = timedelta(seconds=10)
PRESENCE_REFRESH_SECONDS = 10.0

_LOGINS = LoginSession.__table__
_USERS = User.__table__
#: Built once, Core on one connection: the sweeper asks these twice a second, and as ORM
#: queries in a session they were ~4% of the server's samples under load (docs/performance.md).
_REVOKED_SINCE = sa.select(_LOGINS.c.id).where(_LOGINS.c.revoked_at >= sa.bindparam("since"))
_DISABLED_SINCE = sa.select(_USERS.c.id).where(_USERS.c.disabled_at >= sa.bindparam("since"))

ENDED_MESSAGES = {
    "token_expired": "Your access token expired. Refresh it and connect again.",
    "session_revoked": "This login has ended (signed out, or the password changed). Sign in again.",
}


class Realtime:
    """Attributes:
    conns: this process's sockets.
    presence: turns connects/disconnects into presence events.
    typing: typing indicators.
    """

    def __init__(self, svc: Services, socketio: SocketIO) -> None:
        self.svc = svc
        self.socketio = socketio
        self.messaging: MessagingService = svc.messaging
        self.conns = Connections()
        self.presence = PresenceNotifier(svc.presence, svc.db, svc.notifier)
        self.typing = TypingTracker(svc.config.typing_ttl, svc.notifier)
        self._started = False
        self._stopped = False
        self._last_full_sweep = float("-inf")
        self._since = utcnow()
        #: Engine.IO sid -> monotonic deadline for its Socket.IO CONNECT
        self._handshakes: dict[str, float] = {}
        sessions_revoked.connect(self._on_revoked, weak=False)

    # --- half-open sessions -----------------------------------------------------
    def watch_handshakes(self) -> None:
        """Notes every new Engine.IO session, so the sweeper can close those that never CONNECT."""
        eio = self.socketio.server.eio
        inner = eio.handlers["connect"]
        timeout = self.svc.config.socketio_connect_timeout

        def on_eio_connect(eio_sid: str, environ: dict[str, Any], *args: Any) -> Any:
            result = inner(eio_sid, environ, *args)
            self._handshakes[eio_sid] = time.monotonic() + timeout
            self.ensure_started()
            return result

        eio.on("connect", on_eio_connect)

    def close_half_open(self) -> int:
        """Closes the Engine.IO sessions past their deadline without a Socket.IO connection."""
        now = time.monotonic()
        late = [sid for sid, deadline in list(self._handshakes.items()) if deadline <= now]
        server = self.socketio.server
        closed = 0
        for eio_sid in late:
            self._handshakes.pop(eio_sid, None)
            sock = server.eio.sockets.get(eio_sid)
            if sock is not None and server.manager.sid_from_eio_sid(eio_sid, "/") is None:
                try:
                    # not eio.disconnect(): it waits until the close packet is fetched, which a
                    # polling client that never polls again never does, and this runs in the sweeper
                    sock.close(wait=False, reason=server.eio.reason.SERVER_DISCONNECT)
                    server.eio.sockets.pop(eio_sid, None)
                    closed += 1
                except Exception:  # noqa: BLE001 - gone meanwhile
                    log.debug("closing half-open %s failed", eio_sid, exc_info=True)
        if closed:
            log.info("closed %d Engine.IO session(s) that never completed the Socket.IO CONNECT", closed)
        return closed

    # --- messages -------------------------------------------------------------
    def emit_message(self, event: str, s: Any, msg: Any, *, to_recipient: bool = True,
                     skip_sid: str | None = None, data: dict[str, Any] | None = None) -> None:
        """Pushes a message, through the notifier, to the sender's devices and (unless withheld:
        the recipient blocked the sender, who must not notice) the recipient's.

        A text message is one payload for everyone. A message with a video
        carries media links minted for one viewer on one login, so it is
        serialised once per signed-in login and sent to that login's room.

        ``data``: the message already serialised (for the sender's ack); a text
        message is the same for everyone, so it is not serialised again.
        """
        notifier = self.svc.notifier
        if msg.media_id is None or msg.deleted:
            if data is None:
                data = self.messaging.serialize(s, msg)
            if event == MESSAGE_NEW:
                notifier.message_created(data, skip_sid=skip_sid, to_recipient=to_recipient)
            else:
                notifier.message_updated(data, skip_sid=skip_sid, to_recipient=to_recipient)
        else:
            people = [msg.sender_id] + ([msg.recipient_id] if to_recipient else [])
            payloads = [(uid, login, self.messaging.serialize(s, msg, (uid, login)))
                        for uid in people for login in active_session_ids(s, uid)]
            notifier.message_per_login(event, msg.sender_id, payloads, skip_sid=skip_sid)
        if to_recipient and event == MESSAGE_NEW:  # after the message: a reply may reveal presence
            self.presence.message_sent(msg.sender_id, msg.recipient_id)

    # --- ending sockets --------------------------------------------------------
    def end(self, conn: Connection, code: str, delay: float = 0.0) -> None:
        """Tells the socket why (``session:ended``) and disconnects it."""
        if conn.ended:
            return
        conn.ended = True

        def run() -> None:
            if delay:
                time.sleep(delay)  # lets the error ack of the current event go out first
            try:
                self.svc.notifier.session_ended(conn.sid, code, ENDED_MESSAGES[code])
                self.socketio.server.disconnect(conn.sid, namespace="/")
            except Exception:  # noqa: BLE001 - the socket may be gone already
                log.debug("ending %s failed", conn.sid, exc_info=True)

        if delay:
            self.socketio.start_background_task(run)
        else:
            run()

    def _on_revoked(self, _sender: Any, user_id: str, session_ids: list[str] | None = None,
                    **_kw: Any) -> None:
        for conn in self.conns.of_sessions(user_id, session_ids):
            self.end(conn, "session_revoked")

    # --- background sweeper ------------------------------------------------------
    def ensure_started(self) -> None:
        if not self._started:
            self._started = True
            self.socketio.start_background_task(self._loop)

    def stop(self) -> None:
        self._stopped = True
        self.presence.drain(5.0)  # last_seen of the sockets just closed is written before exit

    def _loop(self) -> None:
        last_refresh = 0.0
        refresh = getattr(self.svc.presence, "refresh", None)
        while not self._stopped:
            started = time.monotonic()
            for step in (self.typing.expire, self.close_half_open, self.sweep_sessions):
                try:
                    step()
                except Exception:  # noqa: BLE001 - keep sweeping whatever happens
                    log.exception("realtime sweep step failed")
            if refresh is not None and started - last_refresh >= PRESENCE_REFRESH_SECONDS:
                try:
                    refresh()
                    last_refresh = started
                except Exception:  # noqa: BLE001
                    log.exception("presence refresh failed")
            time.sleep(max(0.05, SWEEP_SECONDS - (time.monotonic() - started)))

    def sweep_sessions(self) -> None:
        """Ends sockets whose token expired or whose login is no longer active.

        Every sweep asks only for logins revoked and accounts disabled since
        the previous one (minus a margin for clocks of other processes), which
        is cheap whatever the number of sockets; every ``FULL_SWEEP_SECONDS``
        every socket's login is checked in full (one query per 500 sockets),
        which also catches logins deleted outright. The full check on every
        sweep cost a tenth of the server's CPU under load (docs/performance.md).
        """
        conns = [c for c in self.conns.all() if not c.ended]
        now = time.time()
        for c in conns:
            if c.expires_at <= now:
                self.end(c, "token_expired")
        conns = [c for c in conns if not c.ended]
        started = time.monotonic()
        if started - self._last_full_sweep >= FULL_SWEEP_SECONDS:
            self._since = utcnow()
            self._last_full_sweep = started
            self._full_sweep(conns)
            return
        since, self._since = self._since - REVOCATION_MARGIN, utcnow()
        if not conns:
            return
        with self.svc.db.engine.connect() as c:
            revoked = set(c.execute(_REVOKED_SINCE, {"since": since}).scalars())
            disabled = set(c.execute(_DISABLED_SINCE, {"since": since}).scalars())
        if revoked or disabled:
            for c in conns:
                if c.session_id in revoked or c.user_id in disabled:
                    self.end(c, "session_revoked")

    def _full_sweep(self, conns: list[Connection]) -> None:
        for i in range(0, len(conns), 500):
            chunk = conns[i:i + 500]
            ids = list({c.session_id for c in chunk})
            with self.svc.db.session() as s:
                dead = set(s.scalars(
                    sa.select(LoginSession.id).join(User, User.id == LoginSession.user_id)
                    .where(LoginSession.id.in_(ids),
                           sa.or_(LoginSession.revoked_at.is_not(None), User.disabled_at.is_not(None)))))
                alive = set(s.scalars(sa.select(LoginSession.id).where(LoginSession.id.in_(ids))))
            for c in chunk:
                if c.session_id in dead or c.session_id not in alive:
                    self.end(c, "session_revoked")
