"""Long histories load page by page on scroll; drafts survive a restart."""
from __future__ import annotations

import pytest
import requests

from tests.desktop.conftest import open_synced_chat, sign_in, wait_online

COUNT = 260


@pytest.fixture
def server_env() -> dict[str, str]:
    """The seeding sends 260 messages at once by REST, which counts against the person's send budget."""
    return {"PARLEY_MESSAGE_RATE": "10000", "PARLEY_MESSAGE_BURST": "10000"}


def _seed(live_server, alice: dict, binh: dict) -> None:
    http = requests.Session()
    for i in range(COUNT):
        sender, to = (binh, alice) if i % 3 else (alice, binh)
        r = http.post(f"{live_server.url}/api/conversations/{to['user']['id']}/messages",
                      json={"client_id": f"h{i}", "body": f"line {i}"},
                      headers={"Authorization": f"Bearer {sender['tokens']['access_token']}"}, timeout=10)
        assert r.status_code == 201, r.text


def _open(qtbot, make_app, live_server, alice: dict, binh: dict):  # noqa: ANN202
    app = make_app(live_server.url, profile="alice")
    binh_id = binh["user"]["id"]
    chat = open_synced_chat(qtbot, app, alice, binh_id)
    qtbot.waitUntil(lambda: len(chat.model.messages()) >= 50, timeout=10000)
    assert chat.model.messages()[-1].body == f"line {COUNT - 1}"
    sb = chat.view.verticalScrollBar()
    qtbot.waitUntil(lambda: sb.value() == sb.maximum() and sb.maximum() > 0, timeout=5000)
    return app, chat


def test_scrolling_up_loads_every_older_page_once(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    _seed(live_server, alice, binh)
    app, chat = _open(qtbot, make_app, live_server, alice, binh)
    sb = chat.view.verticalScrollBar()

    def top_of(message_id: str) -> int:
        return chat.view.visualRect(chat.model.index(chat.model.row_of(message_id=message_id))).top()

    oldest = chat.model.oldest_id()
    sb.setValue(0)  # reading the oldest loaded message: the next page goes above it
    where = top_of(oldest)
    qtbot.waitUntil(lambda: chat.model.oldest_id() != oldest, timeout=10000)
    qtbot.waitUntil(lambda: sb.value() > 0 and top_of(oldest) == where, timeout=5000)  # it stayed in place

    def scrolled_to_top() -> bool:
        sb.setValue(0)
        return not chat.model.has_more and len(chat.model.messages()) == COUNT

    qtbot.waitUntil(scrolled_to_top, timeout=20000)
    bodies = [m.body for m in chat.model.messages()]
    assert bodies == [f"line {i}" for i in range(COUNT)]  # in order, none twice


def test_a_long_history_keeps_a_bounded_window(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    _seed(live_server, alice, binh)
    app, chat = _open(qtbot, make_app, live_server, alice, binh)
    chat.model.window = 120  # 260 messages: the window has to slide both ways
    sb = chat.view.verticalScrollBar()

    def at_top() -> bool:
        sb.setValue(0)
        return not chat.model.has_more
    qtbot.waitUntil(at_top, timeout=20000)
    bodies = [m.body for m in chat.model.messages()]
    assert bodies == [f"line {i}" for i in range(120)] and chat.model.has_newer

    def at_bottom() -> bool:
        sb.setValue(sb.maximum())
        return not chat.model.has_newer
    qtbot.waitUntil(at_bottom, timeout=20000)
    bodies = [m.body for m in chat.model.messages()]
    assert bodies == [f"line {i}" for i in range(COUNT - 120, COUNT)]

    qtbot.waitUntil(at_top, timeout=20000)
    chat.composer.setPlainText("back to now")  # sending from far back shows the newest messages
    chat._submit()
    qtbot.waitUntil(lambda: [m.body for m in chat.model.messages()][-2:] == [f"line {COUNT - 1}", "back to now"],
                    timeout=10000)
    assert not chat.model.has_newer


def test_draft_is_kept_across_restarts(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    app = make_app(live_server.url, profile="alice")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    app.main_window.search.setText("Binh")
    qtbot.waitUntil(lambda: app.main_window.results_model.rowCount() == 1 and
                    app.main_window.results_model.item(0).isEnabled(), timeout=10000)
    app.main_window.results.activated.emit(app.main_window.results_model.index(0, 0))
    chat = app.chat_windows[binh["user"]["id"]].chat
    chat.composer.setPlainText("Half-written thought about Tết")
    app.chat_windows[binh["user"]["id"]].close()
    app.shutdown()

    again = make_app(live_server.url, profile="alice")
    qtbot.waitUntil(lambda: again.main_window is not None, timeout=10000)
    again.open_chat(binh["user"]["id"])
    view = again.chat_windows[binh["user"]["id"]].chat
    qtbot.waitUntil(lambda: view.composer.toPlainText() == "Half-written thought about Tết", timeout=5000)
