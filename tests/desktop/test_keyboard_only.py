"""Parley with the keyboard only (issue 14): sign in, Ctrl+K to a conversation, send, Ctrl+F search,
open a result, close the chat window. No mouse event is sent: every step is a key press on the widget
that has the focus, as a person who cannot use a mouse would do it."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.chat_window import ChatWindow
from desktop.ui.quick_switcher import QuickSwitcher
from desktop.ui.search_panel import SearchDialog
from desktop.ui.shortcuts_dialog import ShortcutsDialog
from tests.server.realtime_helpers import rest, token_of

M = Qt.KeyboardModifier


def focused() -> Any:
    w = QApplication.focusWidget()
    assert w is not None, "nothing has the keyboard focus"
    return w


def press(qtbot: Any, key: Qt.Key, mods: Qt.KeyboardModifier = M.NoModifier) -> None:
    qtbot.keyClick(focused(), key, mods)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def active_of(qtbot: Any, kind: type) -> Any:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeWindow(), kind), timeout=10000)
    return QApplication.activeWindow()


class MouseWatch(QObject):
    """Counts mouse button events anywhere in the app: the test must not need one."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                            QEvent.Type.MouseButtonDblClick):
            self.count += 1
        return False


def test_keyboard_only_session(qtbot: Any, qtlog: Any, make_app: Any, live_server: Any) -> None:
    mouse = MouseWatch()
    QApplication.instance().installEventFilter(mouse)
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    live_server.register_verified("Chi Le")
    b_id = binh["user"]["id"]
    r = rest("POST", f"{live_server.url}/api/conversations/{alice['user']['id']}/messages", token_of(binh),
             json={"client_id": "hello", "body": "Hẹn gặp ở quán cà phê nhé"})
    assert r.status_code == 201

    app = make_app(live_server.url, profile="alice")
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible(), timeout=10000)
    app.login_window.activateWindow()
    qtbot.waitUntil(lambda: app.login_window.email.edit.hasFocus(), timeout=5000)
    # sign in: the email field has the focus; Tab to the password; Enter signs in
    type_text(qtbot, alice["email"])
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is app.login_window.password.edit
    type_text(qtbot, alice["password"])
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=15000)
    qtbot.waitUntil(lambda: app.service.online and app.service.conversations.get(b_id) is not None,
                    timeout=15000)
    main = app.main_window
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=5000)
    if QApplication.focusWidget() is None:
        main.list.setFocus()  # the window's first focus, as the platform gives it

    # F1: the shortcuts dialog; Esc closes it
    press(qtbot, Qt.Key.Key_F1)
    shortcuts = active_of(qtbot, ShortcutsDialog)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shortcuts.isVisible(), timeout=5000)
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=5000)

    # Ctrl+K, a part of the name without its accents, Enter: the chat window opens with the focus in it
    press(qtbot, Qt.Key.Key_K, M.ControlModifier)
    switcher = active_of(qtbot, QuickSwitcher)
    type_text(qtbot, "binh")
    qtbot.waitUntil(lambda: switcher.model.rowCount() == 1, timeout=5000)
    press(qtbot, Qt.Key.Key_Return)
    window = active_of(qtbot, ChatWindow)
    assert window.peer_id == b_id
    chat = window.chat
    qtbot.waitUntil(lambda: chat.composer.hasFocus(), timeout=5000)

    # send: type, Enter
    type_text(qtbot, "See you at nine")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(m.body == "See you at nine" and m.id is not None for m in chat.model.messages()),
                    timeout=10000)
    # Up in the empty composer: edit it; Esc cancels the edit (and does not close the window)
    press(qtbot, Qt.Key.Key_Up)
    assert chat._editing is not None and chat.composer.toPlainText() == "See you at nine"
    press(qtbot, Qt.Key.Key_Escape)
    assert chat._editing is None and window.isVisible()

    # Ctrl+F: search this conversation; Down to the results, Enter opens the message
    press(qtbot, Qt.Key.Key_F, M.ControlModifier)
    dialog = active_of(qtbot, SearchDialog)
    type_text(qtbot, "ca phe")
    qtbot.waitUntil(lambda: dialog.results.model.rowCount() == 1, timeout=10000)
    found = dialog.results.model.hits()[0].message
    assert found.body.startswith("Hẹn gặp")
    press(qtbot, Qt.Key.Key_Down)
    assert focused() is dialog.results.list
    press(qtbot, Qt.Key.Key_Return)
    window = active_of(qtbot, ChatWindow)
    qtbot.waitUntil(lambda: chat.view.currentIndex().row() == chat.model.row_of(message_id=found.id), timeout=5000)
    assert chat.delegate.flash_id == found.id and chat.view.hasFocus()

    # Esc (no edit going on) closes the chat window
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: b_id not in app.chat_windows, timeout=5000)

    # Ctrl+W closes one too; Alt+Down opens the next conversation from the main window
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=5000)
    press(qtbot, Qt.Key.Key_Down, M.AltModifier)
    window = active_of(qtbot, ChatWindow)
    qtbot.waitUntil(lambda: window.chat.composer.hasFocus(), timeout=5000)
    press(qtbot, Qt.Key.Key_W, M.ControlModifier)
    qtbot.waitUntil(lambda: not app.chat_windows, timeout=5000)
    QApplication.instance().removeEventFilter(mouse)
    assert mouse.count == 0
    assert not [r for r in qtlog.records if "Ambiguous shortcut" in r.message]


def test_single_window_ctrl_f_searches_the_chat_pane(qtbot: Any, qtlog: Any, make_app: Any,
                                                     live_server: Any) -> None:
    """One window: Ctrl+F in the chat pane searches that conversation, elsewhere it focuses the search box."""
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    b_id = binh["user"]["id"]
    rest("POST", f"{live_server.url}/api/conversations/{alice['user']['id']}/messages", token_of(binh),
         json={"client_id": "c1", "body": "Xin chào"})
    app = make_app(live_server.url, profile="alice", start=False)
    app.settings.single_window = True
    app.start()
    from tests.desktop.conftest import sign_in, wait_online
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    qtbot.waitUntil(lambda: app.service.conversations.get(b_id) is not None, timeout=10000)
    main = app.main_window
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=5000)
    main.list.setFocus()
    press(qtbot, Qt.Key.Key_F, M.ControlModifier)
    assert main.search.hasFocus()
    main.list.setFocus()
    press(qtbot, Qt.Key.Key_Down, M.AltModifier)  # opens the first conversation in the pane
    qtbot.waitUntil(lambda: main.active_peer() == b_id, timeout=5000)
    qtbot.waitUntil(lambda: main._views[b_id].composer.hasFocus(), timeout=5000)
    press(qtbot, Qt.Key.Key_F, M.ControlModifier)
    dialog = active_of(qtbot, SearchDialog)
    assert dialog.results.peer_id == b_id
    dialog.close()
    assert not [r for r in qtlog.records if "Ambiguous shortcut" in r.message]
