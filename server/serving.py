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
import threading
import time

from flask import Flask
from werkzeug.serving import make_server

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


def serve(app: Flask, host: str, port: int, *, grace: float = 10.0) -> None:
    """Serves until a signal, then shuts down gracefully (see module docstring)."""
    from server import close_app

    srv = make_server(host, port, app, threaded=True)
    srv.daemon_threads = False  # keep track of request threads so they can finish
    stopping = threading.Event()
    drained = threading.Event()

    def drain() -> None:
        app.extensions["parley"].extra["draining"] = True
        srv.shutdown()  # returns once the accept loop has stopped
        closed = _close_sockets()
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
        srv.serve_forever()
    finally:
        drained.wait(grace)
        srv.socket.close()  # refuse new connections at once instead of queueing them
        deadline = time.monotonic() + grace
        for t in list(getattr(srv, "_threads", None) or []):
            t.join(max(0.0, deadline - time.monotonic()))
        left = [t for t in list(getattr(srv, "_threads", None) or []) if t.is_alive()]
        if left:
            log.warning("%d request(s) still running after %.0f s; exiting anyway", len(left), grace)
        close_app(app)
        log.info("stopped")
