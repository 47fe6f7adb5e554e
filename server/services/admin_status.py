"""The figures of the admin status: users, messages, storage, video queue, mail, health.

One read-only pass over the database, shared by ``GET /api/admin/status`` and
``parley-server status`` so both report the same numbers. What only a running
process knows (who is online, its uptime) and the health probes are passed in
by the caller. Days are UTC calendar days.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import LoginSession, Media, Message, RefreshToken, Upload, UploadPart, User, iso, utcnow
from server.services.mail_log import summary as mail_summary

#: "Active": seen (socket closed, token refreshed) or sent a message within this.
ACTIVE_WINDOW = timedelta(days=7)
#: Messages per day over this many days, today included.
DAYS = 14
#: How many of the biggest users of storage are listed.
TOP_USERS = 5
#: Video failures and mail are counted over this.
RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class Users:
    total: int
    verified: int
    disabled: int
    admins: int
    #: None when this process cannot know it (the command line without a shared presence store)
    online: int | None
    active_7d: int


@dataclass(frozen=True)
class DayCount:
    day: str  # YYYY-MM-DD, UTC
    messages: int


@dataclass(frozen=True)
class StorageUser:
    id: str
    display_name: str
    email: str
    bytes: int
    videos: int


@dataclass(frozen=True)
class Storage:
    #: bytes of every stored video (ready or still processing)
    total_bytes: int
    videos: int
    #: bytes received so far by uploads not finished yet
    uploading_bytes: int
    top_users: list[StorageUser] = field(default_factory=list)


@dataclass(frozen=True)
class Queue:
    processing: int
    oldest_age_seconds: float | None
    failed_24h: int
    last_failure: str | None


@dataclass(frozen=True)
class Mail:
    sent_24h: int
    failed_24h: int
    last_error: str | None
    last_error_at: str | None


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ServerStatus:
    generated_at: str
    version: str
    started_at: str | None
    uptime_seconds: float | None
    users: Users
    messages_per_day: list[DayCount]
    storage: Storage
    queue: Queue
    mail: Mail
    health: list[Check]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect(s: Session, *, version: str, started_at: datetime | None, online: int | None,
            health: list[Check], now: datetime | None = None) -> ServerStatus:
    """Every figure of the status, read in one session."""
    now = now or utcnow()
    return ServerStatus(
        generated_at=iso(now) or "", version=version, started_at=iso(started_at),
        uptime_seconds=None if started_at is None else max(0.0, (now - started_at).total_seconds()),
        users=users(s, now, online), messages_per_day=messages_per_day(s, now), storage=storage(s),
        queue=queue(s, now), mail=mail(s, now), health=health)


def users(s: Session, now: datetime, online: int | None) -> Users:
    count = sa.func.count(User.id)
    row = s.execute(sa.select(count, count.filter(User.email_verified_at.is_not(None)),
                              count.filter(User.disabled_at.is_not(None)),
                              count.filter(User.is_admin.is_(True)))).one()
    since = now - ACTIVE_WINDOW
    active_ids = sa.union(
        sa.select(User.id).where(User.last_seen_at >= since),
        sa.select(LoginSession.user_id).join(RefreshToken, RefreshToken.session_id == LoginSession.id)
        .where(RefreshToken.created_at >= since),
        sa.select(Message.sender_id).where(Message.created_at >= since),
    ).subquery()
    active = s.scalar(sa.select(sa.func.count()).select_from(active_ids)) or 0
    return Users(total=row[0], verified=row[1], disabled=row[2], admins=row[3], online=online, active_7d=active)


def messages_per_day(s: Session, now: datetime) -> list[DayCount]:
    """One entry per day of the last :data:`DAYS` days, oldest first, zero days included."""
    first = now.date() - timedelta(days=DAYS - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)
    day = sa.func.date(Message.created_at)  # SQLite: text 'YYYY-MM-DD'; PostgreSQL: a date
    counts = {str(d): n for d, n in s.execute(sa.select(day, sa.func.count()).where(Message.created_at >= start)
                                              .group_by(day)).tuples()}
    days = [first + timedelta(days=i) for i in range(DAYS)]
    return [DayCount(d.isoformat(), int(counts.get(d.isoformat(), 0))) for d in days]


def storage(s: Session) -> Storage:
    stored = Media.status != "failed"  # a failed video's bytes are deleted
    total, videos = s.execute(sa.select(sa.func.coalesce(sa.func.sum(Media.size), 0), sa.func.count(Media.id))
                              .where(stored)).one()
    uploading = s.scalar(sa.select(sa.func.coalesce(sa.func.sum(UploadPart.size), 0))
                         .join(Upload, Upload.id == UploadPart.upload_id).where(Upload.status == "open")) or 0
    used = sa.func.sum(Media.size).label("used")
    top = s.execute(sa.select(User.id, User.display_name, User.email, used, sa.func.count(Media.id))
                    .join(Media, Media.owner_id == User.id).where(stored)
                    .group_by(User.id, User.display_name, User.email)
                    .order_by(used.desc(), User.id).limit(TOP_USERS)).tuples().all()
    return Storage(total_bytes=int(total), videos=int(videos), uploading_bytes=int(uploading),
                   top_users=[StorageUser(uid, name, email, int(b), int(n)) for uid, name, email, b, n in top])


def queue(s: Session, now: datetime) -> Queue:
    processing, oldest = s.execute(sa.select(sa.func.count(Media.id), sa.func.min(Media.created_at))
                                   .where(Media.status == "processing")).one()
    since = now - RECENT
    failed = sa.and_(Media.status == "failed", Media.processed_at >= since)
    n_failed = s.scalar(sa.select(sa.func.count(Media.id)).where(failed)) or 0
    last = s.scalar(sa.select(Media.error).where(failed).order_by(Media.processed_at.desc()).limit(1))
    if oldest is not None and oldest.tzinfo is None:  # an aggregate skips the column's type on SQLite
        oldest = _aware(oldest)
    return Queue(processing=int(processing),
                 oldest_age_seconds=None if oldest is None else max(0.0, (now - oldest).total_seconds()),
                 failed_24h=int(n_failed), last_failure=last)


def mail(s: Session, now: datetime) -> Mail:
    m = mail_summary(s, now - RECENT)
    return Mail(sent_24h=m.sent, failed_24h=m.failed, last_error=m.last_error, last_error_at=iso(m.last_error_at))


def _aware(value: datetime | str | date) -> datetime:
    from datetime import UTC
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
