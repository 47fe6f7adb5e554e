"""Blocking and presence privacy against a live server (SQLite).

"Nothing arrived" is proven without sleeping: after the action, a marker
event that travels the same way (a message from a third person) is awaited;
the server emits in order, so anything the action had sent would be there.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from server import protocol as P
from tests.conftest import LiveServer
from tests.server.realtime_helpers import Device, rest, token_of


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):  # noqa: ANN001, ANN201
    srv = LiveServer(tmp_path_factory.mktemp("blocks") / "srv").start()
    try:
        yield srv
    finally:
        srv.stop()


def _uid(account: dict) -> str:
    return account["user"]["id"]


def _marker(srv: LiveServer, marker_from: dict, device: Device) -> None:
    """A message from a third person reaches ``device``: whatever was emitted before it has arrived too."""
    body = f"marker {uuid.uuid4().hex}"
    r = rest("POST", f"{srv.url}/api/conversations/{_uid(device.account)}/messages", token_of(marker_from),
             json={"client_id": uuid.uuid4().hex, "body": body})
    assert r.status_code == 201, r.text
    device.wait_for(P.MESSAGE_NEW, lambda m: m["body"] == body)


def _device(srv: LiveServer, account: dict) -> Device:
    d = Device(srv.url, token_of(account)).connect()
    d.account = account  # type: ignore[attr-defined]
    return d


def _conversation(srv: LiveServer, me: dict, peer_id: str) -> dict[str, Any]:
    convs = rest("GET", f"{srv.url}/api/conversations", token_of(me)).json()["conversations"]
    return next(c for c in convs if c["peer"]["id"] == peer_id)


def test_blocked_person_sees_sent_but_nothing_arrives_and_nothing_flows_back(shared_server):  # noqa: ANN001
    srv = shared_server
    alice, bob, marker = (srv.register_verified(n) for n in ("Alice", "Bob", "Marker"))
    a_id, b_id = _uid(alice), _uid(bob)
    a, b, b2 = _device(srv, alice), _device(srv, bob), _device(srv, bob)
    try:
        before = a.send(b_id, "hello before")
        b.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == before["id"])
        hi = b.send(a_id, "hi Alice")
        a.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == hi["id"])

        # Bob blocks Alice by REST; his other device learns it, Alice learns nothing
        assert rest("PUT", f"{srv.url}/api/blocks/{a_id}", token_of(bob)).status_code == 204
        assert b2.wait_for(P.BLOCKS_CHANGED) == {"user_id": a_id, "blocked": True}
        blocked = rest("GET", f"{srv.url}/api/blocks", token_of(bob)).json()["blocked"]
        assert [x["user"]["id"] for x in blocked] == [a_id] and blocked[0]["user"]["last_seen"] is None

        # Alice's message: acked and shown as sent, exactly like any other; never reaches Bob
        hidden = a.send(b_id, "are you there?")
        assert set(hidden) == set(before) and hidden["delivered_at"] is None and hidden["body"] == "are you there?"
        rest_sent = rest("POST", f"{srv.url}/api/conversations/{b_id}/messages", token_of(alice),
                         json={"client_id": uuid.uuid4().hex, "body": "by REST"})
        assert rest_sent.status_code == 201 and set(rest_sent.json()) == set(before)
        assert a.call(P.TYPING, {"to": b_id, "typing": True}) == {"ok": True}
        _marker(srv, marker, b)
        assert not [m for m in b.of(P.MESSAGE_NEW) if m["sender_id"] == a_id and m["id"] != before["id"]]
        assert not b.of(P.TYPING)
        hidden_ids = {hidden["id"], rest_sent.json()["id"]}
        assert not hidden_ids & {m["id"] for m in b.call(P.SYNC, {"after": None})["messages"]}
        history = rest("GET", f"{srv.url}/api/conversations/{a_id}/messages", token_of(bob)).json()["messages"]
        assert not hidden_ids & {m["id"] for m in history}
        assert _conversation(srv, bob, a_id)["last_message"]["id"] != hidden["id"]
        assert _conversation(srv, bob, a_id)["unread_count"] == 1  # only "hello before"
        assert rest("GET", f"{srv.url}/api/messages/search", token_of(bob), params={"q": "there"}).json() == \
            {"messages": []}
        assert b.call(P.MESSAGE_DELIVERED, {"ids": [hidden["id"]]})["error"]["code"] == "not_found"
        # ...while Alice's own views keep it, as sent
        assert hidden_ids <= {m["id"] for m in a.call(P.SYNC, {"after": None})["messages"]}

        # receipts stop both ways: each reads the other's older message, neither is told
        assert b.call(P.CONVERSATION_READ, {"peer_id": a_id, "up_to": before["id"]})["ids"] == [before["id"]]
        assert a.call(P.CONVERSATION_READ, {"peer_id": b_id, "up_to": hi["id"]})["ids"] == [hi["id"]]
        _marker(srv, marker, a)
        _marker(srv, marker, b)
        assert not [x for x in a.of(P.MESSAGE_STATUS) if before["id"] in x["ids"]]
        assert not [x for x in b.of(P.MESSAGE_STATUS) if hi["id"] in x["ids"]]
        # (the reader's own other device still clears its unread count)
        b2.wait_for(P.MESSAGE_STATUS, lambda x: before["id"] in x["ids"])
        # ...and stored history does not show it either (Bob's read happened after the block)
        mine = [m for m in a.call(P.SYNC, {"after": None})["messages"] if m["id"] == before["id"]]
        assert mine[0]["read_at"] is None
        page = rest("GET", f"{srv.url}/api/conversations/{b_id}/messages", token_of(alice)).json()["messages"]
        assert next(m for m in page if m["id"] == before["id"])["read_at"] is None
        theirs = rest("GET", f"{srv.url}/api/conversations/{a_id}/messages", token_of(bob)).json()["messages"]
        assert next(m for m in theirs if m["id"] == hi["id"])["read_at"] is None

        # typing from the blocker is dropped too, and the blocker cannot write
        assert b.call(P.TYPING, {"to": a_id, "typing": True}) == {"ok": True}
        ack = b.call(P.MESSAGE_SEND, {"to": a_id, "client_id": uuid.uuid4().hex, "body": "hey"})
        assert ack["error"]["code"] == "peer_blocked"
        _marker(srv, marker, a)
        assert not a.of(P.TYPING)

        # presence stops both ways: Bob leaving and coming back tells Alice nothing
        seen = len(a.of(P.PRESENCE))
        b.close()
        b2.close()
        b = _device(srv, bob)
        _marker(srv, marker, a)
        assert not [p for p in a.of(P.PRESENCE)[seen:] if p["user_id"] == b_id]
        assert _conversation(srv, alice, b_id)["peer"]["last_seen"] is None
        assert _conversation(srv, alice, b_id)["peer"]["online"] is False

        # unblock over Socket.IO: what was withheld stays withheld, new messages arrive
        assert b.call(P.USER_UNBLOCK, {"user_id": a_id}) == {"ok": True, "user_id": a_id, "blocked": False}
        assert rest("GET", f"{srv.url}/api/blocks", token_of(bob)).json() == {"blocked": []}
        after = a.send(b_id, "after the unblock")
        b.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == after["id"])
        assert not hidden_ids & {m["id"] for m in b.call(P.SYNC, {"after": None})["messages"]}
        # and blocking over Socket.IO works the same way
        assert b.call(P.USER_BLOCK, {"user_id": a_id}) == {"ok": True, "user_id": a_id, "blocked": True}
        again = a.send(b_id, "blocked again")
        _marker(srv, marker, b)
        assert not [m for m in b.of(P.MESSAGE_NEW) if m["id"] == again["id"]]
        assert b.call(P.USER_BLOCK, {"user_id": b_id})["error"]["code"] == "invalid_user"
        assert b.call(P.USER_BLOCK, {"user_id": "nobody"})["error"]["code"] == "user_not_found"
    finally:
        for d in (a, b, b2):
            d.close()


def test_presence_privacy_and_typing_only_within_a_conversation(shared_server):  # noqa: ANN001
    srv = shared_server
    dana, stranger, marker = (srv.register_verified(n) for n in ("Dana", "Stranger", "Marker"))
    d_id, s_id = _uid(dana), _uid(stranger)
    s = _device(srv, stranger)
    d = None
    try:
        # a stranger cannot show typing to someone they never wrote to
        assert s.call(P.TYPING, {"to": d_id, "typing": True})["error"]["code"] == "no_conversation"
        s.send(d_id, "hello, we have not met")
        # Dana comes online: the stranger is told nothing and sees nothing (default: people I wrote to)
        d = _device(srv, dana)
        _marker(srv, marker, s)
        assert not [p for p in s.of(P.PRESENCE) if p["user_id"] == d_id]
        peer = _conversation(srv, stranger, d_id)["peer"]
        assert peer["online"] is False and peer["last_seen"] is None
        found = rest("GET", f"{srv.url}/api/users", token_of(stranger), params={"q": dana["email"]}).json()
        assert found["users"][0]["last_seen"] is None
        # ...while Dana sees the stranger, who wrote to her
        assert _conversation(srv, dana, s_id)["peer"]["online"] is True

        # Dana replies: from now on the stranger sees her, at once
        d.send(s_id, "hi")
        s.wait_for(P.PRESENCE, lambda p: p["user_id"] == d_id and p["online"] is True)
        d.close()
        s.wait_for(P.PRESENCE, lambda p: p["user_id"] == d_id and p["online"] is False)
        d = _device(srv, dana)
        s.wait_for(P.PRESENCE, lambda p: p["user_id"] == d_id and p["online"] is True)
        assert _conversation(srv, stranger, d_id)["peer"]["online"] is True

        # "nobody": the stranger sees her go dark at once, and nothing after
        me = rest("PATCH", f"{srv.url}/api/me", token_of(dana), json={"presence_visibility": "nobody"})
        assert me.status_code == 200 and me.json()["presence_visibility"] == "nobody"
        s.wait_for(P.PRESENCE, lambda p: p == {"user_id": d_id, "online": False, "last_seen": None})
        seen = len(s.of(P.PRESENCE))
        d.close()
        d = _device(srv, dana)
        _marker(srv, marker, s)
        assert len(s.of(P.PRESENCE)) == seen
        assert _conversation(srv, stranger, d_id)["peer"] == {"id": d_id, "display_name": "Dana",
                                                             "online": False, "last_seen": None}

        # "everybody": even a person with no conversation sees her in search results
        rest("PATCH", f"{srv.url}/api/me", token_of(dana), json={"presence_visibility": "everybody"})
        other = srv.register_verified("Other")
        users = rest("GET", f"{srv.url}/api/users", token_of(other), params={"q": dana["email"]}).json()["users"]
        assert users[0]["online"] is True and users[0]["last_seen"] is not None
        bad = rest("PATCH", f"{srv.url}/api/me", token_of(dana), json={"presence_visibility": "friends"})
        assert bad.status_code == 422
        assert rest("GET", f"{srv.url}/api/me", token_of(other)).json()["presence_visibility"] == "written_to"
    finally:
        s.close()
        if d is not None:
            d.close()
