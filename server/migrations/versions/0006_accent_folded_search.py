"""accent-insensitive message search: ``messages.body_folded``

Adds the folded copy of each body (lower case, no diacritics, ``đ`` as ``d``:
:func:`server.services.text_folding.fold`) and moves the full-text indexes onto
it, so "xin chao" finds "xin chào" on SQLite and PostgreSQL alike.
Existing rows are folded here, in batches, in Python (the same function the
server uses when it writes).

SQLite: the FTS5 table is rebuilt over ``body_folded`` with its triggers.
PostgreSQL: the GIN index moves from ``body`` to ``body_folded``.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.services.text_folding import fold

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_BATCH = 2000

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS messages_fts_au",
    "DROP TRIGGER IF EXISTS messages_fts_ad",
    "DROP TRIGGER IF EXISTS messages_fts_ai",
    "DROP TABLE IF EXISTS messages_fts",
]


def _sqlite_fts(column: str) -> list[str]:
    """The external-content FTS5 table over ``column`` of ``messages``, and the triggers that keep it in step."""
    return [
        f"CREATE VIRTUAL TABLE messages_fts USING fts5({column}, content='messages', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN "
        f"INSERT INTO messages_fts(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN "
        f"INSERT INTO messages_fts(messages_fts, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER messages_fts_au AFTER UPDATE OF {column} ON messages BEGIN "
        f"INSERT INTO messages_fts(messages_fts, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO messages_fts(rowid, {column}) VALUES (new.id, new.{column}); END",
        "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    ]


def _backfill() -> None:
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.text("SELECT id, body FROM messages WHERE id > :last ORDER BY id LIMIT :n"),
                            {"last": last, "n": _BATCH}).all()
        if not rows:
            return
        conn.execute(sa.text("UPDATE messages SET body_folded = :f WHERE id = :id"),
                     [{"f": fold(r.body or ""), "id": r.id} for r in rows])
        last = rows[-1].id


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:  # the old triggers name body; drop them before the new column is filled
        for sql in _SQLITE_DROP:
            op.execute(sql)
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_body_fts")
    op.add_column('messages', sa.Column('body_folded', sa.Text(), nullable=False, server_default=''))
    _backfill()
    if sqlite:
        for sql in _sqlite_fts("body_folded"):
            op.execute(sql)
    else:
        op.execute("CREATE INDEX ix_messages_body_folded_fts ON messages "
                   "USING gin (to_tsvector('simple'::regconfig, body_folded))")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for sql in _SQLITE_DROP:
            op.execute(sql)
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_body_folded_fts")
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('body_folded')
    if sqlite:
        for sql in _sqlite_fts("body"):
            op.execute(sql)
    else:
        op.execute("CREATE INDEX ix_messages_body_fts ON messages USING gin (to_tsvector('simple'::regconfig, body))")
