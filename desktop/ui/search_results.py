"""Search results: a list model of found messages and a delegate that highlights the matching words.

Each row shows the peer, the date and the message text with the matched words in
bold on the theme's highlight colour. Screen readers get "peer, date: text".
"""
from __future__ import annotations

import html
from typing import Any, Callable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.core.search import SearchHit
from desktop.core.text_folding import spans
from desktop.ui import theme
from desktop.ui.widgets import day_label, clock_time, tr

HitRole = Qt.ItemDataRole.UserRole + 40
SNIPPET_CHARS = 160  # text shown around the first match


def snippet(text: str, words: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A one-line excerpt of ``text`` around its first match, and the match spans within it."""
    flat = " ".join(text.split())
    found = spans(flat, words)
    start = 0
    if found and found[0][0] > SNIPPET_CHARS // 3:
        start = max(0, found[0][0] - SNIPPET_CHARS // 3)
        while start > 0 and not flat[start - 1].isspace() and found[0][0] - start < SNIPPET_CHARS // 2:
            start -= 1
    end = min(len(flat), start + SNIPPET_CHARS)
    prefix = "…" if start else ""
    suffix = "…" if end < len(flat) else ""
    shift = len(prefix) - start
    clipped = [(max(a, start) + shift, min(b, end) + shift) for a, b in found if b > start and a < end]
    return prefix + flat[start:end] + suffix, clipped


def highlighted_html(text: str, marks: list[tuple[int, int]], color: str | None) -> str:
    """``text`` as HTML with each span in bold on ``color`` (underlined instead when None: on a
    selected row, whose text is white on the selection colour)."""
    out, pos = [], 0
    style = f"background-color:{color}" if color else "text-decoration:underline"
    for a, b in marks:
        out.append(html.escape(text[pos:a]))
        out.append(f'<b style="{style}">{html.escape(text[a:b])}</b>')
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


def when(hit: SearchHit) -> str:
    local = hit.message.created_at.astimezone()
    return f"{day_label(local.date())} {clock_time(hit.message.created_at)}"


class SearchResultsModel(QAbstractListModel):
    """Found messages, newest first. ``name_of(peer_id)`` names the conversation of each."""

    def __init__(self, me: str, name_of: Callable[[str], str], parent: Any = None) -> None:
        super().__init__(parent)
        self.me = me
        self.name_of = name_of
        self.words: list[str] = []
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit], words: list[str]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.words = words
        self.endResetModel()

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def author(self, hit: SearchHit) -> str:
        return tr("You") if hit.message.sender_id == self.me else (self.name_of(hit.peer_id) or "…")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == HitRole:
            return hit
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.message.body
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            peer = self.name_of(hit.peer_id) or "…"
            return tr("%1 in the chat with %2, %3: %4").replace("%1", self.author(hit)).replace("%2", peer) \
                .replace("%3", when(hit)).replace("%4", hit.message.body)
        return None


class SearchResultDelegate(QStyledItemDelegate):
    """Two lines: the conversation and date, then the excerpt with the matches highlighted."""

    PAD = 8

    def _doc(self, index: QModelIndex | QPersistentModelIndex, width: int, option: QStyleOptionViewItem,
             selected: bool) -> QTextDocument:
        hit: SearchHit = index.data(HitRole)
        model = index.model()
        words = getattr(model, "words", [])
        t = theme.current()
        text, marks = snippet(hit.message.body, words)
        name = getattr(model, "name_of", lambda _p: "")(hit.peer_id) or "…"
        # the heading names the conversation; only my own messages need saying whose they are
        author = tr("You") if hit.message.sender_id == getattr(model, "me", None) else ""
        muted = option.palette.color(QPalette.ColorRole.HighlightedText).name() if selected else t.muted
        fg = option.palette.color(QPalette.ColorRole.HighlightedText).name() if selected else t.text
        mark = None if selected else t.noteBg
        head = (f'<span style="color:{fg}"><b>{html.escape(name)}</b></span>'
                f'<span style="color:{muted}">&nbsp;·&nbsp;{html.escape(when(hit))}</span>')
        who = f'<span style="color:{muted}">{html.escape(author)}: </span>' if author else ""
        body = f'<span style="color:{fg}">{highlighted_html(text, marks, mark)}</span>'
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(0)
        doc.setHtml(f"<div>{head}</div><div>{who}{body}</div>")
        doc.setTextWidth(max(50, width - 2 * self.PAD))
        return doc

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        doc = self._doc(index, option.rect.width() or 320, option, False)
        return QSize(int(doc.idealWidth()) + 2 * self.PAD, int(doc.size().height()) + 2 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        t = theme.current()
        r = option.rect
        if selected:
            painter.fillRect(r, option.palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(r, QColor(t.hover))
        if option.state & QStyle.StateFlag.State_HasFocus:  # the keyboard focus, visible in both themes
            painter.setPen(QColor(t.accent))
            painter.drawRect(r.adjusted(1, 1, -2, -2))
        doc = self._doc(index, r.width(), option, selected)
        painter.translate(r.left() + self.PAD, r.top() + self.PAD)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = QRect(0, 0, r.width(), r.height()).toRectF()
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
