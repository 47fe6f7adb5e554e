"""Every HTTP connection is served without Nagle's algorithm.

With it, a reply written in two parts waited for the client's delayed ACK: 44 ms per request on a
kept-alive connection against 4 ms on a new one (``benchmarks/search.py`` prints the floor).
"""
from __future__ import annotations

import socket

from gevent import socket as gsocket

from server.serving import make_server


def test_the_handler_turns_nagle_off_before_reading_a_request() -> None:
    seen: list[int] = []
    srv = make_server(lambda environ, start_response: [], "127.0.0.1", 0)

    class Probe(srv.handler_class):  # type: ignore[misc, name-defined]
        def read_requestline(self):  # noqa: ANN201
            seen.append(self.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            return None  # as if the client had gone: the handler ends

    listener = gsocket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = gsocket.create_connection(listener.getsockname())
    accepted, address = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # the OS default
        Probe(accepted, address, srv).handle()
        assert seen and seen[0] != 0
    finally:
        client.close()
        listener.close()
