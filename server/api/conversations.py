"""``/api/conversations`` and ``/api/messages/search``: the REST side of messaging.

A conversation is named by the peer's user id. Sending and marking read by
REST have the same effects as their Socket.IO events, including the events
pushed to connected devices.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from server.api.schemas import Body, UserSummary, conforms, summary
from server.auth import BEARER, current_session_id, require_user
from server.errors import ApiError, Problem
from server.extensions import db_session, services
from server.protocol import (MESSAGE_ID_PATTERN, HISTORY_DEFAULT, HISTORY_MAX, MAX_BODY, MAX_CLIENT_ID, MESSAGE_NEW,
                             MessageOut)
from server.services import blocks, visibility
from server.services.messaging import MessagingService

if TYPE_CHECKING:
    from server.realtime.hub import Realtime

tag = Tag(name="Messages", description="Private conversations, history, sending, read receipts and search")
bp = APIBlueprint("conversations", __name__, url_prefix="/api", abp_tags=[tag], abp_security=BEARER,
                  abp_responses={401: Problem, 422: Problem, 429: Problem})

_ID = MESSAGE_ID_PATTERN  # decimal, at most 2^63-1 (larger ids would overflow BIGINT: a 500 before)


class PeerPath(BaseModel):
    peer_id: str = Field(min_length=1, max_length=64, description="The other person's user id")


class HistoryQuery(BaseModel):
    before: str | None = Field(default=None, pattern=_ID, description="Only messages with a smaller id")
    after: str | None = Field(default=None, pattern=_ID, description="Only messages with a larger id")
    around: str | None = Field(default=None, pattern=_ID,
                               description="The page centred on this message (a search result); before "
                                           "and after are then ignored. The answer also has has_more_before "
                                           "and has_more_after")
    limit: int = Field(default=HISTORY_DEFAULT, ge=1, le=HISTORY_MAX)


#: A body with something left after trimming: one character that ``str.strip`` keeps (Python's white space,
#: listed explicitly: JSON Schema's ``\\s`` is a different set). The same fragment is in the OpenAPI document.
TEXT_PATTERN = "[^\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
_BODY_OR_MEDIA: Any = [{"required": ["body"], "properties": {"body": {"type": "string", "pattern": TEXT_PATTERN}}},
                  {"required": ["media_id"], "properties": {"media_id": {"type": "string"}}}]


class SendBody(Body):
    """A message: text, a video, or both (`anyOf`: a `body` with something besides white space, or a `media_id`)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": _BODY_OR_MEDIA})

    client_id: str = Field(min_length=1, max_length=MAX_CLIENT_ID,
                           description="Chosen by the client (a UUID); a retry with the same one returns the "
                                       "stored message with 200")
    media_id: str | None = Field(default=None, min_length=1, max_length=64, description="A ready video you uploaded")
    # after media_id, and validated even when absent: its validator sees media_id
    body: str | None = Field(default=None, validate_default=True, json_schema_extra={"maxLength": MAX_BODY},
                             description=f"1 to {MAX_BODY} characters, not only white space; optional with "
                                         "media_id")

    @field_validator("body")
    @classmethod
    def _body_or_media(cls, v: str | None, info: ValidationInfo) -> str | None:
        """Raises :class:`ApiError` itself (pydantic lets it through): errors on a field named ``body``
        would otherwise read as "the request body is not JSON" (400 ``invalid_json``)."""
        if v is not None and len(v) > MAX_BODY:
            msg = f"A message is at most {MAX_BODY} characters."
        elif info.data.get("media_id") is None and not (v is not None and conforms({"pattern": TEXT_PATTERN}, v)):
            msg = f"Write a message (1 to {MAX_BODY} characters) or attach a video."
        else:
            return v
        raise ApiError(422, "validation_failed", msg, errors={"body": [msg]})


class ReadBody(Body):
    up_to: str = Field(pattern=_ID, description="Marks every message from the peer up to this id read")


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="Words to find (the last one may be a prefix)")
    peer_id: str | None = Field(default=None, max_length=64, description="Only this conversation")
    limit: int = Field(default=HISTORY_DEFAULT, ge=1, le=HISTORY_MAX)


class ConversationOut(BaseModel):
    peer: UserSummary
    last_message: MessageOut | None
    unread_count: int


class ConversationList(BaseModel):
    conversations: list[ConversationOut]


class MessagePage(BaseModel):
    messages: list[MessageOut]
    has_more: bool = Field(description="Another page exists in the direction of paging")
    has_more_before: bool | None = Field(default=None, description="With around: older messages exist")
    has_more_after: bool | None = Field(default=None, description="With around: newer messages exist")


