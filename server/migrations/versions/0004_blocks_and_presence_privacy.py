"""blocks, presence privacy and withheld messages

``blocks``: who blocked whom. ``users.presence_visibility``: who may see when
a user is online (default ``written_to``). ``messages.withheld``: a message
sent to someone who had blocked the sender; only the sender ever sees it.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'blocks',
        sa.Column('blocker_id', sa.String(length=32), nullable=False),
        sa.Column('blocked_id', sa.String(length=32), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['blocker_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['blocked_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('blocker_id', 'blocked_id'),
    )
    op.create_index('ix_blocks_blocked_id', 'blocks', ['blocked_id'])
    # Plain ADD COLUMN (no batch copy): on SQLite a table copy would drop the FTS triggers of 0002.
    op.add_column('users', sa.Column('presence_visibility', sa.String(length=16), nullable=False,
                                     server_default='written_to'))
    op.add_column('messages', sa.Column('withheld', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('messages', 'withheld')
    op.drop_column('users', 'presence_visibility')
    op.drop_index('ix_blocks_blocked_id', table_name='blocks')
    op.drop_table('blocks')
