"""Access tokens (JWT, 15 minutes) and rotating refresh tokens.

A login creates a :class:`LoginSession`; its refresh tokens rotate on every
use. Presenting a spent refresh token means it was copied, so the whole
session (the token family) is revoked: the thief and the owner both have to
sign in again, which is the safe answer. Access tokens carry the session id
(``sid``), so revoking a session also ends its access tokens and sockets.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import LoginSession, RefreshToken, User, utcnow
from server.services import changed_rows

ALGORITHM = "HS256"
#: Logins (sessions) one account keeps at once; a new one ends the oldest beyond it. A message
#: with a video is serialised, with fresh media links, once per active login of the sender and of
#: the recipient, so without a bound an account that signed in 1 000 times made each of its
#: video messages cost the server about 3 s instead of 0.1 s.
MAX_ACTIVE_LOGINS = 50
#: Verified access tokens remembered per process (cleared when full).
VERIFIED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int

    def to_dict(self) -> dict[str, object]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "token_type": "Bearer", "expires_in": self.expires_in}


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: datetime


class TokenService:
    def __init__(self, secret_key: str, access_ttl: int, refresh_ttl: int) -> None:
        self._key = secret_key
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        #: access token -> its verified claims (see :meth:`decode_access`)
        self._verified: dict[str, AccessClaims] = {}

    def digest(self, value: str) -> str:
        """HMAC-SHA256 of a secret value; what the database stores instead of it."""
        return hmac.new(self._key.encode(), value.encode(), hashlib.sha256).hexdigest()

    # access tokens -------------------------------------------------------
    def issue_access(self, user_id: str, session_id: str) -> str:
        now = utcnow()
        claims = {"sub": user_id, "sid": session_id, "iat": now, "typ": "access",
                  "exp": now + timedelta(seconds=self.access_ttl)}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def decode_access(self, token: str) -> AccessClaims:
        """Raises ApiError 401 ``token_expired`` or ``unauthorized``.

        A token already verified is answered from a small cache until it expires:
        the same token opens every socket of a login and every reconnect, and
        verifying it again was an eighth of the server's CPU per connect
        (docs/performance.md). The signature of the same string under the same
        key cannot change; the expiry is checked on every call.
        """
        hit = self._verified.get(token)
        if hit is not None:
            if hit.expires_at.timestamp() > time.time():
                return hit
            self._verified.pop(token, None)
        claims = self._decode_access(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    def _decode_access(self, token: str) -> AccessClaims:
        try:
            c = jwt.decode(token, self._key, algorithms=[ALGORITHM],
                           options={"require": ["sub", "sid", "exp"]})
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "token_expired", "Your session expired. Refresh the access token.") from None
        except jwt.PyJWTError:
            raise ApiError(401, "unauthorized", "The access token is not valid. Sign in again.") from None
        if c.get("typ") != "access":
            raise ApiError(401, "unauthorized", "The access token is not valid. Sign in again.")
        return AccessClaims(str(c["sub"]), str(c["sid"]), datetime.fromtimestamp(c["exp"]).astimezone())

    # refresh tokens ------------------------------------------------------
    def _new_refresh(self, s: Session, session_id: str) -> str:
        token = secrets.token_urlsafe(32)
        s.add(RefreshToken(session_id=session_id, token_hash=self.digest(token),
                           expires_at=utcnow() + timedelta(seconds=self.refresh_ttl)))
        return token

    def start_session(self, s: Session, user: User) -> TokenPair:
        """A new login: a new token family. The caller commits."""
        login = LoginSession(user_id=user.id)
        s.add(login)
        s.flush()
        others = list(s.scalars(sa.select(LoginSession.id)
                                .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
                                       LoginSession.id != login.id)
                                .order_by(LoginSession.created_at.desc(), LoginSession.id)))
        if len(others) >= MAX_ACTIVE_LOGINS:  # the oldest end (their sockets within a sweep, 0.5 s)
            self.revoke_sessions(s, user.id, others[MAX_ACTIVE_LOGINS - 1:], reason="too_many_logins")
        refresh = self._new_refresh(s, login.id)
        return TokenPair(self.issue_access(user.id, login.id), refresh, self.access_ttl)

    def rotate(self, s: Session, refresh_token: str) -> TokenPair:
        """Spends ``refresh_token`` and returns a new pair; commits."""
        row = s.scalar(sa.select(RefreshToken).where(RefreshToken.token_hash == self.digest(refresh_token)))
        if row is None:
            raise ApiError(401, "invalid_token", "This refresh token is not valid. Sign in again.")
        login = s.get(LoginSession, row.session_id)
        assert login is not None
        user = s.get(User, login.user_id)
        if login.revoked_at is not None or user is None or user.disabled_at is not None:
            raise ApiError(401, "invalid_token", "This session has ended. Sign in again.")
        now = utcnow()
        # Claim the token atomically: of two concurrent uses only one wins.
        claimed = changed_rows(s.execute(sa.update(RefreshToken)
                            .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
                            .values(used_at=now)))
        if not claimed:
            self.revoke_sessions(s, login.user_id, [login.id], reason="token_reused")
            s.commit()
            raise ApiError(401, "token_reused",
                           "This refresh token was already used, so this session was ended for safety. "
                           "Sign in again.")
        if row.expires_at <= now:
            s.commit()
            raise ApiError(401, "token_expired", "Your session expired. Sign in again.")
        new_refresh = self._new_refresh(s, login.id)
        s.commit()
        return TokenPair(self.issue_access(login.user_id, login.id), new_refresh, self.access_ttl)

    def session_for_refresh(self, s: Session, refresh_token: str) -> LoginSession | None:
        row = s.scalar(sa.select(RefreshToken).where(RefreshToken.token_hash == self.digest(refresh_token)))
        return None if row is None else s.get(LoginSession, row.session_id)

    @staticmethod
    def revoke_sessions(s: Session, user_id: str, session_ids: list[str] | None, *, reason: str) -> list[str]:
        """Revokes the given sessions of a user (all when None); returns their ids. Caller commits."""
        q = sa.select(LoginSession.id).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        if session_ids is not None:
            q = q.where(LoginSession.id.in_(session_ids))
        ids = list(s.scalars(q))
        if ids:
            s.execute(sa.update(LoginSession).where(LoginSession.id.in_(ids))
                      .values(revoked_at=utcnow(), revoked_reason=reason))
        return ids

    @staticmethod
    def session_active(s: Session, user_id: str, session_id: str) -> bool:
        """True while the login session exists, is not revoked and its user can sign in."""
        row = s.execute(sa.select(LoginSession.revoked_at, User.disabled_at, User.email_verified_at)
                        .join(User, User.id == LoginSession.user_id)
                        .where(LoginSession.id == session_id, LoginSession.user_id == user_id)).first()
        return bool(row and row[0] is None and row[1] is None and row[2] is not None)
