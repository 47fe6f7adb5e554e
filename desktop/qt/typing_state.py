"""Who is typing: a peer's typing state expires 6 s after its last renewal."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core import protocol
from desktop.core.models import Typing


class TypingState(QObject):
    """Tracks the ``typing`` events of peers.

    Signals:
        changed(str, bool): peer id, typing (emitted only when the state flips).
    """

    changed = Signal(str, bool)

    def __init__(self, parent: QObject | None = None, expiry_s: float = protocol.TYPING_EXPIRY_S) -> None:
        super().__init__(parent)
        self.expiry_ms = int(expiry_s * 1000)
        self._timers: dict[str, QTimer] = {}

    def is_typing(self, user_id: str) -> bool:
        timer = self._timers.get(user_id)
        return bool(timer and timer.isActive())

    def update(self, typing: Typing) -> None:
        timer = self._timers.get(typing.user_id)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda uid=typing.user_id: self.changed.emit(uid, False))
            self._timers[typing.user_id] = timer
        was = timer.isActive()
        if typing.typing:
            timer.start(self.expiry_ms)
        else:
            timer.stop()
        if was != typing.typing:
            self.changed.emit(typing.user_id, typing.typing)
