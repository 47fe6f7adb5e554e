"""Two users with two devices each, over WebSocket and over long-polling."""
from __future__ import annotations

import uuid

import pytest
import requests

from server import protocol as P
from tests.conftest import LiveServer
from tests.server.realtime_helpers import Device, token_of

TRANSPORTS = ["websocket", "polling"]


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):  # noqa: ANN001, ANN201
    """One server for this module (each test registers its own users); typing expires after 1 s."""
    srv = LiveServer(tmp_path_factory.mktemp("realtime") / "srv", {"PARLEY_TYPING_TTL": "1"}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def live_server(shared_server):  # noqa: ANN001, ANN201
    return shared_server


@pytest.fixture
def people(live_server):  # noqa: ANN001, ANN201
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    return alice, bob


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_two_users_two_devices(live_server, people, transport):  # noqa: ANN001
    alice, bob = people
    a_id, b_id = alice["user"]["id"], bob["user"]["id"]
    a1, a2 = (Device(live_server.url, token_of(alice), transport).connect() for _ in range(2))
    b1, b2 = (Device(live_server.url, token_of(bob), transport).connect() for _ in range(2))
    devices = [a1, a2, b1, b2]
    try:
        # send: stored, acked, pushed to every other device, the sender's own included
        cid = uuid.uuid4().hex
        msg = a1.send(b_id, "  hello Bob  ", cid)
        assert msg["body"] == "hello Bob" and msg["sender_id"] == a_id and msg["recipient_id"] == b_id
        assert msg["client_id"] == cid and msg["id"].isdigit() and msg["created_at"].endswith("Z")
        assert msg["media"] is None and msg["deleted"] is False and msg["read_at"] is None
        for d in (a2, b1, b2):
            assert d.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == msg["id"]) == msg

        # a retry after a lost ack returns the same message and pushes nothing twice
        again = a1.send(b_id, "a different body", cid)
        assert again == msg
        second = b2.send(a_id, "hi Alice")
        for d in (a1, a2, b1):
            d.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == second["id"])
        assert int(second["id"]) > int(msg["id"])
        for d in (a2, b1, b2):
            assert [m["id"] for m in d.of(P.MESSAGE_NEW)].count(msg["id"]) == 1
        assert not [m for m in a1.of(P.MESSAGE_NEW) if m["id"] == msg["id"]]

        # delivery receipt: the sender's devices learn it
        ack = b1.call(P.MESSAGE_DELIVERED, {"ids": [msg["id"]]})
        assert ack == {"ok": True, "ids": [msg["id"]]}
        for d in (a1, a2):
            st = d.wait_for(P.MESSAGE_STATUS, lambda s: s["status"] == "delivered")
            assert st["ids"] == [msg["id"]] and st["at"].endswith("Z")

        # read receipt: the sender's devices, and the reader's other device
        ack = b1.call(P.CONVERSATION_READ, {"peer_id": a_id, "up_to": msg["id"]})
        assert ack == {"ok": True, "ids": [msg["id"]]}
        for d in (a1, a2, b2):
            assert d.wait_for(P.MESSAGE_STATUS, lambda s: s["status"] == "read")["ids"] == [msg["id"]]

        # typing reaches the peer's devices and expires by itself (TTL 1 s here)
        assert b1.call(P.TYPING, {"to": a_id, "typing": True}) == {"ok": True}
        for d in (a1, a2):
            d.wait_for(P.TYPING, lambda t: t == {"from": b_id, "typing": True})
        for d in (a1, a2):
            d.wait_for(P.TYPING, lambda t: t == {"from": b_id, "typing": False}, timeout=5)
        assert not b2.of(P.TYPING)

        # edit: the author's ack, everyone else's message:updated
        ack = a1.call(P.MESSAGE_EDIT, {"id": msg["id"], "body": "hello, Bob!"})
        assert ack["ok"] and ack["message"]["body"] == "hello, Bob!" and ack["message"]["edited_at"]
        for d in (a2, b1, b2):
            assert d.wait_for(P.MESSAGE_UPDATED, lambda m: m["id"] == msg["id"])["body"] == "hello, Bob!"
        assert b1.call(P.MESSAGE_EDIT, {"id": msg["id"], "body": "hacked"})["error"]["code"] == "not_found"

        # delete: a tombstone that keeps its id
        assert a2.call(P.MESSAGE_DELETE, {"id": msg["id"]}) == {"ok": True, "id": msg["id"]}
        for d in (a1, b1, b2):
            assert d.wait_for(P.MESSAGE_DELETED) == {"id": msg["id"]}
        synced = b1.call(P.SYNC, {"after": None})
        tomb = next(m for m in synced["messages"] if m["id"] == msg["id"])
        assert tomb["deleted"] is True and tomb["body"] == ""
        assert a1.call(P.MESSAGE_EDIT, {"id": msg["id"], "body": "back"})["error"]["code"] == "message_deleted"

        # presence: Bob's last device leaving makes him offline for Alice; coming back, online
        b1.close()
        assert not [p for p in a1.of(P.PRESENCE) if not p["online"]]  # one device left: still online
        b2.close()
        off = a1.wait_for(P.PRESENCE, lambda p: p["user_id"] == b_id and not p["online"])
        assert off["last_seen"].endswith("Z")
        a2.wait_for(P.PRESENCE, lambda p: p["user_id"] == b_id and not p["online"])
        b3 = Device(live_server.url, token_of(bob), transport).connect()
        devices.append(b3)
        a1.wait_for(P.PRESENCE, lambda p: p["user_id"] == b_id and p["online"])
        # and the REST view agrees
        r = requests.get(f"{live_server.url}/api/conversations",
                         headers={"Authorization": f"Bearer {token_of(alice)}"}, timeout=5)
        conv = r.json()["conversations"][0]
        assert conv["peer"]["id"] == b_id and conv["peer"]["online"] is True
    finally:
        for d in devices:
            d.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_offline_recipient_catches_up_by_sync_in_order_once(live_server, people, transport):  # noqa: ANN001
    alice, bob = people
    b_id = bob["user"]["id"]
    a1 = Device(live_server.url, token_of(alice), transport).connect()
    try:
        sent = [a1.send(b_id, f"message {i}") for i in range(23)]
    finally:
        a1.close()
    b1 = Device(live_server.url, token_of(bob), transport).connect()
    try:
        got, after = [], None
        while True:
            page = b1.call(P.SYNC, {"after": after, "limit": 5})
            assert page["ok"] and len(page["messages"]) <= 5
            got += page["messages"]
            if not page["has_more"]:
                break
            after = page["messages"][-1]["id"]
        assert [m["id"] for m in got] == [m["id"] for m in sent]
        assert [m["body"] for m in got] == [f"message {i}" for i in range(23)]
        assert b1.call(P.SYNC, {"after": got[-1]["id"]}) == {"ok": True, "messages": [], "has_more": False}
        # nothing was pushed twice after the fact either
        assert not b1.of(P.MESSAGE_NEW)
    finally:
        b1.close()
