"""HistoryScroll alone: a real list view over a model, no service and no server."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractItemView, QListView

from desktop.qt.message_model import MessageListModel
from desktop.ui.history_scroll import HistoryScroll
from desktop.ui.message_delegate import MessageDelegate
from tests.desktop.chat_stubs import ME, PEER, msg


def make_view(qtbot: Any, model: MessageListModel) -> tuple[QListView, HistoryScroll]:
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.setParent(view)  # freed with the view, on the GUI thread
    view.setItemDelegate(MessageDelegate(ME, view, view))
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setUniformItemSizes(False)
    view.resize(360, 300)
    scroll = HistoryScroll(view, model, view)
    view.show()
    qtbot.waitExposed(view)
    return view, scroll


def at_bottom(qtbot: Any, view: QListView) -> None:
    """Wait until the view shows its last row and the queued jumps to the bottom have run."""
    sb = view.verticalScrollBar()
    qtbot.waitUntil(lambda: sb.maximum() > 0 and sb.value() == sb.maximum(), timeout=5000)
    QCoreApplication.processEvents()  # the zero-delay to_bottom queued by the reset, if still pending


def test_a_reset_lands_at_the_bottom_and_says_so(qtbot: Any) -> None:
    model = MessageListModel(ME, PEER)
    view, scroll = make_view(qtbot, model)
    with qtbot.waitSignal(scroll.atBottom, timeout=5000):
        model.reset([msg(i) for i in range(1, 60)])
    at_bottom(qtbot, view)
    assert scroll.loaded and scroll.stick


def test_new_rows_are_followed_while_at_the_bottom(qtbot: Any) -> None:
    model = MessageListModel(ME, PEER)
    model.reset([msg(i) for i in range(1, 60)])
    view, scroll = make_view(qtbot, model)
    sb = view.verticalScrollBar()
    at_bottom(qtbot, view)
    before = sb.maximum()
    model.upsert(msg(60, body="a long new message " * 8))
    qtbot.waitUntil(lambda: sb.maximum() > before and sb.value() == sb.maximum(), timeout=5000)


def test_nearing_the_top_asks_for_older_and_the_read_message_stays_put(qtbot: Any) -> None:
    model = MessageListModel(ME, PEER)
    model.reset([msg(i) for i in range(100, 160)])
    view, scroll = make_view(qtbot, model)
    sb = view.verticalScrollBar()
    at_bottom(qtbot, view)

    def top_of(message_id: str) -> int:
        return view.visualRect(model.index(model.row_of(message_id=message_id))).top()

    with qtbot.waitSignal(scroll.olderWanted, timeout=5000):
        sb.setValue(0)  # reading the oldest loaded message: the next page goes above it
    assert not scroll.stick
    where = top_of("100")
    model.prepend([msg(i) for i in range(40, 100)])
    qtbot.waitUntil(lambda: sb.value() > 0 and top_of("100") == where, timeout=5000)  # it stayed in place
    assert sb.value() < sb.maximum()  # and the view did not jump to the bottom


def test_scrolling_back_down_a_trimmed_window_asks_for_newer(qtbot: Any) -> None:
    model = MessageListModel(ME, PEER)
    model.reset([msg(i) for i in range(1, 60)])
    view, scroll = make_view(qtbot, model)
    sb = view.verticalScrollBar()
    at_bottom(qtbot, view)
    model.has_newer = True
    sb.setValue(0)
    with qtbot.waitSignal(scroll.newerWanted, timeout=5000):
        sb.setValue(sb.maximum())
    assert not scroll.stick  # newer messages exist below: not the bottom yet


def test_a_short_first_page_asks_for_more_when_shown(qtbot: Any) -> None:
    model = MessageListModel(ME, PEER)
    model.reset([msg(1)])
    view, scroll = make_view(qtbot, model)
    with qtbot.waitSignal(scroll.olderWanted, timeout=5000):
        scroll.shown()
    scroll.detach()
    with qtbot.assertNotEmitted(scroll.atBottom, wait=50):
        model.reset([msg(2)])
