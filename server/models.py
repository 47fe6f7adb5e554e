"""Typed SQLAlchemy 2 models: the whole schema of the server.

Times are stored as UTC and always read back timezone-aware. User and media
ids are random opaque strings; message ids are an increasing integer so that
they sort in store order (the contract's ``sync`` relies on it).
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return secrets.token_hex(16)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 UTC with millisecond precision and a ``Z``, as the contract says."""
    if dt is None:
        return None
    if dt.tzinfo is not UTC:  # stored datetimes come back in UTC already; isoformat is cheaper than strftime
        dt = dt.astimezone(UTC)
    return dt.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC (SQLite keeps no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Who sees when this user is online: ``everybody``, ``written_to`` (people
    #: they sent a message to) or ``nobody``; see :mod:`server.services.visibility`.
    presence_visibility: Mapped[str] = mapped_column(sa.String(16), default="written_to",
                                                     server_default="written_to")
    #: May read ``/api/admin/*`` and disable accounts there. Set only from the command line
    #: (``parley-server grant-admin``, ``create-user --admin``); no endpoint writes it.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (sa.Index("ix_users_display_name_lower", sa.func.lower(display_name)),)

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None


class EmailCode(Base):
    """A 6-digit code (and for verification, a link token) sent by email.

    Only HMACs are stored. ``purpose`` is ``verify`` or ``reset``.
    """

    __tablename__ = "email_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(16))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    link_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None] = mapped_column(default=None)


class PendingRegistration(Base):
    """One registration that has not been verified yet: its own password, code and link.

    A registration becomes a :class:`User` only when its own code (or link) is
    presented together with its own password. Registering the same address
    again adds another row and never touches this one, so a later registrant
    cannot take over the first one's account, and a code alone verifies
    nothing. Only HMACs of the code and link token are stored.
    """

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(sa.String(320), index=True)  # normalised, lower-case
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    link_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    code_expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    consumed_at: Mapped[datetime | None] = mapped_column(default=None)


class AccountCounter(Base):
    """A counter per key and time window: the per-account limits on codes, guesses and mail.

    ``key`` is an HMAC of what is counted (purpose and email address), so the
    table holds no address in clear, and it is kept for any address asked
    about, whether it has an account or not: the answers cannot differ. A
    counter is only ever raised by a conditional UPDATE (``count < limit``),
    which is atomic on SQLite and PostgreSQL alike.
    """

    __tablename__ = "account_counters"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    #: Last change: counters that are never rolled by their window (code tries) are purged by age.
    touched_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    """One login on one device: the family of its rotating refresh tokens.

    Access tokens carry this id (``sid``), so revoking the session ends them too.
    """

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(32), default=None)


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("login_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(sa.String(64))
    sender_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: ``body`` folded for search (lower case, no diacritics: :mod:`server.services.text_folding`);
    #: the full-text indexes read this column. Set wherever ``body`` is.
    body_folded: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    media_id: Mapped[str | None] = mapped_column(sa.ForeignKey("media.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted: Mapped[bool] = mapped_column(default=False)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Sent while the recipient blocked the sender: stored and shown to the
    #: sender as sent, never shown to the recipient (see :mod:`server.services.blocks`).
    withheld: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_client"),
        sa.Index("ix_messages_sender_recipient_id", "sender_id", "recipient_id", "id"),
        sa.Index("ix_messages_recipient_sender_id", "recipient_id", "sender_id", "id"),
        # partial: text messages (nearly all) add no entry; ``media_id = :id`` still uses it
        sa.Index("ix_messages_media_id", "media_id", sqlite_where=sa.text("media_id IS NOT NULL"),
                 postgresql_where=sa.text("media_id IS NOT NULL")),
        sa.Index("ix_messages_created_at", "created_at"),  # the admin status's messages per day
    )


class Block(Base):
    """``blocker_id`` blocked ``blocked_id``: nothing of either reaches the other."""

    __tablename__ = "blocks"

    blocker_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Media(Base):
    """A video. ``status`` is ``processing`` until the processing job ends.

    A row in ``processing`` *is* the pending job: on start-up the worker picks
    up every such row again, so a restart never strands a video.
    """

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="processing", index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    thumbnail_key: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    etag: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    duration: Mapped[float | None] = mapped_column(default=None)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    container: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    video_codec: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    audio_codec: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    error: Mapped[str | None] = mapped_column(sa.Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: HLS renditions (server/services/hls.py): None (no encode: older media, or encoding off),
    #: pending, encoding, ready, failed or cancelled. A row pending or encoding *is* the encode job,
    #: claimed like the processing job through ``hls_attempts`` and ``hls_claimed_at``.
    hls_status: Mapped[str | None] = mapped_column(sa.String(16), default=None, index=True)
    hls_progress: Mapped[float | None] = mapped_column(default=None)
    #: JSON list of the renditions once ready (name, width, height, bandwidth, ...).
    hls_renditions: Mapped[str | None] = mapped_column(sa.Text, default=None)
    hls_error: Mapped[str | None] = mapped_column(sa.Text, default=None)
    hls_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    hls_claimed_at: Mapped[datetime | None] = mapped_column(default=None)


class MediaPosition(Base):
    """Where ``user_id`` stopped watching ``media_id`` (resume on another device); see
    :mod:`server.services.media_positions`. No row: not started, or watched to the end."""

    __tablename__ = "media_positions"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    media_id: Mapped[str] = mapped_column(sa.ForeignKey("media.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    seconds: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailOutcome(Base):
    """One message the mail queue sent or gave up on, for the admin status of the last 24 hours.

    Kept in the database (not in process memory) so that ``parley-server status``
    and every server process report the same figures. Rows older than
    :data:`server.services.mail_log.KEEP` are removed as new ones arrive.
    No address is stored: only when, whether it went out, and the error.
    """

    __tablename__ = "mail_outcomes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(sa.Text, default=None)


class Upload(Base):
    """A resumable upload in progress. ``status``: open, completed, aborted, expired."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    part_size: Mapped[int] = mapped_column(sa.BigInteger)
    part_count: Mapped[int]
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    backend_upload_id: Mapped[str | None] = mapped_column(sa.String(1024), default=None)
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    media_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class UploadPart(Base):
    """A part that arrived (local storage; S3 keeps its own list)."""

    __tablename__ = "upload_parts"

    upload_id: Mapped[str] = mapped_column(sa.ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    n: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    etag: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
