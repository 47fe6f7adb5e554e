"""SIGKILL the server mid-stream: nothing acknowledged is lost, nothing arrives twice."""
from __future__ import annotations

import threading

import pytest
import socketio

from server import protocol as P
from tests.conftest import wait_until
from tests.server.realtime_helpers import Device, token_of

TOTAL = 150
KILL_AT = (40, 100)


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"PARLEY_MESSAGE_RATE": "10000", "PARLEY_MESSAGE_BURST": "10000"}


def test_stream_survives_sigkill_with_client_retries(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    b_id = bob["user"]["id"]
    sender = Device(live_server.url, token_of(alice), reconnection=True).connect()
    receiver = Device(live_server.url, token_of(bob), reconnection=True).connect()
    acked: dict[str, dict] = {}
    retries = 0
    restarts: list[int] = []
    crash_now = threading.Event()
    crashed = threading.Event()

    def crasher() -> None:
        for _ in KILL_AT:
            crash_now.wait(60)
            crash_now.clear()
            live_server.kill()
            restarts.append(len(acked))
            live_server.start()
            crashed.set()

    t = threading.Thread(target=crasher, daemon=True)
    t.start()
    try:
        for i in range(TOTAL):
            if i in KILL_AT:
                crashed.clear()
                crash_now.set()
            cid = f"crash-{i:04d}"
            body = f"stream message {i}"
            while True:  # retry an un-acked send with the same client_id until it is acked
                try:
                    ack = sender.call(P.MESSAGE_SEND, {"to": b_id, "client_id": cid, "body": body}, timeout=2)
                except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                        socketio.exceptions.DisconnectedError):
                    retries += 1
                    wait_until(lambda: sender.sio.connected, 30, 0.05, "the sender to reconnect")
                    continue
                assert ack["ok"], ack
                acked[cid] = ack["message"]
                break
        t.join(30)
        assert len(restarts) == len(KILL_AT), restarts
        assert retries >= 1, "the kill should have interrupted at least one send"

        # the recipient (reconnected by itself) catches up by sync
        wait_until(lambda: receiver.sio.connected, 30, what="the receiver to reconnect")
        got, after = [], None
        while True:
            page = receiver.call(P.SYNC, {"after": after})
            got += page["messages"]
            if not page["has_more"]:
                break
            after = page["messages"][-1]["id"]
        ids = [m["id"] for m in got]
        assert len(ids) == len(set(ids)), "a message was stored twice"
        assert sorted(ids, key=int) == ids
        assert sorted(m["client_id"] for m in got) == sorted(acked), "the stored set differs from the sent set"
        assert {m["client_id"]: m["id"] for m in got} == {c: m["id"] for c, m in acked.items()}
        assert [m["body"] for m in sorted(got, key=lambda m: m["client_id"])] == \
            [f"stream message {i}" for i in range(TOTAL)]
        # what arrived live never contradicts the store: same ids, none pushed twice per connection
        live = receiver.of(P.MESSAGE_NEW)
        assert {m["id"] for m in live} <= set(ids)
        assert len(live) == len({m["id"] for m in live})
    finally:
        sender.close()
        receiver.close()
