"""Sending: messages go to the on-disk outbox first, then to the server one by one, in order.

Part of :class:`desktop.qt.chat.ChatService`. A message is shown (as sending)
once the outbox holds it, so it survives a crash or a quit; the server is
idempotent on the ``client_id``, so a retry after a lost ack never makes two.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import ApiError, NetworkError
from desktop.core.media import MediaInfo
from desktop.core.models import Message
from desktop.core.outbox import Outbox
from desktop.net.ports import Realtime
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)


class OutboxSender(QObject):
    """Queues messages in the outbox and flushes it while online.

    Signals:
        queued(Message, bool): a message is on disk and may be shown as sending; the flag
            asks to jump to the newest messages (typed text) rather than only add the row.
        sent(Message): the server stored a queued message (its ack).
        refused(str, str): client id and reason: the server refused the message for good.
    """

    queued = Signal(object, bool)
    sent = Signal(object)
    refused = Signal(str, str)

    def __init__(self, realtime: Realtime, cache: MessageCache, outbox: Outbox, runner: TaskRunner,
                 disk: TaskRunner, is_online: Callable[[], bool], *, ack_timeout: float = 10.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.realtime = realtime
        self.cache = cache
        self.outbox = outbox
        self.runner = runner
        self.disk = disk
        self.is_online = is_online
        self.ack_timeout = ack_timeout
        self._flushing = False
        self._flush_again = False

    def send(self, peer_id: str, body: str) -> None:
        """Queue in the outbox (shown as sending at once), then flush when online."""
        body = body.strip()
        if not body:
            return

        def queued(message: Message) -> None:
            self.queued.emit(message, True)
            self.flush()

        self.disk.run(lambda: self.outbox.add(peer_id, body), queued, guard=self)

    def send_media(self, peer_id: str, client_id: str, media: MediaInfo,
                   on_queued: Callable[[], None] | None = None, body: str = "") -> None:
        """Queue a message carrying an uploaded, ready video under its upload's ``client_id``.

        ``on_queued`` runs once the outbox holds it on disk; from then on it is never lost.
        """
        def queued(message: Message) -> None:
            self.queued.emit(message, False)
            if on_queued is not None:
                on_queued()
            self.flush()

        self.disk.run(lambda: self.outbox.add(peer_id, body, media=media, client_id=client_id), queued,
                      guard=self)

    def retry_failed(self, client_id: str) -> None:
        self.disk.run(lambda: self.outbox.retry(client_id), lambda _: self.flush(), guard=self)

    def flush(self) -> None:
        """Send queued messages one by one, in order; stop at the first network failure.

        A chain of small steps rather than one long worker loop, so that every outbox
        and cache write runs on the disk thread: read the next entry (disk), send it
        (network), record the ack (disk, queued before the next read), and so on.
        """
        if not self.is_online():
            return
        if self._flushing:
            self._flush_again = True
            return
        self._flushing = True
        self._flush_again = False
        self._next()

    def _next(self) -> None:
        self.disk.run(self.outbox.next_unsent, self._send_one, self._stop_flush, guard=self)

    def _send_one(self, item: Message | None) -> None:
        if item is None or not self.is_online():
            self._stop_flush()
            return
        payload: dict[str, Any] = {"to": item.recipient_id, "client_id": item.client_id, "body": item.body}
        if item.media is not None:
            payload["media_id"] = item.media.id

        def work() -> Message:
            ack = self.realtime.call(protocol.SEND, payload, self.ack_timeout)
            return protocol.message(ack["message"])

        def stored(message: Message) -> None:
            def record() -> None:
                self.cache.put_messages([message])
                self.outbox.remove(item.client_id)

            self.disk.run(record)  # before the next read on the same FIFO thread
            self.sent.emit(message)
            self._next()

        def failed(exc: Exception) -> None:
            if isinstance(exc, NetworkError):
                self._stop_flush()  # retried on the next connect, with the same client_id
            elif isinstance(exc, (ApiError, protocol.ProtocolError, KeyError)):
                self.disk.run(lambda: self.outbox.mark_failed(item.client_id, str(exc)))
                self.refused.emit(item.client_id, str(exc))
                self._next()
            else:
                self._stop_flush(exc)

        self.runner.run(work, stored, failed, guard=self)

    def _stop_flush(self, exc: Exception | None = None) -> None:
        if exc is not None:
            log.error("flush: %s", exc)
        self._flushing = False
        if self._flush_again:
            self.flush()

    def edit(self, message_id: str, body: str, on_done: Callable[[Message], None],
             on_error: Callable[[Exception], None]) -> None:
        def work() -> Message:
            payload = {"id": message_id, "body": body.strip()}
            ack = self.realtime.call(protocol.EDIT, payload, self.ack_timeout)
            return protocol.message(ack["message"])

        def done(message: Message) -> None:
            self.disk.run(lambda: self.cache.put_messages([message]))
            on_done(message)

        self.runner.run(work, done, on_error, guard=self)

    def delete(self, message_id: str, on_done: Callable[[str], None],
               on_error: Callable[[Exception], None]) -> None:
        def done(_: Any) -> None:
            self.disk.run(lambda: self.cache.mark_deleted(message_id))
            on_done(message_id)

        self.runner.run(lambda: self.realtime.call(protocol.DELETE, {"id": message_id}, self.ack_timeout),
                        done, on_error, guard=self)
