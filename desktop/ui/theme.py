"""Light and dark colours, the stylesheet, SVG icons tinted to the theme."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication


def resources_dir() -> Path:
    """``resources/`` of a source checkout, or the copy shipped inside the package."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "resources", here / "resources"):
        if (candidate / "styles").is_dir():
            return candidate
    return here.parent / "resources"


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    surface: str
    sidebar: str
    chatBg: str  # noqa: N815 - names match the qss placeholders
    input: str
    text: str
    muted: str
    border: str
    hover: str
    scroll: str
    accent: str
    accentHover: str  # noqa: N815
    accentDisabled: str  # noqa: N815
    danger: str
    dangerBg: str  # noqa: N815
    noteBg: str  # noqa: N815
    success: str
    online: str
    ownBubble: str  # noqa: N815
    ownText: str  # noqa: N815
    ownMeta: str  # noqa: N815
    peerBubble: str  # noqa: N815
    peerText: str  # noqa: N815
    peerMeta: str  # noqa: N815
    readTick: str  # noqa: N815
    ownButton: str  # noqa: N815 - Pause / Cancel inside my bubble: fill ...
    ownButtonText: str  # noqa: N815 - ... and label (WCAG AA on the fill, see tests)
    ownCancelText: str  # noqa: N815

    @property
    def dark(self) -> bool:
        return self.name == "dark"

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))


LIGHT = Theme("light", window="#ffffff", surface="#ffffff", sidebar="#f6f7f9", chatBg="#eef1f5",
              input="#ffffff", text="#1b1f24", muted="#6b7280", border="#dfe3e8", hover="#eceff3",
              scroll="#c5cbd3", accent="#2f6fed", accentHover="#2459c9", accentDisabled="#9db8f4",
              danger="#c62828", dangerBg="#fdecea", noteBg="#e8f0fe", success="#2e7d32",
              online="#22a55b", ownBubble="#d7e6ff", ownText="#0f1b33", ownMeta="#4b628f",
              peerBubble="#ffffff", peerText="#1b1f24", peerMeta="#7b8390", readTick="#0057ff",
              ownButton="#ffffff", ownButtonText="#1d4ed8", ownCancelText="#c62828")
DARK = Theme("dark", window="#17191c", surface="#202327", sidebar="#1c1f23", chatBg="#121417",
             input="#25292e", text="#e7e9ec", muted="#9aa3ad", border="#30353b", hover="#2b3036",
             scroll="#3b4149", accent="#5b8def", accentHover="#7aa3f2", accentDisabled="#34507f",
             danger="#ff6b6b", dangerBg="#3a2022", noteBg="#1f2b40", success="#5ccf7f",
             online="#3ccf7a", ownBubble="#2b5cc7", ownText="#ffffff", ownMeta="#c8d6f5",
             peerBubble="#24282d", peerText="#e7e9ec", peerMeta="#9aa3ad", readTick="#6ff3b0",
             ownButton="#173a85", ownButtonText="#ffffff", ownCancelText="#ffc2c2")

_current: Theme = LIGHT


def current() -> Theme:
    return _current


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def system_wants_high_contrast() -> bool:
    """The system's high-contrast setting (``QStyleHints.accessibility()``, Qt 6.10+)."""
    hints = QGuiApplication.styleHints()
    access = getattr(hints, "accessibility", None)
    if access is None:
        return False
    return bool(access().contrastPreference() == Qt.ContrastPreference.HighContrast)


def high_contrast(base: Theme) -> Theme:
    """``base`` with text-coloured borders and secondary text as strong as the main text."""
    return dataclasses.replace(base, muted=base.text, border=base.text, peerMeta=base.peerText,
                               ownMeta=base.ownText, scroll=base.text,
                               peerBubble=base.window, chatBg=base.window)


def resolve(choice: str) -> Theme:
    """"light", "dark" or "system" (follows QStyleHints.colorScheme); high contrast when the system asks."""
    base = DARK if choice == "dark" or (choice == "system" and system_prefers_dark()) else LIGHT
    return high_contrast(base) if system_wants_high_contrast() else base


