"""Who is calling: the Bearer access token of a REST request."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g, request

from server.errors import ApiError
from server.extensions import db_session, services
from server.models import LoginSession, User
from server.services.tokens import AccessClaims

BEARER = [{"bearer": []}]


def require_user() -> User:
    """The signed-in user of this request (401 otherwise). Cached on ``g``."""
    user = g.get("user")
    if user is not None:
        return user
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Sign in first: send the header Authorization: Bearer <access token>.",
                       headers={"WWW-Authenticate": "Bearer"})
    claims: AccessClaims = services().tokens.decode_access(token.strip())
    s = db_session()
    row = s.execute(sa.select(User, LoginSession.revoked_at)
                    .join(LoginSession, LoginSession.user_id == User.id)
                    .where(LoginSession.id == claims.session_id, User.id == claims.user_id)).first()
    if row is None or row[1] is not None:
        raise ApiError(401, "session_revoked", "This session has ended. Sign in again.",
                       headers={"WWW-Authenticate": "Bearer"})
    user = row[0]
    if user.disabled_at is not None:
        raise ApiError(403, "account_disabled", "This account has been disabled. Contact the server's admin.")
    g.user, g.claims = user, claims
    return user


def current_session_id() -> str:
    require_user()
    return g.claims.session_id
