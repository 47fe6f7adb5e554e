"""ChatService wiring: the pieces together, with stub API and realtime, no server."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core import protocol
from desktop.core.errors import ApiError
from desktop.core.models import User
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat import ChatService
from tests.desktop.chat_stubs import ME, PEER, Parts, StubApi, StubRealtime, echo_server, make_parts, msg, wire


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    p = make_parts(tmp_path)
    yield p
    p.close()


def service(parts: Parts, api: StubApi, realtime: StubRealtime) -> tuple[ChatService, SocketBridge]:
    bridge = SocketBridge(parts.root)
    s = ChatService(User(ME, "me@example.com", "Me"), api, realtime, bridge, parts.cache, parts.outbox,
                    parts.runner, parts.disk, ack_timeout=1.0, parent=parts.root)
    return s, bridge


def test_going_online_syncs_then_flushes_and_says_synced(qtbot: Any, parts: Parts) -> None:
    parts.cache.set_last_id("5")
    later = [wire(msg(6)), wire(msg(7))]
    base = echo_server()

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.SYNC:
            return {"ok": True, "messages": later if data["after"] == "5" else [], "has_more": False}
        return base(event, data)

    rt = StubRealtime(answer=answer)
    s, bridge = service(parts, StubApi(), rt)
    s.start()
    qtbot.waitUntil(lambda: rt.started == 1, timeout=5000)
    s.send(PEER, "written offline")
    qtbot.waitUntil(lambda: len(parts.outbox) == 1, timeout=5000)
    states: list[str] = []
    s.stateChanged.connect(lambda state, *_: states.append(state))
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    assert states == ["online"]
    qtbot.waitUntil(lambda: len(parts.outbox) == 0 and parts.cache.last_id() == "7", timeout=5000)
    assert parts.cache.get("6") is not None and parts.cache.get("7") is not None
    qtbot.waitUntil(lambda: s.conversations.get(PEER).last_message.id == "1001", timeout=5000)
    assert [e for e, _ in rt.calls] == [protocol.SYNC, protocol.SEND]


def test_a_sent_message_replaces_its_pending_row_and_a_refused_one_shows_why(qtbot: Any, parts: Parts) -> None:
    base = echo_server()

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.SYNC:
            return {"ok": True, "messages": [], "has_more": False}
        if data.get("body") == "refused":
            raise ApiError(400, "validation_failed", "No.")
        return base(event, data)

    s, bridge = service(parts, StubApi(), StubRealtime(answer=answer))
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    model = s.open(PEER)
    qtbot.waitUntil(lambda: parts.idle(), timeout=5000)
    s.send(PEER, "hello")
    qtbot.waitUntil(lambda: [(m.body, m.id) for m in model.messages()] == [("hello", "1001")], timeout=5000)
    with qtbot.waitSignal(s.sendFailed, timeout=5000) as failed:
        s.send(PEER, "refused")
    assert failed.args[1] == "No."
    qtbot.waitUntil(lambda: model.messages()[-1].error == "No.", timeout=5000)
    assert s.conversations.get(PEER).last_message.body == "refused"


def test_a_first_message_is_counted_once_when_the_synced_list_already_counts_it(qtbot: Any, parts: Parts) -> None:
    """The live copy waits for its sender's name while the sync's list (which counts it) lands."""
    import threading

    from desktop.core.models import Conversation, UserSummary
    from tests.desktop.chat_stubs import NEWCOMER

    first = msg(30, sender=NEWCOMER)
    release = threading.Event()
    api = StubApi()
    looked_up = api.user

    def slow_user(user_id: str) -> UserSummary:
        release.wait(5)
        return looked_up(user_id)

    api.user = slow_user  # type: ignore[method-assign]
    api.conversations = lambda: [Conversation(peer=UserSummary(NEWCOMER, "Chi"), last_message=first,  # type: ignore[method-assign]
                                              unread_count=1)]
    rt = StubRealtime(answer=lambda event, data: {"ok": True, "messages": [], "has_more": False})
    s, bridge = service(parts, api, rt)
    parts.cache.set_last_id("29")
    notified: list[Any] = []
    s.incoming.connect(notified.append)
    bridge.messageReceived.emit(first)  # someone new: looked up (slowly)
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    assert s.conversations.get(NEWCOMER).unread_count == 1  # the server's count
    release.set()
    qtbot.waitUntil(lambda: len(notified) == 1 and parts.idle(), timeout=5000)
    assert s.conversations.get(NEWCOMER).unread_count == 1
    assert s.conversations.total_unread() == 1
