"""Message search in the app (issue 14): the cache offline, merged with the server's results online;
accent folding alike on both sides; opening a result loads the history around it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from desktop.core.models import Message
from desktop.core.search import SearchHit, merge, search_cache
from desktop.core.store import Store
from desktop.core.cache import MessageCache
from desktop.core import text_folding
from desktop.ui.search_results import highlighted_html, snippet
from server.services import text_folding as server_folding
from tests.desktop.conftest import open_synced_chat
from tests.server.realtime_helpers import rest, token_of

ME, PEER, OTHER = "u-me", "u-peer", "u-other"


@pytest.fixture
def server_env() -> dict[str, str]:
    """The tests send 150 messages at once."""
    return {"PARLEY_MESSAGE_RATE": "10000", "PARLEY_MESSAGE_BURST": "10000"}


def _msg(i: int, body: str, sender: str = ME, to: str = PEER, deleted: bool = False) -> Message:
    return Message(id=str(i), client_id=f"c{i}", sender_id=sender, recipient_id=to, body=body,
                   created_at=datetime(2026, 12, 1, 10, i % 60, tzinfo=timezone.utc), deleted=deleted)


@pytest.mark.parametrize("text", ["Xin chào ĐẠI HỌC", "Tiếng Việt: ưởng, ợ, đã", "Straße, Øre, naïve café", "ABC"])
def test_client_and_server_fold_alike(text: str) -> None:
    assert text_folding.fold(text) == server_folding.fold(text)


def test_cache_search_matches_words_without_diacritics(tmp_path: Any) -> None:
    store = Store(tmp_path / "c.sqlite3")
    cache = MessageCache(store, ME)
    cache.put_messages([_msg(1, "Xin chào, hôm nay đang mưa"), _msg(2, "xinh đẹp", sender=PEER, to=ME),
                        _msg(3, "chào buổi sáng", to=OTHER), _msg(4, "xin chao again", deleted=True),
                        _msg(5, "100% sure_thing")])
    found = lambda q, peer=None: [h.message.id for h in search_cache(store, ME, q, peer)]  # noqa: E731
    assert found("xin chao") == ["1"]
    assert found("CHAO") == ["3", "1"]
    assert found("chao", PEER) == ["1"]
    assert found("dang mu") == ["1"]  # the last word as a prefix
    assert found("xin") == ["2", "1"]  # the last word is a prefix: "xinh" too, as on the server
    assert found("xin dep") == []  # but a word before the last is whole: "xin" is not "xinh"
    assert found("xinh dep") == ["2"]
    assert found("%") == [] and found("_") == []  # LIKE wildcards are not wildcards here
    assert found("sure_thing") == ["5"]
    assert found("   ") == []
    store.close()


def test_snippet_highlights_the_original_text() -> None:
    text, marks = snippet("Hôm nay Xin chào mọi người", text_folding.query_words("xin chao"))
    assert [text[a:b] for a, b in marks] == ["Xin", "chào"]
    assert highlighted_html("a <b> c", [(2, 5)], "#eee") == 'a <b style="background-color:#eee">&lt;b&gt;</b> c'
    # a selected row's text is white on the selection: a light mark would hide it; underlined instead
    assert "underline" in highlighted_html("a b", [(0, 1)], None)


def test_merge_prefers_the_server_copy_and_sorts_newest_first() -> None:
    local = [SearchHit(_msg(3, "old text"), PEER), SearchHit(_msg(1, "a"), PEER)]
    server = [SearchHit(_msg(3, "edited text"), PEER), SearchHit(_msg(7, "b"), PEER)]
    merged = merge(local, server)
    assert [h.message.id for h in merged] == ["7", "3", "1"] and merged[1].message.body == "edited text"


def _search(qtbot: Any, app: Any, query: str, peer_id: str | None = None) -> tuple[list[SearchHit], bool]:
    got: dict[str, Any] = {}
    search = app.service.search

    def results(qid: int, hits: list) -> None:
        if qid == got.get("id"):
            got["hits"] = hits

    def finished(qid: int, how: str) -> None:
        if qid == got.get("id"):
            got["server"] = how == "server"

    search.results.connect(results)
    search.finished.connect(finished)
    got["id"] = search.search(query, peer_id)
    qtbot.waitUntil(lambda: "server" in got, timeout=10000)
    search.results.disconnect(results)
    search.finished.disconnect(finished)
    return got.get("hits", []), got["server"]


def test_search_online_offline_and_open_a_result(qtbot: Any, make_app: Any, live_server: Any) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    carol = live_server.register_verified("Carol")
    a_id, b_id = alice["user"]["id"], binh["user"]["id"]
    url = f"{live_server.url}/api/conversations"
    ids = []
    for i in range(150):  # more than the app caches on open: the old ones are only on the server
        body = "Xin chào, hẹn gặp lúc chín giờ" if i == 5 else f"message number {i}"
        sender, peer = (alice, b_id) if i % 2 else (binh, a_id)
        r = rest("POST", f"{url}/{peer}/messages", token_of(sender), json={"client_id": f"s{i}", "body": body})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    rest("POST", f"{url}/{b_id}/messages", token_of(carol), json={"client_id": "x", "body": "xin chào Binh"})

    app = make_app(live_server.url, profile="alice")
    view = open_synced_chat(qtbot, app, alice, b_id)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
    # online: message 5 is not cached, the server finds it; Carol's message to Binh is not Alice's
    hits, server = _search(qtbot, app, "xin chao hen")
    assert server and [h.message.id for h in hits] == [ids[5]] and hits[0].peer_id == b_id
    assert view.model.row_of(message_id=ids[5]) < 0  # not loaded yet
    app.open_message(b_id, ids[5])
    qtbot.waitUntil(lambda: view.model.row_of(message_id=ids[5]) >= 0, timeout=10000)
    qtbot.waitUntil(lambda: view.view.currentIndex().row() == view.model.row_of(message_id=ids[5]), timeout=5000)
    assert view.delegate.flash_id == ids[5]
    assert view.view.visualRect(view.view.currentIndex()).intersects(view.view.viewport().rect())
    assert view.model.has_newer  # newer pages come back as the person scrolls down

    # offline: only the cache, which has the recent messages
    live_server.stop()
    qtbot.waitUntil(lambda: not app.service.online, timeout=15000)
    hits, server = _search(qtbot, app, "MESSAGE NUMBER 149")
    assert not server and [h.message.id for h in hits] == [ids[149]]
    hits, server = _search(qtbot, app, "xin chao hen")
    assert not server and hits == []  # message 5 was never written to the cache


def test_fold_by_character_equals_fold_of_the_whole_text() -> None:
    """fold() caches each character's folding; NFD of a whole text only differs by the order of
    combining marks, which are all dropped."""
    import random
    import unicodedata

    def whole(text: str) -> str:
        d = unicodedata.normalize("NFD", text.translate(text_folding._LETTERS))
        return "".join(c for c in d if not unicodedata.combining(c)).casefold()

    rnd = random.Random(14)
    pool = [chr(c) for c in range(0x20, 0x3400)] + ["a\u0300", "e\u0323\u0302", "\U0001d400", "ǅ", "ﬁ", "İ"]
    for _ in range(2000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 16)))
        assert text_folding.fold(text) == whole(text) == server_folding.fold(text)


def test_a_cache_from_before_is_folded_on_its_first_search(tmp_path: Any) -> None:
    store = Store(tmp_path / "old.sqlite3")
    MessageCache(store, ME).put_messages([_msg(1, "Đang đi cà phê")])
    store.db.execute("UPDATE messages SET body_folded=NULL")  # as an older app version left it
    assert [h.message.id for h in search_cache(store, ME, "dang di ca phe")] == ["1"]
    assert store.db.execute("SELECT body_folded FROM messages").fetchone()[0] == "dang di ca phe"
    store.close()
