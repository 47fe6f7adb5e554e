"""The app-wide keys and the menu entries of issue 14: new chat, quick switcher, next/previous
conversation, message search, Help → Keyboard shortcuts.

One ``QAction`` per key, added to the main window and to every chat window
(``actions``), so a key works in whichever Parley window has the focus and is
never bound twice (Qt drops both bindings of an ambiguous key).
"""
from __future__ import annotations

from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from desktop.ui.chat_window import ChatWindow
from desktop.ui.quick_switcher import QuickSwitcher
from desktop.ui.search_panel import SearchDialog
from desktop.ui.shortcuts_dialog import ShortcutsDialog


class Navigation(QObject):
    """Keys and menu entries over the main window; ``open_chat(peer_id)`` and
    ``open_message(peer_id, message_id)`` are the app's."""

    def __init__(self, window: Any, open_chat: Callable[[str], None],
                 open_message: Callable[[str, str], None]) -> None:
        super().__init__(window)
        self.window = window
        self.service = window.service
        self.open_chat = open_chat
        self.open_message = open_message
        self.dialog: QWidget | None = None  # the quick switcher or search dialog open now
        self.new_chat = self._action(self.tr("New chat"), "Ctrl+N", self.start_new_chat)
        self.switch = self._action(self.tr("Go to a conversation…"), "Ctrl+K", self.quick_switch)
        self.next = self._action(self.tr("Next conversation"), "Alt+Down", lambda: self.step(1))
        self.previous = self._action(self.tr("Previous conversation"), "Alt+Up", lambda: self.step(-1))
        self.search_all = self._action(self.tr("Search messages…"), "Ctrl+Shift+F", lambda: self.search(None))
        self.help = self._action(self.tr("Keyboard shortcuts"), QKeySequence.StandardKey.HelpContents,
                                 self.show_shortcuts)
        window.findInChat.connect(self.search)
        self.actions = [self.new_chat, self.switch, self.next, self.previous, self.search_all, self.help]
        menu: QMenu | None = window.menu_button.menu()
        if menu is not None:
            first = menu.actions()[0] if menu.actions() else None
            for a in (self.new_chat, self.switch, self.search_all):
                menu.insertAction(first, a)
            menu.insertSeparator(first)
            help_menu = QMenu(self.tr("Help"), menu)
            help_menu.addAction(self.help)
            menu.insertMenu(menu.actions()[-1], help_menu)  # above Quit

    def _action(self, text: str, keys: str | QKeySequence.StandardKey, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    # the commands ---------------------------------------------------------------------------------
    def start_new_chat(self) -> None:
        """A new chat starts by finding the person: the search box of the main window."""
        w = self.window
        w.showNormal()
        w.raise_()
        w.activateWindow()
        w.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        w.search.selectAll()

    def quick_switch(self) -> None:
        dialog = QuickSwitcher(self.service.conversations.conversations(), self._parent())
        dialog.chosen.connect(self.open_chat)
        self._show(dialog)

    def search(self, peer_id: str | None) -> None:
        s = self.service
        dialog = SearchDialog(s.search, s.me.id, s.peer_name, peer_id, self._parent())
        dialog.openMessage.connect(self.open_message)
        self._show(dialog)

    def show_shortcuts(self) -> None:
        self._show(ShortcutsDialog(self._parent()))

    def current_peer(self) -> str | None:
        """The conversation of the focused window: a chat window's, the main window's pane, or the list's."""
        active = QApplication.activeWindow()
        if isinstance(active, ChatWindow):
            return active.peer_id
        peer = self.window.active_peer()
        if peer is not None:
            return str(peer)
        index = self.window.list.currentIndex()
        conv = self.service.conversations.conversations()
        return conv[index.row()].peer.id if index.isValid() and index.row() < len(conv) else None

    def step(self, delta: int) -> None:
        """Alt+Down / Alt+Up: the next or previous conversation of the list (newest first)."""
        convs = self.service.conversations.conversations()
        if not convs:
            return
        current = self.current_peer()
        ids = [c.peer.id for c in convs]
        row = ids.index(current) + delta if current in ids else (0 if delta > 0 else len(ids) - 1)
        row = max(0, min(row, len(ids) - 1))
        self.window.list.setCurrentIndex(self.service.conversations.index(row))
        self.open_chat(ids[row])

    def _parent(self) -> QWidget:
        active = QApplication.activeWindow()
        return active if isinstance(active, ChatWindow) else self.window

    def _show(self, dialog: QWidget) -> None:
        """One of these dialogs at a time; each is deleted when it closes (no slot holds it: a lambda
        capturing a dialog, connected to its own signal, kept it alive until exit in issue 12)."""
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
