"""Catching up after a (re)connect: the conversation list, then every message since the last one known.

Blocking; runs on a worker thread. The cursor (the newest message id this
device has) lives in the cache, so a restart resumes where it stopped.
"""
from __future__ import annotations

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.models import Conversation, Message, max_id
from desktop.net.ports import ChatApi, Realtime


def catch_up(api: ChatApi, realtime: Realtime, cache: MessageCache,
             ack_timeout: float = 10.0) -> tuple[list[Conversation], list[Message]]:
    """Return the server's conversation list and the messages stored after our cursor, oldest first.

    A device with an empty cache starts its cursor at the newest message of the
    list instead of downloading the whole history (pages load as chats are opened).
    ``sync`` is paged (at most 500 a page) until ``has_more`` is false.
    """
    convs = api.conversations()
    cache.put_conversations(convs)
    after = cache.last_id()
    got: list[Message] = []
    if after is None and convs:
        newest = None
        for c in convs:
            if c.last_message is not None:
                newest = max_id(newest, c.last_message.id)
        cache.set_last_id(newest)
        return convs, got
    while True:
        ack = realtime.call(protocol.SYNC, {"after": after}, ack_timeout)
        page = [protocol.message(m) for m in ack.get("messages") or []]
        cache.put_messages(page)
        got.extend(page)
        for m in page:
            after = max_id(after, m.id)
        cache.set_last_id(after)
        if not ack.get("has_more") or not page:
            return convs, got
