"""The colour emoji font shipped in ``resources/fonts``, registered once at start-up.

Without it emoji come from whatever the OS has: monochrome outlines on many Linux
desktops (DejaVu), a different artwork on each system. Qt 6.9+ keeps a list of
emoji families it tries first for emoji sequences
(:meth:`QFontDatabase.setApplicationEmojiFontFamilies`), so registering the font
there colours emoji in every widget and painted bubble without touching any
other font.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtGui import QFontDatabase

from desktop.ui.theme import resources_dir

log = logging.getLogger(__name__)

EMOJI_FILE = "NotoColorEmoji.ttf"
EMOJI_FAMILY = "Noto Color Emoji"

_registered: str | None = None
_lock = threading.Lock()


def emoji_font_path() -> Path:
    return resources_dir() / "fonts" / EMOJI_FILE


def register_emoji_font() -> str | None:
    """Load the bundled emoji font (once per process) and put it first for emoji; its family or None.

    Needs a QGuiApplication. Every QFontDatabase function is thread-safe, so the app calls this
    on a worker: reading and registering 11 MB takes about 40 ms. A missing or unreadable file
    is logged, not raised: the app still works with the system's emoji.
    """
    global _registered
    with _lock:
        if _registered is None:
            _registered = _register()
        return _registered or None


def _register() -> str:
    path = emoji_font_path()
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        log.warning("could not load the emoji font %s; emoji use the system's fonts", path)
        return ""  # tried: not again
    families = QFontDatabase.applicationFontFamilies(font_id)
    family = families[0] if families else EMOJI_FAMILY
    others = [f for f in QFontDatabase.applicationEmojiFontFamilies() if f != family]
    QFontDatabase.setApplicationEmojiFontFamilies([family, *others])
    return family
