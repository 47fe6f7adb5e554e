"""Ctrl+K: type part of a name, Enter opens that conversation."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QDialog, QLineEdit, QListView, QVBoxLayout, QWidget

from desktop.core.models import Conversation
from desktop.core.text_folding import fold

PeerRole = Qt.ItemDataRole.UserRole + 50


class _Field(QLineEdit):
    """Up and Down move through the list while the typing stays here."""

    def __init__(self, results: QListView) -> None:
        super().__init__()
        self.results = results

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.results.model().rowCount():
            row = self.results.currentIndex().row() + (1 if event.key() == Qt.Key.Key_Down else -1)
            row = max(0, min(row, self.results.model().rowCount() - 1))
            self.results.setCurrentIndex(self.results.model().index(row, 0))
            return
        super().keyPressEvent(event)


class QuickSwitcher(QDialog):
    """A name field over the conversations, most recent first; accent-insensitive ("ngoc" finds "Ngọc").

    Signals:
        chosen(str): the peer id of the conversation to open.
    """

    chosen = Signal(str)

    def __init__(self, conversations: list[Conversation], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QuickSwitcher")
        self.setWindowTitle(self.tr("Go to a conversation — Parley"))
        self._all = conversations
        self.model = QStandardItemModel(self)
        self.list = QListView()
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSpacing(3)
        self.list.activated.connect(self._choose)
        self.field = _Field(self.list)
        self.field.setPlaceholderText(self.tr("Type a name"))
        self.field.setAccessibleName(self.tr("Conversation name"))
        self.field.textChanged.connect(self._filter)
        self.field.returnPressed.connect(lambda: self._choose(self.list.currentIndex()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.list, 1)
        self.setTabOrder(self.field, self.list)
        self._filter("")
        self.field.setFocus()
        self.resize(380, 420)

    def _filter(self, text: str) -> None:
        want = fold(text.strip())
        self.model.clear()
        for conv in self._all:
            name = conv.peer.display_name
            if want and want not in fold(name):
                continue
            item = QStandardItem(name)
            item.setData(conv.peer.id, PeerRole)
            item.setAccessibleText(name)
            self.model.appendRow(item)
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))

    def _choose(self, index: QModelIndex) -> None:
        peer_id = index.data(PeerRole) if index.isValid() else None
        if peer_id:
            self.chosen.emit(peer_id)
            self.accept()
