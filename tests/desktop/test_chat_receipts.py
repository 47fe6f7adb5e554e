"""Receipts: delivered ones go in batches; reads made offline go once back online; the outbox flush is O(1)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core import protocol
from desktop.core.models import Conversation, User, UserSummary
from desktop.core.outbox import Outbox
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat import ChatService
from desktop.qt.chat_sending import OutboxSender
from tests.desktop.chat_stubs import ME, PEER, Parts, StubApi, StubRealtime, echo_server, make_parts, msg


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    p = make_parts(tmp_path)
    yield p
    p.close()


def online_service(qtbot: Any, parts: Parts, realtime: StubRealtime, sync_messages: list[Any] = ()
                   ) -> tuple[ChatService, SocketBridge]:
    base = echo_server()

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.SYNC:
            page = [m for m in sync_messages if int(m["id"]) > int(data["after"] or 0)]
            return {"ok": True, "messages": page, "has_more": False}
        return base(event, data)

    realtime.answer = answer
    bridge = SocketBridge(parts.root)
    s = ChatService(User(ME, "me@example.com", "Me"), StubApi(), realtime, bridge, parts.cache, parts.outbox,
                    parts.runner, parts.disk, ack_timeout=1.0, parent=parts.root)
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    return s, bridge


def test_delivered_receipts_of_a_sync_go_in_batches_of_at_most_500(qtbot: Any, parts: Parts) -> None:
    from tests.desktop.chat_stubs import wire

    parts.cache.set_last_id("0")
    rt = StubRealtime()
    online_service(qtbot, parts, rt, [wire(msg(i)) for i in range(1, 1201)])
    qtbot.waitUntil(lambda: sum(len(d["ids"]) for d in rt.emits_of(protocol.DELIVERED)) == 1200, timeout=5000)
    sizes = [len(d["ids"]) for d in rt.emits_of(protocol.DELIVERED)]
    assert sizes == [500, 500, 200]
    assert [i for d in rt.emits_of(protocol.DELIVERED) for i in d["ids"]] == [str(i) for i in range(1, 1201)]


def test_live_messages_arriving_together_share_one_receipt(qtbot: Any, parts: Parts) -> None:
    rt = StubRealtime()
    s, bridge = online_service(qtbot, parts, rt)
    s.conversations.reset([Conversation(peer=UserSummary(PEER, "Binh"))])
    for i in (11, 12, 13):
        bridge.messageReceived.emit(msg(i))
    qtbot.waitUntil(lambda: len(rt.emits_of(protocol.DELIVERED)) >= 1 and parts.idle(), timeout=5000)
    assert rt.emits_of(protocol.DELIVERED) == [{"ids": ["11", "12", "13"]}]


def test_a_read_made_offline_is_sent_once_back_online(qtbot: Any, parts: Parts) -> None:
    rt = StubRealtime()
    s, bridge = online_service(qtbot, parts, rt)
    s.conversations.reset([Conversation(peer=UserSummary(PEER, "Binh"))])
    model = s.open(PEER)
    bridge.messageReceived.emit(msg(21))
    bridge.messageReceived.emit(msg(22))
    qtbot.waitUntil(lambda: len(model.messages()) == 2 and s.conversations.get(PEER).unread_count == 2,
                    timeout=5000)
    bridge.stateChanged.emit("offline", "gone", 1.0)
    qtbot.waitUntil(lambda: not s.online, timeout=5000)
    s.mark_read(PEER)
    assert s.conversations.get(PEER).unread_count == 0
    qtbot.waitUntil(parts.idle, timeout=5000)
    assert rt.emits_of(protocol.READ) == []
    # back online: the server's list still counts both unread (it never heard of the read)
    s.api.people = {}
    s.api.conversations = lambda: [Conversation(peer=UserSummary(PEER, "Binh"), last_message=msg(22),  # type: ignore[method-assign]
                                                unread_count=2)]
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    qtbot.waitUntil(lambda: bool(rt.emits_of(protocol.READ)), timeout=5000)
    assert rt.emits_of(protocol.READ) == [{"peer_id": PEER, "up_to": "22"}]
    assert s.conversations.get(PEER).unread_count == 0


class CountingOutbox(Outbox):
    """Counts the entries read back from disk."""

    rows_read = 0

    def pending(self, peer_id: str | None = None) -> list[Any]:
        got = super().pending(peer_id)
        CountingOutbox.rows_read += len(got)
        return got

    def next_unsent(self) -> Any:
        before = CountingOutbox.rows_read
        got = super().next_unsent()
        if CountingOutbox.rows_read == before and got is not None:  # read by its own query
            CountingOutbox.rows_read += 1
        return got


def test_the_outbox_flush_reads_one_row_per_message(qtbot: Any, parts: Parts) -> None:
    """It reread the whole outbox for every message: quadratic over a backlog."""
    outbox = CountingOutbox(parts.store, ME)
    for i in range(300):
        outbox.add(PEER, f"n{i}")
    CountingOutbox.rows_read = 0
    rt = StubRealtime(answer=echo_server())
    s = OutboxSender(rt, parts.cache, outbox, parts.runner, parts.disk, parts.is_online, ack_timeout=1.0,
                     parent=parts.root)
    s.flush()
    qtbot.waitUntil(lambda: len(outbox) == 0 and parts.idle(), timeout=20000)
    assert len(rt.calls) == 300
    assert CountingOutbox.rows_read <= 300  # one per message (the old flush read 45150)
