"""Block / unblock from a chat window's menu and from the conversation list, and the
privacy section of the settings (who sees my presence, the people I blocked).

Blocking is quiet on the other side: the blocked person is not told, their
messages simply stop arriving. So the confirmation says what will happen, and
a blocked chat says why one cannot write.
"""
from __future__ import annotations

from typing import Any

import shiboken6

from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import UserSummary
from desktop.qt.conversation_model import ConversationRole
from desktop.qt.privacy import PrivacyService
from desktop.ui.plain import plain


def _t(text: str) -> str:
    return QCoreApplication.translate("Privacy", text)


def block_text(name: str, blocked: bool) -> str:
    return (_t("Unblock %1") if blocked else _t("Block %1…")).replace("%1", name)


def confirm_block(parent: QWidget | None, name: str) -> bool:
    """Asks before blocking; the text is plain, whatever the name contains."""
    box = QMessageBox(QMessageBox.Icon.Question, _t("Block %1?").replace("%1", name),
                      _t("%1 will not be told. Their messages will no longer reach you, and neither of you "
                         "will see the other typing, reading or online. You can unblock them in Settings.")
                      .replace("%1", name),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.button(QMessageBox.StandardButton.Yes).setText(_t("Block"))
    return box.exec() == QMessageBox.StandardButton.Yes


def toggle_block(parent: QWidget | None, privacy: PrivacyService, person: UserSummary, ask: bool = True) -> None:
    if privacy.is_blocked(person.id):
        privacy.set_blocked(person, False)
    elif not ask or confirm_block(parent, person.display_name):
        privacy.set_blocked(person, True)


# --- the chat window ----------------------------------------------------------------
class ChatPrivacy:
    """Adds a menu button to a chat's header (Block / Unblock) and closes the composer while
    the peer is blocked. Installed on every ChatView through ``service.view_extensions``."""

    def __init__(self, view: Any, privacy: PrivacyService) -> None:
        self.view = view
        self.privacy = privacy
        self.button = QToolButton(view)
        self.button.setText("⋮")
        self.button.setAccessibleName(_t("Chat menu"))
        self.button.setToolTip(_t("Chat menu"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.block_action = self.menu.addAction("", self._toggle)
        self.button.setMenu(self.menu)
        header = view.name_label.parentWidget()
        header.layout().addWidget(self.button)
        self.note = plain(QLabel())
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.note.hide()
        view.composer_row.parentWidget().layout().insertWidget(0, self.note)
        privacy.blocksChanged.connect(self.update)
        self.update()

    def person(self) -> UserSummary:
        peer = self.view.service.peer(self.view.peer_id)
        return peer or UserSummary(id=self.view.peer_id, display_name=self.view.service.peer_name(self.view.peer_id))

    def update(self) -> None:
        if not shiboken6.isValid(self.block_action):  # the service outlives a closed chat window
            return
        blocked = self.privacy.is_blocked(self.view.peer_id)
        name = self.person().display_name or "…"
        self.block_action.setText(block_text(name, blocked))
        self.note.setText(_t("You blocked %1. Unblock them to write.").replace("%1", name))
        self.note.setVisible(blocked)
        self.view.composer.setEnabled(not blocked)
        self.view.send_button.setEnabled(not blocked)

    def _toggle(self) -> None:
        toggle_block(self.view, self.privacy, self.person())


def chat_extension(privacy: PrivacyService) -> Any:
    def extend(view: Any) -> None:
        view.privacy_menu = ChatPrivacy(view, privacy)
    return extend


# --- the conversation list ------------------------------------------------------------
class ConversationMenu:
    """Right-click on a conversation: Block / Unblock that person."""

    def __init__(self, list_view: Any, privacy: PrivacyService) -> None:
        self.list_view = list_view
        self.privacy = privacy
        list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        list_view.customContextMenuRequested.connect(self.show_at)
        self.last_menu: QMenu | None = None

    def menu_for(self, pos: QPoint) -> QMenu | None:
        index = self.list_view.indexAt(pos)
        conv = index.data(ConversationRole) if index.isValid() else None
        if conv is None:
            return None
        person = conv.peer
        menu = QMenu(self.list_view)
        menu.addAction(block_text(person.display_name, self.privacy.is_blocked(person.id)),
                       lambda: toggle_block(self.list_view, self.privacy, person))
        self.last_menu = menu
        return menu

    def show_at(self, pos: QPoint) -> None:
        menu = self.menu_for(pos)
        if menu is not None:
            menu.popup(self.list_view.viewport().mapToGlobal(pos))


# --- settings ---------------------------------------------------------------------------------
PRESENCE_LABELS = (("everybody", "Everybody"), ("written_to", "People I have written to"), ("nobody", "Nobody"))


class PrivacySection(QGroupBox):
    """Who sees when I am online, and the people I blocked (with Unblock)."""

    def __init__(self, privacy: PrivacyService, parent: QWidget | None = None) -> None:
        super().__init__(_t("Privacy"), parent)
        self.privacy = privacy
        self.loaded_value: str | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.presence = QComboBox()
        self.presence.setAccessibleName(_t("Who can see when I'm online"))
        for code, label in PRESENCE_LABELS:
            self.presence.addItem(_t(label), code)
        self.presence.setEnabled(False)  # until the server has said what it is
        form.addRow(_t("Who can see when I'm &online"), self.presence)
        layout.addLayout(form)
        layout.addWidget(plain(QLabel(_t("Blocked people"))))
        self.blocked = QListWidget()
        self.blocked.setAccessibleName(_t("Blocked people"))
        layout.addWidget(self.blocked)
        row = QHBoxLayout()
        row.addStretch(1)
        self.unblock_button = QPushButton(_t("Unblock"))
        self.unblock_button.clicked.connect(self._unblock)
        row.addWidget(self.unblock_button)
        layout.addLayout(row)
        privacy.blocksChanged.connect(self._fill)
        privacy.refresh()
        privacy.load_presence_visibility(self._loaded)
        self._fill()

    def _loaded(self, value: str) -> None:
        self.loaded_value = value
        self.presence.setCurrentIndex(max(0, self.presence.findData(value)))
        self.presence.setEnabled(True)

    def _fill(self) -> None:
        self.blocked.clear()
        for person in self.privacy.blocked.values():
            item = QListWidgetItem(person.display_name)  # item views paint plain text
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.blocked.addItem(item)
        if not self.privacy.blocked:
            self.blocked.addItem(QListWidgetItem(_t("Nobody")))
        self.unblock_button.setEnabled(bool(self.privacy.blocked))

    def _unblock(self) -> None:
        item = self.blocked.currentItem() or self.blocked.item(0)
        person = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if person is not None:
            self.privacy.set_blocked(person, False)

    def apply(self) -> None:
        """Saves the presence choice if it changed (called when the settings are accepted)."""
        value = self.presence.currentData()
        if self.loaded_value is not None and value != self.loaded_value:
            self.privacy.set_presence_visibility(value)
