"""message search and sync indexes

SQLite: an FTS5 table over ``messages.body`` kept in step by triggers (an
external-content table: the text is stored once, in ``messages``).
PostgreSQL: a GIN index on ``to_tsvector('simple', body)``.
Both: ``(sender_id, id)`` and ``(recipient_id, id)`` indexes for ``sync``,
which reads everything to or from one user above an id.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS messages_fts_au",
    "DROP TRIGGER IF EXISTS messages_fts_ad",
    "DROP TRIGGER IF EXISTS messages_fts_ai",
    "DROP TABLE IF EXISTS messages_fts",
]


def upgrade() -> None:
    op.create_index('ix_messages_sender_id_id', 'messages', ['sender_id', 'id'])
    op.create_index('ix_messages_recipient_id_id', 'messages', ['recipient_id', 'id'])
    if op.get_bind().dialect.name == 'sqlite':
        for sql in _SQLITE_UP:
            op.execute(sql)
    else:
        op.execute("CREATE INDEX ix_messages_body_fts ON messages USING gin (to_tsvector('simple'::regconfig, body))")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for sql in _SQLITE_DOWN:
            op.execute(sql)
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_body_fts")
    op.drop_index('ix_messages_recipient_id_id', table_name='messages')
    op.drop_index('ix_messages_sender_id_id', table_name='messages')
