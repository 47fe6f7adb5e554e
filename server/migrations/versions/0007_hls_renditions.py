"""HLS renditions: the encode state on ``media``

A media row whose ``hls_status`` is ``pending`` or ``encoding`` is the encode
job (server/services/hls.py), claimed like the processing job through
``hls_attempts`` and ``hls_claimed_at``. Existing media get no status (None):
they keep playing as progressive MP4 until ``parley-server encode-renditions``
queues them.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hls_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('hls_progress', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('hls_renditions', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('hls_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('hls_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('hls_claimed_at', UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_media_hls_status'), ['hls_status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_hls_status'))
        for column in ('hls_claimed_at', 'hls_attempts', 'hls_error', 'hls_renditions', 'hls_progress',
                       'hls_status'):
            batch_op.drop_column(column)
