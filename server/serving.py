"""The HTTP server: gevent's WSGI server with WebSocket support, and a graceful shutdown.

One process, one event loop: every connection is a greenlet of
``gevent.pywsgi`` with gevent-websocket's handler (measured against
simple-websocket on gevent, see docs/performance.md). The standard library is
monkey-patched before the server's modules are imported (``server.green``).

On SIGTERM or SIGINT the server stops accepting connections, drops every
Socket.IO connection so that clients reconnect (elsewhere, or here after a
restart) and ``sync`` what they missed, lets in-flight requests finish (up to
``grace`` seconds), drains background jobs and queued mail, then exits. An
acknowledged message is committed before its ack, so nothing acknowledged is
lost whatever the timing. A second signal exits at once.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

import gevent
from flask import Flask
from gevent import pywsgi
from gevent.event import Event
from geventwebsocket.handler import WebSocketHandler

from server.extensions import socketio

log = logging.getLogger("parley.server")


def _close_sockets() -> int:
    """Drops every Socket.IO transport *without* an Engine.IO close packet.

    A close packet means "the server ended this session": Socket.IO clients
    (python-socketio's and the JavaScript one) then do not reconnect. Dropping
    the transport reads as a lost connection instead, so every client
    reconnects (to another process, or to this one once restarted) and syncs.
    ``abort=True`` skips the close packet; the transport's writer greenlet
    then closes the WebSocket (a plain close frame), which ends its reader.
    """
    eio = getattr(socketio.server, "eio", None)
    if eio is None:
        return 0
    sockets = list(eio.sockets.items())
    for sid, sock in sockets:
        try:
            sock.close(wait=False, abort=True)
        except Exception:  # noqa: BLE001 - a socket already gone is fine
            pass
        eio.sockets.pop(sid, None)
    return len(sockets)


class ConnectionTracker:
    """WSGI wrapper that counts HTTP requests in flight, so the shutdown can wait for them.

    A request counts until its response body has been sent (a video range
    streams after the view returns). WebSocket connections are not requests
    in flight: they are dropped by :func:`_close_sockets`. Everything runs on
    one event loop, so a counter and an event need no lock.
    """

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.in_flight = 0
        self._idle = Event()
        self._idle.set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("wsgi.websocket") is not None:
            return self.app(environ, start_response)
        self.in_flight += 1
        self._idle.clear()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _Closing(body, self._done)

    def _done(self) -> None:
        self.in_flight -= 1
        if self.in_flight <= 0:
            self._idle.set()

    def wait_idle(self, timeout: float) -> bool:
        return bool(self._idle.wait(timeout))


class _Closing:
    """A response body that calls ``done`` once, when the server closes it."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self._body = body
        self._done: Callable[[], None] | None = done

    def __iter__(self):  # noqa: ANN204 - WSGI iterable
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done()


class ParleyHandler(WebSocketHandler):
    """gevent-websocket's handler with deadlines against slow (or idle) clients.

    * The request line and headers must arrive within ``head_timeout``
      seconds of the handler starting to wait for them (this also ends an
      idle keep-alive connection), so a client trickling its headers holds a
      greenlet for seconds, not forever.
    * A request body must arrive at ``min_body_rate`` bytes/s on average,
      after a ``body_grace`` allowance; a trickled body times out.
    * An upgraded WebSocket has no socket timeout: Engine.IO's pings decide
      whether it is still alive.
    """

    head_timeout = 10.0
    body_grace = 10.0
    min_body_rate = 16 * 1024

    def read_requestline(self):  # noqa: ANN201 - gevent's signature
        self._head_timer = gevent.Timeout.start_new(self.head_timeout, _HeadTimeout())
        return super().read_requestline()

    def read_request(self, raw_requestline):  # noqa: ANN001, ANN201 - gevent's signature
        try:
            return super().read_request(raw_requestline)
        finally:
            self._head_timer.close()

    def handle_one_request(self):  # noqa: ANN201 - gevent's signature
        try:
            return super().handle_one_request()
        except _HeadTimeout:  # raised while parsing the headers, or between requests
            return None
        finally:
            timer = getattr(self, "_head_timer", None)
            if timer is not None:
                timer.close()

    def get_environ(self):  # noqa: ANN201 - gevent's signature
        env = super().get_environ()
        length = self.content_length
        if length:
            env["wsgi.input"] = _DeadlineInput(env["wsgi.input"], self.socket,
                                               time.monotonic() + self.body_grace + int(length) / self.min_body_rate)
        return env

    def run_websocket(self):  # noqa: ANN201 - gevent-websocket's signature
        self.socket.settimeout(None)
        return super().run_websocket()


class _HeadTimeout(TimeoutError):
    """The request line or headers did not arrive in time."""


class _DeadlineInput:
    """``wsgi.input`` that fails a read once the body's deadline has passed.

    Before each read the socket's timeout is set to what is left, so one slow
    ``recv`` cannot outlast the deadline either.
    """

    def __init__(self, inner: Any, sock: socket.socket, deadline: float) -> None:
        self._inner = inner
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request body arrived too slowly")
        self._sock.settimeout(left)

    def read(self, *args: Any) -> bytes:
        self._arm()
        try:
            return self._inner.read(*args)
        finally:
            self._sock.settimeout(None)

    def readline(self, *args: Any) -> bytes:
        self._arm()
        try:
            return self._inner.readline(*args)
        finally:
            self._sock.settimeout(None)

    def readlines(self, *args: Any) -> list[bytes]:
        self._arm()
        try:
            return self._inner.readlines(*args)
        finally:
            self._sock.settimeout(None)

    def __iter__(self):  # noqa: ANN204
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def make_server(app: Callable[..., Any], host: str, port: int,
                origin_allowed: Callable[[str | None, dict[str, Any]], bool] | None = None,
                **kwargs: Any) -> pywsgi.WSGIServer:
    """gevent's WSGI server with WebSocket support and :class:`ParleyHandler`'s deadlines.

    gevent-websocket completes the WebSocket handshake *before* the app runs,
    so a WebSocket from a refused origin would open and then close at once.
    ``origin_allowed`` (Engine.IO's own origin rule) is checked first: a
    refused one is not upgraded and gets Engine.IO's plain 400 instead.
    """
    srv = pywsgi.WSGIServer((host, port), app, handler_class=ParleyHandler, log=None,
                            error_log=logging.getLogger("parley.wsgi"), **kwargs)
    if origin_allowed is not None:
        # gevent-websocket: a true result serves the request as plain HTTP (no upgrade)
        srv.pre_start_hook = lambda handler: not origin_allowed(handler.environ.get("HTTP_ORIGIN"),
                                                                handler.environ)
    return srv


def serve(app: Flask, host: str, port: int, *, grace: float = 10.0) -> None:
    """Serves until a signal, then shuts down gracefully (see module docstring)."""
    from server.app import close_app
    from server.realtime import origin_checker

    tracker = ConnectionTracker(app)
    srv = make_server(tracker, host, port, origin_checker(app.extensions["parley"].config))
    stopping = Event()

    def on_signal(signum: int) -> None:
        if stopping.is_set():
            log.warning("second signal: exiting now")
            os._exit(1)
        log.info("received %s", signal.Signals(signum).name)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(sig, on_signal, sig)
    srv.start()
    try:
        stopping.wait()
    finally:
        app.extensions["parley"].extra["draining"] = True
        srv.close()  # stops accepting and closes the listening socket; running handlers go on
        closed = _close_sockets()
        gevent.sleep(0.2)  # lets the WebSocket writers send their close frames
        log.info("shutting down: closed %d socket(s), finishing requests", closed)
        if not tracker.wait_idle(grace):
            log.warning("%d request(s) still running after %.0f s; exiting anyway", tracker.in_flight, grace)
        srv.stop(timeout=1)  # ends idle keep-alive connections and whatever is left
        close_app(app)
        log.info("stopped")
