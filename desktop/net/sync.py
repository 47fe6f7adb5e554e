"""Catching up after a (re)connect: the conversation list, then every message since the last one known.

Blocking; runs on a worker thread. The cursor (the newest message id this
device has) lives in the cache, so a restart resumes where it stopped.
"""
from __future__ import annotations

from typing import Any, Callable

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.models import Conversation, Message, max_id
from desktop.net.ports import ChatApi, Realtime


def catch_up(api: ChatApi, realtime: Realtime, cache: MessageCache, ack_timeout: float = 10.0,
             write: Callable[[Callable[[], None]], Any] | None = None
             ) -> tuple[list[Conversation], list[Message]]:
    """Return the server's conversation list and the messages stored after our cursor, oldest first.

    A device with an empty cache starts its cursor at the newest message of the
    list instead of downloading the whole history (pages load as chats are opened).
    ``sync`` is paged (at most 500 a page) until ``has_more`` is false.

    ``write`` runs each cache write (the app passes its disk runner, so writes stay
    on the one disk thread, in order); by default they run here.
    """
    store = write or (lambda fn: fn())
    convs = api.conversations()
    store(lambda: cache.put_conversations(convs))
    after = cache.last_id()
    got: list[Message] = []
    if after is None and convs:
        newest = None
        for c in convs:
            if c.last_message is not None:
                newest = max_id(newest, c.last_message.id)
        store(lambda: cache.set_last_id(newest))
        return convs, got
    while True:
        ack = realtime.call(protocol.SYNC, {"after": after}, ack_timeout)
        page = [protocol.message(m) for m in ack.get("messages") or []]
        got.extend(page)
        for m in page:
            after = max_id(after, m.id)
        store(_page_writer(cache, page, after))
        if not ack.get("has_more") or not page:
            return convs, got


def _page_writer(cache: MessageCache, page: list[Message], cursor: str | None) -> Callable[[], None]:
    """One sync page and the cursor after it, written together (the cursor never passes unsaved messages)."""
    def write() -> None:
        cache.put_messages(page)
        cache.set_last_id(cursor)

    return write
