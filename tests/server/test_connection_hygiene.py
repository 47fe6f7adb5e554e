"""Connection hygiene: half-open Engine.IO sessions, trickling clients, sockets per user, idle floods."""
from __future__ import annotations

import json
import re
import resource
import socket
import threading
import time
import uuid

import pytest
import requests
import websocket

from server import protocol as P
from tests.conftest import LiveServer, wait_until
from tests.server.realtime_helpers import Device, token_of


def _raise_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard < needed:
            pytest.fail(f"this test needs {needed} open files; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _half_open(url: str) -> str:
    """An Engine.IO session (polling handshake) that never sends the Socket.IO CONNECT."""
    r = requests.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=10)
    assert r.status_code == 200, r.text
    return json.loads(r.text[1:])["sid"]


def _ws(url: str, token: str) -> tuple[websocket.WebSocket, str]:
    """A raw Socket.IO-over-WebSocket connection; returns it and the server's CONNECT answer."""
    ws = websocket.create_connection(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=10, suppress_origin=True)
    ws.recv()  # Engine.IO open
    ws.send("40" + json.dumps({"token": token}))
    return ws, ws.recv()


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"PARLEY_SOCKETIO_CONNECT_TIMEOUT": "1", "PARLEY_HTTP_TIMEOUT": "1",
            "PARLEY_MAX_SOCKETS_PER_USER": "3"}


def _engineio_sessions(url: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=10).text
    return float(re.search(r"^parley_connected_sockets ([0-9.e+]+)$", text, re.M).group(1))


def test_half_open_engineio_sessions_are_closed(live_server: LiveServer) -> None:
    # two that never poll again: closing the first must not wait for a poll (it once stalled the
    # sweeper, so the second, and every later expiry or revocation, was never handled)
    _half_open(live_server.url)
    _half_open(live_server.url)
    wait_until(lambda: _engineio_sessions(live_server.url) == 0, 6, 0.2, "both half-open sessions to be closed")
    sid = _half_open(live_server.url)
    started = time.monotonic()

    def gone() -> bool:
        r = requests.get(f"{live_server.url}/socket.io/?EIO=4&transport=polling&sid={sid}", timeout=10)
        return r.status_code == 400 or r.text.endswith("1")  # unknown session, or its close packet

    wait_until(gone, 6, 0.2, "the half-open session to be closed")
    assert time.monotonic() - started < 5
    # a connection that completes its CONNECT in time stays
    a = live_server.register_verified("An")
    d = Device(live_server.url, token_of(a)).connect()
    try:
        time.sleep(2.5)  # longer than the 1 s handshake deadline plus a sweep
        assert d.sio.connected
        assert d.call(P.SYNC, {})["ok"]
    finally:
        d.close()


def test_trickled_headers_and_bodies_time_out(live_server: LiveServer) -> None:
    for request in (b"GET /healthz HTTP/1.1\r\nHost: x\r\n",  # headers never finish
                    b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100000\r\n\r\n{"):  # body far too slow (1 s + 100000 / 16 KiB/s)
        with socket.create_connection(("127.0.0.1", live_server.port), timeout=20) as s:
            s.sendall(request)
            started = time.monotonic()
            closed = False
            while time.monotonic() - started < 15:
                try:
                    s.sendall(b"x")  # one byte a second: keeps a per-read timeout from firing
                except OSError:
                    closed = True
                    break
                s.settimeout(1.0)
                try:
                    if s.recv(4096) == b"":
                        closed = True
                        break
                except TimeoutError:
                    pass
                except OSError:
                    closed = True
                    break
            took = time.monotonic() - started
            assert closed and took < 12, (request[:20], took)
    assert requests.get(f"{live_server.url}/healthz", timeout=5).status_code == 200


def test_sockets_per_user_are_capped_with_a_clear_refusal(live_server: LiveServer) -> None:
    a = live_server.register_verified("An")
    open_ = []
    try:
        for _ in range(3):
            ws, reply = _ws(live_server.url, token_of(a))
            assert reply.startswith("40"), reply
            open_.append(ws)
        ws, reply = _ws(live_server.url, token_of(a))
        open_.append(ws)
        assert reply.startswith("44"), reply  # Socket.IO CONNECT_ERROR
        err = json.loads(reply[2:])
        assert err["code"] == "too_many_connections" and "3 connections" in err["message"]
        open_.pop(0).close()  # one device goes away: a new one is welcome again

        def connects() -> bool:
            ws, reply = _ws(live_server.url, token_of(a))
            open_.append(ws)
            return reply.startswith("40")

        wait_until(connects, 5, 0.2, "a connection after one was closed")
    finally:
        for ws in open_:
            ws.close(timeout=0)


@pytest.mark.parametrize("server_env", [{"PARLEY_SOCKETIO_CONNECT_TIMEOUT": "120", "PARLEY_HTTP_TIMEOUT": "120",
                                         "PARLEY_MESSAGE_RATE": "1000", "PARLEY_MESSAGE_BURST": "1000"}])
def test_chat_stays_fast_beside_2000_idle_tcp_and_200_half_open_sessions(live_server: LiveServer) -> None:
    _raise_nofile(4096)
    idle = [socket.create_connection(("127.0.0.1", live_server.port), timeout=10) for _ in range(2000)]
    half_open = [_half_open(live_server.url) for _ in range(200)]
    assert len(set(half_open)) == 200
    try:
        a, b = live_server.register_verified("An"), live_server.register_verified("Bao")
        r = requests.post(f"{live_server.url}/api/auth/login", json={"email": a["email"], "password": a["password"]},
                          timeout=10)
        assert r.status_code == 200
        sender = Device(live_server.url, r.json()["access_token"]).connect()
        receiver = Device(live_server.url, token_of(b)).connect()
        arrived: dict[str, float] = {}
        got = threading.Condition()

        @receiver.sio.on(P.MESSAGE_NEW)
        def _new(msg: dict) -> None:
            with got:
                arrived[msg["client_id"]] = time.perf_counter()
                got.notify_all()

        times = []
        try:
            for i in range(100):
                cid = uuid.uuid4().hex
                t0 = time.perf_counter()
                ack = sender.call(P.MESSAGE_SEND, {"to": b["user"]["id"], "client_id": cid, "body": f"hi {i}"})
                assert ack["ok"], ack
                with got:
                    assert got.wait_for(lambda cid=cid: cid in arrived, 5), "message:new never arrived"
                times.append((arrived[cid] - t0) * 1000)
        finally:
            sender.close()
            receiver.close()
        # the flood was still there the whole time
        assert sum(1 for s in idle[:50] if _still_open(s)) == 50
        p99 = sorted(times)[int(0.99 * len(times))]
        assert p99 < 100, f"message round trip p99 {p99:.1f} ms beside the idle flood; {sorted(times)[-10:]}"
    finally:
        for s in idle:
            s.close()


def _still_open(s: socket.socket) -> bool:
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True  # nothing to read and not closed
    except OSError:
        return False
