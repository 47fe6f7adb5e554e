"""Message search for the windows: the cache at once, then the server's answer merged in when online.

Signals carry a query id, so a window shows only the answer to what it asked last.
"""
from __future__ import annotations

import itertools
import logging
from typing import Callable, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import ApiError, NetworkError
from desktop.core.models import Message
from desktop.core.search import LIMIT, SearchHit, hits_of, merge, search_cache
from desktop.core.store import Store
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)


class SearchApi(Protocol):
    def search_messages(self, query: str, peer_id: str | None = ..., limit: int = ...) -> list[Message]: ...


class MessageSearch(QObject):
    """Searches one's messages: the local cache (works offline), merged with the server's results.

    Signals:
        results(int, list): query id, the hits so far (newest first). Emitted once with the cache's
            hits and, when online, once more with the server's merged in.
        finished(int, str): query id and how it went: ``"server"`` (the server's results are in),
            ``"offline"``, ``"rate_limited"`` or ``"failed"`` (only cached messages were searched).
    """

    results = Signal(int, list)
    finished = Signal(int, str)

    def __init__(self, me: str, api: SearchApi, store: Store, runner: TaskRunner,
                 disk: TaskRunner, is_online: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.me = me
        self.api = api
        self.store = store
        self.runner = runner
        self.disk = disk
        self.is_online = is_online
        self._ids = itertools.count(1)

    def search(self, query: str, peer_id: str | None = None) -> int:
        """Start a search; returns its id (answers come through :attr:`results` and :attr:`finished`)."""
        qid = next(self._ids)
        local: list[SearchHit] = []
        online = self.is_online()

        def found_locally(hits: list[SearchHit]) -> None:
            local.extend(hits)
            self.results.emit(qid, list(hits))
            if not online:
                self.finished.emit(qid, "offline")

        def local_failed(exc: Exception) -> None:
            log.warning("cache search: %s", exc)
            if not online:
                self.finished.emit(qid, "offline")

        self.disk.run(lambda: search_cache(self.store, self.me, query, peer_id, LIMIT), found_locally,
                      local_failed, guard=self)
        if not online:
            return qid

        def from_server() -> list[SearchHit]:
            return hits_of(self.api.search_messages(query, peer_id, LIMIT), self.me)

        def answered(server: list[SearchHit]) -> None:
            # Queued behind the local search on purpose: the disk runner answers in order, so the
            # merge runs after found_locally. The hits are not written to the cache: scattered
            # messages there would look like a contiguous history to the paging (ChatHistory).
            self.disk.run(lambda: None, lambda _: self._merged(qid, local, server), guard=self)

        def failed(exc: Exception) -> None:
            limited = isinstance(exc, ApiError) and exc.code == "rate_limited"
            if not limited:
                log.info("server search: %s", exc)
            how = "rate_limited" if limited else "offline" if isinstance(exc, NetworkError) else "failed"
            self.disk.run(lambda: None, lambda _: self.finished.emit(qid, how), guard=self)

        self.runner.run(from_server, answered, failed, guard=self)
        return qid

    def _merged(self, qid: int, local: list[SearchHit], server: list[SearchHit]) -> None:
        self.results.emit(qid, merge(local, server))
        self.finished.emit(qid, "server")
