"""Reading while offline: the read receipt goes out once back online, and the server's stale unread
count does not bring the "Unread messages" row back (issue 12), with stub API and realtime."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core import protocol
from desktop.core.models import Conversation, User, UserSummary
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat import ChatService
from desktop.qt.message_model import UNREAD, KindRole
from tests.desktop.chat_stubs import ME, PEER, Parts, StubApi, StubRealtime, echo_server, make_parts, msg


class StaleCountApi(StubApi):
    """A server that still counts ``unread`` messages from PEER (it was never told they were read)."""

    unread = 3

    def conversations(self) -> list[Conversation]:
        super().conversations()
        history = self.pages.get(PEER, [])
        return [Conversation(peer=UserSummary(PEER, "Binh"), last_message=history[-1] if history else None,
                             unread_count=self.unread)]


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    p = make_parts(tmp_path)
    yield p
    p.close()


def _has_unread_row(model: Any) -> bool:
    return any(model.index(r).data(KindRole) == UNREAD for r in range(model.rowCount()))


def test_a_read_made_offline_is_sent_when_back_and_the_count_stays_zero(qtbot: Any, parts: Parts) -> None:
    base = echo_server()

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.SYNC:
            return {"ok": True, "messages": [], "has_more": False}
        return base(event, data)

    api = StaleCountApi(pages={PEER: [msg(1), msg(2), msg(3)]})
    rt = StubRealtime(answer=answer)
    bridge = SocketBridge()
    s = ChatService(User(ME, "me@example.com", "Me"), api, rt, bridge, parts.cache, parts.outbox,
                    parts.runner, parts.disk, ack_timeout=1.0)
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    assert s.conversations.get(PEER).unread_count == 3
    model = s.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 3 and _has_unread_row(model), timeout=5000)

    bridge.stateChanged.emit("offline", "gone", 1.0)
    s.mark_read(PEER)  # the person reads while offline
    assert s.conversations.get(PEER).unread_count == 0
    assert rt.emits_of(protocol.READ) == []  # nobody to tell yet

    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)  # the server still says 3
    assert s.conversations.get(PEER).unread_count == 0
    assert not _has_unread_row(model)  # nothing read sits under "Unread messages"
    qtbot.waitUntil(lambda: rt.emits_of(protocol.READ) == [{"peer_id": PEER, "up_to": "3"}], timeout=5000)
