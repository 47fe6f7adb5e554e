"""The Socket.IO protocol of Parley v1: event names and payload schemas, defined once.

The server validates every client event against the schema here, and the
desktop client imports the same names (``from server.protocol import
MESSAGE_SEND``). This module depends only on pydantic and the standard
library, so any Python client can import it without the server's other
dependencies. ``docs/protocol.md`` is the prose version of this file.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

# --- event names: client -> server -------------------------------------------
MESSAGE_SEND = "message:send"
MESSAGE_EDIT = "message:edit"
MESSAGE_DELETE = "message:delete"
MESSAGE_DELIVERED = "message:delivered"
CONVERSATION_READ = "conversation:read"
TYPING = "typing"
SYNC = "sync"
#: Replaces the access token of a live connection (an extension to the contract),
#: so a client can renew it before it expires without reconnecting.
AUTH_REFRESH = "auth:refresh"
#: Block / unblock a person (``{"user_id"}``); the same as the REST calls under ``/api/blocks``.
USER_BLOCK = "user:block"
USER_UNBLOCK = "user:unblock"

# --- event names: server -> client -------------------------------------------
MESSAGE_NEW = "message:new"
MESSAGE_UPDATED = "message:updated"
MESSAGE_DELETED = "message:deleted"
MESSAGE_STATUS = "message:status"
PRESENCE = "presence"
MEDIA_STATUS = "media:status"
#: To a person's other logins when one of them saved where it stopped a video (resume anywhere):
#: ``{"media_id", "seconds" (null: cleared, watched to the end), "updated_at"}``.
MEDIA_POSITION = "media:position"
#: Sent just before the server ends a connection whose login is no longer valid
#: (``{"code", "message"}``; code ``token_expired`` or ``session_revoked``).
SESSION_ENDED = "session:ended"
#: To one's own devices after a block or unblock: ``{"user_id", "blocked"}``.
#: Never sent to the person blocked.
BLOCKS_CHANGED = "blocks:changed"
# TYPING ("typing") is also sent server -> client, as ``{"from", "typing"}``.

CLIENT_EVENTS = (MESSAGE_SEND, MESSAGE_EDIT, MESSAGE_DELETE, MESSAGE_DELIVERED, CONVERSATION_READ,
                 TYPING, SYNC, AUTH_REFRESH, USER_BLOCK, USER_UNBLOCK)
SERVER_EVENTS = (MESSAGE_NEW, MESSAGE_UPDATED, MESSAGE_DELETED, MESSAGE_STATUS, PRESENCE, TYPING,
                 MEDIA_STATUS, SESSION_ENDED, BLOCKS_CHANGED, MEDIA_POSITION)

# --- rooms --------------------------------------------------------------------
def user_room(user_id: str) -> str:
    """The room every socket of ``user_id`` joins: "tell a user" emits here."""
    return f"user:{user_id}"


def session_room(session_id: str) -> str:
    """The room every socket of one login joins (media links are minted per login)."""
    return f"login:{session_id}"


# --- limits -----------------------------------------------------------------
MAX_BODY = 4000
MAX_CLIENT_ID = 64
MAX_IDS_PER_EVENT = 500
SYNC_PAGE = 500
HISTORY_DEFAULT = 50
HISTORY_MAX = 100
TYPING_EXPIRY_S = 6.0

#: Error codes found in ``{"ok": false, "error": {"code", "message"}}`` acks.
ERROR_CODES = (
    "validation_failed", "recipient_not_found", "recipient_not_verified", "invalid_recipient",
    "not_found", "message_deleted", "media_not_found", "media_not_ready", "rate_limited",
    "unauthorized", "token_expired", "session_revoked", "internal_error", "peer_blocked",
    "no_conversation", "user_not_found", "invalid_user",
)


#: The largest message id: ids are signed 64-bit integers in the database (BIGINT).
MAX_MESSAGE_ID = 2**63 - 1


def decimal_at_most(n: int) -> str:
    """A regular expression (JSON Schema and Python alike) for decimal strings whose value is <= ``n``.

    The OpenAPI document uses it, so a client (or a fuzzer) sees the real
    range of an id instead of learning it from an error.
    """
    digits = str(n)
    alts = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, ch in enumerate(digits):
        d, rest = int(ch), len(digits) - i - 1
        if d:
            alts.append(digits[:i] + (f"[0-{d - 1}]" if d > 1 else "0") + (rf"\d{{{rest}}}" if rest else ""))
    alts.append(digits)
    return "^(?:" + "|".join(alts) + ")$"


#: A message id as a decimal string, in range.
MESSAGE_ID_PATTERN = decimal_at_most(MAX_MESSAGE_ID)


def _message_id(value: Any) -> Any:
    """Message ids travel as decimal strings; integers are accepted too. Out of range is invalid, not a 500."""
    wrong = "A message id is a string of digits, such as \"42\", up to 9223372036854775807."
    if isinstance(value, bool):
        raise ValueError(wrong)
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_MESSAGE_ID:
        return value
    raise ValueError(wrong)


#: A message id: ``"42"`` (or 42) on the wire, an int in Python.
MessageId = Annotated[int, BeforeValidator(_message_id), Field(ge=0, le=MAX_MESSAGE_ID)]
UserId = Annotated[str, Field(min_length=1, max_length=64)]


def clean_body(value: str | None) -> str | None:
    """Trims a body; the contract counts 1..4000 characters after trimming."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_BODY:
        raise ValueError(f"A message is at most {MAX_BODY} characters.")
    return value


