"""The look follows the system's font size and high-contrast setting; focus and search highlights are
visible in both themes (issue 14)."""
from __future__ import annotations

from typing import Any

import pytest

from desktop.ui import theme


def test_font_sizes_scale_with_the_system_font() -> None:
    qss = "QWidget { font-size: 10pt; } QLabel#title { font-size: 17pt; font-weight: 600; }"
    assert theme.scale_font_sizes(qss, 1.0) == qss
    bigger = theme.scale_font_sizes(qss, 1.5)
    assert "font-size: 15.0pt" in bigger and "font-size: 25.5pt" in bigger and "font-weight: 600" in bigger


def test_the_stylesheet_uses_the_system_scale(monkeypatch: pytest.MonkeyPatch, qapp: Any) -> None:
    monkeypatch.setattr(theme, "system_font_scale", lambda: 1.2)
    assert "QWidget { font-size: 12.0pt; }" in theme.stylesheet(theme.LIGHT)


@pytest.mark.parametrize("base", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_high_contrast_makes_secondary_text_as_strong_as_text(base: theme.Theme) -> None:
    hc = theme.high_contrast(base)
    assert theme.contrast_ratio(hc.muted, hc.window) >= 7 and theme.contrast_ratio(hc.border, hc.window) >= 7
    assert theme.contrast_ratio(hc.peerMeta, hc.peerBubble) >= 7
    assert theme.contrast_ratio(base.muted, base.window) < theme.contrast_ratio(hc.muted, hc.window)


def test_resolve_follows_the_high_contrast_setting(monkeypatch: pytest.MonkeyPatch, qapp: Any) -> None:
    monkeypatch.setattr(theme, "system_wants_high_contrast", lambda: True)
    assert theme.resolve("light").muted == theme.LIGHT.text
    monkeypatch.setattr(theme, "system_wants_high_contrast", lambda: False)
    assert theme.resolve("light") == theme.LIGHT


@pytest.mark.parametrize("t", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_focus_and_search_highlights_are_visible(t: theme.Theme, qapp: Any) -> None:
    qss = theme.stylesheet(t)
    for selector in ("QToolButton:focus", "QPushButton:focus", "#history:focus", "#messageResults:focus"):
        assert selector in qss
    assert f"border: 2px solid {t.accent}" in qss
    # WCAG 2.2 focus appearance: the ring 3:1 against what is around it
    assert theme.contrast_ratio(t.accent, t.window) >= 3 and theme.contrast_ratio(t.accent, t.chatBg) >= 3
    # the matched words: bold text on noteBg stays readable (AA)
    assert theme.contrast_ratio(t.text, t.noteBg) >= 4.5
