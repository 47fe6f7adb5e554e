"""``/api/me`` and ``/api/users``."""
from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from server.api.schemas import ChangePasswordBody, PatchMeBody, UserList, UserOut, UserSearchQuery, summary
from server.auth import BEARER, current_session_id, require_user
from server.errors import Problem
from server.extensions import db_session, services

bp = APIBlueprint("users", __name__, url_prefix="/api", abp_tags=[Tag(name="Users")],
                  abp_security=BEARER, abp_responses={401: Problem, 422: Problem})


@bp.get("/me", responses={200: UserOut}, summary="The signed-in user")
def me():  # noqa: ANN201
    return UserOut.of(require_user())


@bp.patch("/me", responses={200: UserOut}, summary="Change display name or language")
def patch_me(body: PatchMeBody):  # noqa: ANN201
    user = services().accounts.update_profile(db_session(), require_user(), body.display_name, body.locale)
    return UserOut.of(user)


@bp.post("/me/password", responses={204: None, 403: Problem},
         summary="Change the password; other sessions are signed out")
def change_password(body: ChangePasswordBody):  # noqa: ANN201
    user = require_user()
    services().accounts.change_password(db_session(), user, body.current_password, body.new_password,
                                                 keep_session=current_session_id())
    return Response(status=204)


@bp.get("/users", responses={200: UserList}, summary="Find people by display name prefix or exact email")
def search_users(query: UserSearchQuery):  # noqa: ANN201
    me_ = require_user()
    found = services().accounts.search(db_session(), me_, query.q)
    online = services().presence.online([u.id for u in found])
    return {"users": [summary(u, u.id in online) for u in found]}
