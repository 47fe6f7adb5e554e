"""Fixtures shared by the server's tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.db import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    url = request.getfixturevalue("postgres_url").replace("postgresql://", "postgresql+psycopg://") \
        if request.param == "postgresql" else f"sqlite:///{tmp_path / 'parley.db'}"
    db = Database(url)
    db.upgrade()
    request.addfinalizer(db.dispose)
    return db
