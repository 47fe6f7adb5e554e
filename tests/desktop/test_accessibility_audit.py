"""Every control a person can reach with Tab has a name a screen reader says, and a role (issue 14).

Walks the widget tree of every window of the app: sign-in, main window (with the search results
shown), a chat window, the settings, the message search, the quick switcher, the keyboard shortcuts.
The name is the one Qt's accessibility layer hands the screen reader (``QAccessibleInterface.text``),
which comes from ``accessibleName``, a button's text, or a label's buddy.
"""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

from desktop.ui.settings_dialog import SettingsDialog
from tests.desktop.conftest import open_synced_chat
from tests.server.realtime_helpers import rest, token_of


def unnamed_controls(window: QWidget) -> list[str]:
    """The focusable widgets of ``window`` without an accessible name or with no role."""
    bad = []
    for w in [window] + window.findChildren(QWidget):
        if not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or not w.isEnabled():
            continue
        if w.focusProxy() is not None:  # the focus goes to its proxy, which is checked itself
            continue
        if w.window() is not window:  # a combo box's popup list: not in the window's Tab chain
            continue
        if isinstance(w, type(window)) and w is window:
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        name = iface.text(QAccessible.Text.Name).strip() if iface is not None else ""
        role = iface.role() if iface is not None else QAccessible.Role.NoRole
        if not name or role in (QAccessible.Role.NoRole, QAccessible.Role.Client):
            bad.append(f"{type(w).__name__} objectName={w.objectName()!r} parent={type(w.parent()).__name__} "
                       f"name={name!r} role={role}")
    return bad


def test_every_focusable_control_has_a_name(qtbot: Any, make_app: Any, live_server: Any) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    b_id = binh["user"]["id"]
    rest("POST", f"{live_server.url}/api/conversations/{alice['user']['id']}/messages", token_of(binh),
         json={"client_id": "c1", "body": "Xin chào"})
    QAccessible.setActive(True)
    app = make_app(live_server.url, profile="alice")
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible(), timeout=10000)
    problems: dict[str, list[str]] = {"sign-in": unnamed_controls(app.login_window)}

    chat = open_synced_chat(qtbot, app, alice, b_id)
    main = app.main_window
    main.search.setText("xin")
    qtbot.waitUntil(lambda: main.message_results.model.rowCount() > 0, timeout=10000)
    problems["main"] = unnamed_controls(main)
    problems["chat"] = unnamed_controls(chat.window())
    # a message reads as author, text and time
    row = next(i for i in range(chat.model.rowCount()) if chat.model.message_at(i) is not None)
    spoken = chat.model.index(row).data(Qt.ItemDataRole.AccessibleTextRole)
    assert re.fullmatch(r"Binh Tran: Xin chào\. \S+ \d\d:\d\d", spoken), spoken
    # Tab goes top to bottom: header menu, history, attach, message field, Send
    w, seen = chat.view, []
    for _ in range(6):
        seen.append(w)
        w = w.nextInFocusChain()
        while not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or not w.isVisible():
            w = w.nextInFocusChain()
    assert seen.index(chat.composer) < seen.index(chat.send_button)
    assert seen[:1] == [chat.view] and chat.composer in seen[1:3]
    nav = app.navigation
    for name, show in (("search", lambda: nav.search(None)), ("search one", lambda: nav.search(b_id)),
                       ("switcher", nav.quick_switch), ("shortcuts", nav.show_shortcuts)):
        show()
        qtbot.waitUntil(lambda: nav.dialog is not None and nav.dialog.isVisible(), timeout=5000)
        problems[name] = unnamed_controls(nav.dialog)
        nav.dialog.close()
    settings = SettingsDialog(app.settings, main, privacy=getattr(app, "privacy", None))
    problems["settings"] = unnamed_controls(settings)
    settings.deleteLater()
    assert {k: v for k, v in problems.items() if v} == {}
    assert QApplication.instance() is not None


def test_the_audit_finds_an_unnamed_control(qtbot: Any) -> None:
    from PySide6.QtWidgets import QToolButton, QVBoxLayout

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    named, unnamed = QToolButton(), QToolButton()
    named.setAccessibleName("Send")
    unnamed.setObjectName("mystery")
    for b in (named, unnamed):
        b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout.addWidget(b)
    found = unnamed_controls(window)
    assert len(found) == 1 and "mystery" in found[0]
