"""Paints message bubbles (time, edited mark, ticks), date separators and the unread line."""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.core.models import DeliveryState, Message
from desktop.core.moments import Span, plain_text
from desktop.qt.message_model import DATE, MESSAGE, UNREAD, DateRole, KindRole, MessageRole
from desktop.ui import theme
from desktop.ui.text_layout import char_at, draw_wrapped, normalised, wrapped_size
from desktop.ui.widgets import clock_time, day_label, tr

PAD_X, PAD_Y = 12, 7
SIDE = 14
GAP = 3
META_H = 16


class MessageDelegate(QStyledItemDelegate):
    """Bubble layout; sizes are cached per message and width."""

    def __init__(self, me: str, view: QWidget, parent: object = None) -> None:
        super().__init__(parent)
        self.me = me
        self.view = view
        self._sizes: dict[tuple[object, ...], QSize] = {}
        self.video: Any = None  # desktop.ui.video_bubble.VideoBubbles, set when video is available
        self.moments: Any = None  # desktop.ui.moment_links.MomentLinks: which times in a body are links
        self.flash_id: str | None = None  # a message just opened from search: outlined for a moment

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        base = QFont(option.font)
        meta = QFont(base)
        meta.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        return base, meta

    def _max_bubble(self) -> int:
        width = self.view.width() if self.view is not None else 600
        return max(160, int(width * 0.72))

    def _text(self, m: Message) -> str:
        """What the bubble shows: the body, with explicit moments shortened to "▶ 0:45"."""
        return tr("Message deleted") if m.deleted else plain_text(normalised(m.body))

    def links(self, m: Message) -> list[Span]:
        """The moment links of ``m``'s displayed text (only those that point at a video)."""
        if m.deleted or self.moments is None or ":" not in m.body:
            return []
        return self.moments.spans(m)

    def _meta(self, m: Message) -> str:
        parts = []
        if m.edited_at and not m.deleted:
            parts.append(tr("edited"))
        parts.append(clock_time(m.created_at))
        return "  ".join(parts)

    def _body_font(self, m: Message, base: QFont) -> QFont:
        if not m.deleted:
            return base
        italic = QFont(base)
        italic.setItalic(True)
        return italic

    def _layout(self, m: Message, option: QStyleOptionViewItem) -> tuple[QRect, QRect, int]:
        """(text rect size, meta size, bubble width) for a message."""
        base, meta = self._fonts(option)
        fmm = QFontMetrics(meta)
        max_text = self._max_bubble() - 2 * PAD_X
        text = wrapped_size(self._text(m), self._body_font(m, base), max_text)
        text_rect = QRect(0, 0, math.ceil(text.width()), math.ceil(text.height()))
        meta_w = fmm.horizontalAdvance(self._meta(m)) + (22 if m.sender_id == self.me else 0)
        bubble_w = max(text_rect.width(), meta_w) + 2 * PAD_X
        return text_rect, QRect(0, 0, meta_w, META_H), min(bubble_w, self._max_bubble())

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        kind = index.data(KindRole)
        width = self.view.width() if self.view is not None else 600
        if kind == DATE:
            return QSize(width, 40)
        if kind == UNREAD:
            return QSize(width, 34)
        m: Message | None = index.data(MessageRole)
        if m is None:
            return QSize(width, 0)
        if self.video is not None and self.video.handles(m):
            return self.video.size(m, option, width)
        key = (m.id or m.client_id, m.body, m.deleted, bool(m.edited_at), width)
        cached = self._sizes.get(key)
        if cached is None:
            text_rect, _, _ = self._layout(m, option)
            cached = QSize(width, text_rect.height() + META_H + 2 * PAD_Y + 2 * GAP)
            if len(self._sizes) > 50000:
                self._sizes.clear()
            self._sizes[key] = cached
        return cached

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        kind = index.data(KindRole)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if kind == DATE:
            self._paint_date(painter, option, index.data(DateRole))
        elif kind == UNREAD:
            self._paint_unread(painter, option)
        elif kind == MESSAGE:
            self._paint_message(painter, option, index.data(MessageRole))
        painter.restore()

    def _paint_date(self, painter: QPainter, option: QStyleOptionViewItem, day: object) -> None:
        t = theme.current()
        _, meta = self._fonts(option)
        meta.setBold(True)
        painter.setFont(meta)
        text = day_label(day) if day is not None else ""  # type: ignore[arg-type]
        w = QFontMetrics(meta).horizontalAdvance(text) + 24
        r = option.rect
        pill = QRect(r.center().x() - w // 2, r.top() + 9, w, 22)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(t.surface if not t.dark else t.hover))
        painter.drawRoundedRect(pill, 11, 11)
        painter.setPen(QColor(t.muted))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_unread(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        t = theme.current()
        r = option.rect
        _, meta = self._fonts(option)
        meta.setBold(True)
        painter.setFont(meta)
        text = tr("Unread messages")
        painter.fillRect(QRect(r.left(), r.top() + 5, r.width(), r.height() - 10),
                         QColor(t.noteBg))
        painter.setPen(QColor(t.accent))
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_message(self, painter: QPainter, option: QStyleOptionViewItem, m: Message | None) -> None:
        if m is None:
            return
        if self.video is not None and self.video.handles(m):
            ticks = self.video.paint(painter, option, m)  # where my message's ticks go, if anywhere
            if ticks is not None:
                t = theme.current()
                self._paint_state(painter, ticks, m.state(), QColor(t.ownMeta), QColor(t.readTick),
                                  QColor(t.danger))
            return
        t = theme.current()
        own = m.sender_id == self.me
        base, meta = self._fonts(option)
        text_rect, meta_rect, bubble_w = self._layout(m, option)
        r = option.rect
        h = r.height() - 2 * GAP
        x = r.right() - SIDE - bubble_w if own else r.left() + SIDE
        bubble = QRectF(x, r.top() + GAP, bubble_w, h)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        theme.paint_bubble(painter, bubble, own, selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus) and self.view.hasFocus()
        if focused or (m.id is not None and m.id == self.flash_id):
            theme.outline_bubble(painter, bubble)  # the keyboard focus, or the search result opened

        painter.setPen(QColor(t.ownText if own else t.peerText))
        links = [(s.start, s.end) for s in self.links(m)]
        draw_wrapped(painter, self._text(m), self._body_font(m, base), int(bubble.left()) + PAD_X,
                     int(bubble.top()) + PAD_Y, max(text_rect.width(), int(bubble.width()) - 2 * PAD_X),
                     links, QColor(t.ownText if own else t.accent))

        painter.setFont(meta)
        meta_color = QColor(t.ownMeta if own else t.peerMeta)
        painter.setPen(meta_color)
        tick_w = 22 if own else 0
        meta_box = QRect(int(bubble.right()) - PAD_X - meta_rect.width(), int(bubble.bottom()) - PAD_Y - META_H + 2,
                         meta_rect.width() - tick_w, META_H)
        painter.drawText(meta_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._meta(m))
        if own:
            self._paint_state(painter, QRectF(bubble.right() - PAD_X - 18, meta_box.top(), 18, META_H),
                              m.state(), meta_color, QColor(t.readTick), QColor(t.danger))

    def link_at(self, m: Message, option: QStyleOptionViewItem, pos: QPointF) -> Span | None:
        """The moment link under ``pos`` (view coordinates) of the text bubble painted in ``option.rect``."""
        spans = self.links(m)
        if not spans:
            return None
        base, _ = self._fonts(option)
        text_rect, _, bubble_w = self._layout(m, option)
        r = option.rect
        x = r.right() - SIDE - bubble_w if m.sender_id == self.me else r.left() + SIDE
        left, top = int(x) + PAD_X, int(r.top() + GAP) + PAD_Y
        width = max(text_rect.width(), int(bubble_w) - 2 * PAD_X)
        at = char_at(self._text(m), self._body_font(m, base), width, QPointF(pos.x() - left, pos.y() - top))
        return next((s for s in spans if s.start <= at < s.end), None)

    def _paint_state(self, painter: QPainter, box: QRectF, state: DeliveryState, color: QColor,
                     read: QColor, danger: QColor) -> None:
        cy = box.center().y()
        if state == DeliveryState.SENDING:  # a small clock
            painter.setPen(QPen(color, 1.3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            c = QPointF(box.left() + 9, cy)
            painter.drawEllipse(c, 5, 5)
            painter.drawLine(c, QPointF(c.x(), c.y() - 3))
            painter.drawLine(c, QPointF(c.x() + 2.5, c.y()))
            return
        if state == DeliveryState.FAILED:
            painter.setPen(QPen(danger, 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            c = QPointF(box.left() + 9, cy)
            painter.drawEllipse(c, 5.5, 5.5)
            painter.drawLine(QPointF(c.x(), c.y() - 3), QPointF(c.x(), c.y() + 0.5))
            painter.drawPoint(QPointF(c.x(), c.y() + 2.6))
            return
        pen = QPen(read if state == DeliveryState.READ else color, 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)

        def tick(dx: float) -> None:
            p = QPainterPath(QPointF(box.left() + dx, cy))
            p.lineTo(box.left() + dx + 3, cy + 3)
            p.lineTo(box.left() + dx + 9, cy - 4)
            painter.drawPath(p)

        if state == DeliveryState.SENT:
            tick(5)
        else:
            tick(2)
            tick(7)