class MessageList(BaseModel):
    messages: list[MessageOut]


def _take(kind: str, user_id: str) -> None:
    services().user_limits.take(kind, user_id)


def _messaging() -> MessagingService:
    return services().messaging


def _realtime() -> Realtime:
    """Sends a message's events through the notifier: per login for videos, and a reply may
    reveal the sender's presence to the recipient (the same path as the Socket.IO ``message:send``)."""
    return current_app.extensions["parley_realtime"]


def _viewer(user_id: str) -> tuple[str, str]:
    """Media links in answers are minted for this caller on this login."""
    return user_id, current_session_id()


@bp.get("/conversations", responses={200: ConversationList},
        summary="Your conversations, newest activity first")
def list_conversations():  # noqa: ANN201
    me = require_user()
    s = db_session()
    rows = _messaging().conversations(s, me.id)
    visible = visibility.visible_presence(s, me.id, [r.peer for r in rows])
    online = services().presence.online([r.peer.id for r in rows if r.peer.id in visible])
    return {"conversations": [
        {"peer": summary(r.peer, r.peer.id in online, r.peer.id in visible),
         "last_message": _messaging().serialize(s, r.last_message, _viewer(me.id)) if r.last_message else None,
         "unread_count": r.unread_count} for r in rows]}


@bp.get("/conversations/<peer_id>/messages", responses={200: MessagePage, 404: Problem},
        summary="A page of a conversation (cursor pagination, oldest first within the page)",
        description="No cursor: the newest page. `before`: the page before that id. `after`: the page after "
                    "that id. `has_more` says whether another page exists in that direction.")
def history(path: PeerPath, query: HistoryQuery):  # noqa: ANN201
    me = require_user()
    _take("sync", me.id)
    s = db_session()
    if query.around is not None:  # takes precedence over before/after (as after does over before)
        centred = _messaging().around(s, me.id, path.peer_id, int(query.around), query.limit)
        return {"messages": blocks.mask_receipts(s, me.id, _messaging().serialize_many(s, centred.messages,
                                                                                        _viewer(me.id))),
                "has_more": centred.has_more_before or centred.has_more_after,
                "has_more_before": centred.has_more_before, "has_more_after": centred.has_more_after}
    page = _messaging().history(s, me.id, path.peer_id,
                                before=int(query.before) if query.before else None,
                                after=int(query.after) if query.after else None, limit=query.limit)
    return {"messages": blocks.mask_receipts(s, me.id, _messaging().serialize_many(s, page.messages, _viewer(me.id))),
            "has_more": page.has_more}


@bp.post("/conversations/<peer_id>/messages", responses={201: MessageOut, 200: MessageOut, 403: Problem, 404: Problem},
         summary="Send a message (idempotent on client_id)",
         description="201 with the stored message; a retry with the same `client_id` answers 200 with the "
                     "message stored the first time. Connected devices get `message:new` as with Socket.IO.")
def send(path: PeerPath, body: SendBody):  # noqa: ANN201
    me = require_user()
    _take("send", me.id)  # the same budget as the person's sockets
    s = db_session()
    m = _messaging()
    msg, created = m.send(s, me.id, path.peer_id, body.client_id, body.body or "", body.media_id)
    data = m.serialize(s, msg, _viewer(me.id))
    if created:  # the sender's devices too: none of them sent it
        # not to the recipient when withheld: they blocked the sender, who must not notice
        _realtime().emit_message(MESSAGE_NEW, s, msg, to_recipient=not msg.withheld)
    return data, 201 if created else 200


@bp.post("/conversations/<peer_id>/read", responses={204: None, 404: Problem},
         summary="Mark the peer's messages read up to an id")
def mark_read(path: PeerPath, body: ReadBody):  # noqa: ANN201
    me = require_user()
    _take("read", me.id)  # the same budget as conversation:read
    change = _messaging().mark_read(db_session(), me.id, path.peer_id, int(body.up_to))
    services().notifier.receipts(change.status, change.at, change.ids_by_sender, reader_id=me.id,
                                 silent_for=change.silent_for)  # receipts stop across a block
    return Response(status=204)


@bp.get("/messages/search", responses={200: MessageList},
        summary="Full-text search of your own messages, newest first",
        description="Every word must match; the last word also matches as a prefix on SQLite. "
                    "Deleted messages are never found.")
def search(query: SearchQuery):  # noqa: ANN201
    me = require_user()
    _take("message_search", me.id)
    s = db_session()
    found = _messaging().search(s, me.id, query.q, query.peer_id, query.limit)
    return {"messages": _messaging().serialize_many(s, found, _viewer(me.id))}
