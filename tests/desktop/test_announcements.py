"""Screen readers are told, politely, of a new message, and of the connection lost and back (issue 14).

The app sends ``QAccessibleAnnouncementEvent`` (Qt 6.8+) through ``QAccessible.updateAccessibility``.
The test wraps that entry point (and still calls Qt's own) to catch each event the app sends, with its
type, text, politeness and window.
"""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QApplication

from desktop.ui import announce
from tests.desktop.conftest import open_synced_chat
from tests.server.realtime_helpers import rest, token_of


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, Any]]:
    caught: list[tuple[str, Any, Any]] = []
    original = QAccessible.updateAccessibility

    def hook(event: Any) -> None:
        if event.type() == QAccessible.Event.Announcement and isinstance(event, QAccessibleAnnouncementEvent):
            caught.append((event.message(), event.politeness(), event.object()))
        original(event)

    monkeypatch.setattr(announce.QAccessible, "updateAccessibility", staticmethod(hook))
    return caught


def test_incoming_message_and_connection_are_announced(qtbot: Any, make_app: Any, live_server: Any,
                                                       announced: list) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    a_id, b_id = alice["user"]["id"], binh["user"]["id"]
    send = lambda body, cid: rest("POST", f"{live_server.url}/api/conversations/{a_id}/messages",  # noqa: E731
                                  token_of(binh), json={"client_id": cid, "body": body})
    assert send("first", "c1").status_code == 201
    app = make_app(live_server.url, profile="alice")
    chat = open_synced_chat(qtbot, app, alice, b_id)
    chat.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is chat.window(), timeout=5000)
    announced.clear()

    assert send("Are you coming tonight?", "c2").status_code == 201
    qtbot.waitUntil(lambda: any("Are you coming tonight?" in text for text, _, _ in announced), timeout=10000)
    text, politeness, target = next(a for a in announced if "Are you coming" in a[0])
    assert text == "New message from Binh Tran: Are you coming tonight?"
    assert politeness == QAccessible.AnnouncementPoliteness.Polite
    assert target is chat.window()  # the focused Parley window

    # several at once (a burst, as after a reconnect): every one is counted, none twice
    announced.clear()
    for i in range(3):
        assert send(f"burst {i}", f"b{i}").status_code == 201

    def counted() -> int:
        total = 0
        for text, _, _ in announced:
            if text.startswith("New message from"):
                total += 1
            elif text.endswith(" new messages"):
                total += int(text.split()[0])
        return total

    qtbot.waitUntil(lambda: counted() == 3, timeout=10000)
    qtbot.wait(500)
    assert counted() == 3

    live_server.stop()
    qtbot.waitUntil(lambda: any(t.startswith("Connection lost") for t, _, _ in announced), timeout=15000)
    live_server.start()
    qtbot.waitUntil(lambda: any(t == "Connected again." for t, _, _ in announced), timeout=20000)


def test_nothing_is_announced_without_a_focused_parley_window(qtbot: Any, announced: list) -> None:
    for w in QApplication.topLevelWidgets():
        if w.isActiveWindow():
            w.hide()
    if QApplication.activeWindow() is None:
        assert announce.announce("hello") is False
        assert announced == []


def test_upload_finished_is_announced_on_the_focused_window(qtbot: Any, announced: list) -> None:
    from PySide6.QtWidgets import QLineEdit

    from desktop.ui.announce import Announcer

    window = QLineEdit()
    window.setAccessibleName("Message")
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    announcer = Announcer()
    with qtbot.waitSignal(announcer.announced, timeout=2000):
        announcer.upload_done("holiday.mp4")
    assert announced == [("Upload finished: holiday.mp4", QAccessible.AnnouncementPoliteness.Polite, window)]
