"""Conversations and messages of the signed-in person: live events, sync, outbox, history.

Disk (cache, outbox) and network work run on the :class:`TaskRunner`; this
object lives on the GUI thread and updates the list models there.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import ApiError, NetworkError
from desktop.core.models import (
    Conversation,
    Message,
    Presence,
    StatusUpdate,
    Typing,
    User,
    UserSummary,
    id_key,
)
from desktop.core.outbox import Outbox
from desktop.net.http import ApiClient
from desktop.net.sync import catch_up
from desktop.qt.bridge import SocketBridge
from desktop.qt.conversation_model import ConversationListModel
from desktop.qt.message_model import MessageListModel
from desktop.qt.tasks import TaskRunner
from desktop.qt.typing_state import TypingState

log = logging.getLogger(__name__)

PAGE = 100


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
    _sent = Signal(object)  # emitted on a worker thread by the outbox flush
    _refused = Signal(str, str)

    def __init__(self, me: User, api: ApiClient, realtime: Any, bridge: SocketBridge, cache: MessageCache,
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
        self._models: dict[str, MessageListModel] = {}
        self.typing = TypingState(self)
        self.typing.changed.connect(self._typing_changed)
        self._flushing = False
        self._flush_again = False
        self._synced = False
        self._names: dict[str, str] = {}
        self.view_extensions: list[Callable[[Any], None]] = []  # called with every new ChatView (issue 6)
        self._learning: dict[str, list[Callable[[], None]]] = {}
        self._applied: set[str | None] = set()  # ids already counted and notified
        bridge.stateChanged.connect(self._on_state)
        bridge.messageReceived.connect(self._on_message)
        bridge.messageUpdated.connect(self._on_updated)
        bridge.messageDeleted.connect(self._on_deleted)
        bridge.statusChanged.connect(self._on_status)
        bridge.typingChanged.connect(self._on_typing)
        bridge.presenceChanged.connect(self._on_presence)
        self._sent.connect(self._on_sent)
        self._refused.connect(self._on_refused)

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

        self.disk.run(load, loaded, lambda exc: (log.error("cache: %s", exc), self.realtime.start()))

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
        return conv.peer.display_name if conv else self._names.get(peer_id, "")

    def peer(self, peer_id: str) -> UserSummary | None:
        conv = self.conversations.get(peer_id)
        return conv.peer if conv else None

    def ensure_conversation(self, peer: UserSummary) -> None:
        """Start a conversation with someone found by search (shown once a message exists)."""
        self._names[peer.id] = peer.display_name
        if self.conversations.get(peer.id) is None:
            self.conversations.upsert(Conversation(peer=peer))
            self.disk.run(lambda: self.cache.put_conversations([Conversation(peer=peer)]))

    def search_users(self, query: str, on_done: Callable[[list[UserSummary]], None],
                     on_error: Callable[[Exception], None]) -> None:
        me = self.me.id
        self.runner.run(lambda: [u for u in self.api.find_users(query) if u.id != me], on_done, on_error)

    # one conversation's history ----------------------------------------------------------------
    def model(self, peer_id: str) -> MessageListModel | None:
        return self._models.get(peer_id)

    def open(self, peer_id: str, on_draft: Callable[[str], None] | None = None) -> MessageListModel:
        """The history model of a conversation, filled from the cache then the server."""
        existing = self._models.get(peer_id)
        if existing is not None:  # opened before: kept up to date by events since
            if on_draft is not None:
                self.disk.run(lambda: self.cache.draft(peer_id), on_draft)
            if existing.has_newer:
                self.show_latest(peer_id)
            return existing
        model = MessageListModel(self.me.id, peer_id, self)
        self._models[peer_id] = model
        conv = self.conversations.get(peer_id)
        unread = conv.unread_count if conv else 0

        def load() -> tuple[list[Message], list[Message], str]:
            return (self.cache.latest(peer_id, PAGE), self.outbox.pending(peer_id),
                    self.cache.draft(peer_id))

        def loaded(result: tuple[list[Message], list[Message], str]) -> None:
            msgs, pending, draft = result
            incoming = [m for m in msgs if m.sender_id != self.me.id]
            unread_from = incoming[-unread].id if 0 < unread <= len(incoming) else None
            model.reset(msgs + pending, unread_from)
            if on_draft is not None:
                on_draft(draft)
            if self.online:
                self._fetch_latest(peer_id)

        self.disk.run(load, loaded)
        return model

    def close(self, peer_id: str) -> None:
        """The conversation's view closed; its model stays, kept current, for a fast reopen."""
        model = self._models.get(peer_id)
        if model is not None:
            model.clear_unread_marker()

    def _fetch_latest(self, peer_id: str) -> None:
        def work() -> list[Message]:
            page = self.api.messages(peer_id, limit=50)
            self.cache.put_messages(page.messages)
            return list(page.messages)

        def done(msgs: list[Message]) -> None:
            model = self._models.get(peer_id)
            if model is None:
                return
            oldest = model.oldest_id()
            older = [m for m in msgs if oldest is not None and id_key(m.id) < id_key(oldest)]
            if older:
                model.prepend(older)
            for m in msgs:
                if oldest is None or id_key(m.id) >= id_key(oldest):
                    model.upsert(m)

        self.runner.run(work, done, lambda exc: log.info("latest page: %s", exc))

    def load_older(self, peer_id: str) -> None:
        """Prepend the page before the oldest shown message (cache first, then server)."""
        model = self._models.get(peer_id)
        if model is None or model.loading_older or not model.has_more:
            return
        oldest = model.oldest_id()
        model.loading_older = True
        online = self.online

        def work() -> tuple[list[Message], bool]:
            msgs = self.cache.before(peer_id, oldest, PAGE) if oldest else []
            if len(msgs) >= PAGE:
                return msgs, True
            if not online:
                return msgs, bool(msgs)
            before = msgs[0].id if msgs else oldest
            try:
                page = self.api.messages(peer_id, before=before, limit=PAGE)
            except NetworkError:
                return msgs, True
            self.cache.put_messages(page.messages)
            return list(page.messages) + msgs, page.has_more

        def done(result: tuple[list[Message], bool]) -> None:
            msgs, has_more = result
            model.loading_older = False
            model.has_more = has_more
            model.prepend(msgs)

        def failed(exc: Exception) -> None:
            model.loading_older = False
            log.info("older page: %s", exc)

        self.runner.run(work, done, failed)

    def load_draft(self, peer_id: str, on_draft: Callable[[str], None]) -> None:
        self.disk.run(lambda: self.cache.draft(peer_id), on_draft)

    def load_newer(self, peer_id: str) -> None:
        """Append the page after the newest shown message, from the cache (after scrolling back)."""
        model = self._models.get(peer_id)
        if model is None or model.loading_newer or not model.has_newer:
            return
        newest = model.newest_id()
        if newest is None:
            return
        model.loading_newer = True

        def work() -> tuple[list[Message], bool, list[Message]]:
            msgs = self.cache.after(peer_id, newest, PAGE)
            at_end = len(msgs) < PAGE
            return msgs, at_end, self.outbox.pending(peer_id) if at_end else []

        def done(result: tuple[list[Message], bool, list[Message]]) -> None:
            model.loading_newer = False
            model.append_newer(result[0], at_end=result[1], pending=result[2])

        def failed(exc: Exception) -> None:
            model.loading_newer = False
            log.info("newer page: %s", exc)

        self.disk.run(work, done, failed)

    def show_latest(self, peer_id: str) -> None:
        """Back to the newest messages (after scrolling far back, when the person sends)."""
        model = self._models.get(peer_id)
        if model is None:
            return

        def load() -> list[Message]:
            return self.cache.latest(peer_id, PAGE) + self.outbox.pending(peer_id)

        def loaded(msgs: list[Message]) -> None:
            model.reset(msgs)
            model.has_more = True

        self.disk.run(load, loaded)

    def save_draft(self, peer_id: str, text: str) -> None:
        self.disk.run(lambda: self.cache.set_draft(peer_id, text))

    # sending ---------------------------------------------------------------------------------
    def send(self, peer_id: str, body: str) -> None:
        """Queue in the outbox (shown as sending at once), then flush when online."""
        body = body.strip()
        if not body:
            return

        def queued(message: Message) -> None:
            model = self._models.get(peer_id)
            if model is not None and model.has_newer:
                self.show_latest(peer_id)  # the person was far back in the history
            elif model is not None:
                model.upsert(message)
            self.conversations.add_message(message, self.me.id, unread=False, name=self.peer_name(peer_id))
            self.flush_outbox()

        self.disk.run(lambda: self.outbox.add(peer_id, body), queued)

    def send_media(self, peer_id: str, client_id: str, media: Any, on_queued: Callable[[], None] | None = None,
                   body: str = "") -> None:
        """Queue a message carrying an uploaded, ready video (``MediaInfo``) under its upload's ``client_id``.

        ``on_queued`` runs once the outbox holds it on disk; from then on it is never lost.
        """
        def queued(message: Message) -> None:
            model = self._models.get(peer_id)
            if model is not None:
                model.upsert(message)
            self.conversations.add_message(message, self.me.id, unread=False, name=self.peer_name(peer_id))
            if on_queued is not None:
                on_queued()
            self.flush_outbox()

        self.disk.run(lambda: self.outbox.add(peer_id, body, media=media, client_id=client_id), queued)

    def flush_outbox(self) -> None:
        """Send queued messages one by one, in order; stop at the first network failure."""
        if not self.online:
            return
        if self._flushing:
            self._flush_again = True
            return
        self._flushing = True
        self._flush_again = False

        def work() -> None:
            while True:
                item = self.outbox.next_unsent()
                if item is None:
                    return
                try:
                    payload = {"to": item.recipient_id, "client_id": item.client_id, "body": item.body}
                    if item.media is not None:
                        payload["media_id"] = item.media.id
                    ack = self.realtime.call(protocol.SEND, payload, self.ack_timeout)
                    stored = protocol.message(ack["message"])
                except NetworkError:
                    return  # retried on the next connect, with the same client_id
                except (ApiError, protocol.ProtocolError, KeyError) as exc:
                    self.outbox.mark_failed(item.client_id, str(exc))
                    self._refused.emit(item.client_id, str(exc))
                    continue
                self.cache.put_messages([stored])
                self.outbox.remove(item.client_id)
                self._sent.emit(stored)

        def finished(_: Any = None) -> None:
            self._flushing = False
            if self._flush_again:
                self.flush_outbox()

        self.runner.run(work, finished, lambda exc: (log.error("flush: %s", exc), finished()))

    def retry_failed(self, client_id: str) -> None:
        self.disk.run(lambda: self.outbox.retry(client_id), lambda _: self.flush_outbox())

    def _on_sent(self, message: Message) -> None:
        self._apply_new(message, notify=False)

    def _on_refused(self, client_id: str, reason: str) -> None:
        for model in self._models.values():
            row = model.row_of(client_id=client_id)
            if row >= 0:
                model.upsert(model.message_at(row).replace(error=reason))
        self.sendFailed.emit(client_id, reason)

    # edits --------------------------------------------------------------------------------------
    def edit(self, message_id: str, body: str, on_error: Callable[[Exception], None]) -> None:
        def work() -> Message:
            ack = self.realtime.call(protocol.EDIT, {"id": message_id, "body": body.strip()}, self.ack_timeout)
            m = protocol.message(ack["message"])
            self.cache.put_messages([m])
            return m

        self.runner.run(work, self._on_updated, on_error)

    def delete(self, message_id: str, on_error: Callable[[Exception], None]) -> None:
        def work() -> str:
            self.realtime.call(protocol.DELETE, {"id": message_id}, self.ack_timeout)
            self.cache.mark_deleted(message_id)
            return message_id

        self.runner.run(work, self._on_deleted, on_error)

    # typing and receipts -------------------------------------------------------------------------
    def set_typing(self, peer_id: str, typing: bool) -> None:
        if self.online:
            self.runner.run(lambda: self.realtime.emit(protocol.TYPING, {"to": peer_id, "typing": typing}))

    def mark_read(self, peer_id: str) -> None:
        """The person has seen the conversation up to its newest incoming message."""
        conv = self.conversations.get(peer_id)
        model = self._models.get(peer_id)
        up_to = model.newest_incoming_id() if model is not None else None
        if conv is not None and conv.unread_count:
            self.conversations.set_unread(peer_id, 0)
            self.disk.run(lambda: self.cache.put_conversations([conv.replace(unread_count=0)]))
        if up_to is None or not self.online:
            return
        newest = model.message_at(model.row_of(message_id=up_to))
        if newest is not None and newest.read_at is not None:
            return
        self.runner.run(lambda: self.realtime.emit(protocol.READ, {"peer_id": peer_id, "up_to": up_to}))

    # live events ---------------------------------------------------------------------------------------
    def _on_state(self, state: str, reason: str, retry_in: float) -> None:
        self.state = state
        if state != "online":
            self._synced = False
        self.stateChanged.emit(state, reason, retry_in)
        if state == "online":
            self._sync()

    def _sync(self) -> None:
        def work() -> tuple[list[Conversation], list[Message]]:
            return catch_up(self.api, self.realtime, self.cache, self.ack_timeout)

        def done(result: tuple[list[Conversation], list[Message]]) -> None:
            convs, got = result
            self.conversations.reset(self._merge(convs))
            for m in got:
                self._apply_new(m, notify=m.sender_id != self.me.id and m.delivered_at is None, count=False)
            for peer_id in list(self._models):
                self._fetch_latest(peer_id)
            self._synced = True
            self.flush_outbox()
            self.synced.emit()

        def failed(exc: Exception) -> None:
            log.warning("sync failed: %s", exc)
            if isinstance(exc, ApiError) and exc.is_session_error:
                return
            self.flush_outbox()

        self.runner.run(work, done, failed)

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

    def _on_message(self, message: Message) -> None:
        def store() -> None:
            self.cache.put_messages([message])
            if self._synced:
                self.cache.set_last_id(message.id)

        self.disk.run(store)
        self._apply_new(message, notify=message.sender_id != self.me.id)

    def _apply_new(self, message: Message, *, notify: bool, count: bool = True) -> None:
        """Show a stored message once, whether it came live, by sync, or as our own ack."""
        peer_id = message.peer_of(self.me.id)
        if peer_id in self._learning or (self.conversations.get(peer_id) is None and peer_id not in self._names):
            # Someone new writes: learn their name first, so the list and notification show it.
            self._learn_peer(peer_id, lambda: self._apply_new(message, notify=notify, count=count))
            return
        model = self._models.get(peer_id)
        if model is not None:
            model.upsert(message)
        if message.id in self._applied:
            return  # a duplicate (live and by sync): already counted and notified
        if len(self._applied) > 50000:
            self._applied.clear()
        self._applied.add(message.id)
        from_peer = message.sender_id != self.me.id
        self.conversations.add_message(message, self.me.id, unread=from_peer and count and notify,
                                       name=self._names.get(peer_id))
        if from_peer and message.delivered_at is None and self.online:
            self.runner.run(lambda: self.realtime.emit(protocol.DELIVERED, {"ids": [message.id]}))
        if from_peer:
            self._on_typing(Typing(peer_id, False))
        if notify:
            self.incoming.emit(message)

    def _learn_peer(self, peer_id: str, then: Callable[[], None]) -> None:
        """Fetch a new peer's name once; everything that arrives meanwhile waits in order."""
        waiting = self._learning.get(peer_id)
        if waiting is not None:
            waiting.append(then)
            return
        self._learning[peer_id] = [then]

        def work() -> Conversation | None:
            for conv in self.api.conversations():
                if conv.peer.id == peer_id:
                    bare = Conversation(peer=conv.peer)
                    self.cache.put_conversations([bare])
                    return bare
            return None

        def done(conv: Conversation | None) -> None:
            self._names[peer_id] = conv.peer.display_name if conv is not None else ""
            if conv is not None and self.conversations.get(peer_id) is None:
                self.conversations.upsert(conv)
            for callback in self._learning.pop(peer_id, []):
                callback()

        self.runner.run(work, done, lambda exc: done(None))

    def _on_updated(self, message: Message) -> None:
        self.disk.run(lambda: self.cache.put_messages([message]))
        model = self._models.get(message.peer_of(self.me.id))
        if model is not None:
            model.upsert(message)
        self.conversations.replace_message(message)

    def _on_deleted(self, message_id: str) -> None:
        self.disk.run(lambda: self.cache.mark_deleted(message_id))
        for model in self._models.values():
            row = model.row_of(message_id=message_id)
            if row >= 0:
                model.mark_deleted(message_id)
                self.conversations.replace_message(model.message_at(row))

    def _on_status(self, update: StatusUpdate) -> None:
        self.disk.run(lambda: self.cache.apply_status(update))
        for model in self._models.values():
            model.apply_status(update)

    def _on_typing(self, typing: Typing) -> None:
        self.typing.update(typing)

    def _typing_changed(self, user_id: str, typing: bool) -> None:
        self.conversations.set_typing(user_id, typing)
        self.peerTyping.emit(user_id, typing)

    def _on_presence(self, presence: Presence) -> None:
        self.conversations.set_presence(presence)
        self.presenceChanged.emit(presence)

