"""Accounts: registration, email verification, sign-in, password reset.

Register, resend and forgot answer the same whatever the email: the request
only validates input and hashes the password (the expensive step, done for
every request alike), then hands the rest to a background job. So the answer,
and its timing, say nothing about whether an account exists. The job looks
the email up and sends the right mail: a code for a new or unverified
account, an "account exists" note for a verified one.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.config import Config
from server.db import Database
from server.errors import ApiError
from server.extensions import sessions_revoked
from server.jobs import Jobs
from server.mail.base import MailQueue
from server.mail.render import pick_locale, render
from server.models import EmailCode, User, utcnow
from server.services import passwords
from server.services.tokens import TokenPair, TokenService
from server.services import changed_rows

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
VERIFY, RESET = "verify", "reset"


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass
class AccountService:
    config: Config
    db: Database
    tokens: TokenService
    mail: MailQueue
    jobs: Jobs

    # codes -----------------------------------------------------------------
    def _code_digest(self, user_id: str, purpose: str, code: str) -> str:
        return self.tokens.digest(f"{purpose}:{user_id}:{code}")

    def _issue_code(self, s: Session, user: User, purpose: str) -> tuple[str, str | None]:
        """A fresh code (and link token for verification); older ones stop working."""
        now = utcnow()
        s.execute(sa.update(EmailCode)
                  .where(EmailCode.user_id == user.id, EmailCode.purpose == purpose,
                         EmailCode.consumed_at.is_(None))
                  .values(consumed_at=now))
        code = f"{secrets.randbelow(10**6):06d}"
        link = secrets.token_urlsafe(32) if purpose == VERIFY else None
        s.add(EmailCode(user_id=user.id, purpose=purpose, code_hash=self._code_digest(user.id, purpose, code),
                        link_hash=self.tokens.digest(link) if link else None, expires_at=now + CODE_TTL))
        return code, link

    def _send_code(self, user: User, purpose: str, code: str, link: str | None) -> None:
        ctx = {"name": user.display_name, "code": code, "minutes": int(CODE_TTL.total_seconds() // 60),
               "link": f"{self.config.public_url}/verify?token={link}" if link else ""}
        self.mail.enqueue(render(purpose, user.email, user.locale, **ctx))

    def _check_code(self, s: Session, user: User | None, purpose: str, code: str) -> EmailCode:
        """The live code row matching ``code``, or an ApiError; counts wrong tries."""
        invalid = ApiError(400, "invalid_code", "This code is not right. Check the latest email, or ask for a new code.",
                           errors={"code": ["This code is not right."]})
        if user is None:
            raise invalid
        row = s.scalar(sa.select(EmailCode)
                       .where(EmailCode.user_id == user.id, EmailCode.purpose == purpose,
                              EmailCode.consumed_at.is_(None))
                       .order_by(EmailCode.id.desc()).limit(1))
        if row is None:
            raise invalid
        if row.attempts >= MAX_CODE_ATTEMPTS:
            raise ApiError(400, "too_many_attempts", "Too many wrong codes. Ask for a new code.",
                           errors={"code": ["Too many wrong tries: ask for a new code."]})
        if row.expires_at <= utcnow():
            raise ApiError(400, "code_expired", "This code has expired. Ask for a new one.",
                           errors={"code": ["This code has expired."]})
        if not hmac.compare_digest(row.code_hash, self._code_digest(user.id, purpose, code.strip())):
            left = MAX_CODE_ATTEMPTS - row.attempts - 1
            s.execute(sa.update(EmailCode).where(EmailCode.id == row.id)
                      .values(attempts=EmailCode.attempts + 1))
            s.commit()
            if left <= 0:
                raise ApiError(400, "too_many_attempts", "Too many wrong codes. Ask for a new code.",
                               errors={"code": ["Too many wrong tries: ask for a new code."]})
            invalid.message += f" {left} {'try' if left == 1 else 'tries'} left."
            raise invalid
        return row

    def _consume(self, s: Session, row: EmailCode) -> None:
        """Single use, even under concurrent requests."""
        done = changed_rows(s.execute(sa.update(EmailCode).where(EmailCode.id == row.id, EmailCode.consumed_at.is_(None))
                         .values(consumed_at=utcnow())))
        if not done:
            raise ApiError(400, "invalid_code", "This code was already used. Ask for a new one.",
                           errors={"code": ["This code was already used."]})

    @staticmethod
    def _by_email(s: Session, email: str) -> User | None:
        return s.scalar(sa.select(User).where(User.email == normalize_email(email)))

    # registration ------------------------------------------------------------
    def register(self, email: str, password: str, display_name: str, locale: str | None) -> None:
        password_hash = passwords.hash_password(password)
        self.jobs.submit(self._register_job, normalize_email(email), password_hash, display_name.strip(),
                         pick_locale(locale))

    def _register_job(self, email: str, password_hash: str, display_name: str, locale: str) -> None:
        with self.db.session() as s:
            user = self._by_email(s, email)
            if user is not None and user.verified:
                self.mail.enqueue(render("account_exists", user.email, user.locale, name=user.display_name))
                return
            if user is None:
                user = User(email=email, password_hash=password_hash, display_name=display_name, locale=locale)
                s.add(user)
                try:
                    s.flush()
                except IntegrityError:  # a concurrent registration of the same email
                    s.rollback()
                    return
            else:
                # Whoever can read the mailbox decides: the latest registration's
                # password replaces an unverified one, so nobody can pre-claim an email.
                user.password_hash, user.display_name, user.locale = password_hash, display_name, locale
            code, link = self._issue_code(s, user, VERIFY)
            s.commit()
            self._send_code(user, VERIFY, code, link)

    def resend_verification(self, email: str) -> None:
        self.jobs.submit(self._resend_job, normalize_email(email))

    def _resend_job(self, email: str) -> None:
        with self.db.session() as s:
            user = self._by_email(s, email)
            if user is None or user.verified or user.disabled_at is not None:
                return
            code, link = self._issue_code(s, user, VERIFY)
            s.commit()
            self._send_code(user, VERIFY, code, link)

    def verify(self, s: Session, email: str, code: str) -> tuple[User, TokenPair]:
        user = self._by_email(s, email)
        row = self._check_code(s, user, VERIFY, code)
        assert user is not None
        self._consume(s, row)
        user.email_verified_at = user.email_verified_at or utcnow()
        pair = self.tokens.start_session(s, user)
        s.commit()
        return user, pair

    def verify_link(self, s: Session, token: str) -> User:
        invalid = ApiError(400, "invalid_link", "This link is not valid any more. Ask the app for a new code.")
        row = s.scalar(sa.select(EmailCode).where(EmailCode.link_hash == self.tokens.digest(token),
                                                  EmailCode.purpose == VERIFY))
        if row is None or row.consumed_at is not None or row.attempts >= MAX_CODE_ATTEMPTS:
            raise invalid
        if row.expires_at <= utcnow():
            raise ApiError(400, "code_expired", "This link has expired. Ask the app for a new code.")
        self._consume(s, row)
        user = s.get(User, row.user_id)
        assert user is not None
        user.email_verified_at = user.email_verified_at or utcnow()
        s.commit()
        return user

    # sign-in -----------------------------------------------------------------
    def login(self, s: Session, email: str, password: str) -> tuple[User, TokenPair]:
        user = self._by_email(s, email)
        if not passwords.verify_password(user.password_hash if user else None, password):
            raise ApiError(401, "invalid_credentials", "The email or password is not right.")
        assert user is not None
        if user.disabled_at is not None:
            raise ApiError(403, "account_disabled", "This account has been disabled. Contact the server's admin.")
        if not user.verified:
            raise ApiError(403, "email_not_verified",
                           "Verify your email first: type the code we sent you, or ask for a new one.")
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        pair = self.tokens.start_session(s, user)
        s.commit()
        return user, pair

    def logout(self, s: Session, refresh_token: str) -> None:
        login = self.tokens.session_for_refresh(s, refresh_token)
        if login is None or login.revoked_at is not None:
            return
        ids = self.tokens.revoke_sessions(s, login.user_id, [login.id], reason="logout")
        s.commit()
        sessions_revoked.send(None, user_id=login.user_id, session_ids=ids, reason="logout")

    # passwords ---------------------------------------------------------------
    def forgot_password(self, email: str) -> None:
        self.jobs.submit(self._forgot_job, normalize_email(email))

    def _forgot_job(self, email: str) -> None:
        with self.db.session() as s:
            user = self._by_email(s, email)
            if user is None or user.disabled_at is not None:
                return
            code, _ = self._issue_code(s, user, RESET)
            s.commit()
            self._send_code(user, RESET, code, None)

    def reset_password(self, s: Session, email: str, code: str, new_password: str) -> None:
        user = self._by_email(s, email)
        row = self._check_code(s, user, RESET, code)
        assert user is not None
        self._require_strong(new_password, user, "new_password")
        self._consume(s, row)
        user.password_hash = passwords.hash_password(new_password)
        # Reading the code proves control of the mailbox, which also verifies it.
        user.email_verified_at = user.email_verified_at or utcnow()
        ids = self.tokens.revoke_sessions(s, user.id, None, reason="password_reset")
        s.commit()
        sessions_revoked.send(None, user_id=user.id, session_ids=ids, reason="password_reset")

    def change_password(self, s: Session, user: User, current: str, new: str, keep_session: str) -> None:
        if not passwords.verify_password(user.password_hash, current):
            raise ApiError(403, "invalid_credentials", "Your current password is not right.",
                           errors={"current_password": ["This is not your current password."]})
        self._require_strong(new, user, "new_password")
        user.password_hash = passwords.hash_password(new)
        others = [sid for sid in self._session_ids(s, user.id) if sid != keep_session]
        ids = self.tokens.revoke_sessions(s, user.id, others, reason="password_changed") if others else []
        s.commit()
        if ids:
            sessions_revoked.send(None, user_id=user.id, session_ids=ids, reason="password_changed")

    @staticmethod
    def _session_ids(s: Session, user_id: str) -> list[str]:
        from server.models import LoginSession
        return list(s.scalars(sa.select(LoginSession.id).where(LoginSession.user_id == user_id,
                                                                 LoginSession.revoked_at.is_(None))))

    @staticmethod
    def _require_strong(password: str, user: User, field: str) -> None:
        bad = passwords.problems(password, email=user.email, display_name=user.display_name)
        if bad:
            raise ApiError(422, "weak_password", bad[0], errors={field: bad})

    # profile -------------------------------------------------------------------
    @staticmethod
    def update_profile(s: Session, user: User, display_name: str | None, locale: str | None) -> User:
        if display_name is not None:
            user.display_name = display_name.strip()
        if locale is not None:
            user.locale = pick_locale(locale)
        s.commit()
        return user

    @staticmethod
    def search(s: Session, me: User, q: str, limit: int = 20) -> list[User]:
        """Verified, enabled users whose display name starts with ``q``, or whose email is ``q``."""
        q = q.strip()
        if not q:
            return []
        escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cond = sa.or_(sa.func.lower(User.display_name).like(escaped + "%", escape="\\"),
                      User.email == normalize_email(q))
        return list(s.scalars(sa.select(User)
                              .where(cond, User.email_verified_at.is_not(None), User.disabled_at.is_(None),
                                     User.id != me.id)
                              .order_by(sa.func.lower(User.display_name), User.id).limit(limit)))

    def create_verified_user(self, s: Session, email: str, password: str, display_name: str,
                             locale: str = "en") -> User:
        """For admins (CLI): a user who can sign in at once."""
        email = normalize_email(email)
        if self._by_email(s, email) is not None:
            raise ApiError(409, "email_taken", f"An account with {email} already exists.")
        bad = passwords.problems(password, email=email, display_name=display_name)
        if bad:
            raise ApiError(422, "weak_password", bad[0], errors={"password": bad})
        user = User(email=email, password_hash=passwords.hash_password(password), display_name=display_name,
                    locale=pick_locale(locale), email_verified_at=utcnow())
        s.add(user)
        s.commit()
        return user
