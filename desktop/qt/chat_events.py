"""Applying what the server says happened: new, edited and deleted messages, receipts, typing, presence.

Part of :class:`desktop.qt.chat.ChatService`. Events come from the socket
bridge (live) or from a sync after a reconnect; either way a message is counted
and notified once, and someone new is looked up before their first message shows.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import ApiError
from desktop.core.models import Conversation, Message, Presence, StatusUpdate, Typing, id_key
from desktop.net.ports import ChatApi, Realtime
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat_history import ChatHistory
from desktop.qt.conversation_model import ConversationListModel
from desktop.qt.tasks import TaskRunner
from desktop.qt.typing_state import TypingState

log = logging.getLogger(__name__)

APPLIED_MAX = 50000  # ids remembered to drop duplicates (live and by sync); cleared past this
DELIVERED_BATCH_MS = 50  # receipts of messages arriving within this are sent as one event


class LiveEvents(QObject):
    """Keeps the cache, the conversation list and the opened histories in step with the server.

    Signals:
        incoming(Message): a new message from a peer arrived (live or by sync).
        peerTyping(str, bool): peer id, typing; expires after 6 s without renewal.
        presenceChanged(Presence): a peer came online or left.
    """

    incoming = Signal(object)
    peerTyping = Signal(str, bool)
    presenceChanged = Signal(object)

    def __init__(self, me_id: str, api: ChatApi, realtime: Realtime, cache: MessageCache,
                 runner: TaskRunner, disk: TaskRunner, conversations: ConversationListModel,
                 history: ChatHistory, is_online: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.me_id = me_id
        self.api = api
        self.realtime = realtime
        self.cache = cache
        self.runner = runner
        self.disk = disk
        self.conversations = conversations
        self.history = history
        self.is_online = is_online
        self.synced = False  # set by the service once a sync after (re)connecting finished
        self.names: dict[str, str] = {}  # names of people found by search or looked up
        self.typing = TypingState(self)
        self.typing.changed.connect(self._typing_changed)
        self._learning: dict[str, list[Callable[[], None]]] = {}
        self._applied: set[str | None] = set()  # ids already counted and notified
        self._to_deliver: list[str] = []  # delivered receipts not sent yet (in order)
        self._counted_by_server: dict[str, str] = {}  # peer -> newest message the server's unread count covers
        self._deliver_timer = QTimer(self)
        self._deliver_timer.setSingleShot(True)
        self._deliver_timer.setInterval(DELIVERED_BATCH_MS)
        self._deliver_timer.timeout.connect(self.send_delivered)

    def connect_bridge(self, bridge: SocketBridge) -> None:
        bridge.messageReceived.connect(self.on_message)
        bridge.messageUpdated.connect(self.on_updated)
        bridge.messageDeleted.connect(self.on_deleted)
        bridge.statusChanged.connect(self.on_status)
        bridge.typingChanged.connect(self.on_typing)
        bridge.presenceChanged.connect(self.on_presence)

    def on_message(self, message: Message) -> None:
        def store() -> None:
            self.cache.put_messages([message])
            if self.synced:
                self.cache.set_last_id(message.id)

        self.disk.run(store)
        self.apply_new(message, notify=message.sender_id != self.me_id)

    def apply_new(self, message: Message, *, notify: bool, count: bool = True) -> None:
        """Show a stored message once, whether it came live, by sync, or as our own ack."""
        peer_id = message.peer_of(self.me_id)
        unknown = self.conversations.get(peer_id) is None and peer_id not in self.names
        if peer_id in self._learning or unknown:
            # Someone new writes: learn their name first, so the list and notification show it.
            self._learn_peer(peer_id, lambda: self.apply_new(message, notify=notify, count=count))
            return
        model = self.history.model(peer_id)
        if model is not None:
            model.upsert(message)
        if message.id in self._applied:
            return  # a duplicate (live and by sync): already counted and notified
        if len(self._applied) > APPLIED_MAX:
            self._applied.clear()
        self._applied.add(message.id)
        from_peer = message.sender_id != self.me_id
        covered = self._counted_by_server.get(peer_id)
        counted = covered is not None and message.id is not None and id_key(message.id) <= id_key(covered)
        self.conversations.add_message(message, self.me_id, unread=from_peer and count and notify and not counted,
                                       name=self.names.get(peer_id))
        if from_peer and message.delivered_at is None and message.id is not None:
            self._to_deliver.append(message.id)
            if not self._deliver_timer.isActive():
                self._deliver_timer.start()
        if from_peer:
            self.on_typing(Typing(peer_id, False))
        if notify:
            self.incoming.emit(message)

    def server_counted(self, conversations: list[Conversation]) -> None:
        """The conversation list just taken from the server: its unread counts include its last messages.

        A message still being applied (its sender was being looked up) when that list
        replaced ours must not be counted a second time.
        """
        for conv in conversations:
            if conv.last_message is not None and conv.last_message.id is not None:
                self._counted_by_server[conv.peer.id] = conv.last_message.id

    def send_delivered(self) -> None:
        """Acknowledge the messages received since the last batch: one event per 500 ids, not one each.

        A sync after a long time away applies hundreds of messages at once. Offline,
        the ids wait here and go when the service is back online (it calls this).
        """
        if not self._to_deliver or not self.is_online():
            return
        ids, self._to_deliver = self._to_deliver, []
        step = protocol.MAX_IDS_PER_EVENT
        batches = [{"ids": ids[start:start + step]} for start in range(0, len(ids), step)]

        def send() -> None:  # one task, so the batches go in order (the pool runs tasks side by side)
            for batch in batches:
                self.realtime.emit(protocol.DELIVERED, batch)

        self.runner.run(send)

    def _learn_peer(self, peer_id: str, then: Callable[[], None]) -> None:
        """Fetch a new peer's name once; everything that arrives meanwhile waits in order.

        Unreachable server or not: the waiting messages are shown (with the name
        unknown for now), never dropped.
        """
        waiting = self._learning.get(peer_id)
        if waiting is not None:
            waiting.append(then)
            return
        self._learning[peer_id] = [then]

        def work() -> Conversation | None:
            try:
                return Conversation(peer=self.api.user(peer_id))  # one person, not the whole list
            except ApiError as exc:
                if exc.status == 404:
                    return None
                raise

        def done(conv: Conversation | None) -> None:
            if conv is not None:
                self.disk.run(lambda: self.cache.put_conversations([conv]))
            self.names[peer_id] = conv.peer.display_name if conv is not None else ""
            if conv is not None and self.conversations.get(peer_id) is None:
                self.conversations.upsert(conv)
            for callback in self._learning.pop(peer_id, []):
                callback()

        self.runner.run(work, done, lambda exc: done(None), guard=self)

    def on_updated(self, message: Message) -> None:
        self.disk.run(lambda: self.cache.put_messages([message]))
        model = self.history.model(message.peer_of(self.me_id))
        if model is not None:
            model.upsert(message)
        self.conversations.replace_message(message)

    def on_deleted(self, message_id: str) -> None:
        self.disk.run(lambda: self.cache.mark_deleted(message_id))
        for model in self.history.models.values():
            row = model.row_of(message_id=message_id)
            if row >= 0:
                model.mark_deleted(message_id)
                deleted = model.message_at(row)
                if deleted is not None:
                    self.conversations.replace_message(deleted)

    def on_status(self, update: StatusUpdate) -> None:
        self.disk.run(lambda: self.cache.apply_status(update))
        for model in self.history.models.values():
            model.apply_status(update)

    def on_typing(self, typing: Typing) -> None:
        self.typing.update(typing)

    def _typing_changed(self, user_id: str, typing: bool) -> None:
        self.conversations.set_typing(user_id, typing)
        self.peerTyping.emit(user_id, typing)

    def on_presence(self, presence: Presence) -> None:
        self.conversations.set_presence(presence)
        self.presenceChanged.emit(presence)
