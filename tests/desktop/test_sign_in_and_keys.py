"""Sign-in wording and focus, the keyring note after a restart, and the main window's keys (issue 12)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.core.models import UserSummary
from desktop.ui.login_window import LoginWindow
from tests.desktop.conftest import sign_in, wait_online


def _login(qtbot: Any, email: str = "") -> LoginWindow:
    w = LoginWindow(session=None, server_url="http://127.0.0.1:1", email=email)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_new_person_is_welcomed_not_welcomed_back(qtbot: Any) -> None:
    new = _login(qtbot)
    assert "back" not in new.sign_in_page.subtitle.text()
    assert new.sign_in_page.subtitle.text().startswith("Welcome to Parley")
    assert new.focusWidget() is new.email.edit
    returning = _login(qtbot, "alice@example.org")
    assert returning.sign_in_page.subtitle.text() == "Welcome back to Parley."


def test_focus_goes_to_the_password_when_the_email_is_known(qtbot: Any) -> None:
    w = _login(qtbot, "alice@example.org")
    assert w.focusWidget() is w.password.edit
    w._show_forgot()
    w._show_sign_in()  # back from another page: still the password
    assert w.focusWidget() is w.password.edit
    w.email.edit.clear()
    w._show_sign_in()
    assert w.focusWidget() is w.email.edit


def test_after_a_restart_without_a_keyring_the_sign_in_window_says_why(qtbot: Any, make_app: Any, live_server: Any,
                                                                        broken_keyring: Any) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url, profile="nokeyring")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    app.shutdown()

    again = make_app(live_server.url, profile="nokeyring")
    qtbot.waitUntil(lambda: again.login_window is not None and again.login_window.isVisible(), timeout=10000)
    w = again.login_window
    note = w.sign_in_page.note
    qtbot.waitUntil(note.isVisible, timeout=5000)
    assert "keyring" in note.text() and "each time it starts" in note.text()
    assert w.email.text() == alice["email"]
    assert w.focusWidget() is w.password.edit
    assert "back" in w.sign_in_page.subtitle.text()  # this person has signed in here before


def test_ctrl_q_ctrl_comma_and_esc_in_the_main_window(qtbot: Any, qtlog: Any, make_app: Any,
                                                      live_server: Any) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url, profile="keys")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    main = app.main_window
    # the app would open a modal dialog and quit: here only the requests are checked
    main.settingsRequested.disconnect(app.edit_settings)
    main.quitRequested.disconnect(app.quit)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=5000)
    main.list.setFocus()

    with qtbot.waitSignal(main.settingsRequested, timeout=2000):
        qtbot.keyClick(main.list, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(main.quitRequested, timeout=2000):
        qtbot.keyClick(main.list, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not [r for r in qtlog.records if "Ambiguous shortcut" in r.message]
    assert main.settings_action.shortcut().toString() == "Ctrl+,"
    assert main.quit_action.shortcut().toString() == "Ctrl+Q"

    # from a chat window too
    peer = live_server.register_verified("Binh Tran")
    app.service.ensure_conversation(UserSummary(peer["user"]["id"], "Binh Tran"))
    app.open_chat(peer["user"]["id"])
    chat = app.chat_windows[peer["user"]["id"]]
    chat.activateWindow()
    qtbot.waitUntil(chat.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(main.quitRequested, timeout=2000):
        qtbot.keyClick(chat.chat.composer, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(main.settingsRequested, timeout=2000):
        qtbot.keyClick(chat.chat.composer, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert not [r for r in qtlog.records if "Ambiguous shortcut" in r.message]
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=5000)

    main.search.setFocus()
    qtbot.waitUntil(main.search.hasFocus, timeout=2000)
    qtbot.keyClicks(main.search, "nobody")
    assert main.search.text() == "nobody"
    qtbot.keyClick(main.search, Qt.Key.Key_Escape)
    assert main.search.text() == ""
    qtbot.waitUntil(lambda: main.lists.currentWidget() is not main.results_page, timeout=2000)
