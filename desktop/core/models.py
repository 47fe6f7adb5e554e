"""Typed records of the things a person sees: users, messages, conversations."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from desktop.core.media import MediaInfo


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO 8601 UTC time (``...Z``) into an aware datetime, or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def format_time(value: datetime | None) -> str | None:
    """Format an aware datetime the way the wire contract does."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def id_key(message_id: str | None) -> tuple[int, str]:
    """Sort key for server ids: integers sent as strings sort numerically."""
    if message_id is None:
        return (1 << 62, "")
    return (len(message_id), message_id) if message_id.isdigit() else (1 << 61, message_id)


def max_id(a: str | None, b: str | None) -> str | None:
    """The later of two message ids (None counts as "nothing yet")."""
    if a is None:
        return b
    if b is None:
        return a
    return a if id_key(a) >= id_key(b) else b


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int = 900

    def __repr__(self) -> str:  # never leak a token into a log or traceback
        return f"TokenPair(expires_in={self.expires_in})"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    display_name: str
    locale: str | None = None
    created_at: str | None = None
    #: may open the server's status (``/api/admin``); set by the server's operator
    is_admin: bool = False


@dataclass(frozen=True)
class UserSummary:
    id: str
    display_name: str
    online: bool = False
    last_seen: datetime | None = None


class DeliveryState(str, Enum):
    """Where one of my own messages stands, as shown by the ticks."""

    SENDING = "sending"
    FAILED = "failed"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"


@dataclass(frozen=True)
class Message:
    id: str | None  # None while it waits in the outbox
    client_id: str
    sender_id: str
    recipient_id: str
    body: str
    created_at: datetime
    edited_at: datetime | None = None
    deleted: bool = False
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    pending: bool = False
    error: str | None = None
    media: MediaInfo | None = None  # a video attached to the message (issue 6)

    def peer_of(self, me: str) -> str:
        return self.recipient_id if self.sender_id == me else self.sender_id

    def state(self) -> DeliveryState:
        if self.error:
            return DeliveryState.FAILED
        if self.pending or self.id is None:
            return DeliveryState.SENDING
        if self.read_at:
            return DeliveryState.READ
        if self.delivered_at:
            return DeliveryState.DELIVERED
        return DeliveryState.SENT

    def replace(self, **changes: Any) -> Message:
        return dataclasses.replace(self, **changes)

    @property
    def version(self) -> tuple[bool, datetime]:
        """How new this copy's content is: a tombstone beats everything, then the later ``edited_at``.

        The server sets ``edited_at`` on every edit and on delete, and a delete is
        final, so this only grows. Copies arrive out of order (a history page fetched
        before a live edit can land after it); the one with the higher version wins.
        """
        return (self.deleted, self.edited_at or _NEVER)

    def merged(self, other: Message) -> Message:
        """This copy updated by ``other`` of the same message, never going back in time.

        The content (body, edit time, tombstone, video) comes from the newer version;
        receipts only move forward, from whichever copy has them.
        """
        newer, older = (other, self) if other.version >= self.version else (self, other)
        return newer.replace(delivered_at=newer.delivered_at or older.delivered_at,
                             read_at=newer.read_at or older.read_at,
                             media=None if newer.deleted else (newer.media or older.media))


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Conversation:
    peer: UserSummary
    last_message: Message | None = None
    unread_count: int = 0

    @property
    def activity(self) -> datetime:
        if self.last_message is not None:
            return self.last_message.created_at
        return datetime.min.replace(tzinfo=timezone.utc)

    def replace(self, **changes: Any) -> Conversation:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class StatusUpdate:
    ids: tuple[str, ...]
    status: str  # "delivered" | "read"
    at: datetime | None


@dataclass(frozen=True)
class Presence:
    user_id: str
    online: bool
    last_seen: datetime | None


@dataclass(frozen=True)
class Typing:
    user_id: str
    typing: bool


@dataclass(frozen=True)
class MessagePage:
    messages: tuple[Message, ...]
    has_more: bool


@dataclass(frozen=True)
class SessionInfo:
    """Who is signed in where; never holds a token."""

    server_url: str
    user: User
    remembered: bool = True  # False when the keyring was unusable
    offline: bool = False  # signed in from the cache, server not reached yet
    notes: tuple[str, ...] = field(default_factory=tuple)
