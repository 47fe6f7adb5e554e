"""``/api/me`` and ``/api/users``."""
from __future__ import annotations

from flask import Response, current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from server.api.schemas import (ChangePasswordBody, PatchMeBody, UserList, UserOut, UserSearchQuery, UserSummary,
                                summary)
from server.auth import BEARER, current_session_id, require_user
from server.errors import ApiError, Problem
from server.extensions import db_session, services
from server.services import visibility

bp = APIBlueprint("users", __name__, url_prefix="/api", abp_tags=[Tag(name="Users")],
                  abp_security=BEARER, abp_responses={401: Problem, 422: Problem, 429: Problem})


@bp.before_request
def _authenticate_first() -> None:
    """Every call here needs a signed-in user: say 401 before looking at the body (never a 422 first)."""
    require_user()


@bp.get("/me", responses={200: UserOut}, summary="The signed-in user")
def me():  # noqa: ANN201
    return UserOut.of(require_user())


@bp.patch("/me", responses={200: UserOut}, summary="Change display name, language or who sees your presence")
def patch_me(body: PatchMeBody):  # noqa: ANN201
    s = db_session()
    user = services().accounts.update_profile(s, require_user(), body.display_name, body.locale)
    if body.presence_visibility is not None and body.presence_visibility != user.presence_visibility:
        rt = current_app.extensions.get("parley_realtime")
        before = rt.presence.audience(user.id) if rt is not None else set()
        user.presence_visibility = body.presence_visibility
        s.commit()
        if rt is not None:
            rt.presence.audience_changed(user.id, before)
    return UserOut.of(user)


@bp.post("/me/password", responses={204: None, 403: Problem},
         summary="Change the password; other sessions are signed out",
         description="A few tries of the current password per person (429 `rate_limited` with `Retry-After`), "
                     "so a stolen access token cannot be used to guess it.")
def change_password(body: ChangePasswordBody):  # noqa: ANN201
    user = require_user()
    services().user_limits.take("password", user.id)  # before the (costly) check of the current password
    services().accounts.change_password(db_session(), user, body.current_password, body.new_password,
                                                 keep_session=current_session_id())
    return Response(status=204)


@bp.get("/users", responses={200: UserList}, summary="Find people by display name prefix or exact email")
def search_users(query: UserSearchQuery):  # noqa: ANN201
    me_ = require_user()
    services().user_limits.take("user_search", me_.id)  # no enumeration of addresses
    s = db_session()
    found = services().accounts.search(s, me_, query.q)
    visible = visibility.visible_presence(s, me_.id, found)
    online = services().presence.online([u.id for u in found if u.id in visible])
    return {"users": [summary(u, u.id in online, u.id in visible) for u in found]}


class UserPath(BaseModel):
    user_id: str = Field(min_length=1, max_length=64, description="A user id")


@bp.get("/users/<user_id>", responses={200: UserSummary, 404: Problem},
        summary="Someone you share a conversation with",
        description="How a client names the sender of a first message without reading its whole "
                    "conversation list. 404 `not_found` for anyone you have no conversation with.")
def get_user(path: UserPath):  # noqa: ANN201
    me_ = require_user()
    s = db_session()
    found = services().messaging.peer(s, me_.id, path.user_id)
    if found is None:
        raise ApiError(404, "not_found", "You have no conversation with this person.")
    visible = found.id in visibility.visible_presence(s, me_.id, [found])
    return summary(found, visible and found.id in services().presence.online([found.id]), visible)
