"""Paints a conversation row: avatar, name, time, preview, unread badge, presence."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.core.moments import plain_text
from desktop.core.models import Conversation, Message
from desktop.core.uploads import human_duration
from desktop.qt.conversation_model import ConversationRole
from desktop.ui import theme
from desktop.ui.widgets import last_seen, list_time, paint_avatar, tr

ROW_H = 68
TypingRole = Qt.ItemDataRole.UserRole + 3


class ConversationDelegate(QStyledItemDelegate):
    """Two-line rows in the style of desktop messengers."""

    def __init__(self, me: str, parent: object = None, connected: Callable[[], bool] | None = None) -> None:
        super().__init__(parent)
        self.me = me
        self.connected = connected or (lambda: True)  # offline, presence heard earlier is stale

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(280, ROW_H)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        conv: Conversation | None = index.data(ConversationRole)
        if conv is None:
            return
        t = theme.current()
        r = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(t.accent if selected else t.hover))
            painter.drawRoundedRect(r.adjusted(6, 2, -6, -2), 10, 10)
        text_color = QColor("#ffffff") if selected else QColor(t.text)
        muted = QColor("#e3ebff") if selected else QColor(t.muted)

        online = conv.peer.online and self.connected()
        paint_avatar(painter, QRect(r.left() + 14, r.top() + 12, 44, 44), conv.peer.display_name,
                     conv.peer.id, online)
        left = r.left() + 70
        right = r.right() - 16

        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1))

        # first line: name ... time (or last seen)
        when = list_time(conv.last_message.created_at) if conv.last_message else ""
        painter.setFont(small)
        fm_small = QFontMetrics(small)
        time_w = fm_small.horizontalAdvance(when)
        painter.setPen(muted)
        painter.drawText(QRect(right - time_w, r.top() + 14, time_w, 20),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        painter.setFont(bold)
        painter.setPen(text_color)
        fm_bold = QFontMetrics(bold)
        name_w = right - time_w - 8 - left
        name = fm_bold.elidedText(conv.peer.display_name, Qt.TextElideMode.ElideRight, name_w)
        painter.drawText(QRect(left, r.top() + 12, name_w, 22), Qt.AlignmentFlag.AlignVCenter, name)
        if not online:
            used = fm_bold.horizontalAdvance(name) + 8
            seen = last_seen(conv.peer.last_seen) if conv.peer.last_seen else ""
            if seen and used + 40 < name_w:
                painter.setFont(small)
                painter.setPen(muted)
                painter.drawText(QRect(left + used, r.top() + 14, name_w - used, 20), Qt.AlignmentFlag.AlignVCenter,
                                 fm_small.elidedText(seen, Qt.TextElideMode.ElideRight, name_w - used))

        # second line: preview ... unread badge
        badge_w = 0
        if conv.unread_count:
            label = str(conv.unread_count) if conv.unread_count < 1000 else "999+"
            painter.setFont(small)
            badge_w = max(22, fm_small.horizontalAdvance(label) + 12)
            badge = QRect(right - badge_w, r.top() + 38, badge_w, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#ffffff") if selected else QColor(t.accent))
            painter.drawRoundedRect(badge, 10, 10)
            painter.setPen(QColor(t.accent) if selected else QColor("#ffffff"))
            bf = QFont(small)
            bf.setBold(True)
            painter.setFont(bf)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        typing = bool(index.data(TypingRole))
        preview, color = self._preview(conv, typing)
        painter.setFont(base)
        painter.setPen(QColor("#ffffff") if selected and typing else (QColor(t.accent) if typing else muted))
        fm = QFontMetrics(base)
        width = right - left - (badge_w + 8 if badge_w else 0)
        painter.drawText(QRect(left, r.top() + 36, width, 22), Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(preview, Qt.TextElideMode.ElideRight, width))
        painter.restore()

    def _preview(self, conv: Conversation, typing: bool) -> tuple[str, str]:
        if typing:
            return tr("typing…"), "accent"
        m = conv.last_message
        if m is None:
            return (tr("online") if conv.peer.online and self.connected() else tr("No messages yet")), "muted"
        body = tr("Message deleted") if m.deleted else preview_text(m)
        if m.sender_id == self.me:
            prefix = tr("Sending: ") if m.id is None else tr("You: ")
            body = prefix + body
        return body, "muted"


def preview_text(m: Message) -> str:
    """One line for a message in the list: its text, or for a video "🎬 Video 0:12" and any caption."""
    text = " ".join(plain_text(m.body).split())  # a moment reads "▶ 0:45", as in the chat
    if m.media is None:
        return text
    label = "🎬 " + tr("Video")
    if m.media.duration:
        label += " " + human_duration(m.media.duration)
    return f"{label} · {text}" if text else label
