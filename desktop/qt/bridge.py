"""Turn Socket.IO callbacks (socket threads) into Qt signals (GUI thread)."""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.core import protocol
from desktop.core.protocol import ProtocolError

log = logging.getLogger(__name__)


class SocketBridge(QObject):
    """Implements :class:`desktop.net.realtime.RealtimeListener` with signals.

    Every signal is emitted from a socket thread; connected slots of objects that
    live on the GUI thread therefore run there (queued connection).

    Signals:
        stateChanged(str, str, float): state, reason, seconds until the next try.
        messageReceived(Message): ``message:new``.
        messageUpdated(Message): ``message:updated``.
        messageDeleted(str): id of a deleted message.
        statusChanged(StatusUpdate): delivered/read receipts.
        typingChanged(Typing): the peer started or stopped typing.
        presenceChanged(Presence): someone came online or left.
        sessionExpired(str): the server no longer accepts this session.
        mediaStatus(MediaInfo): ``media:status``, processing of one of my videos ended.
        blocksChanged(str, bool): ``blocks:changed``, I blocked (True) or unblocked someone elsewhere.
        mediaPosition(PositionUpdate): ``media:position``, another device of mine saved where it stopped.
    """

    stateChanged = Signal(str, str, float)
    messageReceived = Signal(object)
    messageUpdated = Signal(object)
    messageDeleted = Signal(str)
    statusChanged = Signal(object)
    typingChanged = Signal(object)
    presenceChanged = Signal(object)
    sessionExpired = Signal(str)
    mediaStatus = Signal(object)
    blocksChanged = Signal(str, bool)
    mediaPosition = Signal(object)

    def on_state(self, state: str, detail: str, retry_in: float) -> None:
        self.stateChanged.emit(state, detail, float(retry_in))

    def on_session_expired(self, message: str) -> None:
        self.sessionExpired.emit(message)

    def on_event(self, event: str, data: Any) -> None:
        try:
            if event == protocol.NEW:
                self.messageReceived.emit(protocol.message(data))
            elif event == protocol.UPDATED:
                self.messageUpdated.emit(protocol.message(data))
            elif event == protocol.DELETED:
                self.messageDeleted.emit(protocol.deleted_id(data))
            elif event == protocol.STATUS:
                self.statusChanged.emit(protocol.status_update(data))
            elif event == protocol.TYPING:
                self.typingChanged.emit(protocol.typing(data))
            elif event == protocol.PRESENCE:
                self.presenceChanged.emit(protocol.presence(data))
            elif event == protocol.MEDIA_STATUS:
                self.mediaStatus.emit(protocol.media_status(data))
            elif event == protocol.MEDIA_POSITION:
                self.mediaPosition.emit(protocol.media_position(data))
            elif event == protocol.BLOCKS_CHANGED and isinstance(data, dict) and data.get("user_id"):
                self.blocksChanged.emit(str(data["user_id"]), bool(data.get("blocked")))
        except ProtocolError as exc:
            log.warning("ignored malformed %s event: %s", event, exc)
