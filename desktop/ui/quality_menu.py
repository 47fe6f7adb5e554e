"""The player's quality button: "Auto (360p)", and a menu of Auto and the renditions the video has."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from desktop.core.media import Rendition
from desktop.core.quality import AUTO


class QualityButton(QToolButton):
    """Shows the rendition playing; its menu picks Auto or one rendition. Hidden for a progressive stream.

    Signals:
        chosen(str): ``"auto"`` or a rendition name, picked by the person.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qualityButton")
        self.setAccessibleName(self.tr("Quality"))
        self.setToolTip(self.tr("Video quality"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(self.toolButtonStyle().ToolButtonTextOnly)
        self.menu_ = QMenu(self)
        self.menu_.setObjectName("qualityMenu")
        self.setMenu(self.menu_)
        self.group = QActionGroup(self)
        self.group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)  # none while the original plays
        self.actions_: dict[str, QAction] = {}
        self.hide()

    def label(self, rendition: Rendition) -> str:
        """The menu's words: ``360p``, ``720p``, or ``Source (1080p)``."""
        if rendition.name == "source":
            return self.tr("Source (%1p)").replace("%1", str(rendition.lines)) if rendition.lines \
                else self.tr("Source")
        return rendition.name

    @staticmethod
    def short(rendition: Rendition) -> str:
        """Inside "Auto (…)": the height only (``1080p``), as players show it."""
        return f"{rendition.lines}p" if rendition.lines else rendition.name

    def set_renditions(self, renditions: Sequence[Rendition]) -> None:
        """The menu: Auto, then the renditions highest first (as players list them)."""
        self.menu_.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
        self.actions_ = {}
        entries = [(AUTO, self.tr("Auto"))] + [(r.name, self.label(r)) for r in reversed(renditions)]
        for key, text in entries:
            action = QAction(text, self.menu_)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: self.chosen.emit(k))
            self.group.addAction(action)
            self.menu_.addAction(action)
            self.actions_[key] = action
        self.setVisible(bool(renditions))

    def show_state(self, choice: str, playing: Rendition | None) -> None:
        """Tick the choice; the button reads "Auto (360p)", the rendition's label, or "Original"."""
        action = self.actions_.get(choice) if playing is not None else None
        if action is not None:
            action.setChecked(True)
        elif self.group.checkedAction() is not None:
            self.group.checkedAction().setChecked(False)
        auto = self.actions_.get(AUTO)
        if auto is not None:
            auto.setText(self.tr("Auto (%1)").replace("%1", self.short(playing))
                         if playing is not None and choice == AUTO else self.tr("Auto"))
        if playing is None:  # the original plays (the renditions became ready while it was watched)
            text = self.tr("Original")
        elif choice == AUTO:
            text = self.tr("Auto (%1)").replace("%1", self.short(playing))
        else:
            text = self.label(playing)
        self.setText(text + " ▾")  # the style hides menu arrows; this one says the button opens a menu
        self.setAccessibleDescription(text)
