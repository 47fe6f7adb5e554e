"""Polite announcements to screen readers: a new message, a finished upload, the connection lost or back.

Qt 6.8 added ``QAccessibleAnnouncementEvent``: the platform's screen reader
(Orca, NVDA, VoiceOver) says the text without moving the focus. It is sent on the
Parley window that has the focus, and only when one has it: a person working in
another program is told by the notification instead (``ui/tray.py``).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

try:  # Qt 6.8+
    from PySide6.QtGui import QAccessibleAnnouncementEvent
except ImportError:  # pragma: no cover - older Qt: nothing is announced
    QAccessibleAnnouncementEvent = None  # type: ignore[assignment,misc]

BURST_MS = 300


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
        self._burst: list[tuple[str, str]] = []
        # messages arriving within this window are announced together
        self._burst_timer = QTimer(self, singleShot=True, interval=BURST_MS, timeout=self._say_burst)

    def say(self, text: str) -> None:
        if announce(text):
            self.announced.emit(text)

    def incoming(self, sender_name: str, body: str) -> None:
        """One message is read out; a burst (a sync after a reconnect) is summed up once it settles."""
        self._burst.append((sender_name, body))
        if len(self._burst) == 1:
            self._burst_timer.start()

    def _say_burst(self) -> None:
        burst, self._burst = self._burst, []
        if len(burst) == 1:
            name, body = burst[0]
            self.say(self.tr("New message from %1: %2").replace("%1", name).replace("%2", body[:200]) if body
                     else self.tr("New message from %1").replace("%1", name))
        elif burst:
            self.say(self.tr("%1 new messages").replace("%1", str(len(burst))))

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
