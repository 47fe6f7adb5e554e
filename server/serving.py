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
from collections.abc import Callable, Iterable
from typing import Any

import gevent
from flask import Flask
from gevent import pywsgi
from gevent.event import Event
from gevent.pool import Pool

from server.extensions import socketio
from server.http import ParleyHandler, max_websocket_frame

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


#: File descriptors a process needs besides its client connections (database pool, logs, media files).
FD_RESERVE = 256


def raise_open_file_limit(max_connections: int) -> int:
    """Raises the soft open-file limit to the hard one, and says so when that is still too low.

    Every connection is a file descriptor, and the usual soft limit (1024)
    would cap the server far below ``PARLEY_MAX_CONNECTIONS``. Returns the
    limit in force (0 where the platform has none to set).
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = max_connections + FD_RESERVE
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            log.info("raised the open-file limit from %d to %d", soft, target)
            soft = target
        except (ValueError, OSError) as exc:  # macOS caps it below an "unlimited" hard limit
            log.warning("could not raise the open-file limit from %d: %s", soft, exc)
    if soft != resource.RLIM_INFINITY and soft < needed:
        log.warning("the open-file limit is %d, below the %d that PARLEY_MAX_CONNECTIONS=%d needs: raise it "
                    "(ulimit -n, or LimitNOFILE= in the systemd unit) or lower PARLEY_MAX_CONNECTIONS",
                    soft, needed, max_connections)
    return int(soft)


def make_server(app: Callable[..., Any], host: str, port: int,
                origin_allowed: Callable[[str | None, dict[str, Any]], bool] | None = None, *,
                max_connections: int = 12000, http_timeout: float = 10.0, max_frame: int | None = None,
                **kwargs: Any) -> pywsgi.WSGIServer:
    """gevent's WSGI server with WebSocket support and :class:`ParleyHandler`'s deadlines.

    ``origin_allowed`` is Engine.IO's origin rule, checked before a WebSocket
    upgrade (see :class:`~server.http.ParleyHandler`).
    """
    logging.getLogger("geventwebsocket.handler").setLevel(logging.WARNING)  # its access log repeats ours
    handler = type("Handler", (ParleyHandler,), {"head_timeout": http_timeout, "body_grace": http_timeout,
                                                 "max_frame": max_frame})
    if origin_allowed is not None:
        handler.origin_allowed = staticmethod(origin_allowed)
    return pywsgi.WSGIServer((host, port), app, handler_class=handler, log=None, spawn=Pool(max_connections),
                             error_log=logging.getLogger("parley.wsgi"), **kwargs)


def serve(app: Flask, host: str, port: int, *, grace: float = 10.0) -> None:
    """Serves until a signal, then shuts down gracefully (see module docstring)."""
    from server.app import close_app
    from server.realtime import origin_checker

    config = app.extensions["parley"].config
    raise_open_file_limit(config.max_connections)
    tracker = ConnectionTracker(app)
    srv = make_server(tracker, host, port, origin_checker(config), max_connections=config.max_connections,
                      http_timeout=config.http_timeout, max_frame=max_websocket_frame(config.socketio_max_payload))
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
        app.extensions["parley"].draining = True
        srv.close()  # stops accepting and closes the listening socket; running handlers go on
        closed = _close_sockets()
        gevent.sleep(0.2)  # lets the WebSocket writers send their close frames
        log.info("shutting down: closed %d socket(s), finishing requests", closed)
        if not tracker.wait_idle(grace):
            log.warning("%d request(s) still running after %.0f s; exiting anyway", tracker.in_flight, grace)
        srv.stop(timeout=1)  # ends idle keep-alive connections and whatever is left
        close_app(app)
        log.info("stopped")
