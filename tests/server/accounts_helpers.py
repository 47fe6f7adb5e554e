"""An in-process app on SQLite or PostgreSQL, and account helpers for its test client."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import close_app, create_app
from server.config import Config
from tests.conftest import PASSWORD, read_outbox_code


def make_app(tmp_path: Path, database_url: str | None, **env: str) -> Flask:
    environ = {"PARLEY_DATA_DIR": str(tmp_path / "data"), "PARLEY_RATE_LIMITS": "off", **env}
    if database_url:
        environ["PARLEY_DATABASE_URL"] = database_url
    app = create_app(Config.from_env(environ))
    app.extensions["parley"].db.upgrade()
    return app


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    a = make_app(tmp_path, url)
    yield a
    close_app(a)


class Accounts:
    """Drives the account endpoints through a Flask test client."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.c: FlaskClient = app.test_client()
        self.data_dir = app.extensions["parley"].config.data_dir

    def mark(self) -> set[str]:
        """The outbox files so far: pass to :meth:`code` to read only newer mail."""
        self.settle()
        return {p.name for p in (self.data_dir / "outbox").glob("*.eml")}

    def code(self, email: str, seen: set[str] | None = None) -> str:
        return read_outbox_code(self.data_dir, email, skip=seen or set())

    def register(self, name: str = "Binh", password: str = PASSWORD, email: str | None = None) -> str:
        email = email or f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
        r = self.c.post("/api/auth/register", json={"email": email, "password": password, "display_name": name})
        assert r.status_code == 202, r.get_json()
        return email

    def verified(self, name: str = "Binh", password: str = PASSWORD) -> tuple[str, dict]:
        seen = self.mark()
        email = self.register(name, password)
        r = self.c.post("/api/auth/verify",
                        json={"email": email, "code": self.code(email, seen), "password": password})
        assert r.status_code == 200, r.get_json()
        return email, r.get_json()

    def verify(self, email: str, code: str, password: str = PASSWORD):  # noqa: ANN201
        return self.c.post("/api/auth/verify", json={"email": email, "code": code, "password": password})

    def login(self, email: str, password: str = PASSWORD):  # noqa: ANN201
        return self.c.post("/api/auth/login", json={"email": email, "password": password})

    def settle(self) -> None:
        """Waits for background account jobs and mail."""
        svc = self.app.extensions["parley"]
        assert svc.jobs.wait_idle(10)
        svc.mail.wait_idle(10)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(r, status: int, code: str | None = None) -> dict:  # noqa: ANN001
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers["Content-Type"]
    body = r.get_json(force=True)
    assert body["status"] == status and isinstance(body["code"], str) and body["detail"] and body["title"]
    if code:
        assert body["code"] == code, body
    return body
