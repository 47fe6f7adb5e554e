"""Wire names and payload decoding for the REST and Socket.IO contract (v1)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.media import MediaInfo, media_info
from desktop.core.models import (
    Conversation,
    Message,
    MessagePage,
    Presence,
    StatusUpdate,
    TokenPair,
    Typing,
    User,
    UserSummary,
    parse_time,
)

# Socket.IO events, client to server
SEND = "message:send"
EDIT = "message:edit"
DELETE = "message:delete"
DELIVERED = "message:delivered"
READ = "conversation:read"
TYPING = "typing"
SYNC = "sync"
# Socket.IO events, server to client
NEW = "message:new"
UPDATED = "message:updated"
DELETED = "message:deleted"
STATUS = "message:status"
PRESENCE = "presence"
MEDIA_STATUS = "media:status"
MEDIA_POSITION = "media:position"
BLOCKS_CHANGED = "blocks:changed"
#: Who sees when I am online (``users.presence_visibility`` on the server).
PRESENCE_CHOICES = ("everybody", "written_to", "nobody")

# Limits the server enforces (tests/desktop/test_protocol_shared.py compares them with server/protocol.py)
TYPING_EXPIRY_S = 6.0
MAX_BODY = 4000
MAX_CLIENT_ID = 64
MAX_IDS_PER_EVENT = 500  # ids in one message:delivered
SYNC_PAGE = 500
HISTORY_DEFAULT = 50
HISTORY_MAX = 100
MIN_PASSWORD = 10
MAX_PASSWORD = 128
MAX_DISPLAY_NAME = 64


class ProtocolError(ValueError):
    """A payload did not have the shape the contract promises."""


def _req(data: dict[str, Any], key: str) -> Any:
    try:
        return data[key]
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"missing field {key!r}") from exc


def token_pair(data: dict[str, Any]) -> TokenPair:
    return TokenPair(
        access_token=_req(data, "access_token"),
        refresh_token=_req(data, "refresh_token"),
        expires_in=int(data.get("expires_in") or 900),
    )


def user(data: dict[str, Any]) -> User:
    return User(
        id=str(_req(data, "id")),
        email=data.get("email") or "",
        display_name=data.get("display_name") or "",
        locale=data.get("locale"),
        created_at=data.get("created_at"),
        is_admin=bool(data.get("is_admin")),
    )


def user_summary(data: dict[str, Any]) -> UserSummary:
    return UserSummary(
        id=str(_req(data, "id")),
        display_name=data.get("display_name") or "",
        online=bool(data.get("online")),
        last_seen=parse_time(data.get("last_seen")),
    )


def message(data: dict[str, Any]) -> Message:
    created = parse_time(_req(data, "created_at"))
    if created is None:
        raise ProtocolError("bad created_at")
    return Message(
        id=str(_req(data, "id")),
        client_id=str(data.get("client_id") or ""),
        sender_id=str(_req(data, "sender_id")),
        recipient_id=str(_req(data, "recipient_id")),
        body=data.get("body") or "",
        created_at=created,
        edited_at=parse_time(data.get("edited_at")),
        deleted=bool(data.get("deleted")),
        delivered_at=parse_time(data.get("delivered_at")),
        read_at=parse_time(data.get("read_at")),
        media=media_info(data.get("media")),
    )


def conversation(data: dict[str, Any]) -> Conversation:
    last = data.get("last_message")
    return Conversation(
        peer=user_summary(_req(data, "peer")),
        last_message=message(last) if last else None,
        unread_count=int(data.get("unread_count") or 0),
    )


def conversations(data: dict[str, Any]) -> list[Conversation]:
    return [conversation(c) for c in _req(data, "conversations")]


def users(data: dict[str, Any]) -> list[UserSummary]:
    return [user_summary(u) for u in _req(data, "users")]


def message_page(data: dict[str, Any]) -> MessagePage:
    return MessagePage(
        messages=tuple(message(m) for m in _req(data, "messages")),
        has_more=bool(data.get("has_more")),
    )


def status_update(data: dict[str, Any]) -> StatusUpdate:
    return StatusUpdate(
        ids=tuple(str(i) for i in _req(data, "ids")),
        status=str(_req(data, "status")),
        at=parse_time(data.get("at")),
    )


def presence(data: dict[str, Any]) -> Presence:
    return Presence(
        user_id=str(_req(data, "user_id")),
        online=bool(data.get("online")),
        last_seen=parse_time(data.get("last_seen")),
    )


def typing(data: dict[str, Any]) -> Typing:
    return Typing(user_id=str(_req(data, "from")), typing=bool(data.get("typing")))


def deleted_id(data: dict[str, Any]) -> str:
    return str(_req(data, "id"))


def media_status(data: dict[str, Any]) -> MediaInfo:
    """``media:status``: the ``media`` object of a video whose processing ended."""
    info = media_info(data)
    if info is None:
        raise ProtocolError("missing field 'id'")
    return info


@dataclass(frozen=True)
class PositionUpdate:
    """``media:position``: one of my other devices saved where it stopped a video.

    ``seconds`` None: cleared (watched to the end, or back to the start). ``updated_at`` orders
    updates that cross each other (the newest wins, wherever it came from)."""

    media_id: str
    seconds: float | None
    updated_at: str


def media_position(data: dict[str, Any]) -> PositionUpdate:
    seconds = data.get("seconds") if isinstance(data, dict) else None
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))):
        raise ProtocolError("seconds is not a number")
    return PositionUpdate(str(_req(data, "media_id")), None if seconds is None else float(seconds),
                          str(data.get("updated_at") or ""))
