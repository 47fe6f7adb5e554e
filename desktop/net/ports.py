"""What the chat code needs of the network, as Protocols.

The chat pieces (:mod:`desktop.qt.chat_history`, :mod:`desktop.qt.chat_sending`,
:mod:`desktop.qt.chat_events`) are typed against these rather than the concrete
``RealtimeClient``/``ApiClient``, so unit tests can hand them small stubs and
run with no live server, and mypy checks that the real clients still fit.
"""
from __future__ import annotations

from typing import Any, Protocol

from desktop.core.models import Conversation, Message, MessagePage, UserSummary


class Realtime(Protocol):
    """A live connection: :class:`desktop.net.realtime.RealtimeClient` in the app."""

    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...

    def reconnect_now(self) -> None: ...

    def emit(self, event: str, data: Any) -> None:
        """Fire and forget; dropped when offline."""

    def call(self, event: str, data: Any, timeout: float = ...) -> dict[str, Any]:
        """Emit and wait for the ack; raise NetworkError (offline, no ack) or ApiError (refused)."""


class ChatApi(Protocol):
    """The HTTP calls of the chat: :class:`desktop.net.http.ApiClient` in the app."""

    def conversations(self) -> list[Conversation]: ...

    def messages(self, peer_id: str, *, before: str | None = ..., after: str | None = ...,
                 limit: int = ...) -> MessagePage: ...

    def find_users(self, query: str) -> list[UserSummary]: ...

    def search_messages(self, query: str, peer_id: str | None = ..., limit: int = ...) -> list[Message]:
        """Full-text search of one's own conversations (issue 14)."""

    def messages_around(self, peer_id: str, message_id: str, limit: int = ...) -> tuple[list[Message], bool, bool]:
        """The page centred on a message: (messages, more before, more after)."""

    def user(self, user_id: str) -> UserSummary:
        """Someone you share a conversation with: names the sender of a first message."""
