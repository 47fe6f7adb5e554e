"""cheaper message writes: the SQLite search index filled after the commit, a partial media index

SQLite: new messages are no longer indexed for search by a trigger inside the
message writer's transaction (FTS5 writes a new index segment per
transaction, and merges them: about half of SQLite's work per message).
:mod:`server.services.search_index` indexes them in batches after they are
committed, and search brings the index up to date before it reads it.
``search_index_state.indexed_upto`` is the highest message id indexed; the
update and delete triggers only touch the index for rows at or below it
(a row above it is indexed later, as it is then).

Both databases: ``ix_messages_media_id`` becomes partial (``WHERE media_id IS
NOT NULL``): text messages, nearly all of them, no longer add an entry to it,
and every lookup of a video's messages (``media_id = :id``) can still use it.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_INDEXED = "(SELECT indexed_upto FROM search_index_state WHERE id = 1)"


def _media_index(partial: bool) -> None:
    op.drop_index('ix_messages_media_id', table_name='messages')
    where = sa.text("media_id IS NOT NULL") if partial else None
    op.create_index('ix_messages_media_id', 'messages', ['media_id'],
                    sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    _media_index(partial=True)
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.create_table(
        'search_index_state',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('indexed_upto', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name='ck_search_index_state_one_row'),
    )
    # every message stored so far was indexed by the insert trigger
    op.execute("INSERT INTO search_index_state (id, indexed_upto) SELECT 1, COALESCE(MAX(id), 0) FROM messages")
    for name in ("messages_fts_ai", "messages_fts_ad", "messages_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages WHEN old.id <= {_INDEXED} BEGIN "
               "INSERT INTO messages_fts(messages_fts, rowid, body_folded) VALUES ('delete', old.id, old.body_folded); "
               "END")
    op.execute(f"CREATE TRIGGER messages_fts_au AFTER UPDATE OF body_folded ON messages WHEN old.id <= {_INDEXED} "
               "BEGIN "
               "INSERT INTO messages_fts(messages_fts, rowid, body_folded) VALUES ('delete', old.id, old.body_folded); "
               "INSERT INTO messages_fts(rowid, body_folded) VALUES (new.id, new.body_folded); END")


def downgrade() -> None:
    _media_index(partial=False)
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in ("messages_fts_ad", "messages_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"INSERT INTO messages_fts(rowid, body_folded) SELECT id, body_folded FROM messages "
               f"WHERE id > {_INDEXED}")
    op.drop_table('search_index_state')
    op.execute("CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN "
               "INSERT INTO messages_fts(rowid, body_folded) VALUES (new.id, new.body_folded); END")
    op.execute("CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN "
               "INSERT INTO messages_fts(messages_fts, rowid, body_folded) VALUES ('delete', old.id, old.body_folded); "
               "END")
    op.execute("CREATE TRIGGER messages_fts_au AFTER UPDATE OF body_folded ON messages BEGIN "
               "INSERT INTO messages_fts(messages_fts, rowid, body_folded) VALUES ('delete', old.id, old.body_folded); "
               "INSERT INTO messages_fts(rowid, body_folded) VALUES (new.id, new.body_folded); END")
