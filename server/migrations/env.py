"""Alembic environment: runs on the connection handed in by ``Database.upgrade``."""
from __future__ import annotations

from alembic import context

from server.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via `alembic` CLI without our Database
    raise SystemExit("run migrations with `parley-server db upgrade`")

context.configure(connection=connection, target_metadata=target_metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