class Payload(BaseModel):
    """A client event payload: unknown fields are ignored, types are strict for strings."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class SendPayload(Payload):
    """``message:send``: a body, a video (``media_id``) or both."""

    to: UserId
    client_id: str = Field(min_length=1, max_length=MAX_CLIENT_ID,
                           description="Chosen by the client (a UUID); the retry key")
    body: str | None = Field(default=None, max_length=MAX_BODY * 4)
    media_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _body_or_media(self) -> SendPayload:
        body = clean_body(self.body)
        if not body and self.media_id is None:
            raise ValueError("Write a message (1 to 4000 characters) or attach a video.")
        object.__setattr__(self, "body", body or "")
        return self


class EditPayload(Payload):
    id: MessageId
    body: str = Field(max_length=MAX_BODY * 4)

    @model_validator(mode="after")
    def _trim(self) -> EditPayload:
        body = clean_body(self.body)
        object.__setattr__(self, "body", body)
        return self


class DeletePayload(Payload):
    id: MessageId


class DeliveredPayload(Payload):
    ids: list[MessageId] = Field(min_length=1, max_length=MAX_IDS_PER_EVENT)


class ReadPayload(Payload):
    peer_id: UserId
    up_to: MessageId


class TypingPayload(Payload):
    to: UserId
    typing: StrictBool


class SyncPayload(Payload):
    after: MessageId | None = None
    limit: int = Field(default=SYNC_PAGE, ge=1, le=SYNC_PAGE)


class AuthRefreshPayload(Payload):
    token: str = Field(min_length=1, max_length=4096)


class BlockPayload(Payload):
    """``user:block`` / ``user:unblock``."""

    user_id: UserId


# --- server -> client payloads (documentation and client-side decoding) -------
class MessageOut(BaseModel):
    """The contract's ``message``."""

    id: str
    client_id: str
    sender_id: str
    recipient_id: str
    body: str
    media: dict[str, Any] | None = None
    created_at: str
    edited_at: str | None = None
    deleted: bool = False
    delivered_at: str | None = None
    read_at: str | None = None


class StatusOut(BaseModel):
    ids: list[str]
    status: str = Field(description="delivered or read")
    at: str


class TypingOut(BaseModel):
    from_: str = Field(alias="from")
    typing: bool


class BlocksChangedOut(BaseModel):
    user_id: str
    blocked: bool


class PositionEventOut(BaseModel):
    """``media:position``: another login of the same person saved where it stopped a video."""

    media_id: str
    seconds: float | None = Field(description="null: cleared (watched to the end, or back to the start)")
    updated_at: str


class PresenceOut(BaseModel):
    user_id: str
    online: bool
    last_seen: str | None = None


class SyncAck(BaseModel):
    ok: bool = True
    messages: list[MessageOut]
    has_more: bool


#: Which schema validates each client event.
SCHEMAS: dict[str, type[Payload]] = {
    MESSAGE_SEND: SendPayload,
    MESSAGE_EDIT: EditPayload,
    MESSAGE_DELETE: DeletePayload,
    MESSAGE_DELIVERED: DeliveredPayload,
    CONVERSATION_READ: ReadPayload,
    TYPING: TypingPayload,
    SYNC: SyncPayload,
    AUTH_REFRESH: AuthRefreshPayload,
    USER_BLOCK: BlockPayload,
    USER_UNBLOCK: BlockPayload,
}
