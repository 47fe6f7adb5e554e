"""Housekeeping for admins: disable accounts, list them, purge what has expired."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import EmailCode, LoginSession, PendingRegistration, RefreshToken, User, utcnow
from server.services.accounts import REGISTRATION_TTL, normalize_email
from server.services.counters import Counters
from server.services.tokens import TokenService
from server.services import changed_rows

#: Spent codes and revoked sessions are kept this long for audit, then purged.
KEEP_SPENT = timedelta(days=7)


@dataclass(frozen=True)
class PurgeReport:
    codes: int
    refresh_tokens: int
    sessions: int
    registrations: int = 0
    counters: int = 0

    def lines(self) -> list[str]:
        return [f"email codes removed:     {self.codes}",
                f"refresh tokens removed:  {self.refresh_tokens}",
                f"login sessions removed:  {self.sessions}",
                f"registrations removed:   {self.registrations}",
                f"limit counters removed:  {self.counters}"]


def disable_user(s: Session, email: str) -> tuple[User, list[str]]:
    """Disables an account and ends all its sessions; returns the user and the ended session ids."""
    user = s.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise ApiError(404, "not_found", f"No account with the email {email}.")
    user.disabled_at = user.disabled_at or utcnow()
    ids = TokenService.revoke_sessions(s, user.id, None, reason="disabled")
    s.commit()
    return user, ids


def list_users(s: Session) -> list[User]:
    return list(s.scalars(sa.select(User).order_by(User.created_at, User.id)))


def purge_account_data(s: Session) -> PurgeReport:
    """Removes expired or spent codes, expired refresh tokens and long-dead sessions."""
    now = utcnow()
    codes = changed_rows(s.execute(sa.delete(EmailCode).where(sa.or_(
        EmailCode.expires_at < now - KEEP_SPENT,
        EmailCode.consumed_at < now - KEEP_SPENT))))
    dead_sessions = sa.select(LoginSession.id).where(LoginSession.revoked_at < now - KEEP_SPENT)
    tokens = changed_rows(s.execute(sa.delete(RefreshToken).where(sa.or_(
        RefreshToken.expires_at < now, RefreshToken.session_id.in_(dead_sessions)))))
    # a session with no live refresh token left can never be used again
    live = sa.select(RefreshToken.session_id).where(RefreshToken.expires_at >= now)
    sessions = changed_rows(s.execute(sa.delete(LoginSession).where(sa.or_(
        LoginSession.revoked_at < now - KEEP_SPENT,
        sa.and_(LoginSession.created_at < now - KEEP_SPENT, LoginSession.id.not_in(live))))))
    # registrations nobody verified, and the used ones, once they can no longer be revived
    registrations = changed_rows(s.execute(sa.delete(PendingRegistration).where(
        PendingRegistration.created_at < now - REGISTRATION_TTL - KEEP_SPENT)))
    counters = Counters.purge(s)
    s.commit()
    return PurgeReport(codes or 0, tokens or 0, sessions or 0, registrations or 0, counters or 0)
