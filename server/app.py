"""The composition root of the Parley server.

:func:`create_app`: it reads nothing from the
environment itself (pass a :class:`~server.config.Config`, or let it call
``Config.from_env()``), builds every collaborator once, and binds the
extensions.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from server import observability
from server.config import Config
from server.db import Database
from server.errors import install_error_handlers, problem_response, validation_problem
from server.extensions import Services, close_db_session, limiter, socketio
from server.jobs import Jobs
from server.mail import MailQueue, build_mailer
from server.observability import Metrics
from server.realtime.notifier import Notifier
from server.services.accounts import AccountService
from server.services.mail_log import MailLog
from server.services.media_view import media_for_message, preload_for_messages
from server.services.messaging import MessagingService
from server.services.presence import MemoryPresence, Presence, RedisPresence
from server.services.tokens import TokenService
from server.services.user_limits import UserLimits

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
    metrics = Metrics()
    mail = MailQueue(build_mailer(config), on_sent=metrics.mail_sent.inc, on_failed=metrics.mail_failures.inc,
                     on_outcome=MailLog(db).record)
    jobs = Jobs()
    svc = Services(config=config, db=db, mail=mail, jobs=jobs, presence=_presence(config), tokens=tokens,
                   metrics=metrics, accounts=AccountService(config, db, tokens, mail, jobs),
                   messaging=MessagingService(db.dialect), notifier=Notifier.for_socketio(socketio),
                   user_limits=UserLimits(config.user_limits, config.redis_url or "memory://",
                                          config.redis_channel))
    app.extensions["parley"] = svc
    _install_media(app, svc)
    app.teardown_appcontext(close_db_session)

    limiter.init_app(app)
    install_error_handlers(app)
    observability.install(app, metrics)

    from server.api import auth, docs, health, users
    app.register_api(health.bp)
    app.register_api(auth.bp)
    app.register_api(auth.links)
    app.register_api(users.bp)
    from server.api import conversations
    app.register_api(conversations.bp)
    from server.api import blocks
    app.register_api(blocks.bp)
    from server.api import media
    app.register_api(media.bp)
    from server.api import admin
    admin.register(app)
    app.register_blueprint(docs.bp)

    from server.realtime import init_realtime, origin_checker
    from server.realtime.packets import JsonPacket
    socketio.init_app(
        app,
        async_mode="gevent",  # one event loop, a greenlet per connection (docs/architecture.md)
        async_handlers=False,  # events of one socket run in order, in its own reader greenlet
        serializer=JsonPacket,  # the contract sends no binary payloads
        max_http_buffer_size=config.socketio_max_payload,
        cors_allowed_origins=origin_checker(config),
        message_queue=config.redis_url,
        channel=f"{config.redis_channel}:socketio",
    )
    init_realtime(app, svc)
    svc.messaging.on_stored = metrics.messages.inc
    metrics.track_sockets(lambda: len(socketio.server.eio.sockets) if socketio.server else 0)
    if config.trusted_proxies:
        # outermost, so Socket.IO and the rate limiter both see the client's address
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=config.trusted_proxies, x_host=config.trusted_proxies)
    return app


def _install_media(app: Flask, svc: Services) -> None:
    """Storage backend, signed media links, upload service and the processing job runner.

    The :class:`~server.services.processing.MediaWorker` (re-queues pending
    jobs, purges expired uploads) is started by ``parley-server serve`` only,
    once the schema is up to date.
    """
    from server.services.media import MediaService
    from server.services.media_links import MediaLinks
    from server.services.hls import RenditionEncoder
    from server.services.processing import MediaProcessor
    from server.storage import build_storage
    svc.storage = build_storage(svc.config)
    links = svc.media_links = MediaLinks(svc.config.secret_key)
    svc.messaging.media_serializer = lambda s, media_id, viewer, positions: media_for_message(
        s, media_id, viewer, links, positions)
    svc.messaging.media_preload = preload_for_messages
    processor = svc.media_processor = MediaProcessor(app, svc)
    renditions = svc.renditions = RenditionEncoder(app, svc)
    svc.messaging.on_media_unlinked = renditions.media_unlinked
    svc.messaging.on_media_relinked = renditions.media_relinked
    media = svc.media = MediaService(svc.config, svc.storage, links, processor.enqueue)

    def purge_expired_uploads() -> list[str]:  # used by `parley-server purge-expired`
        with svc.db.session() as s:
            n = media.purge_expired(s)
        return [f"expired uploads removed: {n}"]
    svc.purge_expired_uploads = purge_expired_uploads


def _presence(config: Config) -> Presence:
    """In memory for one process; in Redis (shared) when several share PARLEY_REDIS_URL."""
    if config.redis_url:
        return RedisPresence.from_url(config.redis_url, prefix=config.redis_channel)
    return MemoryPresence()


def close_app(app: Flask) -> None:
    """Stops background work and closes connections (tests, shutdown)."""
    svc: Services = app.extensions["parley"]
    rt = app.extensions.get("parley_realtime")
    if rt is not None:
        rt.stop()
    worker = svc.media_worker
    if worker is not None:
        worker.stop()
    svc.media_processor.close()  # its own thread pool and worker processes, before the jobs
    svc.renditions.close()
    svc.jobs.shutdown(wait=True)
    svc.mail.wait_idle(5)
    svc.mail.close()
    svc.db.dispose()
