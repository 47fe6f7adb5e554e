"""Findings of the security review of 2026-12-07 (docs/security.md), each against a live server.

Every test here failed before its fix and passes after it.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from server import protocol as P
from tests.conftest import LiveServer
from tests.server.realtime_helpers import Device, rest, token_of


def _uid(account: dict) -> str:
    return account["user"]["id"]


def _marker(srv: LiveServer, marker_from: dict, device: Device, to_id: str) -> None:
    """A message from a third person reaches ``device``: whatever was emitted before it has arrived too."""
    body = f"marker {uuid.uuid4().hex}"
    r = rest("POST", f"{srv.url}/api/conversations/{to_id}/messages", token_of(marker_from),
             json={"client_id": uuid.uuid4().hex, "body": body})
    assert r.status_code == 201, r.text
    device.wait_for(P.MESSAGE_NEW, lambda m: m["body"] == body)


def test_a_blocked_person_cannot_reach_the_blocker_by_editing_an_old_message(live_server: LiveServer) -> None:
    """Before: Bob blocks Alice; Alice edits a message she sent before the block, and the new text
    reached Bob live (``message:updated``) and in his history, as often as she liked. After: the edit
    looks normal to Alice and reaches Bob nowhere."""
    srv = live_server
    alice, bob, marker = (srv.register_verified(n) for n in ("Alice", "Bob", "Marker"))
    a_id, b_id = _uid(alice), _uid(bob)
    a, b = Device(srv.url, token_of(alice)).connect(), Device(srv.url, token_of(bob)).connect()
    try:
        old = a.send(b_id, "hello before the block")
        b.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == old["id"])
        assert rest("PUT", f"{srv.url}/api/blocks/{a_id}", token_of(bob)).status_code == 204

        ack = a.call(P.MESSAGE_EDIT, {"id": old["id"], "body": "unwanted words, through an edit"})
        assert ack["ok"], ack  # Alice is told nothing
        assert ack["message"]["body"] == "unwanted words, through an edit"
        _marker(srv, marker, b, b_id)
        assert not b.of(P.MESSAGE_UPDATED), b.of(P.MESSAGE_UPDATED)

        history = rest("GET", f"{srv.url}/api/conversations/{a_id}/messages", token_of(bob)).json()["messages"]
        assert all("unwanted" not in m["body"] for m in history), history
        synced = b.call(P.SYNC, {})
        assert all("unwanted" not in m["body"] for m in synced["messages"]), synced
        found = rest("GET", f"{srv.url}/api/messages/search", token_of(bob), params={"q": "unwanted"}).json()
        assert found["messages"] == []
        # still hidden after an unblock, like every message sent during the block
        assert rest("DELETE", f"{srv.url}/api/blocks/{a_id}", token_of(bob)).status_code == 204
        history = rest("GET", f"{srv.url}/api/conversations/{a_id}/messages", token_of(bob)).json()["messages"]
        assert all("unwanted" not in m["body"] for m in history), history

        # Alice's own view is unchanged: her edit is there
        mine = rest("GET", f"{srv.url}/api/conversations/{b_id}/messages", token_of(alice)).json()["messages"]
        assert [m["body"] for m in mine if m["id"] == old["id"]] == ["unwanted words, through an edit"]
    finally:
        a.close()
        b.close()
