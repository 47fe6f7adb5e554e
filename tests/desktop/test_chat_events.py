"""LiveEvents alone: events fed in as the socket bridge would, stub API and realtime, no server."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core import protocol
from desktop.core.models import Conversation, Presence, StatusUpdate, Typing, UserSummary
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat_events import LiveEvents
from desktop.qt.chat_history import ChatHistory
from tests.desktop.chat_stubs import ME, NEWCOMER, PEER, T0, Parts, StubApi, StubRealtime, make_parts, msg


@dataclass
class Rig:
    parts: Parts
    api: StubApi
    realtime: StubRealtime
    history: ChatHistory
    events: LiveEvents
    bridge: SocketBridge


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    p = make_parts(tmp_path)
    api, rt = StubApi(), StubRealtime()
    history = ChatHistory(ME, api, p.cache, p.outbox, p.runner, p.disk, p.conversations, p.is_online, p.root)
    events = LiveEvents(ME, api, rt, p.cache, p.runner, p.disk, p.conversations, history, p.is_online, p.root)
    bridge = SocketBridge(p.root)
    events.connect_bridge(bridge)
    p.conversations.reset([Conversation(peer=UserSummary(PEER, "Binh"))])
    yield Rig(p, api, rt, history, events, bridge)
    p.close()


def test_a_live_message_is_cached_counted_notified_and_acknowledged(qtbot: Any, rig: Rig) -> None:
    m = msg(7)
    with qtbot.waitSignal(rig.events.incoming, timeout=5000) as got:
        rig.bridge.messageReceived.emit(m)
    assert got.args[0] == m
    assert rig.parts.conversations.get(PEER).unread_count == 1
    assert rig.parts.conversations.get(PEER).last_message == m
    qtbot.waitUntil(lambda: rig.parts.cache.get("7") is not None and bool(rig.realtime.emits_of(protocol.DELIVERED)),
                    timeout=5000)
    assert ["7"] in [d["ids"] for d in rig.realtime.emits_of(protocol.DELIVERED)]


def test_the_same_message_live_and_by_sync_counts_once(qtbot: Any, rig: Rig) -> None:
    notified: list[Any] = []
    rig.events.incoming.connect(notified.append)
    rig.events.apply_new(msg(7), notify=True)
    rig.events.apply_new(msg(7), notify=True)
    assert len(notified) == 1 and rig.parts.conversations.get(PEER).unread_count == 1


def test_the_cursor_moves_only_once_synced(qtbot: Any, rig: Rig) -> None:
    rig.bridge.messageReceived.emit(msg(7))
    qtbot.waitUntil(lambda: rig.parts.cache.get("7") is not None and rig.parts.idle(), timeout=5000)
    assert rig.parts.cache.last_id() is None  # before the sync the gap is not filled yet
    rig.events.synced = True
    rig.bridge.messageReceived.emit(msg(8))
    qtbot.waitUntil(lambda: rig.parts.cache.last_id() == "8", timeout=5000)


def test_someone_new_is_looked_up_once_and_their_messages_keep_their_order(qtbot: Any, rig: Rig) -> None:
    shown: list[str] = []
    rig.events.incoming.connect(lambda m: shown.append(m.body))
    for i in (10, 11, 12):
        rig.bridge.messageReceived.emit(msg(i, sender=NEWCOMER))
    qtbot.waitUntil(lambda: len(shown) == 3, timeout=5000)
    assert shown == ["m10", "m11", "m12"]
    assert rig.api.asked == [("user", NEWCOMER)]  # one person, once: not the whole conversation list
    conv = rig.parts.conversations.get(NEWCOMER)
    assert conv.peer.display_name == "Chi" and conv.unread_count == 3


def test_an_edit_and_a_delete_reach_the_open_history_the_list_and_the_cache(qtbot: Any, rig: Rig) -> None:
    rig.parts.cache.put_messages([msg(1), msg(2)])
    rig.parts.online[0] = False
    model = rig.history.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 2, timeout=5000)
    rig.events.apply_new(msg(2), notify=False)  # the list's preview is message 2
    rig.bridge.messageUpdated.emit(msg(2, body="fixed", edited_at=T0 + timedelta(hours=1)))
    qtbot.waitUntil(lambda: model.messages()[1].body == "fixed", timeout=5000)
    assert rig.parts.conversations.get(PEER).last_message.body == "fixed"
    rig.bridge.messageDeleted.emit("2")
    qtbot.waitUntil(lambda: model.messages()[1].deleted, timeout=5000)
    assert rig.parts.conversations.get(PEER).last_message.deleted
    qtbot.waitUntil(lambda: rig.parts.cache.get("2").deleted, timeout=5000)


def test_receipts_tick_the_open_history_and_the_cache(qtbot: Any, rig: Rig) -> None:
    mine = msg(3, sender=ME)
    rig.parts.cache.put_messages([mine])
    rig.parts.online[0] = False
    model = rig.history.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 1, timeout=5000)
    rig.bridge.statusChanged.emit(StatusUpdate(("3",), "read", T0 + timedelta(hours=2)))
    qtbot.waitUntil(lambda: model.messages()[0].read_at is not None, timeout=5000)
    qtbot.waitUntil(lambda: rig.parts.cache.get("3").read_at is not None, timeout=5000)
    assert rig.parts.cache.get("3").delivered_at is not None  # read implies delivered


def test_typing_and_presence_update_the_list_and_are_announced(qtbot: Any, rig: Rig) -> None:
    with qtbot.waitSignal(rig.events.peerTyping, timeout=5000) as typing:
        rig.bridge.typingChanged.emit(Typing(PEER, True))
    assert typing.args == [PEER, True]
    with qtbot.waitSignal(rig.events.peerTyping, timeout=5000) as typing:
        rig.events.apply_new(msg(4), notify=False)  # a message ends the typing at once
    assert typing.args == [PEER, False]
    with qtbot.waitSignal(rig.events.presenceChanged, timeout=5000):
        rig.bridge.presenceChanged.emit(Presence(PEER, True, None))
    assert rig.parts.conversations.get(PEER).peer.online


def test_a_sender_the_server_will_not_name_still_has_their_message_shown(qtbot: Any, rig: Rig) -> None:
    shown: list[str] = []
    rig.events.incoming.connect(lambda m: shown.append(m.body))
    rig.bridge.messageReceived.emit(msg(30, sender="unknown"))  # 404 not_found
    rig.api.offline = True
    rig.bridge.messageReceived.emit(msg(31, sender="also-unknown"))  # unreachable
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    assert rig.parts.conversations.get("unknown") is not None
