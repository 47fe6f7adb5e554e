"""Other people's text is shown as text, never as markup.

A ``QLabel`` (and a tooltip, and a message box) guesses whether its text is
rich text (``Qt::mightBeRichText``): a display name such as
``<img src=x><b>bold</b>`` would be rendered as HTML, fetch an image, or
spoof the interface. Every widget that shows a name, a file name or a message
therefore says ``PlainText`` explicitly, through these helpers.
"""
from __future__ import annotations

import html
import sys
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

L = TypeVar("L", bound=QLabel)


def plain(label: L) -> L:
    """The label shows its text literally, whatever it contains."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally (tooltips have no format setting: escape it
    inside an explicit rich-text paragraph)."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>" if text else ""


def notification_text(text: str, platform: str | None = None) -> str:
    """The body of a desktop notification. On Linux the notification server may interpret
    markup in the body (``body-markup``), so ``<``, ``>`` and ``&`` are escaped there."""
    if (platform or sys.platform).startswith("linux"):
        return html.escape(text, quote=False)
    return text
