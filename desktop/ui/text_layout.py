"""Wrapped text for painted bubbles: at word boundaries, and inside a word only when it is too long.

``QPainter.drawText`` with ``Qt.TextWordWrap`` never breaks inside a word, so a long
link or a word with no spaces ran out of the bubble and was cut off. Measuring and
painting through the same :class:`QTextLayout` keeps the bubble's size and its text
in agreement.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QSizeF
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QTextLayout, QTextOption


def wrapped(text: str, font: QFont, width: float) -> QTextLayout:
    """``text`` laid out in lines at most ``width`` wide (newlines kept, tabs expanded)."""
    layout = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    option.setTabStopDistance(8 * QFontMetricsF(font).horizontalAdvance(" "))
    layout.setTextOption(option)
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1.0, width))
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


def wrapped_size(text: str, font: QFont, width: float) -> QSizeF:
    """Width of the widest line and total height of ``text`` wrapped to ``width``."""
    layout = wrapped(text, font, width)
    widest = 0.0
    height = 0.0
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        widest = max(widest, line.naturalTextWidth())
        height = line.y() + line.height()
    return QSizeF(min(widest, width), height)


def draw_wrapped(painter: QPainter, text: str, font: QFont, left: float, top: float, width: float) -> None:
    """Paint ``text`` wrapped to ``width`` from (``left``, ``top``) in the painter's pen colour."""
    wrapped(text, font, width).draw(painter, QPointF(left, top))
