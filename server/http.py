"""gevent-websocket's request handler with Parley's deadlines (shared by serve and gunicorn).

This module imports only gevent and gevent-websocket, so that gunicorn's
master can import the worker class (:mod:`server.gunicorn`) without importing
Flask, psycopg or anything else that must be imported after gevent patched
the standard library.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import gevent
from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler

from server.websocket_frames import FrameReader

OriginRule = Callable[[Any, dict[str, Any]], bool]

#: Longest request line (and header line) read. gevent's default, 8 KiB, is shorter than a
#: request the API documents as valid or as a 422: a 2048-character media ``token`` of
#: non-ASCII characters is up to 24 KiB once percent-encoded, and gevent answered it with a bare
#: 414 the OpenAPI document does not allow (the schema fuzzer found it). 64 KiB is what the
#: standard library's http.server, and so the threaded server before gevent, accepted.
MAX_REQUEST_LINE = 65536
pywsgi.MAX_REQUEST_LINE = MAX_REQUEST_LINE

_URI_TOO_LONG_BODY = (b'{"type":"about:blank","title":"URI Too Long","status":414,"code":"uri_too_long",'
                      b'"detail":"The request line is longer than 64 KiB."}')
#: Still the contract's error shape (problem+json), not gevent's empty 414.
_URI_TOO_LONG = (b"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
                 b"Content-Length: " + str(len(_URI_TOO_LONG_BODY)).encode() + b"\r\n\r\n" + _URI_TOO_LONG_BODY)


def max_websocket_frame(max_payload: int) -> int:
    """The longest WebSocket frame worth reading: Engine.IO refuses a message over ``max_payload``
    characters, and a character is at most 4 bytes of UTF-8."""
    return 4 * max_payload + 64


class ParleyHandler(WebSocketHandler):
    """gevent-websocket's handler with deadlines against slow (or idle) clients.

    * The request line and headers must arrive within ``head_timeout``
      seconds of the handler starting to wait for them (this also ends an
      idle keep-alive connection), so a client trickling its headers holds a
      greenlet for seconds, not forever.
    * A request body must arrive at ``min_body_rate`` bytes/s on average,
      after a ``body_grace`` allowance; a trickled body times out.
    * An upgraded WebSocket has no socket timeout: Engine.IO's pings decide
      whether it is still alive. Its frames are read by
      :class:`~server.websocket_frames.FrameReader`.
    * gevent-websocket completes the WebSocket handshake *before* the app
      runs, so a WebSocket from an origin Engine.IO refuses would open and
      then close at once. With ``origin_allowed`` set (Engine.IO's own rule)
      such a request is not upgraded and gets Engine.IO's plain 400.
    """

    origin_allowed: OriginRule | None = None
    #: Longest WebSocket frame read, in bytes (None: no limit); set from PARLEY_SOCKETIO_MAX_PAYLOAD
    max_frame: int | None = None

    head_timeout = 10.0  # both set from PARLEY_HTTP_TIMEOUT by make_server
    body_grace = 10.0
    min_body_rate = 16 * 1024

    def handle(self):  # noqa: ANN201 - gevent's signature
        # No Nagle: a reply written in two parts (headers, then the body) otherwise waited for the
        # client's delayed ACK, 40 ms, on every request of a kept-alive connection, which is how
        # the desktop app and most clients talk (44 ms against 4 ms on a new connection, measured).
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # not TCP (a Unix socket behind a proxy): nothing to do
            pass
        return super().handle()

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
            result = super().handle_one_request()
            if isinstance(result, tuple) and result[0] == "414":
                return ("414", _URI_TOO_LONG)
            return result
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
            env["wsgi.input"] = _DeadlineInput(env["wsgi.input"],
                                               time.monotonic() + self.body_grace + int(length) / self.min_body_rate,
                                               self._body_timed_out)
        return env

    def _body_timed_out(self) -> None:
        self.close_connection = True

    def run_application(self):  # noqa: ANN201 - gevent's signature
        rule = self.origin_allowed
        if rule is not None and not rule(self.environ.get("HTTP_ORIGIN"), self.environ):
            return pywsgi.WSGIHandler.run_application(self)  # no upgrade: Engine.IO refuses it
        return super().run_application()

    def run_websocket(self):  # noqa: ANN201 - gevent-websocket's signature
        self.socket.settimeout(None)
        self.websocket.__class__ = FrameReader  # the same socket, read without byte loops in Python
        return super().run_websocket()


class _HeadTimeout(TimeoutError):
    """The request line or headers did not arrive in time."""


class _DeadlineInput:
    """``wsgi.input`` whose reads fail once the body's deadline has passed.

    A ``gevent.Timeout`` bounds each whole read (a socket timeout would not:
    one ``read(n)`` is many ``recv`` calls, each of which a trickle satisfies).
    """

    def __init__(self, inner: Any, deadline: float, on_timeout: Callable[[], None]) -> None:
        self._inner = inner
        self._deadline = deadline
        self._on_timeout = on_timeout

    def _bounded(self, fn: Callable[..., Any], *args: Any) -> Any:
        left = self._deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError("the request body arrived too slowly")
            with gevent.Timeout(left, TimeoutError("the request body arrived too slowly")):
                return fn(*args)
        except TimeoutError:
            self._on_timeout()  # the rest of the body is still on the wire: no keep-alive
            raise

    def read(self, *args: Any) -> bytes:
        return self._bounded(self._inner.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._bounded(self._inner.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._bounded(self._inner.readlines, *args)

    def __iter__(self):  # noqa: ANN204
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


