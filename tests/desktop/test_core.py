"""core/: protocol decoding, errors, the outbox and the cache (no Qt, no network)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import from_ack_error, from_problem
from desktop.core.models import Conversation, DeliveryState, StatusUpdate, UserSummary, id_key, max_id
from desktop.core.outbox import Outbox
from desktop.core.store import Store

ME, PEER = "me", "peer"
T0 = datetime(2026, 11, 25, 4, 20, tzinfo=timezone.utc)


def wire(i: int, sender: str = PEER, **extra: object) -> dict:
    data = {"id": str(i), "client_id": f"c{i}", "sender_id": sender,
            "recipient_id": ME if sender == PEER else PEER, "body": f"m{i}",
            "media": None, "created_at": (T0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "edited_at": None, "deleted": False, "delivered_at": None, "read_at": None}
    data.update(extra)
    return data


def test_message_decoding_and_states():
    m = protocol.message(wire(7, sender=ME))
    assert m.id == "7" and m.created_at == T0 + timedelta(minutes=7)
    assert m.state() == DeliveryState.SENT
    assert protocol.message(wire(7, sender=ME, delivered_at="2026-11-25T05:00:00Z")).state() == DeliveryState.DELIVERED
    assert protocol.message(wire(7, sender=ME, read_at="2026-11-25T05:00:00Z")).state() == DeliveryState.READ
    with pytest.raises(protocol.ProtocolError):
        protocol.message({"id": "1"})


def test_ids_sort_numerically():
    assert sorted(["10", "9", "100"], key=id_key) == ["9", "10", "100"]
    assert max_id("9", "10") == "10" and max_id(None, "3") == "3"


def test_token_pair_never_shows_tokens():
    pair = protocol.token_pair({"access_token": "AAA", "refresh_token": "RRR", "expires_in": 900})
    assert "AAA" not in repr(pair) and "RRR" not in repr(pair)


def test_problem_json_becomes_field_errors_and_plain_words():
    err = from_problem(422, {"type": "about:blank", "title": "Unprocessable", "status": 422,
                             "detail": "x", "code": "weak_password",
                             "errors": {"password": ["Use more different characters."]}})
    assert err.code == "weak_password"
    assert err.field_message("password") == "Use more different characters."
    limited = from_problem(429, {"code": "rate_limited"}, {"Retry-After": "42"})
    assert limited.retry_after == 42 and "42 seconds" in limited.message
    assert from_problem(401, {"code": "token_reused"}).is_session_error
    assert from_problem(500, "<html>").code == "server_error"
    ack = from_ack_error({"code": "validation_failed", "message": "Write 1 to 4000 characters."})
    assert ack.message == "Write 1 to 4000 characters."


def test_outbox_keeps_order_client_ids_and_survives_reopen(tmp_path):
    path = tmp_path / "store.sqlite3"
    store = Store(path)
    box = Outbox(store, ME)
    a, b, c = (box.add(PEER, text) for text in ("one", "two", "three"))
    assert len({a.client_id, b.client_id, c.client_id}) == 3
    assert all(m.state() == DeliveryState.SENDING for m in (a, b, c))
    store.close()

    box = Outbox(Store(path), ME)
    assert [m.body for m in box.pending()] == ["one", "two", "three"]
    assert box.next_unsent().client_id == a.client_id  # a retry reuses the same client_id
    box.mark_failed(a.client_id, "too long")
    assert box.next_unsent().client_id == b.client_id
    assert box.pending()[0].state() == DeliveryState.FAILED
    box.retry(a.client_id)
    box.remove(a.client_id)
    assert [m.body for m in box.pending(PEER)] == ["two", "three"] and len(box) == 2


def test_cache_pages_status_drafts_and_conversations(tmp_path):
    cache = MessageCache(Store(tmp_path / "s.sqlite3"), ME)
    cache.put_messages([protocol.message(wire(i, sender=ME if i % 2 else PEER)) for i in range(1, 251)])
    latest = cache.latest(PEER, 100)
    assert [m.id for m in latest] == [str(i) for i in range(151, 251)]
    older = cache.before(PEER, "151", 100)
    assert [m.id for m in older] == [str(i) for i in range(51, 151)]
    newer = cache.after(PEER, "50", 3)
    assert [m.id for m in newer] == ["51", "52", "53"]
    cache.apply_status(StatusUpdate(ids=("249",), status="read", at=T0))
    read = cache.get("249")
    assert read.read_at == T0 and read.delivered_at == T0
    cache.mark_deleted("250")
    assert cache.get("250").deleted and cache.get("250").body == ""
    cache.set_last_id("99")
    cache.set_last_id("100")
    cache.set_last_id("20")
    assert cache.last_id() == "100"
    cache.set_draft(PEER, "half a thought")
    assert cache.draft(PEER) == "half a thought"
    cache.set_draft(PEER, "")
    assert cache.draft(PEER) == ""
    cache.put_conversations([Conversation(peer=UserSummary(PEER, "Binh", True), unread_count=3)])
    [conv] = cache.conversations()
    assert conv.peer.display_name == "Binh" and conv.unread_count == 3 and conv.last_message.id == "250"
