"""System tray icon with the unread count, and desktop notifications for new messages."""
from __future__ import annotations

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core.moments import plain_text
from desktop.core.models import Message
from desktop.ui import theme
from desktop.ui.plain import notification_text


def badge_icon(count: int) -> QIcon:
    """The app icon with a red unread badge."""
    pix = theme.icon("parley", "#2f6fed", 64).pixmap(64, 64)
    if count <= 0:
        return QIcon(pix)
    out = QPixmap(pix)
    p = QPainter(out)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#e53935"))
    p.drawEllipse(QRect(30, 0, 34, 34))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(20 if count < 10 else 15)
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(QRect(30, 0, 34, 34), Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
    p.end()
    return QIcon(out)


class Tray(QObject):
    """Owns the QSystemTrayIcon (when the desktop has a tray).

    Signals:
        openRequested(): show the main window.
        chatRequested(str): open the chat with this peer (a notification was clicked).
        quitRequested(): from the tray menu.
        notified(str, str, str): peer id, title, text of every notification shown.
    """

    openRequested = Signal()
    chatRequested = Signal(str)
    quitRequested = Signal()
    notified = Signal(str, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.count = 0
        self._last_peer: str | None = None
        self.icon = QSystemTrayIcon(badge_icon(0), self)
        self.icon.setToolTip("Parley")
        menu = QMenu()
        menu.addAction(self.tr("Open Parley"), self.openRequested.emit)
        menu.addSeparator()
        menu.addAction(self.tr("Quit"), self.quitRequested.emit)
        self._menu = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self._clicked)
        if self.available:
            self.icon.show()

    def set_unread(self, count: int) -> None:
        self.count = count
        self.icon.setIcon(badge_icon(count))
        self.icon.setToolTip(self.tr("Parley — %n unread", "", count) if count else "Parley")

    def notify(self, message: Message, sender_name: str) -> None:
        """Show a desktop notification; clicking it opens that chat."""
        self._last_peer = message.sender_id
        body = plain_text(message.body)  # a moment reads "▶ 0:45", as in the chat
        text = body if len(body) <= 140 else body[:139] + "…"
        self.notified.emit(message.sender_id, sender_name, text)
        if self.available and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(sender_name, notification_text(text), badge_icon(0), 6000)

    def open_last(self) -> None:
        self._clicked()

    def _clicked(self) -> None:
        if self._last_peer:
            self.chatRequested.emit(self._last_peer)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.openRequested.emit()

    def hide(self) -> None:
        self.icon.hide()
