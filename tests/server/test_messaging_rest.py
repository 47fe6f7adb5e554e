"""The conversation REST calls: send (idempotent), history pages, read, list, search."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from server import protocol as P
from tests.conftest import ROOT, LiveServer
from tests.server.realtime_helpers import Device, rest, token_of


@pytest.fixture
def server_env() -> dict[str, str]:
    """These tests send 120 messages at once: a send budget that does not get in the way."""
    return {"PARLEY_MESSAGE_RATE": "10000", "PARLEY_MESSAGE_BURST": "10000"}


def _send(srv, sender, peer_id: str, body: str, cid: str):  # noqa: ANN001, ANN202
    return rest("POST", f"{srv.url}/api/conversations/{peer_id}/messages", token_of(sender),
                json={"client_id": cid, "body": body})


def test_send_is_idempotent_and_history_pages_by_cursor(live_server):  # noqa: ANN001
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    carol = live_server.register_verified("Carol")
    a_id, b_id = alice["user"]["id"], bob["user"]["id"]
    url = f"{live_server.url}/api/conversations"

    r1 = _send(live_server, alice, b_id, "first", "cid-1")
    assert r1.status_code == 201, r1.text
    r2 = _send(live_server, alice, b_id, "first (retried)", "cid-1")
    assert r2.status_code == 200 and r2.json() == r1.json()
    m = r1.json()
    assert set(m) == {"id", "client_id", "sender_id", "recipient_id", "body", "media", "created_at", "edited_at",
                      "deleted", "delivered_at", "read_at"}
    sent = [m] + [_send(live_server, alice if i % 2 else bob, b_id if i % 2 else a_id, f"m{i}", f"c{i}").json()
                  for i in range(1, 120)]
    _send(live_server, carol, a_id, "another conversation", "carol-1")
    ids = [x["id"] for x in sent]

    # newest page first, then backwards with `before`, oldest first within each page
    page = rest("GET", f"{url}/{b_id}/messages", token_of(alice), params={"limit": 50}).json()
    assert [x["id"] for x in page["messages"]] == ids[-50:] and page["has_more"] is True
    seen = page["messages"]
    while page["has_more"]:
        page = rest("GET", f"{url}/{b_id}/messages", token_of(alice),
                    params={"before": seen[0]["id"], "limit": 50}).json()
        seen = page["messages"] + seen
    assert [x["id"] for x in seen] == ids
    # forwards with `after`; Bob sees the same conversation from his side
    page = rest("GET", f"{url}/{a_id}/messages", token_of(bob), params={"after": ids[9], "limit": 100}).json()
    assert [x["id"] for x in page["messages"]] == ids[10:110] and page["has_more"] is True
    page = rest("GET", f"{url}/{a_id}/messages", token_of(bob), params={"after": ids[109]}).json()
    assert [x["id"] for x in page["messages"]] == ids[110:] and page["has_more"] is False
    # the default limit is 50; limits outside 1..100 and bad cursors are refused
    assert len(rest("GET", f"{url}/{b_id}/messages", token_of(alice)).json()["messages"]) == 50
    for params in ({"limit": 0}, {"limit": 101}, {"before": "x"}, {"after": "-1"}):
        r = rest("GET", f"{url}/{b_id}/messages", token_of(alice), params=params)
        assert r.status_code == 422 and r.json()["code"] == "validation_failed", (params, r.text)

    # the conversation list: newest activity first, with unread counts and the last message
    convs = rest("GET", url, token_of(alice)).json()["conversations"]
    assert [c["peer"]["id"] for c in convs] == [carol["user"]["id"], b_id]
    assert convs[0]["last_message"]["body"] == "another conversation" and convs[0]["unread_count"] == 1
    from_bob = [x for x in sent if x["sender_id"] == b_id]
    assert convs[1]["unread_count"] == len(from_bob) and convs[1]["last_message"]["id"] == ids[-1]
    assert set(convs[1]["peer"]) == {"id", "display_name", "online", "last_seen"}

    # read up to a message: 204, the count drops, read_at is set on those messages only
    half = from_bob[len(from_bob) // 2]
    r = rest("POST", f"{url}/{b_id}/read", token_of(alice), json={"up_to": half["id"]})
    assert r.status_code == 204, r.text
    convs = rest("GET", url, token_of(alice)).json()["conversations"]
    left = [x for x in from_bob if int(x["id"]) > int(half["id"])]
    assert convs[1]["unread_count"] == len(left)
    page = rest("GET", f"{url}/{b_id}/messages", token_of(alice), params={"limit": 100}).json()["messages"]
    for x in page:
        if x["sender_id"] == b_id:
            assert (x["read_at"] is not None) == (int(x["id"]) <= int(half["id"])), x
    assert rest("POST", f"{url}/{b_id}/read", token_of(alice), json={"up_to": "99999999"}).status_code == 404
    assert rest("POST", f"{url}/{b_id}/read", token_of(carol), json={"up_to": half["id"]}).status_code == 404

    # bad sends
    cases = [({"client_id": "x"}, 422, "validation_failed"),
             ({"client_id": "y", "body": "z" * 4001}, 422, "validation_failed"),
             ({"body": "no client id"}, 422, "validation_failed")]
    for body, status, code in cases:
        r = rest("POST", f"{url}/{b_id}/messages", token_of(alice), json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    r = rest("POST", f"{url}/nobody/messages", token_of(alice), json={"client_id": "q", "body": "hi"})
    assert (r.status_code, r.json()["code"]) == (404, "recipient_not_found")
    # The document says "body or media_id" (anyOf), with the body's pattern being what trimming keeps (issue 11)
    send = rest("GET", f"{live_server.url}/api/openapi.json", token_of(alice)).json()["components"]["schemas"]["SendBody"]
    assert [b["required"] for b in send["anyOf"]] == [["body"], ["media_id"]], send
    pattern = send["anyOf"][0]["properties"]["body"]["pattern"]
    assert re.search(pattern, "\x1c\u3000 \t") is None and re.search(pattern, " x ")
    for blank in ({"client_id": "w", "body": "\x1c\u3000 "}, {"client_id": "v", "body": None, "media_id": None}):
        r = rest("POST", f"{url}/{b_id}/messages", token_of(alice), json=blank)
        assert (r.status_code, r.json()["code"]) == (422, "validation_failed"), r.text
    assert rest("GET", url, "not-a-token").status_code == 401
    r = rest("GET", f"{url}/nobody/messages", token_of(alice))
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/problem+json")


def _search_checks(srv: LiveServer) -> None:
    alice = srv.register_verified("Alice")
    bob = srv.register_verified("Bob")
    carol = srv.register_verified("Carol")
    a_id, b_id = alice["user"]["id"], bob["user"]["id"]
    _send(srv, alice, b_id, "Shall we meet for coffee tomorrow?", "s1")
    _send(srv, bob, a_id, "Yes, coffee at nine sounds good", "s2")
    _send(srv, carol, a_id, "Coffee with me on Friday?", "s3")
    _send(srv, carol, b_id, "secret coffee plans between Carol and Bob", "s4")
    gone = _send(srv, alice, b_id, "coffee I regret saying", "s5").json()
    # deleted messages are not found
    d = Device(srv.url, token_of(alice)).connect()
    assert d.call(P.MESSAGE_DELETE, {"id": gone["id"]})["ok"]
    d.close()
    url = f"{srv.url}/api/messages/search"

    found = rest("GET", url, token_of(alice), params={"q": "coffee"}).json()["messages"]
    assert [m["client_id"] for m in found] == ["s3", "s2", "s1"]  # newest first, only Alice's own
    found = rest("GET", url, token_of(alice), params={"q": "coffee", "peer_id": b_id}).json()["messages"]
    assert [m["client_id"] for m in found] == ["s2", "s1"]
    found = rest("GET", url, token_of(alice), params={"q": "meet tomorrow"}).json()["messages"]
    assert [m["client_id"] for m in found] == ["s1"]
    found = rest("GET", url, token_of(bob), params={"q": "Carol"}).json()["messages"]
    assert [m["client_id"] for m in found] == ["s4"]
    assert rest("GET", url, token_of(alice), params={"q": "secret"}).json()["messages"] == []
    assert rest("GET", url, token_of(alice), params={"q": "\"'*()"}).json()["messages"] == []
    assert rest("GET", url, token_of(alice), params={"q": ""}).status_code == 422
    assert rest("GET", url, token_of(carol), params={"q": "regret"}).json()["messages"] == []


def test_search_on_sqlite(live_server):  # noqa: ANN001
    _search_checks(live_server)
    # prefix matching of the last word while typing (FTS5)
    alice = live_server.register_verified("Dave")
    bob = live_server.register_verified("Erin")
    _send(live_server, alice, bob["user"]["id"], "photographs from the trip", "p1")
    found = rest("GET", f"{live_server.url}/api/messages/search", token_of(alice), params={"q": "photo"}).json()
    assert [m["client_id"] for m in found["messages"]] == ["p1"]


@pytest.fixture
def pg_server(tmp_path, postgres_url):  # noqa: ANN001, ANN201
    env = {"PARLEY_DATABASE_URL": postgres_url}
    srv = LiveServer(tmp_path / "pg", env)
    subprocess.run([sys.executable, "-m", "server", "db", "upgrade"], cwd=ROOT, env=srv.env, check=True,
                   capture_output=True, timeout=60)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def test_search_and_history_on_postgresql(pg_server):  # noqa: ANN001
    _search_checks(pg_server)
    alice = pg_server.register_verified("Frank")
    bob = pg_server.register_verified("Grace")
    sent = [_send(pg_server, alice, bob["user"]["id"], f"pg {i}", f"pg-{i}").json() for i in range(7)]
    again = _send(pg_server, alice, bob["user"]["id"], "pg 0 retried", "pg-0")
    assert again.status_code == 200 and again.json()["id"] == sent[0]["id"]
    page = rest("GET", f"{pg_server.url}/api/conversations/{bob['user']['id']}/messages", token_of(alice),
                params={"limit": 3, "before": sent[-1]["id"]}).json()
    assert [m["id"] for m in page["messages"]] == [m["id"] for m in sent[3:6]] and page["has_more"]


def test_a_user_is_named_only_to_people_who_share_a_conversation(live_server):  # noqa: ANN001
    """GET /api/users/{id}: how a client names the sender of a first message without the whole list."""
    alice = live_server.register_verified("Alice")
    bob = live_server.register_verified("Bob")
    carol = live_server.register_verified("Carol")
    b_id = bob["user"]["id"]
    url = f"{live_server.url}/api/users/{b_id}"
    assert rest("GET", url, token_of(alice)).status_code == 404  # no conversation yet: ids are not a directory
    assert _send(live_server, bob, alice["user"]["id"], "hello", "first").status_code == 201
    r = rest("GET", url, token_of(alice))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == b_id and r.json()["display_name"] == "Bob" and set(r.json()) == {
        "id", "display_name", "online", "last_seen"}
    r = rest("GET", url, token_of(carol))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert rest("GET", f"{live_server.url}/api/users/{'x' * 65}", token_of(alice)).status_code == 422
