"""Accounts: registration, email verification, sign-in, password reset.

Register, resend and forgot answer the same whatever the email: the request
only validates input and hashes the password (the expensive step, done for
every request alike), then hands the rest to a background job. So the answer,
and its timing, say nothing about whether an account exists. The job looks
the email up and sends the right mail: a code for a new registration, an
"account exists" note for a verified account.

A registration is a :class:`PendingRegistration` with its own password, code
and link until its own code (or link) is presented *with its own password*:
the code proves the mailbox, the password proves it is the same person who
registered. Registering an address again never changes an earlier
registration, so nobody can take over an account by registering an address
after its owner (issue 11).

Codes are guarded per address, whatever IP addresses ask (see
:mod:`server.services.address_limits`): at most ``codes_per_hour`` codes per
purpose, at most ``code_guesses_per_hour``/``_per_day`` tries, and 5 tries per
code. Those counters exist for every address asked about, so a wrong code for
an unknown address answers exactly like one for a known address.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, field
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
from server.models import EmailCode, PendingRegistration, User, utcnow
from server.services import changed_rows, passwords
from server.services.address_limits import AddressLimits, invalid_code, too_many_tries
from server.services.counters import Counters
from server.services.tokens import TokenPair, TokenService

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=15)
#: A registration can be revived by "resend" (and answers email_not_verified at sign-in) this long.
REGISTRATION_TTL = timedelta(days=2)
VERIFY, RESET = "verify", "reset"
#: At most this many live registrations of one address are compared with a code.
MAX_LIVE_REGISTRATIONS = 20


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass
class AccountService:
    config: Config
    db: Database
    tokens: TokenService
    mail: MailQueue
    jobs: Jobs
    limits: AddressLimits = field(init=False)

    def __post_init__(self) -> None:
        self.limits = AddressLimits(self.config, Counters(self.tokens.digest), self.mail)

    # codes -----------------------------------------------------------------
    def _code_digest(self, owner: str, purpose: str, code: str) -> str:
        """``owner``: a user id (reset) or ``reg:<id>`` (a registration): a code works only there."""
        return self.tokens.digest(f"{purpose}:{owner}:{code}")

    @staticmethod
    def _new_code() -> str:
        return f"{secrets.randbelow(10**6):06d}"

    def _send_code(self, to: str, name: str, locale: str, purpose: str, code: str, link: str | None,
                   s: Session) -> None:
        ctx = {"name": name, "code": code, "minutes": int(CODE_TTL.total_seconds() // 60),
               "link": f"{self.config.public_url}/verify?token={link}" if link else ""}
        self.limits.send(s, render(purpose, to, locale, **ctx))

    @staticmethod
    def _by_email(s: Session, email: str) -> User | None:
        return s.scalar(sa.select(User).where(User.email == normalize_email(email)))

    @staticmethod
    def _live_registrations(s: Session, email: str) -> list[PendingRegistration]:
        """Registrations of ``email`` that can still be verified or revived, newest first."""
        return list(s.scalars(sa.select(PendingRegistration)
                              .where(PendingRegistration.email == email, PendingRegistration.consumed_at.is_(None),
                                     PendingRegistration.created_at > utcnow() - REGISTRATION_TTL)
                              .order_by(PendingRegistration.id.desc()).limit(MAX_LIVE_REGISTRATIONS)))

    # registration ------------------------------------------------------------
    def register(self, email: str, password: str, display_name: str, locale: str | None) -> None:
        password_hash = passwords.hash_password(password)
        self.jobs.submit(self._register_job, normalize_email(email), password_hash, display_name.strip(),
                         pick_locale(locale))

    def _register_job(self, email: str, password_hash: str, display_name: str, locale: str) -> None:
        with self.db.session() as s:
            allowed = self.limits.may_issue(s, VERIFY, email)
            user = self._by_email(s, email)
            if user is not None:
                self.limits.send(s, render("account_exists", user.email, user.locale, name=user.display_name))
                return
            if not allowed:
                return
            code, link = self._new_code(), secrets.token_urlsafe(32)
            reg = PendingRegistration(email=email, password_hash=password_hash, display_name=display_name,
                                      locale=locale, code_hash="", link_hash=self.tokens.digest(link),
                                      code_expires_at=utcnow() + CODE_TTL)
            s.add(reg)
            s.flush()
            reg.code_hash = self._code_digest(f"reg:{reg.id}", VERIFY, code)
            s.commit()
            self._send_code(email, display_name, locale, VERIFY, code, link, s)

    def resend_verification(self, email: str) -> None:
        self.jobs.submit(self._resend_job, normalize_email(email))

    def _resend_job(self, email: str) -> None:
        """A new code and link for the newest registration of ``email`` (older codes of it stop working)."""
        with self.db.session() as s:
            allowed = self.limits.may_issue(s, VERIFY, email)
            if not allowed or self._by_email(s, email) is not None:
                return
            live = self._live_registrations(s, email)
            if not live:
                return
            reg = live[0]
            code, link = self._new_code(), secrets.token_urlsafe(32)
            reg.code_hash = self._code_digest(f"reg:{reg.id}", VERIFY, code)
            reg.link_hash = self.tokens.digest(link)
            reg.code_expires_at = utcnow() + CODE_TTL
            s.commit()
            self._send_code(email, reg.display_name, reg.locale, VERIFY, code, link, s)

    def verify(self, s: Session, email: str, code: str, password: str) -> tuple[User, TokenPair]:
        """Verifies the registration ``code`` was mailed for, if ``password`` is that registration's.

        Always one password hash check, whether or not anything matched, so
        the time taken says nothing either.
        """
        email = normalize_email(email)
        left = self.limits.take_guess(s, VERIFY, email)
        code = code.strip()
        match = next((r for r in self._live_registrations(s, email)
                      if hmac.compare_digest(r.code_hash, self._code_digest(f"reg:{r.id}", VERIFY, code))), None)
        if not passwords.verify_password(match.password_hash if match else None, password) or match is None:
            raise too_many_tries() if left <= 0 else invalid_code(left)
        if match.code_expires_at <= utcnow():
            raise ApiError(400, "code_expired", "This code has expired. Ask for a new one.",
                           errors={"code": ["This code has expired."]})
        user = self._complete(s, match)
        pair = self.tokens.start_session(s, user)
        s.commit()
        self.limits.solved(s, VERIFY, email)
        return user, pair

    def verify_link_target(self, s: Session, token: str) -> PendingRegistration | None:
        """The live registration an emailed link names (looking only: a GET verifies nothing)."""
        reg = s.scalar(sa.select(PendingRegistration)
                       .where(PendingRegistration.link_hash == self.tokens.digest(token)))
        if reg is None or reg.consumed_at is not None or reg.code_expires_at <= utcnow():
            return None
        return reg

    def verify_link(self, s: Session, token: str, password: str) -> User:
        """The emailed link, confirmed on the server's page with the registration's password."""
        reg = self.verify_link_target(s, token)
        if reg is not None:
            self.limits.take_guess(s, VERIFY, reg.email)
        if not passwords.verify_password(reg.password_hash if reg else None, password) or reg is None:
            if reg is None:
                raise ApiError(404, "invalid_link", "This link is not valid any more. Ask the app for a new code.")
            raise ApiError(403, "invalid_credentials",
                           "This is not the password this address was registered with. Try again.")
        try:
            user = self._complete(s, reg)
        except ApiError:  # verified meanwhile through another registration or the code
            raise ApiError(404, "invalid_link", "This link is not valid any more. Ask the app for a new code.") \
                from None
        s.commit()
        self.limits.solved(s, VERIFY, reg.email)
        return user

    def _complete(self, s: Session, reg: PendingRegistration) -> User:
        """Turns ``reg`` into a verified account; the address's other registrations end. Caller commits."""
        invalid = invalid_code(0)
        now = utcnow()
        if not changed_rows(s.execute(sa.update(PendingRegistration)
                                      .where(PendingRegistration.id == reg.id,
                                             PendingRegistration.consumed_at.is_(None))
                                      .values(consumed_at=now))):
            s.rollback()
            raise invalid
        if self._by_email(s, reg.email) is not None:  # another registration of it won meanwhile
            s.rollback()
            raise invalid
        user = User(email=reg.email, password_hash=reg.password_hash, display_name=reg.display_name,
                    locale=reg.locale, email_verified_at=now)
        s.add(user)
        s.execute(sa.update(PendingRegistration)
                  .where(PendingRegistration.email == reg.email, PendingRegistration.consumed_at.is_(None))
                  .values(consumed_at=now))
        try:
            s.flush()
        except IntegrityError:  # a concurrent verification of the same address
            s.rollback()
            raise invalid from None
        return user

    # sign-in -----------------------------------------------------------------
    def login(self, s: Session, email: str, password: str) -> tuple[User, TokenPair]:
        """One password hash check in every case: an account, a registration, or nothing."""
        email = normalize_email(email)
        user = self._by_email(s, email)
        pending = None if user is not None else next(iter(self._live_registrations(s, email)), None)
        stored = user.password_hash if user else pending.password_hash if pending else None
        if not passwords.verify_password(stored, password):
            raise ApiError(401, "invalid_credentials", "The email or password is not right.")
        if user is None:
            raise ApiError(403, "email_not_verified",
                           "Verify your email first: type the code we sent you, or ask for a new one.")
        if user.disabled_at is not None:
            raise ApiError(403, "account_disabled", "This account has been disabled. Contact the server's admin.")
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
            allowed = self.limits.may_issue(s, RESET, email)
            user = self._by_email(s, email)
            if not allowed or user is None or user.disabled_at is not None:
                return
            now = utcnow()
            s.execute(sa.update(EmailCode)
                      .where(EmailCode.user_id == user.id, EmailCode.purpose == RESET,
                             EmailCode.consumed_at.is_(None))
                      .values(consumed_at=now))
            code = self._new_code()
            s.add(EmailCode(user_id=user.id, purpose=RESET, code_hash=self._code_digest(user.id, RESET, code),
                            expires_at=now + CODE_TTL))
            s.commit()
            self._send_code(user.email, user.display_name, user.locale, RESET, code, None, s)

    def reset_password(self, s: Session, email: str, code: str, new_password: str) -> None:
        """The same answers, in the same time, for an unknown address as for a known one."""
        email = normalize_email(email)
        left = self.limits.take_guess(s, RESET, email)
        user = self._by_email(s, email)
        row = None if user is None else s.scalar(
            sa.select(EmailCode).where(EmailCode.user_id == user.id, EmailCode.purpose == RESET,
                                       EmailCode.consumed_at.is_(None))
            .order_by(EmailCode.id.desc()).limit(1))
        expected = row.code_hash if row is not None else self._code_digest("nobody", RESET, "-")
        if not hmac.compare_digest(expected, self._code_digest(user.id if user else "nobody", RESET,
                                                                code.strip())) or row is None:
            raise too_many_tries() if left <= 0 else invalid_code(left)
        assert user is not None
        if row.expires_at <= utcnow():
            raise ApiError(400, "code_expired", "This code has expired. Ask for a new one.",
                           errors={"code": ["This code has expired."]})
        self._require_strong(new_password, user, "new_password")
        if not changed_rows(s.execute(sa.update(EmailCode).where(EmailCode.id == row.id,
                                                                 EmailCode.consumed_at.is_(None))
                                      .values(consumed_at=utcnow()))):
            raise invalid_code(0)
        user.password_hash = passwords.hash_password(new_password)
        ids = self.tokens.revoke_sessions(s, user.id, None, reason="password_reset")
        s.commit()
        self.limits.solved(s, RESET, email)
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
