"""Open a conversation at one message (a search result): the history around it, from the cache or the server.

Part of the chat's history (:class:`~desktop.qt.chat_history.ChatHistory` owns the
models). The page around a message comes from the cache when the cache has the
message, else from the server (``GET …/messages?around=``). A page from the server
is not written to the cache: the cache keeps one unbroken stretch of each
conversation, which its paging relies on. Scrolling down from such a page then asks
the server for the next pages (``after=``) until the newest one.
"""
from __future__ import annotations

import logging
from typing import Callable, Protocol

from PySide6.QtCore import QObject

from desktop.core.cache import MessageCache
from desktop.core.models import Message
from desktop.core.outbox import Outbox
from desktop.qt.message_model import MessageListModel
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

AROUND = 50  # messages loaded around the one shown


class AroundApi(Protocol):
    def messages_around(self, peer_id: str, message_id: str, limit: int = ...) -> tuple[list[Message], bool, bool]:
        ...


class HistoryJump(QObject):
    """Fills a conversation's model around one message and says when it is in place."""

    def __init__(self, api: AroundApi, cache: MessageCache, outbox: Outbox, runner: TaskRunner, disk: TaskRunner,
                 is_online: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.cache = cache
        self.outbox = outbox
        self.runner = runner
        self.disk = disk
        self.is_online = is_online

    def show(self, model: MessageListModel, message_id: str, on_ready: Callable[[bool], None]) -> None:
        """Make ``message_id`` a row of ``model``; ``on_ready(found)`` runs on the GUI thread after."""
        if model.row_of(message_id=message_id) >= 0:
            on_ready(True)
            return
        peer_id = model.peer_id
        online = self.is_online()

        def from_cache() -> tuple[list[Message], bool, list[Message]] | None:
            found = self.cache.get(message_id)
            if found is None:
                return None
            before = self.cache.before(peer_id, message_id, AROUND // 2)
            after = self.cache.after(peer_id, message_id, AROUND // 2)
            at_end = len(after) < AROUND // 2
            return (before + [found] + after, at_end,
                    self.outbox.pending(peer_id) if at_end else [])

        def cached(result: tuple[list[Message], bool, list[Message]] | None) -> None:
            if result is not None:
                msgs, at_end, pending = result
                self._fill(model, msgs + pending, has_newer=not at_end, server_window=False)
                on_ready(True)
            elif online:
                self.runner.run(lambda: self.api.messages_around(peer_id, message_id, AROUND), from_server,
                                failed, guard=self)
            else:
                on_ready(False)

        def from_server(result: tuple[list[Message], bool, bool]) -> None:
            msgs, _more_before, more_after = result
            self._fill(model, msgs, has_newer=more_after, server_window=more_after)
            on_ready(model.row_of(message_id=message_id) >= 0)

        def failed(exc: Exception) -> None:
            log.info("messages around %s: %s", message_id, exc)
            on_ready(False)

        self.disk.run(from_cache, cached, failed, guard=self)

    @staticmethod
    def _fill(model: MessageListModel, messages: list[Message], *, has_newer: bool, server_window: bool) -> None:
        model.reset(messages)
        model.has_more = True  # older pages: cache first, then the server (ChatHistory.load_older)
        model.has_newer = has_newer
        model.server_window = server_window
