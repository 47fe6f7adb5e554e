"""Socket.IO connection with its own reconnect loop (exponential backoff + jitter).

The loop runs on a daemon thread; python-socketio runs handlers on its own
threads. Listeners are called from those threads: the Qt bridge turns the calls
into queued signals. ``emit``/``call`` are serialised with a lock because
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

SERVER_EVENTS = (protocol.NEW, protocol.UPDATED, protocol.DELETED, protocol.STATUS,
                 protocol.TYPING, protocol.PRESENCE, protocol.MEDIA_STATUS, protocol.BLOCKS_CHANGED)


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
                 *, backoff: Backoff | None = None, connect_timeout: float = 10.0,
                 client_factory: Callable[[], Any] | None = None) -> None:
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
        self._thread: threading.Thread | None = None
        self._refused_code: str | None = None

    # lifecycle -------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="parley-realtime", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and end the loop (blocks up to ``timeout``: call from a worker or at exit)."""
        self._stop.set()
        self._wake.set()
        self._disconnected.set()
        client = self._client
        if client is not None:
            try:
                client.disconnect()
            except Exception:  # already gone
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

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
                return
            else:
                force_refresh = self._refused_code == "token_expired"
            delay = self.backoff.next_delay()
            self.listener.on_state("offline", error, delay)
            self._wake.clear()
            self._wake.wait(delay)
        self.listener.on_state("stopped", "", 0.0)

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
