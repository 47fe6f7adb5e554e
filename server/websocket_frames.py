"""Reading WebSocket frames without gevent-websocket's pure-Python byte loops.

gevent-websocket unmasks every client frame one byte at a time in Python and
checks a text message's UTF-8 twice with a pure-Python state machine (a C
validator is used only when the optional ``wsaccel`` package is installed)
before decoding it, which checks it once more. Under load those loops were
about 7% of the server's CPU (docs/performance.md, profile). Here:

* unmasking XORs the payload with the repeated key as two big integers (one
  C operation);
* the UTF-8 check is left to the decode at the end of the message, which
  raises the same :class:`UnicodeError`, so invalid text still closes the
  socket as before.

It also refuses a frame longer than its handler's ``max_frame`` before
reading it: gevent-websocket reads a frame whole, into a buffer of the size
its header announces, so anyone (the Engine.IO handshake needs no account)
could make the server allocate gigabytes with a few bytes of header.

Only gevent-websocket is imported (see :mod:`server.http`).
"""
from __future__ import annotations

from typing import Any

from geventwebsocket.exceptions import ProtocolError, WebSocketError
from geventwebsocket.websocket import Header, WebSocket


def unmask(payload: bytes, key: bytes) -> bytes:
    """``payload`` XOR the 4-byte ``key`` repeated (RFC 6455, 5.3): the same bytes masked or unmasked."""
    n = len(payload)
    if not n:
        return payload
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


class FrameReader(WebSocket):
    """gevent-websocket's WebSocket with the two loops replaced (the handler switches to it)."""

    __slots__ = ()  # the same layout, so an open WebSocket can become one

    def validate_utf8(self, payload: Any) -> None:
        """Nothing per frame: the message is decoded, and so checked, once it is complete."""

    def read_frame(self) -> tuple[Header, bytes]:
        header = Header.decode_header(self.stream)
        if header.flags:
            raise ProtocolError
        limit = getattr(self.handler, "max_frame", None)
        if limit is not None and header.length > limit:
            raise ProtocolError(f"a frame of {header.length} bytes; at most {limit}")  # closed with 1002
        if not header.length:
            return header, b""
        try:
            payload = self.raw_read(header.length)
        except Exception:  # noqa: BLE001 - as gevent-websocket: a failed read is a short frame
            payload = b""
        if len(payload) != header.length:
            raise WebSocketError("Unexpected EOF reading frame payload")
        if header.mask:
            payload = unmask(payload, header.mask)
        return header, payload
