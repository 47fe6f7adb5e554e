"""The HTTP server loop with a graceful shutdown.

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
import threading
import time

from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

from server.extensions import socketio

log = logging.getLogger("parley.server")


def _close_sockets() -> int:
    """Drops every Socket.IO transport *without* an Engine.IO close packet.

    A close packet means "the server ended this session": Socket.IO clients
    (python-socketio's and the JavaScript one) then do not reconnect. Dropping
    the transport reads as a lost connection instead, so every client
    reconnects (to another process, or to this one once restarted) and syncs.
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
    """WSGI wrapper that knows what is in flight when the server stops.

    It counts HTTP requests until their response body has been sent (a video
    range streams after the view returns), and remembers the TCP sockets of
    upgraded WebSocket requests: simple-websocket's reader blocks in ``recv()``,
    which closing the socket from another thread does not wake on Linux, so
    those are shut down explicitly. Idle keep-alive connections are neither:
    they end with the process.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.websockets: set[socket.socket] = set()
        self.in_flight = 0
        self._cond = threading.Condition()

    def __call__(self, environ: dict, start_response):  # noqa: ANN204 - WSGI
        sock = environ.get("werkzeug.socket") if environ.get("HTTP_UPGRADE", "").lower() == "websocket" else None
        if sock is not None:
            with self._cond:
                self.websockets.add(sock)
            try:
                return self.app(environ, start_response)
            finally:
                with self._cond:
                    self.websockets.discard(sock)
        with self._cond:
            self.in_flight += 1
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return ClosingIterator(body, [self._done])

    def _done(self) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.in_flight == 0, timeout)

    def shutdown_websockets(self) -> None:
        with self._cond:
            sockets = list(self.websockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(app: Flask, host: str, port: int, *, grace: float = 10.0) -> None:
    """Serves until a signal, then shuts down gracefully (see module docstring)."""
    from server import close_app

    tracker = ConnectionTracker(app)
    srv = make_server(host, port, tracker, threaded=True)
    stopping = threading.Event()
    drained = threading.Event()

    def drain() -> None:
        app.extensions["parley"].extra["draining"] = True
        srv.shutdown()  # returns once the accept loop has stopped
        closed = _close_sockets()
        time.sleep(0.2)  # lets the WebSocket writers send their close frames
        tracker.shutdown_websockets()
        log.info("shutting down: closed %d socket(s), finishing requests", closed)
        drained.set()

    def on_signal(signum: int, _frame: object) -> None:
        if stopping.is_set():
            log.warning("second signal: exiting now")
            os._exit(1)
        log.info("received %s", signal.Signals(signum).name)
        stopping.set()
        threading.Thread(target=drain, name="parley-drain", daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        srv.serve_forever()  # returns after drain() stopped it; closes the listening socket
    finally:
        drained.wait(grace)
        if not tracker.wait_idle(grace):
            log.warning("%d request(s) still running after %.0f s; exiting anyway", tracker.in_flight, grace)
        close_app(app)
        log.info("stopped")
