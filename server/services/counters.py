"""Per-account limits: atomic counters per key and time window, in the database.

IP-based rate limits (Flask-Limiter) cannot protect one account: someone with
many addresses gets a budget per address. These counters are keyed by what
they protect (a purpose and an email address), live in the database every
server process shares, and are raised only by a conditional UPDATE
(``count < limit``), so parallel requests can never take more than the limit
on SQLite (one writer at a time) or PostgreSQL (the row lock makes the second
UPDATE re-check the condition). Keys are HMACs, so the table holds no address.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import AccountCounter, utcnow
from server.services import changed_rows

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: The window of a counter that never rolls over by itself (it is reset explicitly).
FOREVER = datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime, window: timedelta | None) -> datetime:
    """The start of the fixed window ``now`` falls in (windows are aligned to the epoch)."""
    if window is None:
        return FOREVER
    size = window.total_seconds()
    return datetime.fromtimestamp((now.timestamp() // size) * size, UTC)


class Counters:
    """Takes units from per-key budgets. Every method commits the session it is given."""

    def __init__(self, digest: Callable[[str], str]) -> None:
        self._digest = digest

    def _ensure(self, s: Session, key: str, start: datetime) -> None:
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        s.execute(insert(AccountCounter).values(key=key, window_start=start, count=0, touched_at=utcnow())
                  .on_conflict_do_nothing(index_elements=["key", "window_start"]))

    def take(self, s: Session, what: str, limit: int, window: timedelta | None, *,
             commit: bool = True) -> int | None:
        """Counts one more use of ``what``; the new count, or None when the limit was reached.

        With ``commit=False`` the caller commits (or rolls back), so several
        counters can be taken all together or not at all.
        """
        key, start = self._digest(what), window_start(utcnow(), window)
        self._ensure(s, key, start)
        taken = changed_rows(s.execute(sa.update(AccountCounter)
                          .where(AccountCounter.key == key, AccountCounter.window_start == start,
                                 AccountCounter.count < limit)
                          .values(count=AccountCounter.count + 1, touched_at=utcnow())))
        count = s.scalar(sa.select(AccountCounter.count)
                         .where(AccountCounter.key == key, AccountCounter.window_start == start)) if taken else None
        if commit:
            s.commit()
        return count

    def reset(self, s: Session, what: str) -> None:
        """Sets a :data:`FOREVER` counter back to zero (a new code restarts its tries)."""
        key = self._digest(what)
        self._ensure(s, key, FOREVER)
        s.execute(sa.update(AccountCounter).where(AccountCounter.key == key, AccountCounter.window_start == FOREVER)
                  .values(count=0, touched_at=utcnow()))
        s.commit()

    @staticmethod
    def seconds_left(window: timedelta) -> int:
        """Seconds until the current window of this size ends (for Retry-After)."""
        now = utcnow()
        end = window_start(now, window) + window
        return max(1, int((end - now).total_seconds() + 0.999))

    @staticmethod
    def purge(s: Session, older_than: timedelta = 2 * DAY) -> int:
        """Removes counters untouched for ``older_than``: their windows ended, or their codes expired.

        A purged tries counter starts again from zero, the same for every
        address, so purging reveals nothing; the hourly and daily guess
        budgets still bound what a fresh count allows.
        """
        cutoff = utcnow() - older_than
        return changed_rows(s.execute(sa.delete(AccountCounter).where(AccountCounter.touched_at < cutoff)))
