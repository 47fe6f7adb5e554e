"""ChatHistory alone: stub API, real cache, no server."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.models import Conversation, UserSummary
from desktop.qt.chat_history import LATEST, PAGE, ChatHistory
from tests.desktop.chat_stubs import ME, PEER, Parts, StubApi, make_parts, msg


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    p = make_parts(tmp_path)
    yield p
    p.close()


def history(parts: Parts, api: StubApi) -> ChatHistory:
    return ChatHistory(ME, api, parts.cache, parts.outbox, parts.runner, parts.disk, parts.conversations,
                       parts.is_online, parts.root)


def bodies(model: Any) -> list[str]:
    return [m.body for m in model.messages()]


def test_open_shows_the_cache_and_the_outbox_then_the_servers_newest_page(qtbot: Any, parts: Parts) -> None:
    parts.cache.put_messages([msg(1), msg(2)])
    parts.outbox.add(PEER, "queued")
    api = StubApi(pages={PEER: [msg(1), msg(2), msg(3, body="from server")]})
    h = history(parts, api)
    drafts: list[str] = []
    parts.cache.set_draft(PEER, "half written")
    model = h.open(PEER, drafts.append)
    with qtbot.waitSignal(model.modelReset, timeout=5000):
        pass
    qtbot.waitUntil(lambda: "from server" in bodies(model), timeout=5000)
    assert bodies(model) == ["m1", "m2", "from server", "queued"]
    assert drafts == ["half written"]
    assert ("messages", (PEER, None, LATEST)) in api.asked
    qtbot.waitUntil(lambda: parts.cache.get("3") is not None, timeout=5000)
    assert h.open(PEER) is model  # kept for a fast reopen


def test_open_offline_asks_nothing_of_the_server(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    parts.cache.put_messages([msg(1)])
    api = StubApi(pages={PEER: [msg(1), msg(2)]})
    model = history(parts, api).open(PEER)
    qtbot.waitUntil(lambda: bodies(model) == ["m1"], timeout=5000)
    qtbot.waitUntil(parts.idle, timeout=5000)
    assert api.asked == []


def test_unread_marker_sits_above_the_first_unread_incoming_message(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    parts.cache.put_messages([msg(1), msg(2, sender=ME), msg(3), msg(4)])
    parts.conversations.reset([Conversation(peer=UserSummary(PEER, "Binh"), unread_count=2)])
    model = history(parts, StubApi()).open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 4, timeout=5000)
    assert model._unread_from == "3"


def test_load_older_takes_the_cache_first_then_the_server(qtbot: Any, parts: Parts) -> None:
    server = [msg(i) for i in range(1, PAGE + 31)]  # 130 on the server
    parts.cache.put_messages(server[-40:])  # the newest 40 cached
    api = StubApi(pages={PEER: server})
    parts.online[0] = False
    h = history(parts, api)
    model = h.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 40, timeout=5000)
    parts.online[0] = True
    h.load_older(PEER)
    assert model.loading_older
    h.load_older(PEER)  # a second ask while loading is ignored
    qtbot.waitUntil(lambda: not model.loading_older, timeout=5000)
    # 40 shown; nothing older cached, so the server's page before id 91 (90 messages)
    assert len(model.messages()) == 130
    assert model.has_more is False
    assert [a for a in api.asked if a[0] == "messages"] == [("messages", (PEER, "91", PAGE))]
    qtbot.waitUntil(lambda: len(parts.cache.before(PEER, "91", PAGE)) == 90, timeout=5000)  # cached for next time


def test_load_older_offline_stops_at_the_cache_but_keeps_has_more(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    parts.cache.put_messages([msg(i) for i in range(1, 11)])
    api = StubApi(offline=True)
    h = history(parts, api)
    model = h.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 10, timeout=5000)
    h.load_older(PEER)
    qtbot.waitUntil(lambda: not model.loading_older, timeout=5000)
    assert model.has_more is False  # nothing older cached and offline: nothing to show yet
    parts.online[0] = True
    model.has_more = True
    h.load_older(PEER)
    qtbot.waitUntil(lambda: not model.loading_older, timeout=5000)
    assert model.has_more is True  # the server could not be reached: try again later


def test_show_latest_and_load_newer_come_back_from_far_back(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    parts.cache.put_messages([msg(i) for i in range(1, 21)])
    parts.outbox.add(PEER, "queued")
    h = history(parts, StubApi())
    model = h.open(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 21, timeout=5000)
    model.reset([msg(i) for i in range(1, 6)])  # as if the window had slid back to the oldest five
    model.has_newer = True
    h.load_newer(PEER)
    qtbot.waitUntil(lambda: not model.loading_newer and not model.has_newer, timeout=5000)
    assert bodies(model)[-1] == "queued" and len(model.messages()) == 21
    model.reset([msg(1)])
    h.show_latest(PEER)
    qtbot.waitUntil(lambda: len(model.messages()) == 21, timeout=5000)


def test_drafts_are_saved_and_loaded(qtbot: Any, parts: Parts) -> None:
    h = history(parts, StubApi())
    got: list[str] = []
    h.save_draft(PEER, "see you")
    h.load_draft(PEER, got.append)
    qtbot.waitUntil(lambda: got == ["see you"], timeout=5000)
    h.save_draft(PEER, "")
    h.load_draft(PEER, got.append)
    qtbot.waitUntil(lambda: got == ["see you", ""], timeout=5000)


def test_refresh_open_fetches_every_opened_conversation(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    api = StubApi(pages={PEER: [msg(1)], "9": [msg(2, sender="9")]})
    h = history(parts, api)
    a, b = h.open(PEER), h.open("9")
    qtbot.waitUntil(parts.idle, timeout=5000)
    parts.online[0] = True
    h.refresh_open()
    qtbot.waitUntil(lambda: bodies(a) == ["m1"] and bodies(b) == ["m2"], timeout=5000)
