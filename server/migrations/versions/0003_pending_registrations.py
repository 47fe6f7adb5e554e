"""pending registrations and per-account counters

A registration now waits in ``pending_registrations`` (its own password hash,
code and link) until its own code and password are presented; ``users`` holds
verified accounts only. ``account_counters`` holds the per-account limits
(codes issued, guesses, mails per recipient), keyed by an HMAC.

Unverified users left from before are moved to ``pending_registrations`` with
no live code (``code_expires_at`` in the past): asking for a new code revives
them, and their password still answers ``email_not_verified`` at sign-in.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime, utcnow

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'pending_registrations',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('display_name', sa.String(length=64), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('link_hash', sa.String(length=64), nullable=False),
        sa.Column('code_expires_at', UTCDateTime(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('consumed_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('link_hash'),
    )
    op.create_index('ix_pending_registrations_email', 'pending_registrations', ['email'], unique=False)
    op.create_table(
        'account_counters',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('window_start', UTCDateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('touched_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'window_start'),
    )
    # Unverified accounts become pending registrations without a live code.
    conn = op.get_bind()
    users = sa.table('users', sa.column('id', sa.String), sa.column('email', sa.String),
                     sa.column('password_hash', sa.String), sa.column('display_name', sa.String),
                     sa.column('locale', sa.String), sa.column('email_verified_at', UTCDateTime()),
                     sa.column('created_at', UTCDateTime()))
    pending = sa.table('pending_registrations', sa.column('email', sa.String),
                       sa.column('password_hash', sa.String), sa.column('display_name', sa.String),
                       sa.column('locale', sa.String), sa.column('code_hash', sa.String),
                       sa.column('link_hash', sa.String), sa.column('code_expires_at', UTCDateTime()),
                       sa.column('created_at', UTCDateTime()))
    rows = conn.execute(sa.select(users.c.id, users.c.email, users.c.password_hash, users.c.display_name,
                                  users.c.locale).where(users.c.email_verified_at.is_(None))).all()
    now = utcnow()
    for row in rows:
        conn.execute(pending.insert().values(
            email=row.email, password_hash=row.password_hash, display_name=row.display_name,
            locale=row.locale, code_hash="", link_hash=f"migrated-{secrets.token_hex(16)}",
            code_expires_at=now, created_at=now))
    if rows:
        conn.execute(sa.text("DELETE FROM email_codes WHERE user_id IN "
                             "(SELECT id FROM users WHERE email_verified_at IS NULL)"))
        conn.execute(users.delete().where(users.c.email_verified_at.is_(None)))


def downgrade() -> None:
    op.drop_table('account_counters')
    op.drop_index('ix_pending_registrations_email', table_name='pending_registrations')
    op.drop_table('pending_registrations')
