"""Conversations and messages of the signed-in person: the one object the windows talk to.

The work is done by three pieces, each with its own tests:
:class:`~desktop.qt.chat_history.ChatHistory` (loading and paging a conversation),
:class:`~desktop.qt.chat_sending.OutboxSender` (outbox, sending, edits) and
:class:`~desktop.qt.chat_events.LiveEvents` (applying what the server says happened).
This facade owns the connection state and the sync after each (re)connect, and
wires the pieces together. Disk (cache, outbox) and network work run on
:class:`TaskRunner`; this object lives on the GUI thread and updates the models there.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import ApiError
from desktop.core.media import MediaInfo
from desktop.core.models import Conversation, Message, User, UserSummary, id_key, max_id
from desktop.core.outbox import Outbox
from desktop.net.ports import ChatApi, Realtime
from desktop.net.sync import catch_up
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat_events import LiveEvents
from desktop.qt.chat_history import PAGE, ChatHistory
from desktop.qt.chat_sending import OutboxSender
from desktop.qt.conversation_model import ConversationListModel
from desktop.qt.history_jump import HistoryJump
from desktop.qt.search import MessageSearch
from desktop.qt.message_model import MessageListModel
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

__all__ = ["ChatService", "PAGE"]


class ChatService(QObject):
    """Everything between the chat windows and the server.

    Signals:
        stateChanged(str, str, float): connecting / online / offline (+ reason, retry delay).
        incoming(Message): a new message from a peer arrived (live or by sync).
        peerTyping(str, bool): peer id, typing; expires after 6 s without renewal.
        presenceChanged(Presence): a peer came online or left.
        sendFailed(str, str): client id, reason, when the server refused a message for good.
        synced(): a sync after (re)connecting finished.
    """

    stateChanged = Signal(str, str, float)
    incoming = Signal(object)
    peerTyping = Signal(str, bool)
    presenceChanged = Signal(object)
    sendFailed = Signal(str, str)
    synced = Signal()

    def __init__(self, me: User, api: ChatApi, realtime: Realtime, bridge: SocketBridge, cache: MessageCache,
                 outbox: Outbox, runner: TaskRunner, disk: TaskRunner, *, ack_timeout: float = 10.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.me = me
        self.api = api
        self.realtime = realtime
        self.cache = cache
        self.outbox = outbox
        self.runner = runner  # network work, several at once
        self.disk = disk  # cache and outbox writes, one at a time, in the order asked
        self.ack_timeout = ack_timeout
        self.conversations = ConversationListModel(self)
        self.state = "connecting"
        self.view_extensions: list[Callable[[Any], None]] = []  # called with every new ChatView (issue 6)
        self._unsent_reads: dict[str, str] = {}  # peer id -> newest message read while offline
        is_online = lambda: self.online  # noqa: E731 - read at call time, the state changes
        self.history = ChatHistory(me.id, api, cache, outbox, runner, disk, self.conversations, is_online,
                                   self)
        self.outgoing = OutboxSender(realtime, cache, outbox, runner, disk, is_online,
                                     ack_timeout=ack_timeout, parent=self)
        # message search (issue 14): the cache, then the server; and opening a result in its history
        self.search = MessageSearch(me.id, api, cache.store, runner, disk, is_online, self)
        self.jump = HistoryJump(api, cache, outbox, runner, disk, is_online, self)
        self.events = LiveEvents(me.id, api, realtime, cache, runner, disk, self.conversations, self.history,
                                 is_online, self)
        self.events.incoming.connect(self.incoming)
        self.events.peerTyping.connect(self.peerTyping)
        self.events.presenceChanged.connect(self.presenceChanged)
        self.outgoing.queued.connect(self._on_queued)
        self.outgoing.sent.connect(self._on_sent)
        self.outgoing.refused.connect(self._on_refused)
        bridge.stateChanged.connect(self._on_state)
        self.events.connect_bridge(bridge)

    # lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Show the cached list at once, then connect."""
        def load() -> list[Conversation]:
            convs = self.cache.conversations()
            pending = self.outbox.pending()
            by_peer = {c.peer.id: c for c in convs}
            for m in pending:
                c = by_peer.get(m.recipient_id)
                if c is not None and (c.last_message is None or c.last_message.created_at <= m.created_at):
                    by_peer[m.recipient_id] = c.replace(last_message=m)
            return list(by_peer.values())

        def loaded(convs: list[Conversation]) -> None:
            if not self.conversations.rowCount():
                self.conversations.reset(convs)
            self.realtime.start()

        def failed(exc: Exception) -> None:
            log.error("cache: %s", exc)
            self.realtime.start()

        self.disk.run(load, loaded, failed, guard=self)

    def stop(self) -> None:
        """Disconnect (blocks briefly; call when quitting or signing out)."""
        self.realtime.stop(timeout=3.0)

    def retry_now(self) -> None:
        self.realtime.reconnect_now()

    @property
    def online(self) -> bool:
        return self.state == "online"

    # conversations -----------------------------------------------------------------------
    def peer_name(self, peer_id: str) -> str:
        conv = self.conversations.get(peer_id)
        return conv.peer.display_name if conv else self.events.names.get(peer_id, "")

    def peer(self, peer_id: str) -> UserSummary | None:
        conv = self.conversations.get(peer_id)
        return conv.peer if conv else None

    def ensure_conversation(self, peer: UserSummary) -> None:
        """Start a conversation with someone found by search (shown once a message exists)."""
        self.events.names[peer.id] = peer.display_name
        if self.conversations.get(peer.id) is None:
            self.conversations.upsert(Conversation(peer=peer))
            self.disk.run(lambda: self.cache.put_conversations([Conversation(peer=peer)]))

    def search_users(self, query: str, on_done: Callable[[list[UserSummary]], None],
                     on_error: Callable[[Exception], None]) -> None:
        me = self.me.id
        self.runner.run(lambda: [u for u in self.api.find_users(query) if u.id != me], on_done, on_error,
                        guard=self)

    # one conversation's history (ChatHistory) ----------------------------------------------------
    def model(self, peer_id: str) -> MessageListModel | None:
        return self.history.model(peer_id)

    def open(self, peer_id: str, on_draft: Callable[[str], None] | None = None) -> MessageListModel:
        """The history model of a conversation, filled from the cache then the server."""
        return self.history.open(peer_id, on_draft)

    def close(self, peer_id: str) -> None:
        self.history.close(peer_id)

    def load_older(self, peer_id: str) -> None:
        self.history.load_older(peer_id)

    def load_newer(self, peer_id: str) -> None:
        self.history.load_newer(peer_id)

    def show_latest(self, peer_id: str) -> None:
        self.history.show_latest(peer_id)

    def show_message(self, peer_id: str, message_id: str, on_ready: Callable[[bool], None]) -> None:
        """Put ``message_id`` in the open conversation's model (loading the history around it)."""
        model = self.history.model(peer_id)
        if model is None:
            on_ready(False)
            return
        self.jump.show(model, message_id, on_ready)

    def load_draft(self, peer_id: str, on_draft: Callable[[str], None]) -> None:
        self.history.load_draft(peer_id, on_draft)

    def save_draft(self, peer_id: str, text: str) -> None:
        self.history.save_draft(peer_id, text)

    # sending (OutboxSender) --------------------------------------------------------------------------
    def send(self, peer_id: str, body: str) -> None:
        """Queue in the outbox (shown as sending at once), then flush when online."""
        self.outgoing.send(peer_id, body)

    def send_media(self, peer_id: str, client_id: str, media: MediaInfo,
                   on_queued: Callable[[], None] | None = None, body: str = "") -> None:
        """Queue a message carrying an uploaded, ready video; ``on_queued`` runs once it is on disk."""
        self.outgoing.send_media(peer_id, client_id, media, on_queued, body)

    def flush_outbox(self) -> None:
        self.outgoing.flush()

    def retry_failed(self, client_id: str) -> None:
        self.outgoing.retry_failed(client_id)

    def edit(self, message_id: str, body: str, on_error: Callable[[Exception], None]) -> None:
        self.outgoing.edit(message_id, body, self.events.on_updated, on_error)

    def delete(self, message_id: str, on_error: Callable[[Exception], None]) -> None:
        self.outgoing.delete(message_id, self.events.on_deleted, on_error)

    def _on_queued(self, message: Message, jump: bool) -> None:
        peer_id = message.recipient_id
        model = self.history.model(peer_id)
        if jump and model is not None and model.has_newer:
            self.history.show_latest(peer_id)  # the person was far back in the history
        elif model is not None:
            model.upsert(message)
        self.conversations.add_message(message, self.me.id, unread=False, name=self.peer_name(peer_id))

    def _on_sent(self, message: Message) -> None:
        self.events.apply_new(message, notify=False)

    def _on_refused(self, client_id: str, reason: str) -> None:
        for model in self.history.models.values():
            row = model.row_of(client_id=client_id)
            refused = model.message_at(row) if row >= 0 else None
            if refused is not None:
                model.upsert(refused.replace(error=reason))
        self.sendFailed.emit(client_id, reason)

    # typing and receipts -------------------------------------------------------------------------
    def set_typing(self, peer_id: str, typing: bool) -> None:
        if self.online:
            self.runner.run(lambda: self.realtime.emit(protocol.TYPING, {"to": peer_id, "typing": typing}))

    def mark_read(self, peer_id: str) -> None:
        """The person has seen the conversation up to its newest incoming message."""
        conv = self.conversations.get(peer_id)
        model = self.history.model(peer_id)
        up_to = model.newest_incoming_id() if model is not None else None
        if conv is not None and conv.unread_count:
            self.conversations.set_unread(peer_id, 0)
            self.disk.run(lambda: self.cache.put_conversations([conv.replace(unread_count=0)]))
        if model is None or up_to is None:
            return
        newest = model.message_at(model.row_of(message_id=up_to))
        if newest is not None and newest.read_at is not None:
            return
        if not self.online:  # sent once back online (after the sync), so the peer still sees the ticks
            self._unsent_reads[peer_id] = max_id(self._unsent_reads.get(peer_id), up_to) or up_to
            return
        self._send_read(peer_id, up_to)

    def _send_read(self, peer_id: str, up_to: str) -> None:
        self.runner.run(lambda: self.realtime.emit(protocol.READ, {"peer_id": peer_id, "up_to": up_to}))

    def _send_unsent_reads(self) -> None:
        """The reads made offline: the server's list (just synced) still counts them unread."""
        reads, self._unsent_reads = self._unsent_reads, {}
        for peer_id, up_to in reads.items():
            conv = self.conversations.get(peer_id)
            last = conv.last_message if conv is not None else None
            if conv is not None and conv.unread_count and last is not None and last.id is not None \
                    and id_key(last.id) <= id_key(up_to):
                self.conversations.set_unread(peer_id, 0)
            self._send_read(peer_id, up_to)

    # connection state and sync ---------------------------------------------------------------------
    def _on_state(self, state: str, reason: str, retry_in: float) -> None:
        self.state = state
        if state != "online":
            self.events.synced = False
        self.stateChanged.emit(state, reason, retry_in)
        if state == "online":
            self._sync()

    def _sync(self) -> None:
        def work() -> tuple[list[Conversation], list[Message]]:
            return catch_up(self.api, self.realtime, self.cache, self.ack_timeout, write=self.disk.run)

        def done(result: tuple[list[Conversation], list[Message]]) -> None:
            convs, got = result
            self.conversations.reset(self._merge(convs))
            self.events.server_counted(convs)
            for m in got:
                notify = m.sender_id != self.me.id and m.delivered_at is None
                self.events.apply_new(m, notify=notify, count=False)
            self.history.refresh_open()
            self.events.synced = True
            self._send_unsent_reads()
            self.history.refresh_unread_markers()  # after the counts are final: no Unread row over read ones
            self.events.send_delivered()
            self.outgoing.flush()
            self.synced.emit()

        def failed(exc: Exception) -> None:
            log.warning("sync failed: %s", exc)
            if isinstance(exc, ApiError) and exc.is_session_error:
                return
            self._send_unsent_reads()
            self.events.send_delivered()
            self.outgoing.flush()

        self.runner.run(work, done, failed, guard=self)

    def _merge(self, server: list[Conversation]) -> list[Conversation]:
        """The server's list (a snapshot taken when the sync began) merged with what arrived since."""
        local = {c.peer.id: c for c in self.conversations.conversations()}
        merged = []
        for conv in server:
            mine = local.pop(conv.peer.id, None)
            if mine is not None and mine.last_message is not None and (
                    conv.last_message is None or mine.last_message.id is None
                    or id_key(mine.last_message.id) > id_key(conv.last_message.id)):
                conv = conv.replace(last_message=mine.last_message, unread_count=mine.unread_count)
            merged.append(conv)
        return merged + list(local.values())
