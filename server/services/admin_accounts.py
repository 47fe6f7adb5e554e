"""What an admin may do to accounts: grant or revoke the admin role, disable or enable an account.

The admin role is granted only here, called from the command line (someone
with shell access to the server and its database); no endpoint takes it as
input, so a user cannot make themself an admin. Disabling ends every session
at once (and, through ``sessions_revoked``, the open sockets of this
process); enabling lets the person sign in again, it revives no session.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.extensions import sessions_revoked
from server.models import User, utcnow
from server.services.accounts import normalize_email
from server.services.tokens import TokenService


def find(s: Session, email: str) -> User:
    user = s.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise ApiError(404, "not_found", f"No account with the email {email}.")
    return user


def set_admin(s: Session, email: str, admin: bool) -> User:
    """Grants (or revokes) the admin role; the person's next request sees it."""
    user = find(s, email)
    user.is_admin = admin
    s.commit()
    return user


def set_disabled(s: Session, actor: User | None, email: str, disabled: bool) -> tuple[User, int]:
    """Disables (ending its sessions) or enables an account; returns it and how many sessions ended.

    ``actor`` is the admin asking (None from the command line). An admin cannot
    disable their own account here: they would lock themself out, most likely by a slip.
    """
    user = find(s, email)
    if not disabled:
        user.disabled_at = None
        s.commit()
        return user, 0
    if actor is not None and actor.id == user.id:
        raise ApiError(409, "cannot_disable_self",
                       "You cannot disable your own account. Ask another admin, or use the command line.")
    user.disabled_at = user.disabled_at or utcnow()
    ended = TokenService.revoke_sessions(s, user.id, None, reason="disabled")
    s.commit()
    if ended:
        sessions_revoked.send(None, user_id=user.id, session_ids=ended, reason="disabled")
    return user, len(ended)
