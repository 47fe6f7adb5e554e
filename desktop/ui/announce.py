"""Polite announcements to screen readers: a new message, a finished upload, the connection lost or back.

Qt 6.8 added ``QAccessibleAnnouncementEvent``: the platform's screen reader
(Orca, NVDA, VoiceOver) says the text without moving the focus. It is sent on the
Parley window that has the focus, and only when one has it: a person working in
another program is told by the notification instead (``ui/tray.py``).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

try:  # Qt 6.8+
    from PySide6.QtGui import QAccessibleAnnouncementEvent
except ImportError:  # pragma: no cover - older Qt: nothing is announced
    QAccessibleAnnouncementEvent = None  # type: ignore[assignment,misc]


def announce(text: str, widget: QWidget | None = None, assertive: bool = False) -> bool:
    """Announce ``text`` on ``widget`` (default: the active Parley window); False if there is none."""
    target = widget or QApplication.activeWindow()
    if target is None or QAccessibleAnnouncementEvent is None or not text:
        return False
    event = QAccessibleAnnouncementEvent(target, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
    return True


class Announcer(QObject):
    """Turns the app's events into announcements; the texts are translated here.

    Signals:
        announced(str): the text that was announced (for tests and logs).
    """

    announced = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_online: bool | None = None

    def say(self, text: str) -> None:
        if announce(text):
            self.announced.emit(text)

    def incoming(self, sender_name: str, body: str) -> None:
        text = self.tr("New message from %1: %2").replace("%1", sender_name).replace("%2", body[:200]) if body \
            else self.tr("New message from %1").replace("%1", sender_name)
        self.say(text)

    def upload_done(self, filename: str) -> None:
        self.say(self.tr("Upload finished: %1").replace("%1", filename))

    def connection(self, state: str) -> None:
        """``ChatService.stateChanged``: said when the connection is lost and when it is back."""
        if state == "online":
            if self._was_online is False:
                self.say(self.tr("Connected again."))
            self._was_online = True
        elif state == "offline" and self._was_online:
            self._was_online = False
            self.say(self.tr("Connection lost. Parley will retry."))
