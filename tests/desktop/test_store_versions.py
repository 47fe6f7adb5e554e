"""The local store never goes back in time: an older copy that lands after a live edit or delete loses."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.models import Conversation, StatusUpdate, UserSummary
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat_events import LiveEvents
from desktop.qt.chat_history import ChatHistory
from desktop.qt.message_model import MessageListModel
from tests.desktop.chat_stubs import ME, PEER, T0, Parts, StubApi, StubRealtime, make_parts, msg

EDIT = T0 + timedelta(hours=1)


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    p = make_parts(tmp_path)
    yield p
    p.close()


def test_the_cache_keeps_an_edit_against_an_older_copy(parts: Parts) -> None:
    cache = parts.cache
    cache.put_messages([msg(1, body="first")])
    cache.put_messages([msg(1, body="edited", edited_at=EDIT)])
    cache.put_messages([msg(1, body="first", delivered_at=T0)])  # an old page, but it knows the receipt
    got = cache.get("1")
    assert (got.body, got.edited_at, got.delivered_at) == ("edited", EDIT, T0)
    cache.put_messages([msg(1, body="edited again", edited_at=EDIT + timedelta(seconds=1))])
    assert cache.get("1").body == "edited again"


def test_the_cache_keeps_a_delete_against_an_older_copy(parts: Parts) -> None:
    cache = parts.cache
    cache.put_messages([msg(2, body="oops", edited_at=EDIT)])
    cache.mark_deleted("2")  # the live message:deleted carries only the id
    cache.put_messages([msg(2, body="oops", edited_at=EDIT + timedelta(minutes=5))])  # even a later edit time
    got = cache.get("2")
    assert got.deleted and got.body == ""
    cache.put_messages([msg(2, body="", deleted=True, edited_at=EDIT + timedelta(minutes=6))])
    assert cache.get("2").deleted


def test_the_open_history_keeps_an_edit_and_a_delete_against_an_older_copy() -> None:
    model = MessageListModel(ME, PEER)
    model.reset([msg(1), msg(2)])
    # (no threads here: the model is freed with the test on the GUI thread)
    model.upsert(msg(1, body="edited", edited_at=EDIT))
    model.mark_deleted("2")
    model.upsert(msg(1, read_at=T0))
    model.upsert(msg(2))
    one, two = model.messages()
    assert (one.body, one.read_at) == ("edited", T0)
    assert two.deleted and two.body == ""


def test_an_older_page_landing_after_live_events_does_not_revert_them(qtbot: Any, parts: Parts) -> None:
    """The race of issue 12: the newest page is asked for, a live edit and delete arrive, then the page lands."""
    api = StubApi(pages={PEER: [msg(1), msg(2), msg(3)]})  # the server's answer, made before the edits
    history = ChatHistory(ME, api, parts.cache, parts.outbox, parts.runner, parts.disk, parts.conversations,
                          parts.is_online, parts.root)
    events = LiveEvents(ME, api, StubRealtime(), parts.cache, parts.runner, parts.disk, parts.conversations,
                        history, parts.is_online, parts.root)
    bridge = SocketBridge(parts.root)
    events.connect_bridge(bridge)
    parts.conversations.reset([Conversation(peer=UserSummary(PEER, "Binh"), last_message=msg(3))])
    parts.cache.put_messages([msg(1), msg(2), msg(3)])
    parts.online[0] = False
    model = history.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 3 and parts.idle(), timeout=5000)
    bridge.messageUpdated.emit(msg(3, body="fixed", edited_at=EDIT))
    bridge.messageDeleted.emit("2")
    bridge.statusChanged.emit(StatusUpdate(("1",), "read", T0))
    qtbot.waitUntil(lambda: model.messages()[2].body == "fixed" and model.messages()[1].deleted, timeout=5000)
    parts.online[0] = True
    history.fetch_latest(PEER)  # the stale page lands now
    qtbot.waitUntil(lambda: ("messages", (PEER, None, 50)) in api.asked and parts.idle(), timeout=5000)
    one, two, three = model.messages()
    assert three.body == "fixed" and two.deleted and one.read_at == T0
    assert parts.conversations.get(PEER).last_message.body == "fixed"
    assert parts.cache.get("3").body == "fixed" and parts.cache.get("2").deleted
    assert parts.cache.get("1").read_at == T0
