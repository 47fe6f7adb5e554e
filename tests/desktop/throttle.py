"""A slow link for tests and benchmarks: a TCP proxy with one token bucket per direction.

Every connection through the proxy shares the two buckets, as the connections of one computer
share its uplink and downlink (the player's segment reads, the app's measurements and REST calls).
Pure Python, threads, loopback only::

    with ThrottledLink(("127.0.0.1", server_port), bits_per_second=1_500_000) as link:
        url = link.url  # http://127.0.0.1:<proxy port>
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Any

CHUNK = 4096


class TokenBucket:
    """``rate`` bytes per second with a ``burst`` of at most that many bytes; :meth:`take` blocks."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self, n: int) -> None:
        with self.lock:  # one sender at a time: the link is shared, first come first served
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            self.tokens -= n
            if self.tokens < 0:  # pay the deficit by waiting; the bucket is then empty
                time.sleep(-self.tokens / self.rate)
                self.tokens = 0.0
                self.stamp = time.monotonic()


class ThrottledLink:
    """Listens on a free loopback port and relays to ``upstream`` at ``bits_per_second`` each way.

    Attributes:
        url: ``http://127.0.0.1:<port>`` of the proxy.
        down_bytes: bytes relayed from the server to the clients.
    """

    def __init__(self, upstream: tuple[str, int], bits_per_second: float = 1_500_000, burst: int = 16 * 1024) -> None:
        self.upstream = upstream
        self.down = TokenBucket(bits_per_second / 8, burst)
        self.up = TokenBucket(bits_per_second / 8, burst)
        self.down_bytes = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name="throttle-accept", daemon=True).start()

    def __enter__(self) -> ThrottledLink:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.update((client, server))
            threading.Thread(target=self._pipe, args=(client, server, self.up, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.down, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, bucket: TokenBucket, down: bool) -> None:
        try:
            while True:
                data = src.recv(CHUNK)
                if not data:
                    break
                bucket.take(len(data))
                dst.sendall(data)
                if down:
                    self.down_bytes += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)
            src.close()
