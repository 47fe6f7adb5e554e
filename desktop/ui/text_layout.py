"""Wrapped text for painted bubbles: at word boundaries, and inside a word only when it is too long.

``QPainter.drawText`` with ``Qt.TextWordWrap`` never breaks inside a word, so a long
link or a word with no spaces ran out of the bubble and was cut off. Measuring and
painting through the same :class:`QTextLayout` keeps the bubble's size and its text
in agreement.
"""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSizeF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTextCharFormat, QTextLayout, QTextLine, QTextOption

#: ``(start, end)`` character ranges of the text drawn as links (moments: desktop/ui/moment_links.py)
Links = Sequence[tuple[int, int]]


def normalised(text: str) -> str:
    """The text as laid out: ``\r\n`` as one line break (link ranges count in this text)."""
    return text.replace("\r\n", "\n")


def wrapped(text: str, font: QFont, width: float, links: Links = (), link_color: QColor | None = None
            ) -> QTextLayout:
    """``text`` laid out in lines at most ``width`` wide (newlines kept, tabs expanded); ``links``
    underlined, in ``link_color`` if given."""
    layout = QTextLayout(normalised(text).replace("\n", "\u2028"), font)
    if links:
        ranges = []
        for start, end in links:
            r = QTextLayout.FormatRange()
            r.start, r.length = start, end - start
            fmt = QTextCharFormat()
            fmt.setFontUnderline(True)
            if link_color is not None:
                fmt.setForeground(link_color)
            r.format = fmt
            ranges.append(r)
        layout.setFormats(ranges)
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


def draw_wrapped(painter: QPainter, text: str, font: QFont, left: float, top: float, width: float,
                 links: Links = (), link_color: QColor | None = None) -> None:
    """Paint ``text`` wrapped to ``width`` from (``left``, ``top``) in the painter's pen colour;
    ``links`` underlined in ``link_color``."""
    wrapped(text, font, width, links, link_color).draw(painter, QPointF(left, top))


def char_at(text: str, font: QFont, width: float, point: QPointF) -> int:
    """The index of the character under ``point`` (relative to the text's top left), -1 if none."""
    layout = wrapped(text, font, width)
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        if line.y() <= point.y() < line.y() + line.height():
            if not 0 <= point.x() <= line.naturalTextWidth():
                return -1
            pos = line.xToCursor(point.x(), QTextLine.CursorPosition.CursorBetweenCharacters)
            # xToCursor answers the nearest boundary: the character is the one the point is inside
            left = line.cursorToX(pos)[0]
            return pos - 1 if point.x() < left and pos > line.textStart() else pos
    return -1
