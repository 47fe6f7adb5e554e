"""What the mail queue sent and gave up on, kept in the database for the admin status.

The queue (:class:`server.mail.base.MailQueue`) tells :meth:`MailLog.record`
the outcome of every message. Each process writes its own rows to the shared
database, so ``GET /api/admin/status`` and ``parley-server status`` see the
mail of every process, and the figures survive a restart. Only the time,
whether it went out and the error are kept, never an address.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.db import Database
from server.models import MailOutcome, utcnow

log = logging.getLogger(__name__)

#: Outcomes older than this are deleted as new ones are recorded.
KEEP = timedelta(days=2)
#: An error text is cut to this many characters (an SMTP reply can be long).
ERROR_MAX = 500


@dataclass(frozen=True)
class MailSummary:
    sent: int
    failed: int
    last_error: str | None
    last_error_at: datetime | None


class MailLog:
    """Writes mail outcomes; reads their summary over a window."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, ok: bool, error: str | None = None) -> None:
        now = utcnow()
        with self.db.session() as s:
            s.add(MailOutcome(at=now, ok=ok, error=None if ok else (error or "unknown error")[:ERROR_MAX]))
            s.execute(sa.delete(MailOutcome).where(MailOutcome.at < now - KEEP))
            s.commit()


def summary(s: Session, since: datetime) -> MailSummary:
    """Mail sent and failed since ``since``, and the latest failure (whenever it was, within :data:`KEEP`)."""
    rows = dict(s.execute(sa.select(MailOutcome.ok, sa.func.count()).where(MailOutcome.at >= since)
                          .group_by(MailOutcome.ok)).tuples().all())
    last = s.execute(sa.select(MailOutcome.error, MailOutcome.at).where(MailOutcome.ok.is_(False))
                     .order_by(MailOutcome.at.desc(), MailOutcome.id.desc()).limit(1)).first()
    return MailSummary(sent=int(rows.get(True, 0)), failed=int(rows.get(False, 0)),
                       last_error=last[0] if last else None, last_error_at=last[1] if last else None)


def failing(s: Session) -> str | None:
    """The error of the newest outcome if it is a failure (mail is failing now), else None."""
    row = s.execute(sa.select(MailOutcome.ok, MailOutcome.error)
                    .order_by(MailOutcome.at.desc(), MailOutcome.id.desc()).limit(1)).first()
    return row[1] if row is not None and not row[0] else None
