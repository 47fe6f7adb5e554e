"""Bad input gets an error ack and the connection stays up; refused connections say why."""
from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
import socketio

from server import protocol as P
from tests.conftest import LiveServer, wait_until
from tests.server.realtime_helpers import (Device, mint_access, rest, session_id_of, token_of,
                                           unverified_user_id)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):  # noqa: ANN001, ANN201
    """One server for the tests of this module (each registers its own users)."""
    srv = LiveServer(tmp_path_factory.mktemp("realtime-errors") / "srv",
                     {"PARLEY_ALLOWED_ORIGINS": "https://chat.example.org"}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def live_server(shared_server):  # noqa: ANN001, ANN201
    return shared_server


def _code(ack) -> str:  # noqa: ANN001
    assert ack["ok"] is False, ack
    assert ack["error"]["message"], ack
    return ack["error"]["code"]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_every_bad_input_gets_an_error_ack_and_nothing_is_stored(live_server, transport):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    a_id, b_id = alice["user"]["id"], bob["user"]["id"]
    stranger = unverified_user_id(live_server)
    a = Device(live_server.url, token_of(alice), transport).connect()
    b = Device(live_server.url, token_of(bob), transport).connect()
    try:
        ok = a.send(b_id, "the one real message")
        theirs = b.send(a_id, "bob's own message")
        cid = lambda: uuid.uuid4().hex  # noqa: E731
        cases = [
            (P.MESSAGE_SEND, "just a string", "validation_failed"),
            (P.MESSAGE_SEND, None, "validation_failed"),
            (P.MESSAGE_SEND, [1, 2], "validation_failed"),
            (P.MESSAGE_SEND, {"client_id": cid(), "body": "no recipient"}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": b_id, "body": "no client id"}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": 12345, "client_id": cid(), "body": "to is a number"}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": b_id, "client_id": cid(), "body": 42}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": b_id, "client_id": cid(), "body": "   \n "}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": b_id, "client_id": cid()}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": b_id, "client_id": cid(), "body": "x" * 4001}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": b_id, "client_id": "c" * 65, "body": "long client id"}, "validation_failed"),
            (P.MESSAGE_SEND, {"to": "nobody-" + cid(), "client_id": cid(), "body": "hi"}, "recipient_not_found"),
            (P.MESSAGE_SEND, {"to": stranger, "client_id": cid(), "body": "hi"}, "recipient_not_verified"),
            (P.MESSAGE_SEND, {"to": a_id, "client_id": cid(), "body": "to myself"}, "invalid_recipient"),
            (P.MESSAGE_SEND, {"to": b_id, "client_id": cid(), "media_id": "nope"}, "media_not_found"),
            (P.MESSAGE_EDIT, {"id": theirs["id"], "body": "not mine"}, "not_found"),
            (P.MESSAGE_EDIT, {"id": "999999", "body": "no such message"}, "not_found"),
            (P.MESSAGE_EDIT, {"id": "abc", "body": "bad id"}, "validation_failed"),
            (P.MESSAGE_EDIT, {"id": ok["id"], "body": " "}, "validation_failed"),
            (P.MESSAGE_EDIT, {"id": ok["id"], "body": "y" * 4001}, "validation_failed"),
            (P.MESSAGE_DELETE, {"id": theirs["id"]}, "not_found"),
            (P.MESSAGE_DELETE, {}, "validation_failed"),
            (P.MESSAGE_DELIVERED, {"ids": [ok["id"]]}, "not_found"),  # Alice sent it: not hers to receive
            (P.MESSAGE_DELIVERED, {"ids": []}, "validation_failed"),
            (P.MESSAGE_DELIVERED, {"ids": "1"}, "validation_failed"),
            (P.CONVERSATION_READ, {"peer_id": b_id, "up_to": "999999"}, "not_found"),
            (P.CONVERSATION_READ, {"peer_id": b_id}, "validation_failed"),
            (P.TYPING, {"to": b_id, "typing": "yes"}, "validation_failed"),
            (P.TYPING, {"to": "nobody", "typing": True}, "recipient_not_found"),
            (P.SYNC, {"after": "not an id"}, "validation_failed"),
            (P.SYNC, {"after": None, "limit": 501}, "validation_failed"),
        ]
        for event, payload, code in cases:
            ack = a.call(event, payload)
            assert _code(ack) == code, (event, payload, ack)
            if code == "validation_failed" and isinstance(payload, dict):
                assert ack["error"].get("errors"), ack
        # still connected, still serving, and nothing was stored or pushed
        assert a.sio.connected
        after = a.send(b_id, "still here")
        b.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == after["id"])
        assert [m["body"] for m in b.of(P.MESSAGE_NEW)] == ["the one real message", "still here"]
        synced = b.call(P.SYNC, {"after": None})["messages"]
        assert [m["body"] for m in synced] == ["the one real message", "bob's own message", "still here"]
        assert synced[0]["body"] == "the one real message" and synced[0]["edited_at"] is None
        assert not b.of(P.MESSAGE_UPDATED) and not b.of(P.MESSAGE_DELETED) and not a.of(P.MESSAGE_STATUS)
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_payload_over_the_size_limit_is_refused_without_harming_others(live_server, transport):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    mallory = live_server.register_verified("Mallory")
    b_id = bob["user"]["id"]
    a = Device(live_server.url, token_of(alice), transport).connect()
    b = Device(live_server.url, token_of(bob), transport).connect()
    m = Device(live_server.url, token_of(mallory), transport).connect()
    try:
        huge = {"to": b_id, "client_id": uuid.uuid4().hex, "body": "z" * (100 * 1024)}
        try:
            ack = m.call(P.MESSAGE_SEND, huge, timeout=3)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                socketio.exceptions.DisconnectedError):
            ack = None
        assert ack is None or ack["ok"] is False
        wait_until(lambda: not m.sio.connected, 10, what="the oversized sender's connection to close")
        # everyone else carries on
        msg = a.send(b_id, "unaffected")
        b.wait_for(P.MESSAGE_NEW, lambda x: x["id"] == msg["id"])
        assert [x["body"] for x in b.call(P.SYNC, {"after": None})["messages"]] == ["unaffected"]
        # and the refused client may come back
        m2 = Device(live_server.url, token_of(mallory), transport).connect()
        assert m2.send(b_id, "small again")["body"] == "small again"
        m2.close()
    finally:
        for d in (a, b, m):
            d.close()


