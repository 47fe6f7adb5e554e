"""Messages per day as a small bar chart (the admin's Server status window)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from desktop.core.server_status import DayCount
from desktop.ui import theme


def fill(text: str, *args: object) -> str:
    """``tr`` text with ``%1``, ``%2``… replaced, in order."""
    for i, value in enumerate(args, 1):
        text = text.replace(f"%{i}", str(value))
    return text


class DayChart(QWidget):
    """Messages per day as bars, today on the right; its accessible description lists every day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[DayCount] = []
        self.setMinimumHeight(130)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader can reach the figures
        self.setAccessibleName(self.tr("Messages per day"))

    def set_days(self, days: list[DayCount]) -> None:
        self.days = days
        self.setAccessibleDescription("; ".join(f"{d.day}: {d.messages}" for d in days))
        self.setToolTip(fill(self.tr("%1 messages in the last %2 days"), sum(d.messages for d in days),
                              len(days)))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 140)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        if not self.days:
            return
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        label_h = fm.height() + 4
        top = fm.height() + 4
        area = QRectF(0, top, self.width(), self.height() - top - label_h)
        peak = max(d.messages for d in self.days) or 1
        slot = area.width() / len(self.days)
        bar_w = max(4.0, slot * 0.62)
        for i, d in enumerate(self.days):
            x = area.left() + i * slot + (slot - bar_w) / 2
            h = area.height() * d.messages / peak
            today = i == len(self.days) - 1
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(t.color("accent") if today else t.color("accentDisabled" if not t.dark else "accent"))
            if t.dark and not today:
                p.setOpacity(0.55)
            p.drawRoundedRect(QRectF(x, area.bottom() - max(h, 1.5), bar_w, max(h, 1.5)), 2, 2)
            p.setOpacity(1.0)
            p.setPen(t.color("muted"))
            day = d.day[-2:]
            p.drawText(QRectF(area.left() + i * slot, area.bottom() + 2, slot, label_h),
                       int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), day)
            if d.messages and (today or d.messages == peak):
                p.setPen(t.color("text"))
                p.drawText(QRectF(area.left() + i * slot - 10, area.bottom() - h - fm.height() - 2, slot + 20,
                                  fm.height()), int(Qt.AlignmentFlag.AlignHCenter), str(d.messages))
        p.setPen(t.color("border"))
        p.drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.bottom()))
        p.end()
