"""Parley server: accounts, private messaging over Socket.IO, and video.

:func:`create_app` is the composition root: it reads nothing from the
environment itself (pass a :class:`~server.config.Config`, or let it call
``Config.from_env()``), builds every collaborator once, and binds the
extensions.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask
from flask_openapi3 import Info, OpenAPI

from server.config import Config
from server.db import Database
from server.errors import install_error_handlers, problem_response, validation_problem
from server.extensions import Services, close_db_session, limiter, socketio
from server.jobs import Jobs
from server.mail import MailQueue, build_mailer
from server.services.accounts import AccountService
from server.services.presence import MemoryPresence
from server.services.tokens import TokenService

try:
    __version__ = version("parley")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = OpenAPI(
        __name__,
        info=Info(title="Parley API", version=__version__,
                  description="Accounts, private messaging and video for the Parley chat app. "
                              "Errors are application/problem+json with a stable `code`."),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        doc_ui=False,
        validation_error_status=422,
        validation_error_callback=lambda exc: problem_response(validation_problem(exc)),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=config.upload_part_size + (1 << 20),
        RATELIMIT_ENABLED=config.rate_limits_enabled,
        RATELIMIT_STORAGE_URI=config.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        JSON_SORT_KEYS=False,
    )

    db = Database(config.database_url)
    tokens = TokenService(config.secret_key, config.access_token_ttl, config.refresh_token_ttl)
    mail = MailQueue(build_mailer(config))
    jobs = Jobs()
    svc = Services(config=config, db=db, mail=mail, jobs=jobs, presence=MemoryPresence())
    svc.extra["tokens"] = tokens
    svc.extra["accounts"] = AccountService(config, db, tokens, mail, jobs)
    app.extensions["parley"] = svc
    app.teardown_appcontext(close_db_session)

    limiter.init_app(app)
    install_error_handlers(app)

    from server.api import auth, docs, health, users
    app.register_api(health.bp)
    app.register_api(auth.bp)
    app.register_api(auth.links)
    app.register_api(users.bp)
    app.register_blueprint(docs.bp)

    socketio.init_app(
        app,
        async_mode="threading",
        max_http_buffer_size=config.socketio_max_payload,
        cors_allowed_origins=list(config.allowed_origins),
        message_queue=config.redis_url,
    )
    return app


def close_app(app: Flask) -> None:
    """Stops background work and closes connections (tests, shutdown)."""
    svc: Services = app.extensions["parley"]
    svc.jobs.shutdown(wait=True)
    svc.mail.wait_idle(5)
    svc.mail.close()
    svc.db.dispose()
