"""Socket.IO connection with its own reconnect loop (exponential backoff + jitter).

The loop is one long job started with ``spawn`` (the app: its one-thread socket
TaskRunner); it makes no thread of its own. python-socketio (and python-engineio
under it) runs its read loop, write loop and pings on threads of its own, and
calls the handlers there: that is how the library works, not ours to change.
Listeners are called from those threads: the Qt bridge turns the calls into
queued signals. ``emit``/``call`` are serialised with a lock because
``socketio.Client`` is not thread safe.
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from desktop.core import protocol
from desktop.core.errors import ApiError, NetworkError, NotSignedIn, from_ack_error

log = logging.getLogger(__name__)

# How long a disconnect waits for the server's WebSocket close reply. engineio's read loop reads the
# same socket and takes that reply, so websocket-client's close() always waited its full 3 s default:
# that was most of the 4-5 s the process lived on after Quit (issue 12).
CLOSE_WAIT_S = 0.2

SERVER_EVENTS = (protocol.NEW, protocol.UPDATED, protocol.DELETED, protocol.STATUS,
                 protocol.TYPING, protocol.PRESENCE, protocol.MEDIA_STATUS, protocol.BLOCKS_CHANGED,
                 protocol.MEDIA_POSITION)


def _socketio_client() -> Any:
    import socketio  # imported on first connect: it is slow to import and not needed to show sign-in

    return socketio.Client(reconnection=False, logger=False, engineio_logger=False)


class RealtimeListener(Protocol):
    def on_state(self, state: str, detail: str, retry_in: float) -> None: ...
    def on_event(self, event: str, data: Any) -> None: ...
    def on_session_expired(self, message: str) -> None: ...


@dataclass
class Backoff:
    """Exponential backoff with full jitter between ``base * 2**n / 2`` and ``base * 2**n``."""

    base: float = 1.0
    maximum: float = 30.0
    attempts: int = 0

    def next_delay(self, rng: Callable[[float, float], float] = random.uniform) -> float:
        ceiling = min(self.maximum, self.base * (2 ** self.attempts))
        self.attempts += 1
        return rng(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempts = 0


class RealtimeClient:
    """Keeps one Socket.IO connection up while started.

    States passed to ``on_state``: ``connecting``, ``online``, ``offline``, ``stopped``.
    """

    def __init__(self, url: str, token_provider: Callable[[bool], str], listener: RealtimeListener,
                 *, spawn: Callable[[Callable[[], None]], bool], backoff: Backoff | None = None,
                 connect_timeout: float = 10.0, client_factory: Callable[[], Any] | None = None) -> None:
        """``spawn`` starts the connection loop as a background job and says whether it will run."""
        self.url = url
        self.token_provider = token_provider
        self.listener = listener
        self.backoff = backoff or Backoff()
        self.connect_timeout = connect_timeout
        self._factory = client_factory or _socketio_client
        self._emit_lock = threading.Lock()
        self._wake = threading.Event()
        self._disconnected = threading.Event()
        self._stop = threading.Event()
        self._client: Any = None
        self._spawn = spawn
        self._started = False
        self._loop_ended = threading.Event()
        self._loop_ended.set()
        self._loop_thread: int | None = None
        self._refused_code: str | None = None

    # lifecycle -------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._stop.clear()
        self._loop_ended.clear()
        self._started = True
        if not self._spawn(self._run):  # the app is closing
            self._started = False
            self._loop_ended.set()

    @property
    def looping(self) -> bool:
        """True while the connection loop job runs."""
        return not self._loop_ended.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and end the loop, waiting at most ``timeout`` for it.

        The loop does the disconnect itself: python-engineio's disconnect joins its read loop
        without a limit, so a server that does not answer would hold the caller (the GUI thread at
        quit) for as long as that takes. Its runner's pool is deleted only once the loop ended
        (desktop/qt/tasks.py), and the process never waits for it at exit.
        """
        self._stop.set()
        self._wake.set()
        self._disconnected.set()
        if not self._started or self._loop_thread == threading.get_ident():
            self._drop_client()
        else:
            self._loop_ended.wait(timeout)
        self._started = False

    def reconnect_now(self) -> None:
        """Skip the current backoff wait (the person pressed Retry)."""
        self.backoff.reset()
        self._wake.set()

    @property
    def connected(self) -> bool:
        client = self._client
        return bool(client is not None and client.connected and not self._disconnected.is_set())

    # sending -----------------------------------------------------------------
    def emit(self, event: str, data: Any) -> None:
        """Fire and forget; silently dropped when offline (typing, receipts)."""
        with self._emit_lock:
            client = self._client
            if client is None or not self.connected:
                return
            try:
                client.emit(event, data)
            except Exception as exc:
                log.debug("emit %s failed: %s", event, exc)

    def call(self, event: str, data: Any, timeout: float = 10.0) -> dict[str, Any]:
        """Emit and wait for the ack; raise NetworkError when offline or no ack, ApiError on ok=false."""
        done = threading.Event()
        box: list[Any] = []

        def on_ack(*args: Any) -> None:
            box.append(args[0] if args else None)
            done.set()

        with self._emit_lock:
            client = self._client
            if client is None or not self.connected:
                raise NetworkError("Offline.", kind="offline")
            try:
                client.emit(event, data, callback=on_ack)
            except Exception as exc:
                raise NetworkError(f"Offline ({exc}).", kind="offline") from None
        if not done.wait(timeout):
            raise NetworkError("The server did not answer in time.", kind="timeout")
        ack = box[0]
        if not isinstance(ack, dict):
            raise NetworkError("The server sent an unexpected answer.", kind="protocol")
        if not ack.get("ok"):
            raise from_ack_error(ack.get("error"))
        return ack

    # loop ---------------------------------------------------------------------
    def _run(self) -> None:
        self._loop_thread = threading.get_ident()
        try:
            session_over = False
            try:
                session_over = self._loop()
            finally:
                self._drop_client()  # also when stop() came during a connect
            if not session_over:
                self.listener.on_state("stopped", "", 0.0)
        finally:
            self._loop_thread = None
            self._loop_ended.set()

    def _loop(self) -> bool:
        """Connect and reconnect until stopped; True when it ended because the session is over."""
        force_refresh = False
        while not self._stop.is_set():
            self.listener.on_state("connecting", "", 0.0)
            error = self._connect_once(force_refresh)
            if self._stop.is_set():
                break
            if error is None:
                self.backoff.reset()
                force_refresh = False
                self.listener.on_state("online", "", 0.0)
                self._disconnected.wait()
                self._drop_client()
                if self._stop.is_set():
                    break
                error = "Connection lost."
            elif error == "session":
                return True
            else:
                # a revoked login (signed out elsewhere, password changed, account disabled by an admin)
                # still has an unexpired access token: only a refresh learns the session is over
                force_refresh = self._refused_code in ("token_expired", "unauthorized", "session_revoked")
            delay = self.backoff.next_delay()
            self.listener.on_state("offline", error, delay)
            self._wake.clear()
            self._wake.wait(delay)
        return False

    def _connect_once(self, force_refresh: bool) -> str | None:
        """One attempt; None when connected, "session" when the session is over, else a reason."""
        try:
            token = self.token_provider(force_refresh)
        except ApiError as exc:
            if exc.is_session_error:
                self.listener.on_session_expired(exc.message)
                return "session"
            return exc.message
        except NotSignedIn as exc:
            self.listener.on_session_expired(exc.message)
            return "session"
        except NetworkError as exc:
            return exc.message
        client = self._factory()
        self._refused_code = None
        self._disconnected.clear()
        client.on("connect_error", self._on_connect_error)
        client.on("disconnect", lambda *a: self._disconnected.set())
        for name in SERVER_EVENTS:
            client.on(name, self._handler(name))
        with self._emit_lock:
            self._client = client
        try:
            client.connect(self.url, auth={"token": token}, wait_timeout=self.connect_timeout)
            _shorten_close_wait(client)
        except Exception as exc:
            self._drop_client()
            if self._refused_code == "email_not_verified":
                self.listener.on_session_expired("This email address isn't verified yet.")
                return "session"
            return f"Can't reach the server ({exc})." if not self._refused_code else "Refused by server."
        return None

    def _drop_client(self) -> None:
        with self._emit_lock:
            client, self._client = self._client, None
        self._disconnected.set()
        if client is not None:
            try:
                client.disconnect()
            except Exception:
                pass

    def _on_connect_error(self, data: Any = None) -> None:
        if isinstance(data, dict):
            self._refused_code = str(data.get("code") or "refused")
        else:
            self._refused_code = "refused"

    def _handler(self, name: str) -> Callable[..., None]:
        def handle(data: Any = None, *_: Any) -> None:
            try:
                self.listener.on_event(name, data)
            except Exception:  # a bad payload must not kill the socket thread
                log.exception("handling %s failed", name)
        return handle


def _shorten_close_wait(client: Any) -> None:
    """Make the WebSocket under ``client`` wait at most CLOSE_WAIT_S for the close reply (see there)."""
    ws = getattr(getattr(client, "eio", None), "ws", None)
    close = getattr(ws, "close", None)
    if ws is None or close is None:
        return

    def quick_close(status: int = 1000, reason: bytes = b"", timeout: float | None = None) -> Any:
        return close(status, reason, min(timeout or CLOSE_WAIT_S, CLOSE_WAIT_S))

    ws.close = quick_close