def apply(app: QApplication, theme: Theme) -> None:
    """Install palette and stylesheet for ``theme`` on the whole application."""
    global _current
    _current = theme
    app.setStyle("Fusion")
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.input, QPalette.ColorRole.AlternateBase: theme.sidebar,
        QPalette.ColorRole.Text: theme.text, QPalette.ColorRole.Button: theme.surface,
        QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: theme.surface,
        QPalette.ColorRole.ToolTipText: theme.text, QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
    }
    for role, value in roles.items():
        pal.setColor(role, QColor(value))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    app.setPalette(pal)
    app.setStyleSheet(stylesheet(theme))
    icon.cache_clear()
    for widget in app.allWidgets():  # icons are tinted to the theme: re-tint them
        refresh = getattr(widget, "refresh_icons", None)
        if callable(refresh):
            refresh()


def stylesheet(theme: Theme) -> str:
    path = resources_dir() / "styles" / "parley.qss"
    try:
        qss = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    # longest names first so @accentHover is not eaten by @accent
    for key, value in sorted(asdict(theme).items(), key=lambda kv: -len(kv[0])):
        qss = qss.replace("@" + key, value)
    return scale_font_sizes(qss, system_font_scale())


#: The point size the stylesheet's sizes were written for, and every screenshot checked at (Qt's default
#: font on Linux without a desktop's theme, and Windows' default); they scale with the system's font.
#: At 10 the whole app shrank by a tenth here, and the Settings dialog below its minimum screenshot size.
DESIGN_PT = 9.0


def system_font_scale() -> float:
    """The system font size over :data:`DESIGN_PT` (1.0 when unknown), so a larger system font
    makes every text of the app larger, in proportion."""
    size = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).pointSizeF()
    return size / DESIGN_PT if size > 0 else 1.0


def scale_font_sizes(qss: str, scale: float) -> str:
    """Every ``font-size: Npt`` of ``qss`` times ``scale``."""
    if abs(scale - 1.0) < 0.01:
        return qss
    return re.sub(r"font-size:\s*(\d+(?:\.\d+)?)pt",
                  lambda m: f"font-size: {float(m.group(1)) * scale:.1f}pt", qss)


@lru_cache(maxsize=64)
def icon(name: str, color: str | None = None, size: int = 24) -> QIcon:
    """An SVG icon from ``resources/icons`` with ``currentColor`` set to ``color``."""
    path = resources_dir() / "icons" / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        return QIcon()
    svg = svg.replace("currentColor", color or _current.text)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for scale in (1, 2):
        pix = QPixmap(QSize(size * scale, size * scale))
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        renderer.render(painter)
        painter.end()
        pix.setDevicePixelRatio(scale)
        result.addPixmap(pix)
    return result


def relative_luminance(color: str | QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour (0 black .. 1 white)."""
    c = QColor(color)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast_ratio(a: str | QColor, b: str | QColor) -> float:
    """WCAG 2 contrast ratio (1..21); text wants 4.5 (AA), icons and ticks 3."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def color_distance(a: str | QColor, b: str | QColor) -> float:
    """CIE76 ΔE in L*a*b*: about 2 is barely visible, above 40 reads as a different colour."""
    def lab(color: str | QColor) -> tuple[float, float, float]:
        c = QColor(color)

        def lin(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = lin(c.redF()), lin(c.greenF()), lin(c.blueF())
        x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
        y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

        def f(t: float) -> float:
            return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

        return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))

    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b))) ** 0.5


def outline_bubble(painter: QPainter, bubble: QRectF) -> None:
    """A 2 px accent ring around a bubble: where the keyboard focus is, or the message just found."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    t = current()
    painter.setPen(QPen(QColor(t.text if t.dark else t.accent), 2))  # the accent is too close to my dark bubble
    painter.drawRoundedRect(bubble.adjusted(-2, -2, 2, 2), 13, 13)
    painter.restore()


def paint_bubble(painter: QPainter, bubble: QRectF, own: bool, selected: bool) -> None:
    """A message bubble's rounded background: own or peer colour, shaded when selected."""
    t = current()
    fill = QColor(t.ownBubble if own else t.peerBubble)
    if selected:
        fill = fill.darker(112) if not t.dark else fill.lighter(125)
    path = QPainterPath()
    path.addRoundedRect(bubble, 12, 12)
    painter.setPen(Qt.PenStyle.NoPen if own or t.dark else QPen(QColor(t.border), 1))
    painter.setBrush(fill)
    painter.drawPath(path)
