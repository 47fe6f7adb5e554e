"""A chat view's keys and screen-reader words, and opening it at a message (issue 14).

Installed on every :class:`~desktop.ui.chat_window.ChatView` through
``ChatService.view_extensions``:

* Up in an empty message field edits one's last message;
* Ctrl+Shift+A attaches a video (when video is available);
* in a chat window of its own: Ctrl+F searches this conversation, Esc cancels an edit or
  closes the window (Ctrl+W closes it too: ``QKeySequence.Close``);
* each message reads as "author, text, time" to a screen reader.

Each key is one ``QAction`` (never a second ``QShortcut`` on the same keys: Qt drops
both as ambiguous).
"""
from __future__ import annotations

from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QToolButton, QWidget

from desktop.core.moments import plain_text
from desktop.core.models import Message
from desktop.ui.widgets import clock_time, day_label, tr

FLASH_MS = 2000  # how long a message opened from search stays outlined


def _action(owner: QWidget, keys: QKeySequence | str, slot: Callable[[], None],
            context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QAction:
    action = QAction(owner)
    action.setShortcut(QKeySequence(keys))
    action.setShortcutContext(context)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def spoken(view: Any, m: Message) -> str:
    """What a screen reader says for a message: author, text, time."""
    author = tr("You") if m.sender_id == view.service.me.id else (view.service.peer_name(view.peer_id) or "…")
    if m.deleted:
        text = tr("Message deleted")
    elif m.media is not None and not m.body:
        text = tr("Video: %1").replace("%1", getattr(m.media, "filename", "") or "")
    else:
        text = plain_text(m.body)  # a moment is said as "▶ 0:45", as it is shown
    local = m.created_at.astimezone()
    return f"{author}: {text}. {day_label(local.date())} {clock_time(m.created_at)}"


class _EmptyUp(QObject):
    """Up in an empty message field: edit one's last message."""

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Up and not event.modifiers() \
                and not self.view.composer.toPlainText() and self.view._editing is None:
            return edit_last(self.view)
        return False


def edit_last(view: Any) -> bool:
    """Start editing the newest message of mine that can be edited; False if there is none."""
    for m in reversed(view.model.messages()):
        if m.sender_id == view.service.me.id and m.id is not None and not m.deleted and m.body:
            view.start_edit(m)
            return True
    return False


def reveal(view: Any, message_id: str) -> None:
    """Scroll the view to a message (loading the history around it), select it and outline it briefly."""
    def ready(found: bool) -> None:
        if found and shiboken6.isValid(view):
            QTimer.singleShot(0, view, lambda: _scroll_to(view, message_id))  # after the reset's own scroll

    view.service.show_message(view.peer_id, message_id, ready)


def _scroll_to(view: Any, message_id: str) -> None:
    row = view.model.row_of(message_id=message_id)
    if row < 0:
        return
    view.scroll.stick = False
    view.view.doItemsLayout()
    index = view.model.index(row)
    view.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
    view.view.setCurrentIndex(index)
    view.view.setFocus(Qt.FocusReason.OtherFocusReason)
    view.delegate.flash_id = message_id
    view.view.viewport().update()

    def unflash() -> None:
        if view.delegate.flash_id == message_id:
            view.delegate.flash_id = None
            view.view.viewport().update()

    QTimer.singleShot(FLASH_MS, view, unflash)


def extension(open_search: Callable[[str], None]) -> Callable[[Any], None]:
    """The ``view_extensions`` entry; ``open_search(peer_id)`` opens the search of one conversation."""
    def extend(view: Any) -> None:
        view.model.accessible_text = lambda m: spoken(view, m)
        view.composer.installEventFilter(_EmptyUp(view))
        view.composer.setToolTip(tr("Enter sends, Shift+Enter adds a line, Up edits your last message"))

        def attach() -> None:
            button = view.findChild(QToolButton, "attachButton")
            if button is not None and button.isEnabled():
                button.click()

        _action(view, "Ctrl+Shift+A", attach)
        # Tab goes top to bottom: the header's menu, the history, attach, the message field, Send
        # (by default it followed creation order, so the extensions' buttons came last)
        menu = getattr(getattr(view, "privacy_menu", None), "button", None)
        order = [w for w in (menu, view.view, view.findChild(QToolButton, "attachButton"), view.composer,
                             view.send_button) if w is not None]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        window = view.parent()
        if window is not None and window.objectName() == "ChatWindow":  # its own window, not the main one's pane
            _action(window, QKeySequence.StandardKey.Find, lambda: open_search(view.peer_id),
                    Qt.ShortcutContext.WindowShortcut)

            def escape() -> None:
                if view._editing is not None:
                    view._cancel_edit()
                else:
                    window.close()

            _action(window, "Esc", escape, Qt.ShortcutContext.WindowShortcut)

    return extend
