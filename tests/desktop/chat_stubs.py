"""Stub collaborators for the chat pieces: a scripted realtime link and API, and a real cache on disk.

They stand in for the server only; the cache and outbox are the real SQLite
store, and the task runners are real thread pools, so ordering bugs still show.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.errors import ApiError, NetworkError
from desktop.core.models import Conversation, Message, MessagePage, UserSummary, format_time
from desktop.core.outbox import Outbox
from desktop.core.store import Store
from desktop.qt.conversation_model import ConversationListModel
from desktop.qt.tasks import TaskRunner

ME, PEER, NEWCOMER = "1", "2", "3"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def msg(i: int, *, sender: str = PEER, to: str | None = None, body: str | None = None, **extra: Any) -> Message:
    """A stored message with id ``i`` between me and ``sender`` (or from me to ``to``)."""
    recipient = to if to is not None else (ME if sender != ME else PEER)
    return Message(id=str(i), client_id=f"c{i}", sender_id=sender, recipient_id=recipient,
                   body=body if body is not None else f"m{i}", created_at=T0 + timedelta(minutes=i), **extra)


def wire(m: Message) -> dict[str, Any]:
    """A message as the server sends it."""
    return {"id": m.id, "client_id": m.client_id, "sender_id": m.sender_id, "recipient_id": m.recipient_id,
            "body": m.body, "created_at": format_time(m.created_at), "edited_at": format_time(m.edited_at),
            "deleted": m.deleted}


@dataclass
class StubRealtime:
    """Records every emit and call; ``answer`` decides each call's ack (or raises)."""

    answer: Callable[[str, Any], dict[str, Any]] | None = None
    emitted: list[tuple[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.started += 1

    def stop(self, timeout: float = 5.0) -> None:
        pass

    def reconnect_now(self) -> None:
        pass

    def emit(self, event: str, data: Any) -> None:
        with self.lock:
            self.emitted.append((event, data))

    def call(self, event: str, data: Any, timeout: float = 10.0) -> dict[str, Any]:
        with self.lock:
            self.calls.append((event, data))
        if self.answer is None:
            raise NetworkError("Offline.", kind="offline")
        return self.answer(event, data)

    def emits_of(self, event: str) -> list[Any]:
        with self.lock:
            return [d for e, d in self.emitted if e == event]


def echo_server(next_id: list[int] | None = None) -> Callable[[str, Any], dict[str, Any]]:
    """An ``answer`` that stores every sent message with increasing ids, like the server."""
    counter = next_id or [1000]

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.SEND:
            counter[0] += 1
            stored = Message(id=str(counter[0]), client_id=data["client_id"], sender_id=ME,
                             recipient_id=data["to"], body=data["body"], created_at=T0 + timedelta(hours=1))
            return {"ok": True, "message": wire(stored)}
        return {"ok": True}

    return answer


@dataclass
class StubApi:
    """The chat's HTTP calls, answered from lists; ``pages[peer]`` is the whole server history."""

    people: dict[str, str] = field(default_factory=lambda: {PEER: "Binh", NEWCOMER: "Chi"})
    pages: dict[str, list[Message]] = field(default_factory=dict)
    asked: list[tuple[str, Any]] = field(default_factory=list)
    offline: bool = False

    def conversations(self) -> list[Conversation]:
        self.asked.append(("conversations", None))
        if self.offline:
            raise NetworkError("Offline.")
        return [Conversation(peer=UserSummary(pid, name)) for pid, name in self.people.items()]

    def messages(self, peer_id: str, *, before: str | None = None, after: str | None = None,
                 limit: int = 50) -> MessagePage:
        self.asked.append(("messages", (peer_id, before, limit)))
        if self.offline:
            raise NetworkError("Offline.")
        every = self.pages.get(peer_id, [])
        if before is not None:
            every = [m for m in every if int(m.id or 0) < int(before)]
        page = every[-limit:]
        return MessagePage(tuple(page), has_more=len(every) > limit)

    def user(self, user_id: str) -> UserSummary:
        self.asked.append(("user", user_id))
        if self.offline:
            raise NetworkError("Offline.")
        if user_id not in self.people:
            raise ApiError(404, "not_found", "You have no conversation with this person.")
        return UserSummary(user_id, self.people[user_id])

    def find_users(self, query: str) -> list[UserSummary]:
        return [UserSummary(pid, name) for pid, name in self.people.items() if query.lower() in name.lower()]


def dispose(*objects: QObject) -> None:
    """Delete Qt objects now, on this (the GUI) thread.

    A Python-owned QObject left to the garbage collector is destroyed on whatever
    thread runs the collection, possibly a pool thread: issue 12's heap errors.
    """
    for obj in objects:
        if shiboken6.isValid(obj):
            shiboken6.delete(obj)


@dataclass
class Parts:
    """What a chat piece is built from in these tests; everything Qt hangs off ``root``."""

    cache: MessageCache
    outbox: Outbox
    runner: TaskRunner
    disk: TaskRunner
    conversations: ConversationListModel
    store: Store
    online: list[bool]
    root: QObject

    def is_online(self) -> bool:
        return self.online[0]

    def idle(self) -> bool:
        return self.runner.pending() == 0 and self.disk.pending() == 0

    def own(self, *objects: QObject) -> None:
        """Make ``root`` the parent of these, so :meth:`close` deletes them on the GUI thread."""
        for obj in objects:
            obj.setParent(self.root)

    def close(self) -> None:
        self.runner.wait_idle(5000)
        self.disk.wait_idle(5000)
        QCoreApplication.sendPostedEvents()  # deliver what finished, while everything is alive
        self.runner.shutdown(5000)  # ... and drop what those callbacks queued (pools deleted here)
        self.disk.shutdown(5000)
        dispose(self.root)
        self.store.close()


def make_parts(tmp_path: Path, *, online: bool = True) -> Parts:
    store = Store(tmp_path / "cache.sqlite3")
    root = QObject()
    runner, disk = TaskRunner(parent=root, threads=4), TaskRunner(parent=root, threads=1)
    return Parts(cache=MessageCache(store, ME), outbox=Outbox(store, ME), runner=runner, disk=disk,
                 conversations=ConversationListModel(root), store=store, online=[online], root=root)