def test_rate_limit_is_one_budget_per_person_across_sockets_and_rest(tmp_path):  # noqa: ANN001
    """Two sockets and REST draw from one send budget; typing, sync and search have their own."""
    srv = LiveServer(tmp_path / "srv", {"PARLEY_MESSAGE_RATE": "1", "PARLEY_MESSAGE_BURST": "5",
                                        "PARLEY_USER_LIMIT_TYPING": "3 per 10 seconds",
                                        "PARLEY_USER_LIMIT_SYNC": "3 per 10 seconds",
                                        "PARLEY_USER_LIMIT_USER_SEARCH": "3/minute",
                                        "PARLEY_USER_LIMIT_MESSAGE_SEARCH": "2/minute"}).start()
    try:
        alice = srv.register_verified("Alice")
        bob = srv.register_verified("Bob")
        b_id = bob["user"]["id"]
        a1 = Device(srv.url, token_of(alice)).connect()
        a2 = Device(srv.url, token_of(alice)).connect()
        b = Device(srv.url, token_of(bob)).connect()

        def send(d: Device) -> dict:
            return d.call(P.MESSAGE_SEND, {"to": b_id, "client_id": uuid.uuid4().hex, "body": "m"})

        acks = [send(a1 if i % 2 else a2) for i in range(4)]
        url = f"{srv.url}/api/conversations/{b_id}/messages"
        by_rest = rest("POST", url, token_of(alice), json={"client_id": uuid.uuid4().hex, "body": "rest"})
        assert [x["ok"] for x in acks] == [True] * 4 and by_rest.status_code == 201
        # the budget of 5 is spent: each socket and REST are refused alike
        for d in (a1, a2):
            ack = send(d)
            assert ack["error"]["code"] == "rate_limited" and ack["error"]["retry_after"] > 0
        refused = rest("POST", url, token_of(alice), json={"client_id": uuid.uuid4().hex, "body": "rest"})
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 5
        assert a1.sio.connected and a2.sio.connected
        # another person's budget is untouched
        assert b.send(alice["user"]["id"], "hi")["body"] == "hi"
        # and it refills
        wait_until(lambda: send(a1)["ok"], 10, 0.3, "a refilled budget")

        # typing, sync and search are limited per person too
        typing = [d.call(P.TYPING, {"to": b_id, "typing": True}) for d in (a1, a2, a1, a2)]
        assert [x["ok"] for x in typing] == [True, True, True, False]
        assert typing[3]["error"]["code"] == "rate_limited"
        syncs = [d.call(P.SYNC, {"after": None}) for d in (a1, a2, a1)]
        assert all(x["ok"] for x in syncs)
        assert a2.call(P.SYNC, {"after": None})["error"]["code"] == "rate_limited"
        assert rest("GET", url, token_of(alice)).status_code == 429  # REST history shares the sync budget
        people = [rest("GET", f"{srv.url}/api/users", token_of(alice), params={"q": bob["email"]})
                  for _ in range(4)]
        assert [r.status_code for r in people] == [200, 200, 200, 429]
        found = [rest("GET", f"{srv.url}/api/messages/search", token_of(alice), params={"q": "m"})
                 for _ in range(3)]
        assert [r.status_code for r in found] == [200, 200, 429]
        for d in (a1, a2, b):
            d.close()
    finally:
        srv.stop()


