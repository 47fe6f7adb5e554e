"""The per-address limits of the account flows: code tries, codes issued, mails received.

Every method is called the same way for an address with an account, a
pending registration or nothing at all, so what it answers (tries left, a
429) can never tell them apart. Counting lives in :mod:`server.services.counters`.
docs/security.md states each limit, its test and the resulting guessing odds.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.config import Config
from server.errors import ApiError
from server.mail.base import Email, MailQueue
from server.services.counters import DAY, HOUR, Counters

log = logging.getLogger(__name__)

MAX_CODE_ATTEMPTS = 5


def invalid_code(left: int) -> ApiError:
    """The one answer for a wrong code, an unknown address and a wrong password alike."""
    tries = f" {left} {'try' if left == 1 else 'tries'} left." if left > 0 else ""
    # 401 like a wrong password at sign-in: the code is the credential that was refused.
    return ApiError(401, "invalid_code",
                    "This code is not right, or it does not go with this email and password. "
                    "Check the latest email, or ask for a new code." + tries,
                    errors={"code": ["This code is not right."]})


def too_many_tries() -> ApiError:
    return ApiError(429, "too_many_attempts", "Too many wrong codes. Ask for a new code.",
                    errors={"code": ["Too many wrong tries: ask for a new code."]})


@dataclass
class AddressLimits:
    """Reads its limits from ``config`` at each call (tests may change them on a live app)."""

    config: Config
    counters: Counters
    mail: MailQueue

    def take_guess(self, s: Session, purpose: str, email: str) -> int:
        """Counts one code try for ``email``; the tries left on the current code, or an ApiError.

        Counted before the code is compared, so parallel guesses cannot get
        past the limits, and all three counters (this code's tries, the hour,
        the day) are taken in one transaction or not at all.
        """
        cfg = self.config
        used = self.counters.take(s, f"tries:{purpose}:{email}", MAX_CODE_ATTEMPTS, None, commit=False)
        if used is None:
            s.rollback()
            raise too_many_tries()
        for limit, window in ((cfg.code_guesses_per_hour, HOUR), (cfg.code_guesses_per_day, DAY)):
            if self.counters.take(s, f"guess:{purpose}:{window}:{email}", limit, window, commit=False) is None:
                s.rollback()
                wait = Counters.seconds_left(window)
                raise ApiError(429, "too_many_attempts",
                               f"Too many codes were tried for this address. Try again in {wait // 60 + 1} "
                               "minutes.", headers={"Retry-After": str(wait)})
        s.commit()
        return MAX_CODE_ATTEMPTS - used

    def solved(self, s: Session, purpose: str, email: str) -> None:
        """After a right code: back to the state of an address nobody touched."""
        self.counters.reset(s, f"tries:{purpose}:{email}")

    def may_issue(self, s: Session, purpose: str, email: str) -> bool:
        """Whether another code may be issued for ``email`` this hour; a new code restarts its tries."""
        if self.counters.take(s, f"issue:{purpose}:{email}", self.config.codes_per_hour, HOUR) is None:
            log.info("no new %s code: the per-address limit of %d an hour was reached", purpose,
                     self.config.codes_per_hour)
            return False
        self.counters.reset(s, f"tries:{purpose}:{email}")
        return True

    def send(self, s: Session, email: Email) -> None:
        """Queues ``email`` unless its recipient already got their Parley mails for this hour."""
        to = email.to.strip().lower()
        if self.counters.take(s, f"mail:{to}", self.config.mails_per_address_per_hour, HOUR) is None:
            log.warning("mail not sent: the recipient reached %d Parley mails this hour",
                        self.config.mails_per_address_per_hour)
            return
        self.mail.enqueue(email)
