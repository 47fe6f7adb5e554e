"""One conversation: header, history list, composer. Used in its own window or in the main window."""
from __future__ import annotations

import time
from typing import Callable

import shiboken6

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import protocol
from desktop.core.models import Message, Presence
from desktop.qt.chat import ChatService
from desktop.qt.message_model import MessageListModel, MessageRole
from desktop.qt.settings import Settings
from desktop.ui import theme
from desktop.ui.composer import Composer
from desktop.ui.history_scroll import HistoryScroll
from desktop.ui.message_delegate import MessageDelegate
from desktop.ui.texts import explain
from desktop.ui.widgets import Avatar, last_seen
from desktop.ui.plain import plain

TYPING_RENEW_S = 3.0
TYPING_IDLE_MS = 5000


class ChatView(QWidget):
    """The conversation with one peer.

    Signals:
        titleChanged(str): the window title to use.
    """

    titleChanged = Signal(str)

    def __init__(self, service: ChatService, peer_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.peer_id = peer_id
        self._editing: Message | None = None
        self._typing_sent = 0.0

        peer = service.peer(peer_id)
        name = service.peer_name(peer_id) or "…"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        header = QFrame()
        header.setObjectName("chatHeader")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(14, 8, 14, 8)
        self.avatar = Avatar(38)
        self.avatar.set_person(name, peer_id, peer.online if peer else None)
        hl.addWidget(self.avatar)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = plain(QLabel(name))
        self.name_label.setObjectName("peerName")
        self.status_label = plain(QLabel())
        self.status_label.setObjectName("muted")
        self.status_label.setAccessibleName(self.tr("Presence"))
        names.addWidget(self.name_label)
        names.addWidget(self.status_label)
        hl.addLayout(names, 1)
        layout.addWidget(header)

        self.model: MessageListModel = service.open(peer_id, self._set_draft)
        self.view = QListView()
        self.view.setObjectName("history")
        self.view.setAccessibleName(self.tr("Messages"))
        self.view.setModel(self.model)
        self.delegate = MessageDelegate(service.me.id, self.view, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.verticalScrollBar().setSingleStep(24)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.view, 1)

        self.typing_label = plain(QLabel())
        self.typing_label.setObjectName("typing")
        self.typing_label.setContentsMargins(16, 2, 16, 2)
        self.typing_label.setAccessibleName(self.tr("Typing"))
        self.typing_label.hide()
        layout.addWidget(self.typing_label)

        bottom = QFrame()
        bottom.setObjectName("composer")
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(12, 8, 12, 10)
        self.edit_banner = QFrame()
        self.edit_banner.setObjectName("editBanner")
        eb = QHBoxLayout(self.edit_banner)
        eb.setContentsMargins(10, 4, 4, 4)
        self.edit_label = QLabel(self.tr("Editing message"))
        eb.addWidget(self.edit_label, 1)
        cancel = self.cancel_button = QToolButton()
        cancel.setAccessibleName(self.tr("Cancel editing"))
        cancel.setToolTip(self.tr("Cancel editing (Esc)"))
        cancel.clicked.connect(self._cancel_edit)
        eb.addWidget(cancel)
        self.edit_banner.hide()
        bl.addWidget(self.edit_banner)
        row = QHBoxLayout()
        self.composer_row = row  # extensions (the video attach button) add tools here
        self.composer = Composer()
        self.composer.setPlaceholderText(self.tr("Write a message…"))
        self.composer.setAccessibleName(self.tr("Message"))
        self.composer.setTabChangesFocus(True)
        self.composer.setFixedHeight(42)
        self.composer.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        row.addWidget(self.composer, 1)
        self.send_button = QToolButton()
        self.send_button.setIconSize(self.send_button.iconSize() * 1.2)
        self.send_button.setAccessibleName(self.tr("Send"))
        self.send_button.setToolTip(self.tr("Send (Enter)"))
        self.send_button.clicked.connect(self._submit)
        row.addWidget(self.send_button)
        bl.addLayout(row)
        layout.addWidget(bottom)

        self.composer.submitted.connect(self._submit)
        self.composer.cancelled.connect(self._cancel_edit)
        self.composer.textChanged.connect(self._text_changed)
        self._draft_timer = QTimer(self, singleShot=True, interval=400, timeout=self._save_draft)
        self._idle_timer = QTimer(self, singleShot=True, interval=TYPING_IDLE_MS, timeout=self._stop_typing)
        QShortcut(QKeySequence.StandardKey.Copy, self.view, activated=self._copy_selected)

        self.scroll = HistoryScroll(self.view, self.model, self)
        self.scroll.olderWanted.connect(lambda: service.load_older(peer_id))
        self.scroll.newerWanted.connect(lambda: service.load_newer(peer_id))
        self.scroll.atBottom.connect(self._maybe_read)
        self.model.rowsInserted.connect(self._rows_inserted)
        service.peerTyping.connect(self._peer_typing)
        service.presenceChanged.connect(self._presence)
        service.stateChanged.connect(self._connection_changed)
        service.conversations.dataChanged.connect(self._conversations_changed)
        service.conversations.rowsInserted.connect(self._conversations_changed)
        service.conversations.modelReset.connect(self._conversations_changed)
        self._refresh_header()
        self.setFocusProxy(self.composer)
        self.menu_extensions: list[Callable[[QMenu, Message], None]] = []  # more actions on a message
        for extend in getattr(service, "view_extensions", ()):  # e.g. video attach and bubbles (issue 6)
            extend(self)
        self.refresh_icons()

    def refresh_icons(self) -> None:
        self.cancel_button.setIcon(theme.icon("close"))
        self.send_button.setIcon(theme.icon("send", theme.current().accent))

    # header --------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Chat with %1 — Parley").replace("%1", self.service.peer_name(self.peer_id) or "…")

    def _refresh_header(self) -> None:
        peer = self.service.peer(self.peer_id)
        if peer is None:
            return
        self.name_label.setText(peer.display_name)
        # Offline, the last presence heard is stale: claim nothing about the other person.
        connected = bool(self.service.online)
        self.avatar.set_person(peer.display_name, peer.id, peer.online if connected else None)
        if not self.typing_label.isVisible():
            if not connected:
                self.status_label.setText(self.tr("waiting for the network…"))
            else:
                self.status_label.setText(self.tr("online") if peer.online else last_seen(peer.last_seen))
        self.titleChanged.emit(self.title())

    def _connection_changed(self, *_: object) -> None:
        if not self.service.online:
            self.typing_label.hide()  # nobody's typing reaches us now
        self._refresh_header()

    def _conversations_changed(self, *_: object) -> None:
        self._refresh_header()

    def _rows_inserted(self, *_: object) -> None:
        self._maybe_read()

    def _presence(self, presence: Presence) -> None:
        if presence.user_id == self.peer_id:
            self._refresh_header()

    def _peer_typing(self, peer_id: str, typing: bool) -> None:
        if peer_id != self.peer_id:
            return
        name = self.service.peer_name(peer_id)
        self.typing_label.setText(self.tr("%1 is typing…").replace("%1", name))
        self.typing_label.setVisible(typing)
        self.status_label.setText(self.tr("typing…") if typing else "")
        if not typing:
            self._refresh_header()

    # history scrolling (HistoryScroll) ---------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scroll.shown()

    def _maybe_read(self) -> None:
        if self.isVisible() and self.window().isActiveWindow() and self.scroll.stick:
            self.service.mark_read(self.peer_id)

    def window_activated(self) -> None:
        self._maybe_read()

    # composing ----------------------------------------------------------------------------------
    def _set_draft(self, text: str) -> None:
        if not shiboken6.isValid(self.composer):  # the window closed before the cache answered
            return
        if text and not self.composer.toPlainText():
            self.composer.blockSignals(True)
            self.composer.setPlainText(text)
            self.composer.blockSignals(False)
            self.composer.moveCursor(self.composer.textCursor().MoveOperation.End)
            self._fit_composer()

    def _text_changed(self) -> None:
        self._fit_composer()
        if self._editing is None:
            self._draft_timer.start()
        if self.composer.toPlainText().strip():
            now = time.monotonic()
            if now - self._typing_sent > TYPING_RENEW_S:
                self._typing_sent = now
                self.service.set_typing(self.peer_id, True)
            self._idle_timer.start()
        else:
            self._stop_typing()

    def _stop_typing(self) -> None:
        if self._typing_sent:
            self._typing_sent = 0.0
            self._idle_timer.stop()
            self.service.set_typing(self.peer_id, False)

    def _fit_composer(self) -> None:
        lines = max(1, int(self.composer.document().size().height()))
        fm = self.composer.fontMetrics()
        self.composer.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if lines > 6 else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.composer.setFixedHeight(min(6, lines) * fm.lineSpacing() + 22)

    def _save_draft(self) -> None:
        self.service.save_draft(self.peer_id, self.composer.toPlainText())

    def _submit(self) -> None:
        text = self.composer.toPlainText().strip()
        if not text:
            return
        if len(text) > protocol.MAX_BODY:
            QMessageBox.information(self, self.tr("Message too long"),
                                    self.tr("A message can have at most %1 characters.")
                                    .replace("%1", str(protocol.MAX_BODY)))
            return
        if self._editing is not None:
            target = self._editing
            self._cancel_edit()
            if target.id is not None and text != target.body:
                self.service.edit(target.id, text, self._action_failed)
            return
        self.composer.clear()
        self._draft_timer.stop()
        self.service.save_draft(self.peer_id, "")
        self._stop_typing()
        self.scroll.follow_bottom()
        self.service.send(self.peer_id, text)

    def _cancel_edit(self) -> None:
        if self._editing is None:
            return
        self._editing = None
        self.edit_banner.hide()
        self.composer.clear()
        self.service.load_draft(self.peer_id, self._set_draft)

    def _action_failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, self.tr("Parley"), explain(exc))

    # message actions ------------------------------------------------------------------------------
    def _context_menu(self, pos: object) -> None:
        index = self.view.indexAt(pos)  # type: ignore[arg-type]
        m: Message | None = index.data(MessageRole) if index.isValid() else None
        if m is None:
            return
        menu = QMenu(self)
        if not m.deleted:
            menu.addAction(self.tr("Copy text"), lambda: QGuiApplication.clipboard().setText(m.body))
        if m.sender_id == self.service.me.id and m.id is not None and not m.deleted:
            menu.addAction(theme.icon("edit"), self.tr("Edit"), lambda: self.start_edit(m))
            menu.addAction(self.tr("Delete"), lambda: self.confirm_delete(m))
        if m.error:
            menu.addAction(self.tr("Try again"), lambda: self.service.retry_failed(m.client_id))
        for add_actions in self.menu_extensions:
            add_actions(menu, m)
        menu.exec(self.view.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    def _copy_selected(self) -> None:
        m = self.view.currentIndex().data(MessageRole)
        if m is not None and not m.deleted:
            QGuiApplication.clipboard().setText(m.body)

    def start_edit(self, m: Message) -> None:
        self._editing = m
        self.edit_banner.show()
        self.composer.blockSignals(True)
        self.composer.setPlainText(m.body)
        self.composer.blockSignals(False)
        self.composer.moveCursor(self.composer.textCursor().MoveOperation.End)
        self.composer.setFocus()

    def confirm_delete(self, m: Message, ask: bool = True) -> None:
        if m.id is None:
            return
        if ask and QMessageBox.question(self, self.tr("Delete message"),
                                        self.tr("Delete this message for everyone?")) != \
                QMessageBox.StandardButton.Yes:
            return
        self.service.delete(m.id, self._action_failed)

    def closing(self) -> None:
        self._stop_typing()
        if self._editing is None:
            self._save_draft()
        self.scroll.detach()
        self.model.rowsInserted.disconnect(self._rows_inserted)
        self.service.close(self.peer_id)


class ChatWindow(QWidget):
    """A top-level window holding one :class:`ChatView`; remembers its size and place.

    Signals:
        closed(str): the peer id of the conversation whose window closed.
    """

    closed = Signal(str)

    def __init__(self, service: ChatService, peer_id: str, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("ChatWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings = settings
        self.peer_id = peer_id
        self.chat = ChatView(service, peer_id, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chat)
        self.chat.titleChanged.connect(self.setWindowTitle)
        self.setWindowTitle(self.chat.title())
        self.setWindowIcon(theme.icon("parley", "#2f6fed", 64))
        QShortcut(QKeySequence.StandardKey.Close, self, activated=self.close)  # every binding: Ctrl+W and Ctrl+F4
        geometry = settings.geometry(f"chat/{peer_id}")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(460, 640)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.chat.window_activated()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set_geometry(f"chat/{self.peer_id}", self.saveGeometry())
        self.chat.closing()
        self.closed.emit(self.peer_id)
        super().closeEvent(event)

