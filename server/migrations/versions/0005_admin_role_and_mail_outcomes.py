"""admin role, mail outcomes and an index for messages per day

``users.is_admin``: may use ``/api/admin/*`` (granted from the command line
only). ``mail_outcomes``: what the mail queue sent or gave up on, so the admin
status reports mail across processes. ``ix_messages_created_at``: the status's
messages per day reads two weeks of messages, not the whole table.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): on SQLite a table copy would drop the FTS triggers of 0002.
    op.add_column('users', sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'mail_outcomes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_mail_outcomes_at', 'mail_outcomes', ['at'])
    op.create_index('ix_messages_created_at', 'messages', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_messages_created_at', table_name='messages')
    op.drop_index('ix_mail_outcomes_at', table_name='mail_outcomes')
    op.drop_table('mail_outcomes')
    op.drop_column('users', 'is_admin')
