"""Nothing blocks the event loop: password hashing runs on real threads while messages flow."""
from __future__ import annotations

import statistics
import threading
import time
import uuid

import pytest
import requests

from server import protocol as P
from tests.conftest import PASSWORD, LiveServer
from tests.server.realtime_helpers import Device, token_of

LOGINS = 20


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"PARLEY_MESSAGE_RATE": "1000", "PARLEY_MESSAGE_BURST": "1000"}


def test_message_round_trip_stays_fast_while_20_logins_hash(live_server: LiveServer) -> None:
    a, b, c = (live_server.register_verified(n) for n in ("An", "Bao", "Chi"))
    sender = Device(live_server.url, token_of(a)).connect()
    receiver = Device(live_server.url, token_of(b)).connect()
    arrived: dict[str, float] = {}
    got = threading.Condition()

    @receiver.sio.on(P.MESSAGE_NEW)
    def _new(msg: dict) -> None:
        with got:
            arrived[msg["client_id"]] = time.perf_counter()
            got.notify_all()

    def round_trip() -> float:
        cid = uuid.uuid4().hex
        t0 = time.perf_counter()
        ack = sender.call(P.MESSAGE_SEND, {"to": b["user"]["id"], "client_id": cid, "body": "ping"})
        assert ack["ok"], ack
        with got:
            assert got.wait_for(lambda: cid in arrived, 10), "message:new never arrived"
        return (arrived[cid] - t0) * 1000

    for _ in range(5):  # warm-up: first statements compiled, pool connections open
        round_trip()
    quiet = [round_trip() for _ in range(10)]

    stop = threading.Event()
    hashing = threading.Barrier(LOGINS + 1)
    logins: list[int] = []

    def log_in() -> None:
        hashing.wait(10)
        with requests.Session() as http:
            while not stop.is_set():
                r = http.post(f"{live_server.url}/api/auth/login",
                              json={"email": c["email"], "password": PASSWORD}, timeout=30)
                logins.append(r.status_code)

    threads = [threading.Thread(target=log_in, daemon=True) for _ in range(LOGINS)]
    for t in threads:
        t.start()
    try:
        hashing.wait(10)
        time.sleep(0.3)  # every login is in flight (each takes longer than this once 20 queue up)
        before = len(logins)
        loaded: list[float] = []
        deadline = time.monotonic() + 60
        while (len(logins) - before < LOGINS or len(loaded) < 20) and time.monotonic() < deadline:
            loaded.append(round_trip())  # round trips for as long as 20 logins take to hash
        during = len(logins) - before
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        sender.close()
        receiver.close()
    assert during >= LOGINS, f"only {during} logins finished while measuring: the load was not there"
    assert set(logins) == {200}, set(logins)
    # On a shared 2-core machine a single round trip can be held up by the OS scheduler, so the
    # check is on the 90th percentile, and on what the logins add to this machine's quiet round
    # trip (about 1 ms on an idle machine, 10+ ms when other jobs load it). With argon2 on the
    # event loop the logins add hundreds of ms (messages do not even arrive within 10 s).
    p90 = sorted(loaded)[int(0.9 * len(loaded))]
    assert p90 - statistics.median(quiet) < 50, (f"round trips under 20 logins: p90 {p90:.1f} ms, median {statistics.median(loaded):.1f} ms, "
                      f"max {max(loaded):.1f} ms; quiet median {statistics.median(quiet):.1f} ms")
