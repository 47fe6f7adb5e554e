"""Where the history list is scrolled: at the bottom while the person follows, still while they read.

Rows come and go above the view (an older page is prepended, a trimmed page
leaves); without care the text under the person's eyes would jump. This object
remembers the message at the top of the view before such a change and puts it
back at the same height afterwards, or follows the bottom when the person was there.
It also says when the view nears either end so the next page can be loaded.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPoint, QTimer, Signal
from PySide6.QtWidgets import QListView

from desktop.qt.message_model import MessageListModel

LOAD_MARGIN_PX = 200  # load the next page when this close to an end
STICK_MARGIN_PX = 8  # this close to the bottom counts as "at the bottom"

Anchor = tuple[str | None, str, int]  # message id, client id, top of its row in the viewport


class HistoryScroll(QObject):
    """The scroll position of one history view over its model.

    Signals:
        olderWanted(): the view nears the top and older messages exist.
        newerWanted(): the view nears the bottom of a page that is not the newest.
        atBottom(): the person is at the newest message (things shown may count as read).
    """

    olderWanted = Signal()
    newerWanted = Signal()
    atBottom = Signal()

    def __init__(self, view: QListView, model: MessageListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.model = model
        self.stick = True  # follow the bottom
        self.loaded = False  # the first page is in the model
        self._anchor: Anchor | None = None
        self._before_load: Anchor | None = None
        sb = view.verticalScrollBar()
        sb.valueChanged.connect(self._scrolled)
        sb.rangeChanged.connect(self._range_changed)
        self._connections = ((model.rowsAboutToBeInserted, self._rows_coming),
                             (model.rowsAboutToBeRemoved, self._rows_coming),
                             (model.modelReset, self._reset_done))
        for signal, slot in self._connections:
            signal.connect(slot)
        if model.rowCount():
            self.loaded = True
            QTimer.singleShot(0, self, self.to_bottom)

    def detach(self) -> None:
        """Stop following the model (the view is closing; the model lives on)."""
        for signal, slot in self._connections:
            signal.disconnect(slot)

    def follow_bottom(self) -> None:
        """The person sent something: show the newest messages from now on."""
        self.stick = True

    def to_bottom(self) -> None:
        self.view.scrollToBottom()
        sb = self.view.verticalScrollBar()
        sb.setValue(sb.maximum())

    def shown(self) -> None:
        """The view became visible: if the first page does not fill it, ask for more."""
        if self.loaded and self.model.rowCount() and \
                self.view.verticalScrollBar().maximum() == 0 and self.model.has_more:
            self.olderWanted.emit()

    def _reset_done(self) -> None:
        self.loaded = True
        self.stick = True
        QTimer.singleShot(0, self, self.to_bottom)
        self.atBottom.emit()

    def _top_anchor(self) -> Anchor | None:
        """The message at the top of the view and its offset: what must not move."""
        index = self.view.indexAt(QPoint(8, 8))
        row = index.row() if index.isValid() else 0
        while row < self.model.rowCount():
            m = self.model.message_at(row)
            if m is not None:
                return (m.id, m.client_id, self.view.visualRect(self.model.index(row)).top())
            row += 1
        return None

    def _rows_coming(self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int) -> None:
        """Rows appear or go above the view: keep the message being read in place."""
        if first != 0 or self._anchor is not None or not self.model.rowCount() or self.stick:
            return
        self._anchor = self._before_load or self._top_anchor()
        self._before_load = None
        if self._anchor is not None:
            QTimer.singleShot(0, self, self._restore_anchor)  # the range may not change at all

    def _restore_anchor(self) -> None:
        if self._anchor is not None:
            self.view.doItemsLayout()  # the delayed layout, now (it may apply the anchor itself)
        if self._anchor is not None:
            self._range_changed(0, self.view.verticalScrollBar().maximum())

    def _range_changed(self, _min: int, maximum: int) -> None:
        """After a relayout: put the remembered message back where it was, or stay at the bottom."""
        sb = self.view.verticalScrollBar()
        if self._anchor is not None:
            message_id, client_id, top = self._anchor
            self._anchor = None
            row = self.model.row_of(message_id=message_id, client_id=client_id)
            if row >= 0:
                sb.setValue(sb.value() + self.view.visualRect(self.model.index(row)).top() - top)
        elif self.stick:
            sb.setValue(maximum)

    def _scrolled(self, value: int) -> None:
        sb = self.view.verticalScrollBar()
        self.stick = value >= sb.maximum() - STICK_MARGIN_PX and not self.model.has_newer
        if self.loaded and value <= LOAD_MARGIN_PX and self.model.has_more and sb.maximum() > 0 \
                and not self.model.loading_older:
            self._before_load = self._top_anchor()  # taken now, while the layout is settled
            self.olderWanted.emit()
        if self.loaded and value >= sb.maximum() - LOAD_MARGIN_PX and self.model.has_newer \
                and not self.model.loading_newer:
            self._before_load = self._top_anchor()
            self.newerWanted.emit()
        if self.stick:
            self.atBottom.emit()
