"""Preferences: language, theme, notifications, single-window mode, and (signed in) privacy."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from typing import Any

from desktop.qt.settings import Settings


class SettingsDialog(QDialog):
    """Edits :class:`Settings`; the caller applies the changes after ``accept``."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, privacy: Any = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings — Parley"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Language"))
        for code, name in (("system", self.tr("System default")), ("en", "English"), ("vi", "Tiếng Việt")):
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        form.addRow(self.tr("&Language"), self.language)
        self.theme = QComboBox()
        self.theme.setAccessibleName(self.tr("Appearance"))
        for code, name in (("system", self.tr("Follow the system")), ("light", self.tr("Light")),
                           ("dark", self.tr("Dark"))):
            self.theme.addItem(name, code)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        form.addRow(self.tr("&Appearance"), self.theme)
        layout.addLayout(form)
        self.notifications = QCheckBox(self.tr("Show a notification for new messages"))
        self.notifications.setChecked(settings.notifications)
        layout.addWidget(self.notifications)
        self.single = QCheckBox(self.tr("Open chats in the main window (one window)"))
        self.single.setChecked(settings.single_window)
        layout.addWidget(self.single)
        self.privacy_section = None
        if privacy is not None:  # signed in: who sees my presence, and the people I blocked
            from desktop.ui.privacy_ui import PrivacySection
            self.privacy_section = PrivacySection(privacy, self)
            layout.addWidget(self.privacy_section)
        note = QLabel(self.tr("A new language applies the next time Parley starts."))
        note.setObjectName("hint")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settings.language = self.language.currentData()
        self.settings.theme = self.theme.currentData()
        self.settings.notifications = self.notifications.isChecked()
        self.settings.single_window = self.single.isChecked()
        self.settings.sync()
        if self.privacy_section is not None:
            self.privacy_section.apply()
        super().accept()
