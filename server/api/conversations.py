"""``/api/conversations`` and ``/api/messages/search``: the REST side of messaging.

A conversation is named by the peer's user id. Sending and marking read by
REST have the same effects as their Socket.IO events, including the events
pushed to connected devices.
"""
from __future__ import annotations


from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from server.api.schemas import Body, UserSummary, summary
from server.auth import BEARER, require_user
from server.errors import Problem
from server.extensions import db_session, services
from server.protocol import (HISTORY_DEFAULT, HISTORY_MAX, MAX_BODY, MAX_CLIENT_ID, MessageOut)
from server.services.messaging import MessagingService

tag = Tag(name="Messages", description="Private conversations, history, sending, read receipts and search")
bp = APIBlueprint("conversations", __name__, url_prefix="/api", abp_tags=[tag], abp_security=BEARER,
                  abp_responses={401: Problem, 422: Problem})

_ID = r"^\d{1,19}$"


class PeerPath(BaseModel):
    peer_id: str = Field(min_length=1, max_length=64, description="The other person's user id")


class HistoryQuery(BaseModel):
    before: str | None = Field(default=None, pattern=_ID, description="Only messages with a smaller id")
    after: str | None = Field(default=None, pattern=_ID, description="Only messages with a larger id")
    limit: int = Field(default=HISTORY_DEFAULT, ge=1, le=HISTORY_MAX)


class SendBody(Body):
    client_id: str = Field(min_length=1, max_length=MAX_CLIENT_ID,
                           description="Chosen by the client (a UUID); a retry with the same one returns the "
                                       "stored message with 200")
    body: str | None = Field(default=None, max_length=MAX_BODY * 4, description="1 to 4000 characters after "
                                                                               "trimming; optional with media_id")
    media_id: str | None = Field(default=None, min_length=1, max_length=64, description="A ready video you uploaded")


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


class MessageList(BaseModel):
    messages: list[MessageOut]


def _messaging() -> MessagingService:
    return services().messaging


@bp.get("/conversations", responses={200: ConversationList},
        summary="Your conversations, newest activity first")
def list_conversations():  # noqa: ANN201
    me = require_user()
    s = db_session()
    rows = _messaging().conversations(s, me.id)
    online = services().presence.online([r.peer.id for r in rows])
    return {"conversations": [
        {"peer": summary(r.peer, r.peer.id in online),
         "last_message": _messaging().serialize(s, r.last_message) if r.last_message else None,
         "unread_count": r.unread_count} for r in rows]}


@bp.get("/conversations/<peer_id>/messages", responses={200: MessagePage, 404: Problem},
        summary="A page of a conversation (cursor pagination, oldest first within the page)",
        description="No cursor: the newest page. `before`: the page before that id. `after`: the page after "
                    "that id. `has_more` says whether another page exists in that direction.")
def history(path: PeerPath, query: HistoryQuery):  # noqa: ANN201
    me = require_user()
    s = db_session()
    page = _messaging().history(s, me.id, path.peer_id,
                                before=int(query.before) if query.before else None,
                                after=int(query.after) if query.after else None, limit=query.limit)
    return {"messages": _messaging().serialize_many(s, page.messages), "has_more": page.has_more}


@bp.post("/conversations/<peer_id>/messages", responses={201: MessageOut, 200: MessageOut, 404: Problem},
         summary="Send a message (idempotent on client_id)",
         description="201 with the stored message; a retry with the same `client_id` answers 200 with the "
                     "message stored the first time. Connected devices get `message:new` as with Socket.IO.")
def send(path: PeerPath, body: SendBody):  # noqa: ANN201
    me = require_user()
    s = db_session()
    m = _messaging()
    msg, created = m.send(s, me.id, path.peer_id, body.client_id, body.body or "", body.media_id)
    data = m.serialize(s, msg)
    if created:
        services().notifier.message_created(data)  # the sender's devices too: none of them sent it
    return data, 201 if created else 200


@bp.post("/conversations/<peer_id>/read", responses={204: None, 404: Problem},
         summary="Mark the peer's messages read up to an id")
def mark_read(path: PeerPath, body: ReadBody):  # noqa: ANN201
    me = require_user()
    change = _messaging().mark_read(db_session(), me.id, path.peer_id, int(body.up_to))
    services().notifier.receipts(change.status, change.at, change.ids_by_sender, reader_id=me.id)
    return Response(status=204)


@bp.get("/messages/search", responses={200: MessageList},
        summary="Full-text search of your own messages, newest first",
        description="Every word must match; the last word also matches as a prefix on SQLite. "
                    "Deleted messages are never found.")
def search(query: SearchQuery):  # noqa: ANN201
    me = require_user()
    s = db_session()
    found = _messaging().search(s, me.id, query.q, query.peer_id, query.limit)
    return {"messages": _messaging().serialize_many(s, found)}
