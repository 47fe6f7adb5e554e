"""``/api/me`` and ``/api/users``."""
from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from server.api.schemas import (ChangePasswordBody, PatchMeBody, UserList, UserOut, UserSearchQuery, UserSummary,
                                summary)
from server.auth import BEARER, current_session_id, require_user
from server.errors import ApiError, Problem
from server.extensions import db_session, services

bp = APIBlueprint("users", __name__, url_prefix="/api", abp_tags=[Tag(name="Users")],
                  abp_security=BEARER, abp_responses={401: Problem, 422: Problem})


@bp.get("/me", responses={200: UserOut}, summary="The signed-in user")
def me():  # noqa: ANN201
    return UserOut.of(require_user())


@bp.patch("/me", responses={200: UserOut}, summary="Change display name or language")
def patch_me(body: PatchMeBody):  # noqa: ANN201
    user = services().extra["accounts"].update_profile(db_session(), require_user(), body.display_name, body.locale)
    return UserOut.of(user)


@bp.post("/me/password", responses={204: None, 403: Problem},
         summary="Change the password; other sessions are signed out")
def change_password(body: ChangePasswordBody):  # noqa: ANN201
    user = require_user()
    services().extra["accounts"].change_password(db_session(), user, body.current_password, body.new_password,
                                                 keep_session=current_session_id())
    return Response(status=204)


@bp.get("/users", responses={200: UserList}, summary="Find people by display name prefix or exact email")
def search_users(query: UserSearchQuery):  # noqa: ANN201
    me_ = require_user()
    found = services().extra["accounts"].search(db_session(), me_, query.q)
    online = services().presence.online([u.id for u in found])
    return {"users": [summary(u, u.id in online) for u in found]}


class UserPath(BaseModel):
    user_id: str = Field(min_length=1, max_length=64, description="A user id")


@bp.get("/users/<user_id>", responses={200: UserSummary, 404: Problem},
        summary="Someone you share a conversation with",
        description="How a client names the sender of a first message without reading its whole "
                    "conversation list. 404 `not_found` for anyone you have no conversation with.")
def get_user(path: UserPath):  # noqa: ANN201
    me_ = require_user()
    s = db_session()
    found = services().extra["messaging"].peer(s, me_.id, path.user_id)
    if found is None:
        raise ApiError(404, "not_found", "You have no conversation with this person.")
    return summary(found, found.id in services().presence.online([found.id]))
