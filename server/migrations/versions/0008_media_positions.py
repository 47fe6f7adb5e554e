"""resume anywhere: ``media_positions``

Where each person stopped watching each video (``PUT /api/media/{id}/position``),
so another of their devices can offer "Resume from 0:37" and draw a progress
line under the poster. One row per (user, media); it goes with the video
(``ON DELETE CASCADE`` on ``media``) and with the account.

Revision ID: 0008
Revises: 0007

The chain: 0007 is ``0007_hls_renditions`` (HLS renditions, another branch of
issue 13). Until both branches are merged, a tree without 0007 has to point
this one at 0006 to run.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'media_positions',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('media_id', sa.String(length=32), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['media_id'], ['media.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'media_id'),
    )
    # deleting a video finds its rows by media_id (the primary key starts with user_id)
    op.create_index('ix_media_positions_media_id', 'media_positions', ['media_id'])


def downgrade() -> None:
    op.drop_index('ix_media_positions_media_id', table_name='media_positions')
    op.drop_table('media_positions')
