"""Two server processes, one PostgreSQL database, one Redis: events and presence cross over."""
from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
import uuid

import pytest
import redis
import requests

from server import protocol as P
from tests.conftest import REDIS_URL, ROOT, LiveServer, wait_until
from tests.server.realtime_helpers import Device, rest, token_of


@pytest.fixture
def cluster(tmp_path, postgres_url):  # noqa: ANN001, ANN201
    channel = f"parley-test-{uuid.uuid4().hex[:10]}"
    env = {"PARLEY_DATABASE_URL": postgres_url, "PARLEY_REDIS_URL": REDIS_URL, "PARLEY_REDIS_CHANNEL": channel,
           "PARLEY_SECRET_KEY": secrets.token_urlsafe(48), "PARLEY_TYPING_TTL": "1"}
    one = LiveServer(tmp_path / "one", env)
    two = LiveServer(tmp_path / "two", env)
    subprocess.run([sys.executable, "-m", "server", "db", "upgrade"], cwd=ROOT, env=one.env, check=True,
                   capture_output=True, timeout=60)
    try:
        one.start()
        two.start()
        yield one, two
    finally:
        one.stop()
        two.stop()
        r = redis.Redis.from_url(REDIS_URL)
        keys = list(r.scan_iter(f"{channel}*"))
        if keys:
            r.delete(*keys)


def test_messages_receipts_typing_and_presence_cross_processes(cluster):  # noqa: ANN001
    one, two = cluster
    alice = one.register_verified("Alice")
    bob = two.register_verified("Bob")
    a_id, b_id = alice["user"]["id"], bob["user"]["id"]
    a = Device(one.url, token_of(alice)).connect()
    b = Device(two.url, token_of(bob), "polling").connect()
    extra: list[Device] = []
    wire = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    wire.subscribe(f"{one.env['PARLEY_REDIS_CHANNEL']}:socketio")
    try:
        # messages, both ways
        m1 = a.send(b_id, "hello from process one")
        # what crosses Redis is JSON (python-socketio's pub/sub manager), never pickle
        frame = wait_until(lambda: wire.get_message(timeout=0.1), 5, what="a pub/sub frame")
        packet = json.loads(frame["data"])
        assert packet["method"] == "emit" and packet["event"] == P.MESSAGE_NEW
        assert packet["data"][0]["id"] == m1["id"]
        assert b.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == m1["id"])["body"] == "hello from process one"
        m2 = b.send(a_id, "hello from process two")
        a.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == m2["id"])
        assert int(m2["id"]) > int(m1["id"])

        # receipts
        assert b.call(P.MESSAGE_DELIVERED, {"ids": [m1["id"]]})["ok"]
        a.wait_for(P.MESSAGE_STATUS, lambda s: s["status"] == "delivered" and s["ids"] == [m1["id"]])
        assert b.call(P.CONVERSATION_READ, {"peer_id": a_id, "up_to": m1["id"]})["ok"]
        a.wait_for(P.MESSAGE_STATUS, lambda s: s["status"] == "read" and s["ids"] == [m1["id"]])

        # typing, and its expiry, decided on the typer's process and delivered on the other
        assert a.call(P.TYPING, {"to": b_id, "typing": True})["ok"]
        b.wait_for(P.TYPING, lambda t: t == {"from": a_id, "typing": True})
        b.wait_for(P.TYPING, lambda t: t == {"from": a_id, "typing": False}, timeout=5)

        # edit and delete cross too
        assert a.call(P.MESSAGE_EDIT, {"id": m1["id"], "body": "edited"})["ok"]
        b.wait_for(P.MESSAGE_UPDATED, lambda m: m["body"] == "edited")
        assert a.call(P.MESSAGE_DELETE, {"id": m1["id"]})["ok"]
        b.wait_for(P.MESSAGE_DELETED, lambda m: m["id"] == m1["id"])

        # presence is shared: each process's REST sees the other's sockets
        def peer_online(srv: LiveServer, who: dict) -> bool:  # noqa: ANN001
            convs = rest("GET", f"{srv.url}/api/conversations", token_of(who)).json()["conversations"]
            return convs[0]["peer"]["online"]

        assert peer_online(one, alice) is True   # Bob is on process two
        assert peer_online(two, bob) is True     # Alice is on process one
        b.close()
        off = a.wait_for(P.PRESENCE, lambda p: p["user_id"] == b_id and p["online"] is False)
        assert off["last_seen"]
        wait_until(lambda: peer_online(one, alice) is False, 5, what="Bob offline as seen by process one")
        # Bob comes back on the *other* process: Alice still hears it
        b2 = Device(one.url, token_of(bob)).connect()
        extra.append(b2)
        back = a.wait_for(P.PRESENCE, lambda p: p["user_id"] == b_id and p["online"] is True
                          and p["last_seen"] > off["last_seen"])
        onlines = [p for p in a.of(P.PRESENCE) if p["user_id"] == b_id and p["online"]]
        # a second device on process two is not a new "online"
        b3 = Device(two.url, token_of(bob)).connect()
        extra.append(b3)
        m3 = a.send(b_id, "to both of Bob's processes")
        for d in (b2, b3):
            d.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == m3["id"])
        assert [p for p in a.of(P.PRESENCE) if p["user_id"] == b_id and p["online"]] == onlines
        assert onlines[-1] == back  # (an earlier "online" came with Bob's first reply: it revealed him)
        # closing one of two devices (on different processes) keeps Bob online
        b2.close()
        b3.send(a_id, "still here")
        a.wait_for(P.MESSAGE_NEW, lambda m: m["body"] == "still here")
        assert len([p for p in a.of(P.PRESENCE) if p["user_id"] == b_id and not p["online"]]) == 1

        # logout handled by process one ends Bob's socket on process two within about a second
        r = requests.post(f"{one.url}/api/auth/logout", json={"refresh_token": bob["tokens"]["refresh_token"]},
                          timeout=10)
        assert r.status_code == 204
        t0 = time.monotonic()
        assert b3.wait_for(P.SESSION_ENDED, timeout=3)["code"] == "session_revoked"
        assert time.monotonic() - t0 < 2.5  # the sweeper runs every 0.5 s; slack for a loaded machine
    finally:
        wire.close()
        for d in [a, b, *extra]:
            d.close()
