"""Help → Keyboard shortcuts: every key of the app in one table, in the person's language."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.ui.widgets import tr

#: the player's "Send this moment" (desktop/ui/player_window.py binds the same keys)
SEND_MOMENT_KEYS = "Ctrl+Shift+M"


def _keys(*sequences: str) -> str:
    """Key names as the platform writes them (Ctrl on Linux and Windows, ⌘ on macOS)."""
    return " / ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)


def shortcuts() -> list[tuple[str, str, str]]:
    """``(where, keys, what)`` for every shortcut; the code that binds them uses the same keys."""
    main, chat, player = tr("Anywhere"), tr("Chat"), tr("Video player")
    return [
        (main, _keys("Ctrl+N"), tr("New chat: find a person")),
        (main, _keys("Ctrl+K"), tr("Switch to a conversation by name")),
        (main, _keys("Alt+Down"), tr("Next conversation")),
        (main, _keys("Alt+Up"), tr("Previous conversation")),
        (main, _keys("Ctrl+Shift+F"), tr("Search all messages")),
        (main, _keys("Ctrl+F"), tr("Search people (main window)")),
        (main, _keys("F1"), tr("Keyboard shortcuts")),
        (main, _keys("Ctrl+,"), tr("Settings")),
        (main, _keys("Ctrl+Q"), tr("Quit")),
        (chat, _keys("Ctrl+F"), tr("Search this conversation")),
        (chat, _keys("Enter"), tr("Send")),
        (chat, _keys("Shift+Enter"), tr("New line")),
        (chat, _keys("Up"), tr("Edit your last message (in an empty message field)")),
        (chat, _keys("Esc"), tr("Cancel an edit, else close the chat window")),
        (chat, _keys("Ctrl+W"), tr("Close the chat window")),
        (chat, _keys("Ctrl+Shift+A"), tr("Attach a video")),
        (chat, _keys("Ctrl+C"), tr("Copy the selected message")),
        (chat, _keys("Tab"), tr("Move between the history, the message field and the buttons")),
        (player, _keys("Space"), tr("Play or pause")),
        (player, _keys("Left", "Right"), tr("Back or forward 5 seconds")),
        (player, _keys("Up", "Down"), tr("Volume up or down")),
        (player, _keys("M"), tr("Mute")),
        (player, _keys("F"), tr("Full screen")),
        (player, _keys("R"), tr("Resume where you stopped (when offered)")),
        (player, _keys(SEND_MOMENT_KEYS), tr("Send this moment: a link to the current time, in the chat")),
    ]


class ShortcutsDialog(QDialog):
    """A read-only table of the shortcuts; Esc or Close closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ShortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts — Parley"))
        rows = shortcuts()
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Where"), self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        for r, (where, keys, what) in enumerate(rows):
            for c, text in enumerate((where, keys, what)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if c == 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, 620)
