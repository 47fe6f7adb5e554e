"""Two app instances (two profiles) chatting through one live server."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.core.models import DeliveryState
from desktop.ui.main_window import UserRole
from tests.desktop.conftest import two_people


def _open_with_search(qtbot: Any, app: Any, name: str) -> Any:
    """Find a person with the search box and open the chat from the result."""
    main = app.main_window
    main.search.setText(name)
    qtbot.waitUntil(lambda: main.results_model.rowCount() > 0 and
                    main.results_model.item(0).data(UserRole) is not None, timeout=10000)
    main.results.activated.emit(main.results_model.index(0, 0))
    qtbot.waitUntil(lambda: len(app.chat_windows) == 1, timeout=5000)
    return next(iter(app.chat_windows.values()))


def test_two_profiles_exchange_messages_receipts_typing_presence(qtbot, make_app, live_server):
    a, b, alice, binh = two_people(qtbot, make_app, live_server)
    assert a.main_window.windowTitle() == "Parley"

    # Alice finds Binh and writes; Enter sends.
    win_a = _open_with_search(qtbot, a, "Binh")
    assert win_a.windowTitle() == "Chat with Binh Tran — Parley"
    chat_a = win_a.chat
    chat_a.composer.insertPlainText("Xin chào Binh")  # QTest.keyClicks is ASCII only
    qtbot.keyClick(chat_a.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [m.body for m in chat_a.model.messages()] == ["Xin chào Binh"], timeout=5000)
    assert chat_a.composer.toPlainText() == ""

    # Binh's list shows it live with an unread badge; Alice sees "delivered".
    binh_id, alice_id = binh["user"]["id"], alice["user"]["id"]
    qtbot.waitUntil(lambda: (c := b.service.conversations.get(alice_id)) is not None and c.unread_count == 1
                    and c.last_message.body == "Xin chào Binh", timeout=10000)
    qtbot.waitUntil(lambda: chat_a.model.messages()[0].state() == DeliveryState.DELIVERED, timeout=10000)

    # Binh opens the chat: the message is read, Alice sees "read".
    b.open_chat(alice_id)
    chat_b = b.chat_windows[alice_id].chat
    qtbot.waitUntil(lambda: [m.body for m in chat_b.model.messages()] == ["Xin chào Binh"], timeout=10000)
    qtbot.waitUntil(lambda: chat_a.model.messages()[0].state() == DeliveryState.READ, timeout=10000)
    qtbot.waitUntil(lambda: b.service.conversations.get(alice_id).unread_count == 0, timeout=5000)

    # Typing both ways.
    qtbot.keyClicks(chat_b.composer, "Ch")
    qtbot.waitUntil(lambda: chat_a.typing_label.isVisible(), timeout=10000)
    assert "Binh Tran is typing" in chat_a.typing_label.text()
    qtbot.keyClick(chat_b.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    chat_b.composer.insertPlainText("ào Alice")
    assert chat_b.composer.toPlainText() == "Ch\nào Alice"  # Shift+Enter adds a line
    qtbot.keyClick(chat_b.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [m.body for m in chat_a.model.messages()] == ["Xin chào Binh", "Ch\nào Alice"],
                    timeout=10000)
    qtbot.waitUntil(lambda: not chat_a.typing_label.isVisible(), timeout=10000)
    qtbot.keyClicks(chat_a.composer, "ok")
    qtbot.waitUntil(lambda: chat_b.typing_label.isVisible(), timeout=10000)

    # Edit and delete one's own message reach the peer.
    first = chat_a.model.messages()[0]
    chat_a.composer.clear()
    chat_a.start_edit(first)
    chat_a.composer.setPlainText("Xin chào Binh!")
    qtbot.keyClick(chat_a.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat_b.model.messages()[0].body == "Xin chào Binh!" and
                    chat_b.model.messages()[0].edited_at is not None, timeout=10000)
    chat_a.confirm_delete(chat_a.model.messages()[0], ask=False)
    qtbot.waitUntil(lambda: chat_b.model.messages()[0].deleted, timeout=10000)

    # Presence: Binh is online for Alice, then offline once Binh quits.
    qtbot.waitUntil(lambda: a.service.conversations.get(binh_id).peer.online, timeout=10000)
    b.shutdown()
    qtbot.waitUntil(lambda: not a.service.conversations.get(binh_id).peer.online, timeout=15000)
    assert chat_a.status_label.text().startswith("last seen")

