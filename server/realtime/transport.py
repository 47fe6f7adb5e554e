"""Engine.IO's WebSocket writes: coalesced, and waited for without a timer.

Coalesced: one ``send`` system call for the packets Engine.IO writes in a burst.

Engine.IO's writer greenlet takes every packet queued for a socket and writes
them one by one, and gevent-websocket turns each into its own ``send`` on the
TCP socket. Under load a socket gets several packets at once (acks, several
``message:new``), and the profile showed the ``send`` calls as the largest
single cost of the server (about a fifth of its CPU, docs/performance.md).
:class:`CoalescingWebSocket` frames each packet as gevent-websocket would, but
appends it to a buffer; a flusher greenlet, started when the buffer goes from
empty to non-empty, runs once the writer has yielded and sends the buffer in
one ``sendall``. A close flushes first, so frames keep their order.

Without a timer: Engine.IO's writer greenlet waits for the next packet with
``queue.get(timeout=ping_interval + ping_timeout)``, and under gevent every
such wait builds and cancels a timer: about 5% of the server's CPU per
message. On a WebSocket that timeout never fires while the session lives (the
server queues a ping every ``ping_interval``), and every way a session ends
queues ``None``, which ends the writer (Engine.IO's ``Socket.close`` and the
end of its WebSocket reader). :class:`WebSocketSession` waits without it;
long-polling, where the timeout ends a GET that has nothing to return, keeps
Engine.IO's own wait.
"""
from __future__ import annotations

from typing import Any

import gevent
from engineio import socket as eio_socket
from engineio.async_drivers import gevent as eio_gevent
from gevent.event import Event
from geventwebsocket.exceptions import WebSocketError
from geventwebsocket.websocket import Header


class CoalescingWebSocket(eio_gevent.WebSocketWSGI):
    """Engine.IO's gevent-websocket wrapper with buffered, coalesced writes.

    Only Engine.IO's writer greenlet calls :meth:`send` and :meth:`close`;
    one flusher at a time writes, so frames never interleave.
    """

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        self._out: list[bytes] = []
        self._failed = False
        self._idle = Event()
        self._idle.set()

    def send(self, message: Any) -> None:
        if self._failed:
            raise OSError("the WebSocket is gone")
        ws = self._sock
        if ws.closed:
            raise WebSocketError("Socket is dead")
        binary = not isinstance(message, str)
        payload = bytes(message) if binary else message.encode("utf-8")
        opcode = ws.OPCODE_BINARY if binary else ws.OPCODE_TEXT
        self._out.append(Header.encode_header(True, opcode, b"", len(payload), 0) + payload)
        if self._idle.is_set():
            self._idle.clear()
            gevent.spawn(self._flush)

    def _flush(self) -> None:
        """Writes until the buffer stays empty (runs after the writer has yielded)."""
        try:
            while self._out and not self._failed:
                data = b"".join(self._out)
                self._out.clear()
                self._write(data)
        finally:
            self._idle.set()

    def _write(self, data: bytes) -> None:
        ws = self._sock
        try:
            if ws.closed or ws.raw_write is None:
                raise OSError("closed")
            ws.raw_write(data)
        except Exception:  # noqa: BLE001 - the peer is gone: the reader sees it and ends the session
            self._failed = True
            self._out.clear()
            try:
                ws.handler.socket.close()
            except Exception:  # noqa: BLE001
                pass

    def close(self) -> Any:
        self._idle.wait(5)  # a flush in progress finishes first; frames keep their order
        if self._out and not self._failed:
            data = b"".join(self._out)
            self._out.clear()
            self._write(data)
        return super().close()


class WebSocketSession(eio_socket.Socket):
    """Engine.IO's session, whose WebSocket writer waits for packets without a timer."""

    def poll(self) -> list[Any]:
        if not self.upgraded:  # long-polling (or still upgrading): Engine.IO's wait, with its timeout
            return super().poll()
        first = self.queue.get()
        self.queue.task_done()
        if first is None:
            return []
        packets = [first]
        while not self.queue.empty():  # the rest of the burst, as Engine.IO's poll takes it
            pkt = self.queue.get_nowait()
            self.queue.task_done()
            if pkt is None:
                self.queue.put(None)
                break
            packets.append(pkt)
        return packets


def install() -> None:
    """Makes Engine.IO's gevent mode use :class:`CoalescingWebSocket` and :class:`WebSocketSession`
    (process-wide, idempotent). Engine.IO makes its sessions as ``socket.Socket(server, sid)``."""
    if eio_gevent.SimpleWebSocketWSGI is None:  # gevent-websocket is the driver
        eio_gevent._async["websocket"] = CoalescingWebSocket
        eio_socket.Socket = WebSocketSession
