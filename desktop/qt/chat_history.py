"""One conversation's history at a time: models filled from the cache, then the server, paged both ways.

Part of :class:`desktop.qt.chat.ChatService`. Every model lives as long as the
service, so reopening a conversation is instant and live events keep it current.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import NetworkError
from desktop.core.models import Message, id_key
from desktop.core.outbox import Outbox
from desktop.net.ports import ChatApi
from desktop.qt.conversation_model import ConversationListModel
from desktop.qt.message_model import MessageListModel
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

PAGE = protocol.HISTORY_MAX  # one page of history, from the cache or the server
LATEST = protocol.HISTORY_DEFAULT  # the newest page asked of the server on open and after a reconnect


class ChatHistory(QObject):
    """The message models of the conversations opened so far, and their paging."""

    def __init__(self, me_id: str, api: ChatApi, cache: MessageCache, outbox: Outbox, runner: TaskRunner,
                 disk: TaskRunner, conversations: ConversationListModel, is_online: Callable[[], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.me_id = me_id
        self.api = api
        self.cache = cache
        self.outbox = outbox
        self.runner = runner
        self.disk = disk
        self.conversations = conversations
        self.is_online = is_online
        self.models: dict[str, MessageListModel] = {}
        # unread counts at opening whose row could not be placed yet (the cache lacked the messages)
        self._marker_wanted: dict[str, int] = {}

    def model(self, peer_id: str) -> MessageListModel | None:
        return self.models.get(peer_id)

    def open(self, peer_id: str, on_draft: Callable[[str], None] | None = None) -> MessageListModel:
        """The history model of a conversation, filled from the cache then the server."""
        existing = self.models.get(peer_id)
        if existing is not None:  # opened before: kept up to date by events since
            if on_draft is not None:
                self.load_draft(peer_id, on_draft)
            if existing.has_newer:
                self.show_latest(peer_id)
            return existing
        model = MessageListModel(self.me_id, peer_id, self)
        self.models[peer_id] = model
        conv = self.conversations.get(peer_id)
        unread = conv.unread_count if conv else 0

        def load() -> tuple[list[Message], list[Message], str]:
            return (self.cache.latest(peer_id, PAGE), self.outbox.pending(peer_id),
                    self.cache.draft(peer_id))

        def loaded(result: tuple[list[Message], list[Message], str]) -> None:
            msgs, pending, draft = result
            model.reset(msgs + pending)
            unread_from = model.first_unread_id(unread)
            model.set_unread_marker(unread_from)
            if unread and unread_from is None:
                self._marker_wanted[peer_id] = unread  # placed when the server's page arrives
            if on_draft is not None:
                on_draft(draft)
            if self.is_online():
                self.fetch_latest(peer_id)

        self.disk.run(load, loaded, guard=self)
        return model

    def close(self, peer_id: str) -> None:
        """The conversation's view closed; its model stays, kept current, for a fast reopen."""
        model = self.models.get(peer_id)
        self._marker_wanted.pop(peer_id, None)
        if model is not None:
            model.clear_unread_marker()

    def refresh_unread_markers(self) -> None:
        """After a reconnect: each "Unread messages" row goes above what is still unread, or goes.

        It was placed when the conversation opened; what was read since (live, or while
        offline) must not sit under it any more.
        """
        for peer_id, model in self.models.items():
            conv = self.conversations.get(peer_id)
            unread = conv.unread_count if conv is not None else 0
            if peer_id in self._marker_wanted and unread:
                continue  # still waiting for the server's page to place it
            self._marker_wanted.pop(peer_id, None)
            model.set_unread_marker(model.first_unread_id(unread))

    def refresh_open(self) -> None:
        """After a reconnect: bring every opened conversation up to date with the server."""
        for peer_id in list(self.models):
            self.fetch_latest(peer_id)

    def fetch_latest(self, peer_id: str) -> None:
        def work() -> list[Message]:
            return list(self.api.messages(peer_id, limit=LATEST).messages)

        def done(msgs: list[Message]) -> None:
            self.disk.run(lambda: self.cache.put_messages(msgs))
            model = self.models.get(peer_id)
            if model is None:
                return
            oldest = model.oldest_id()
            older = [m for m in msgs if oldest is not None and id_key(m.id) < id_key(oldest)]
            if older:
                model.prepend(older)
            for m in msgs:
                if oldest is None or id_key(m.id) >= id_key(oldest):
                    model.upsert(m)
            wanted = self._marker_wanted.pop(peer_id, 0)
            if wanted:
                model.set_unread_marker(model.first_unread_id(wanted))

        self.runner.run(work, done, lambda exc: log.info("latest page: %s", exc), guard=self)

    def load_older(self, peer_id: str) -> None:
        """Prepend the page before the oldest shown message (cache first, then server)."""
        model = self.models.get(peer_id)
        if model is None or model.loading_older or not model.has_more:
            return
        oldest = model.oldest_id()
        model.loading_older = True
        online = self.is_online()

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
            self.disk.run(lambda: self.cache.put_messages(page.messages))  # writes: on the disk thread
            return list(page.messages) + msgs, page.has_more

        def done(result: tuple[list[Message], bool]) -> None:
            msgs, has_more = result
            model.loading_older = False
            model.has_more = has_more
            model.prepend(msgs)

        def failed(exc: Exception) -> None:
            model.loading_older = False
            log.info("older page: %s", exc)

        self.runner.run(work, done, failed, guard=self)

    def load_newer(self, peer_id: str) -> None:
        """Append the page after the newest shown message, from the cache (after scrolling back)."""
        model = self.models.get(peer_id)
        if model is None or model.loading_newer or not model.has_newer:
            return
        newest = model.newest_id()
        if newest is None:
            return
        model.loading_newer = True
        from_server = model.server_window and self.is_online()  # a search result's page (history_jump)

        def work() -> tuple[list[Message], bool, list[Message]]:
            if from_server:
                page = self.api.messages(peer_id, after=newest, limit=PAGE)
                msgs, at_end = list(page.messages), not page.has_more
            else:
                msgs = self.cache.after(peer_id, newest, PAGE)
                at_end = len(msgs) < PAGE
            return msgs, at_end, self.outbox.pending(peer_id) if at_end else []

        def done(result: tuple[list[Message], bool, list[Message]]) -> None:
            model.loading_newer = False
            model.append_newer(result[0], at_end=result[1], pending=result[2])
            if result[1]:
                model.server_window = False

        def failed(exc: Exception) -> None:
            model.loading_newer = False
            log.info("newer page: %s", exc)

        (self.runner if from_server else self.disk).run(work, done, failed, guard=self)

    def show_latest(self, peer_id: str) -> None:
        """Back to the newest messages (after scrolling far back, when the person sends)."""
        model = self.models.get(peer_id)
        if model is None:
            return

        def load() -> list[Message]:
            return self.cache.latest(peer_id, PAGE) + self.outbox.pending(peer_id)

        def loaded(msgs: list[Message]) -> None:
            model.reset(msgs)
            model.has_more = True

        self.disk.run(load, loaded, guard=self)

    def load_draft(self, peer_id: str, on_draft: Callable[[str], None]) -> None:
        self.disk.run(lambda: self.cache.draft(peer_id), on_draft)

    def save_draft(self, peer_id: str, text: str) -> None:
        self.disk.run(lambda: self.cache.set_draft(peer_id, text))
