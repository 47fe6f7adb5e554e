"""``/api/blocks``: the people one blocked (REST side of ``user:block`` / ``user:unblock``).

The rules live in :mod:`server.services.blocks`. Blocking and unblocking
answer the same whatever the state was (idempotent), and the person blocked
is never told.
"""
from __future__ import annotations

from flask import Response, current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from server.api.schemas import UserSummary, summary
from server.auth import BEARER, require_user
from server.errors import Problem
from server.extensions import db_session, services
from server.models import iso
from server.services import blocks

tag = Tag(name="Blocks", description="Block and unblock people; the list of people you blocked")
bp = APIBlueprint("blocks", __name__, url_prefix="/api", abp_tags=[tag], abp_security=BEARER,
                  abp_responses={401: Problem, 422: Problem, 429: Problem})


class BlockPath(BaseModel):
    user_id: str = Field(min_length=1, max_length=64, description="The other person's user id")


class BlockedOut(BaseModel):
    user: UserSummary = Field(description="Presence is never shown for a blocked person")
    since: str


class BlockList(BaseModel):
    blocked: list[BlockedOut]


def _announce(me: str, other: str, blocked: bool) -> None:
    rt = current_app.extensions.get("parley_realtime")
    if rt is not None:
        from server.realtime.chat import announce_block
        announce_block(rt, me, other, blocked)


@bp.get("/blocks", responses={200: BlockList}, summary="The people you blocked, most recent first")
def list_blocks():  # noqa: ANN201
    me = require_user()
    return {"blocked": [{"user": summary(b.user, False, visible=False), "since": iso(b.since)}
                        for b in blocks.blocked_by(db_session(), me.id)]}


@bp.put("/blocks/<user_id>", responses={204: None, 404: Problem, 409: Problem},
        summary="Block someone",
        description="Their messages to you are no longer delivered (they see them as sent), and typing, "
                    "receipts and presence stop both ways. You cannot write to them until you unblock. "
                    "They are not told. Your other devices get `blocks:changed`.")
def block(path: BlockPath):  # noqa: ANN201
    me = require_user()
    services().user_limits.take("block", me.id)  # the same budget as user:block / user:unblock
    blocks.block(db_session(), me.id, path.user_id)
    _announce(me.id, path.user_id, True)
    return Response(status=204)


@bp.delete("/blocks/<user_id>", responses={204: None},
           summary="Unblock someone",
           description="Messages they sent while blocked stay undelivered. Answers 204 even if they were not "
                       "blocked.")
def unblock(path: BlockPath):  # noqa: ANN201
    me = require_user()
    services().user_limits.take("block", me.id)
    blocks.unblock(db_session(), me.id, path.user_id)
    _announce(me.id, path.user_id, False)
    return Response(status=204)
