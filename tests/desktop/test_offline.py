"""Offline: messages written while the server is down wait in the outbox and arrive once, in order."""
from __future__ import annotations

import requests

from desktop.core.models import DeliveryState
from tests.desktop.conftest import open_synced_chat, sign_in, wait_online


def test_messages_written_offline_arrive_once_in_order(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    app = make_app(live_server.url, profile="alice")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    binh_id = binh["user"]["id"]
    app.main_window.search.setText("Binh")
    qtbot.waitUntil(lambda: app.main_window.results_model.rowCount() == 1 and
                    app.main_window.results_model.item(0).isEnabled(), timeout=10000)
    app.main_window.results.activated.emit(app.main_window.results_model.index(0, 0))
    chat = app.chat_windows[binh_id].chat

    live_server.stop()
    qtbot.waitUntil(lambda: app.service.state in ("offline", "connecting") and not app.service.online,
                    timeout=15000)
    qtbot.waitUntil(lambda: app.main_window.status_text().startswith("Offline"), timeout=15000)
    for text in ("one", "two", "three"):
        chat.composer.setPlainText(text)
        chat._submit()
    qtbot.waitUntil(lambda: len(chat.model.messages()) == 3, timeout=5000)
    assert [m.body for m in chat.model.messages()] == ["one", "two", "three"]
    assert all(m.state() == DeliveryState.SENDING for m in chat.model.messages())
    assert len(app.service.outbox) == 3

    live_server.start()
    wait_online(qtbot, app, timeout=20000)
    qtbot.waitUntil(lambda: all(m.id is not None for m in chat.model.messages()), timeout=15000)
    assert [m.body for m in chat.model.messages()] == ["one", "two", "three"]
    assert all(m.state() in (DeliveryState.SENT, DeliveryState.DELIVERED) for m in chat.model.messages())
    qtbot.waitUntil(lambda: len(app.service.outbox) == 0, timeout=5000)

    r = requests.get(f"{live_server.url}/api/conversations/{alice['user']['id']}/messages",
                     headers={"Authorization": f"Bearer {binh['tokens']['access_token']}"}, timeout=10)
    assert r.status_code == 200, r.text
    assert [m["body"] for m in r.json()["messages"]] == ["one", "two", "three"]


def test_history_is_read_from_the_cache_when_the_server_is_down(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    for i in range(3):
        r = requests.post(f"{live_server.url}/api/conversations/{alice['user']['id']}/messages",
                          json={"client_id": f"c{i}", "body": f"message {i}"},
                          headers={"Authorization": f"Bearer {binh['tokens']['access_token']}"}, timeout=10)
        assert r.status_code == 201, r.text
    app = make_app(live_server.url, profile="alice")
    binh_id = binh["user"]["id"]
    chat = open_synced_chat(qtbot, app, alice, binh_id)
    qtbot.waitUntil(lambda: len(chat.model.messages()) == 3, timeout=10000)
    app.shutdown()

    live_server.stop()
    again = make_app(live_server.url, profile="alice")  # silent sign-in, from the cache
    qtbot.waitUntil(lambda: again.main_window is not None and again.main_window.isVisible(), timeout=10000)
    assert again.login_window is None
    qtbot.waitUntil(lambda: again.service.conversations.get(binh_id) is not None, timeout=5000)
    again.open_chat(binh_id)
    view = again.chat_windows[binh_id].chat
    qtbot.waitUntil(lambda: [m.body for m in view.model.messages()] ==
                    ["message 0", "message 1", "message 2"], timeout=5000)
    assert not again.service.online


def test_messages_sent_while_the_app_was_closed_arrive_by_sync(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")

    def post(body: str, cid: str) -> None:
        r = requests.post(f"{live_server.url}/api/conversations/{alice['user']['id']}/messages",
                          json={"client_id": cid, "body": body},
                          headers={"Authorization": f"Bearer {binh['tokens']['access_token']}"}, timeout=10)
        assert r.status_code == 201, r.text

    post("before", "s0")
    app = make_app(live_server.url, profile="alice")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    qtbot.waitUntil(lambda: app.service.cache.last_id() is not None, timeout=10000)
    app.shutdown()
    for i in range(3):
        post(f"while closed {i}", f"s{i + 1}")

    again = make_app(live_server.url, profile="alice", start=False)
    notes: list[str] = []
    again.mainWindowShown.connect(lambda: again.tray.notified.connect(lambda peer, name, text: notes.append(text)))
    again.start()
    wait_online(qtbot, again)
    qtbot.waitUntil(lambda: len(notes) == 3, timeout=10000)  # delivered by `sync`, once each
    assert notes == ["while closed 0", "while closed 1", "while closed 2"]
    binh_id = binh["user"]["id"]
    qtbot.waitUntil(lambda: again.service.cache.get(again.service.cache.last_id()).body == "while closed 2",
                    timeout=5000)  # the cursor is written on the disk thread, after the notifications
    assert again.service.conversations.get(binh_id).last_message.body == "while closed 2"