def test_refused_connections_say_why(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    stranger = unverified_user_id(live_server)
    sid = session_id_of(token_of(alice))
    cases = [
        (None, "unauthorized"),
        ("not-a-jwt", "unauthorized"),
        (mint_access(live_server.data_dir, alice["user"]["id"], sid, -10), "token_expired"),
        (mint_access(live_server.data_dir, stranger, uuid.uuid4().hex, 600), "email_not_verified"),
        (mint_access(live_server.data_dir, alice["user"]["id"], uuid.uuid4().hex, 600), "unauthorized"),
    ]
    for token, code in cases:
        for transport in ("websocket", "polling"):
            d = Device(live_server.url, token, transport)
            with pytest.raises(socketio.exceptions.ConnectionError):
                d.connect()
            d.close()  # the refused namespace leaves the Engine.IO connection open
            assert d.connect_errors and d.connect_errors[-1]["code"] == code, (token, d.connect_errors)
            assert d.connect_errors[-1]["message"]


def test_origins_are_checked_against_the_allow_list(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    # no Origin (the desktop app) and a listed one are fine
    for headers in ({}, {"Origin": "https://chat.example.org"}):
        d = Device(live_server.url, token_of(alice), "polling", headers=headers).connect()
        assert d.sio.connected
        d.close()
    r = requests.get(f"{live_server.url}/socket.io/?EIO=4&transport=polling",
                     headers={"Origin": "https://evil.example.com"}, timeout=5)
    assert r.status_code == 400
    for transport in ("websocket", "polling"):
        d = Device(live_server.url, token_of(alice), transport, headers={"Origin": "https://evil.example.com"})
        with pytest.raises(socketio.exceptions.ConnectionError):
            d.connect()
        d.close()


def test_logout_ends_that_sessions_sockets_within_a_second(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    r = requests.post(f"{live_server.url}/api/auth/login",
                      json={"email": alice["email"], "password": alice["password"]}, timeout=10)
    other_login = r.json()
    doomed = Device(live_server.url, token_of(alice)).connect()
    doomed_poll = Device(live_server.url, token_of(alice), "polling").connect()
    survivor = Device(live_server.url, other_login["access_token"]).connect()
    try:
        r = requests.post(f"{live_server.url}/api/auth/logout",
                          json={"refresh_token": alice["tokens"]["refresh_token"]}, timeout=10)
        assert r.status_code == 204
        t0 = time.monotonic()
        for d in (doomed, doomed_poll):
            ended = d.wait_for(P.SESSION_ENDED, timeout=3)
            assert ended["code"] == "session_revoked" and ended["message"]
            wait_until(lambda d=d: not d.sio.connected, 3, what="the revoked socket to close")
        # within a second of the logout being answered (2 s of slack for a loaded CI machine)
        assert time.monotonic() - t0 < 2.0
        assert survivor.sio.connected
        assert survivor.send(bob["user"]["id"], "other login still works")["body"]
        # a revoked token cannot reconnect
        again = Device(live_server.url, token_of(alice))
        with pytest.raises(socketio.exceptions.ConnectionError):
            again.connect()
        again.close()
    finally:
        for d in (doomed, doomed_poll, survivor):
            d.close()


def test_an_expired_token_ends_the_connection_with_a_reason(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    sid = session_id_of(token_of(alice))
    short = mint_access(live_server.data_dir, alice["user"]["id"], sid, 2)
    d = Device(live_server.url, short).connect()
    keeper = Device(live_server.url, short).connect()
    try:
        # renewing in place keeps a socket alive past the old expiry
        assert keeper.call(P.AUTH_REFRESH, {"token": token_of(alice)})["ok"]
        ended = d.wait_for(P.SESSION_ENDED, timeout=6)
        assert ended["code"] == "token_expired"
        wait_until(lambda: not d.sio.connected, 3, what="the expired socket to close")
        assert keeper.sio.connected
        assert keeper.send(bob["user"]["id"], "renewed")["body"] == "renewed"
        # an event on an expired token is refused with the reason too
        late_token = mint_access(live_server.data_dir, alice["user"]["id"], sid, 1)
        late = Device(live_server.url, late_token).connect()
        exp = jwt.decode(late_token, options={"verify_signature": False})["exp"]
        wait_until(lambda: time.time() >= exp, 5, what="the token to expire")
        try:
            ack = late.call(P.SYNC, {}, timeout=3)
        except (socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError,
                socketio.exceptions.TimeoutError):
            ack = None  # the sweeper was quicker: the reason came as session:ended
        if ack is not None:
            assert _code(ack) == "token_expired"
        assert late.wait_for(P.SESSION_ENDED, timeout=3)["code"] == "token_expired"
        late.close()
    finally:
        d.close()
        keeper.close()


def test_rest_sends_reach_sockets(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    b = Device(live_server.url, token_of(bob)).connect()
    try:
        r = rest("POST", f"{live_server.url}/api/conversations/{bob['user']['id']}/messages", token_of(alice),
                 json={"client_id": "rest-1", "body": "by REST"})
        assert r.status_code == 201
        assert b.wait_for(P.MESSAGE_NEW)["id"] == r.json()["id"]
    finally:
        b.close()
