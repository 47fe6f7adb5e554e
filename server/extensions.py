"""Unbound Flask extensions and the per-app service container.

``create_app`` binds the extensions and builds one :class:`Services` per app;
endpoints reach it through :func:`services`, and the DB session of the
current request through :func:`db_session`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from blinker import Namespace
from flask import current_app, g
from flask_limiter import Limiter
from flask_socketio import SocketIO
from sqlalchemy.orm import Session

from server.limits import client_key

if TYPE_CHECKING:
    from server.config import Config
    from server.db import Database
    from server.jobs import Jobs
    from server.mail.base import MailQueue
    from server.services.presence import Presence

socketio = SocketIO()
limiter = Limiter(key_func=client_key, headers_enabled=True)

#: Signals other parts of the server subscribe to (the realtime layer ends
#: revoked sessions' sockets on ``sessions_revoked``).
signals = Namespace()
#: sender=None, user_id=str, session_ids=list[str] | None (None: every session)
sessions_revoked = signals.signal("sessions-revoked")


@dataclass
class Services:
    """The collaborators an app was built with (one of each per app)."""

    config: Config
    db: Database
    mail: MailQueue
    jobs: Jobs
    presence: Presence
    storage: Any = None  # server.storage.base.Storage, set by the media layer
    extra: dict[str, Any] = field(default_factory=dict)


def services() -> Services:
    return current_app.extensions["parley"]


def db_session() -> Session:
    """The request's session, closed at teardown."""
    s = g.get("_db_session")
    if s is None:
        s = g._db_session = services().db.Session()
    return s


def close_db_session(_exc: BaseException | None = None) -> None:
    s = g.pop("_db_session", None)
    if s is not None:
        s.close()
