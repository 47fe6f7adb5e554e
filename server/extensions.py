"""Unbound Flask extensions and the per-app service container.

``create_app`` binds the extensions and builds one :class:`Services` per app;
endpoints reach it through :func:`services`, and the DB session of the
current request through :func:`db_session`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field, fields
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
    from server.observability import Metrics
    from server.realtime.notifier import Notifier
    from server.services.accounts import AccountService
    from server.services.hls import RenditionEncoder
    from server.services.media import MediaService
    from server.services.media_links import MediaLinks
    from server.services.messaging import MessagingService
    from server.services.presence import Presence
    from server.services.processing import MediaProcessor, MediaWorker
    from server.services.tokens import TokenService
    from server.services.user_limits import UserLimits
    from server.storage.base import Storage

socketio = SocketIO()
limiter = Limiter(key_func=client_key, headers_enabled=True)

#: Signals other parts of the server subscribe to (the realtime layer ends
#: revoked sessions' sockets on ``sessions_revoked``).
signals = Namespace()
#: sender=None, user_id=str, session_ids=list[str] | None (None: every session)
sessions_revoked = signals.signal("sessions-revoked")


@dataclass(eq=False)
class Services:
    """The collaborators an app was built with (one of each per app).

    ``create_app`` builds them in dependency order: the fields without a
    default are passed in, the media ones are set right after (they need the
    container itself), and ``media_worker`` only by ``parley-server serve``.
    """

    config: Config
    db: Database
    mail: MailQueue
    jobs: Jobs
    presence: Presence
    tokens: TokenService
    metrics: Metrics
    accounts: AccountService
    messaging: MessagingService
    notifier: Notifier
    #: per-person rate limits, one budget across a person's sockets and REST calls
    user_limits: UserLimits
    storage: Storage = field(init=False)
    media_links: MediaLinks = field(init=False)
    media_processor: MediaProcessor = field(init=False)
    media: MediaService = field(init=False)
    #: HLS renditions: the encode jobs (their own threads and worker processes)
    renditions: RenditionEncoder = field(init=False)
    #: running once ``parley-server serve`` started it
    media_worker: MediaWorker | None = None
    #: used by ``parley-server purge-expired``
    purge_expired_uploads: Callable[[], list[str]] | None = None
    #: set on SIGTERM: ``/readyz`` answers 503
    draining: bool = False

    @property
    def extra(self) -> MutableMapping[str, Any]:
        """The old ``extra`` dict as a view of the typed fields, for code written against it
        (branches merged later); new code uses the attributes."""
        return _FieldView(self)


class _FieldView(MutableMapping[str, Any]):
    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._names = {f.name for f in fields(svc)}

    def __getitem__(self, key: str) -> Any:
        if key not in self._names or not hasattr(self._svc, key):
            raise KeyError(key)
        return getattr(self._svc, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._names:
            raise KeyError(f"Services has no field {key!r}: add a typed field instead")
        setattr(self._svc, key, value)

    def __delitem__(self, key: str) -> None:
        raise TypeError("Services fields cannot be deleted")

    def __iter__(self) -> Iterator[str]:
        return iter(n for n in self._names if hasattr(self._svc, n))

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
