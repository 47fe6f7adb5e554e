"""The player's "Resume from 0:37" bar: an offer, never a dialog that stops the video.

Shown above the controls when a video opens with a saved position (from this device or another of
mine). The video starts from the beginning meanwhile; the person can take the offer (the button, or
R), or dismiss it (× : start from the beginning), or ignore it and watch on.

Signals:
    accepted(float): resume at these seconds.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from desktop.core.moments import format_time
from desktop.ui import theme
from desktop.ui.plain import plain


class ResumeOffer(QFrame):
    """Attributes:
        seconds: the position offered (None: nothing to offer, hidden).
        button: "Resume from 0:37"; close_button: dismisses the offer.
    """

    accepted = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resumeOffer")
        self.seconds: float | None = None
        self.dismissed = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = plain(QLabel(self.tr("You stopped here last time.")))
        self.label.setObjectName("muted")
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.clicked.connect(self._accept)
        self.close_button = QToolButton()
        self.close_button.setIcon(theme.icon("close"))
        self.close_button.setAccessibleName(self.tr("Start from the beginning"))
        self.close_button.setToolTip(self.tr("Start from the beginning (dismiss)"))
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.close_button)
        self.hide()

    def offer(self, seconds: float | None) -> None:
        """Offer ``seconds`` (a newer position from another device replaces the old offer); None hides it."""
        if self.dismissed:
            return
        self.seconds = seconds
        if seconds is None or seconds < 1:
            self.hide()
            return
        text = self.tr("Resume from %1").replace("%1", format_time(seconds))
        self.button.setText(text)
        self.button.setToolTip(text + " (R)")
        self.button.setAccessibleName(text)
        self.show()

    def take(self) -> bool:
        """R pressed in the player: accept if an offer is showing."""
        if self.isVisible() and self.seconds is not None:
            self._accept()
            return True
        return False

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def _accept(self) -> None:
        seconds = self.seconds
        self.dismiss()
        if seconds is not None:
            self.accepted.emit(seconds)
