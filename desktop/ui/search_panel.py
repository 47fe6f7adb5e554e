"""Message search in the windows: a results list (the main window's "Messages" section) and a dialog.

Ctrl+Shift+F opens :class:`SearchDialog` over all conversations; Ctrl+F in a chat
window opens it for that conversation. Activating a result (Enter, double click)
emits ``openMessage(peer_id, message_id)``.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.search import SearchHit
from desktop.core.text_folding import query_words
from desktop.qt.search import MessageSearch
from desktop.ui.plain import plain
from desktop.ui.search_results import HitRole, SearchResultDelegate, SearchResultsModel


class MessageResults(QWidget):
    """A "Messages" heading, the list of found messages and a line that says how the search went.

    Signals:
        openMessage(str, str): peer id and message id of the activated result.
    """

    openMessage = Signal(str, str)

    def __init__(self, search: MessageSearch, me: str, name_of: Callable[[str], str], peer_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = search
        self.peer_id = peer_id
        self._query_id = 0
        self._query = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.heading = plain(QLabel(self.tr("Messages")))
        self.heading.setObjectName("sectionHeading")
        layout.addWidget(self.heading)
        self.model = SearchResultsModel(me, name_of, self)
        self.list = QListView()
        self.list.setObjectName("messageResults")
        self.list.setAccessibleName(self.tr("Messages found"))
        self.list.setModel(self.model)
        self.list.setItemDelegate(SearchResultDelegate(self.list))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.activated.connect(self._activated)
        layout.addWidget(self.list, 1)
        self.status = plain(QLabel())
        self.status.setObjectName("muted")
        self.status.setContentsMargins(12, 2, 12, 6)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        search.results.connect(self._results)
        search.finished.connect(self._finished)

    def run(self, query: str) -> None:
        self._query = query.strip()
        if not query_words(self._query):
            self.clear()
            return
        self.status.setText(self.tr("Searching…"))
        self._query_id = self.search.search(self._query, self.peer_id)

    def clear(self) -> None:
        self._query_id = 0
        self.model.set_hits([], [])
        self.status.setText("")

    def _results(self, qid: int, hits: list[SearchHit]) -> None:
        if qid != self._query_id:
            return
        current = self.list.currentIndex().row()
        self.model.set_hits(hits, query_words(self._query))
        if current >= 0 and self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(min(current, self.model.rowCount() - 1)))

    def _finished(self, qid: int, how: str) -> None:
        if qid != self._query_id:
            return
        n = self.model.rowCount()
        if n == 0:
            text = self.tr("No messages found.")
        elif n == 1:
            text = self.tr("1 message found.")
        else:
            text = self.tr("%1 messages found.").replace("%1", str(n))
        if how == "offline":
            text += " " + self.tr("Offline: only the messages on this device were searched.")
        elif how == "rate_limited":
            text += " " + self.tr("Too many searches for the server just now: only the messages on this "
                                  "device were searched.")
        elif how != "server":
            text += " " + self.tr("The server could not search: only the messages on this device were searched.")
        self.status.setText(text)

    def _activated(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if isinstance(hit, SearchHit) and hit.message.id is not None:
            self.openMessage.emit(hit.peer_id, hit.message.id)


class _QueryEdit(QLineEdit):
    """The dialog's search field: Down moves to the results."""

    def __init__(self, results: QListView) -> None:
        super().__init__()
        self.results = results

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and self.results.model().rowCount():
            self.results.setFocus()
            if not self.results.currentIndex().isValid():
                self.results.setCurrentIndex(self.results.model().index(0, 0))
            return
        super().keyPressEvent(event)


class SearchDialog(QDialog):
    """"Search messages": a field and the results, over every conversation or one.

    Signals:
        openMessage(str, str): peer id and message id; the dialog closes after.
    """

    openMessage = Signal(str, str)

    def __init__(self, search: MessageSearch, me: str, name_of: Callable[[str], str], peer_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SearchDialog")
        if peer_id is None:
            self.setWindowTitle(self.tr("Search messages — Parley"))
        else:
            self.setWindowTitle(self.tr("Search in the chat with %1 — Parley").replace("%1", name_of(peer_id) or "…"))
        self.results = MessageResults(search, me, name_of, peer_id, self)
        self.results.heading.hide()
        self.field = _QueryEdit(self.results.list)
        self.field.setPlaceholderText(self.tr("Search messages") if peer_id is None else
                                      self.tr("Search this conversation"))
        self.field.setAccessibleName(self.tr("Search messages"))
        self.field.setClearButtonEnabled(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self, singleShot=True, interval=250, timeout=self._run)
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.field.returnPressed.connect(self._run)
        self.results.openMessage.connect(self._open)
        self.setTabOrder(self.field, self.results.list)
        self.field.setFocus()  # typing starts at once
        self.resize(520, 560)

    def _run(self) -> None:
        self._timer.stop()
        self.results.run(self.field.text())

    def _open(self, peer_id: str, message_id: str) -> None:
        self.openMessage.emit(peer_id, message_id)
        self.accept()
