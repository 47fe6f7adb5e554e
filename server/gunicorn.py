"""gunicorn's worker for Parley: gevent, WebSocket, and the same handler as ``parley-server serve``.

    gunicorn -k server.gunicorn.Worker -w 1 -b 127.0.0.1:8001 'server.gunicorn:make_app()'

gunicorn's gevent workers monkey-patch the standard library in each worker
before they load the app, which is what :func:`server.green.patch` does for
``parley-server``. This module is imported by gunicorn's master too, so it
imports nothing but gevent, gevent-websocket and gunicorn at the top.
See docs/deployment.md.
"""
from __future__ import annotations

from typing import Any

from gunicorn.workers.ggevent import GeventPyWSGIWorker

from server.http import ParleyHandler, max_websocket_frame


class Worker(GeventPyWSGIWorker):
    """A gevent worker with WebSocket support and Parley's request deadlines."""

    wsgi_handler = ParleyHandler


def make_app() -> Any:
    """The app for one gunicorn worker, started like ``parley-server serve`` starts it.

    Applies the embedded SQLite schema (a PostgreSQL schema is ``parley-server
    db upgrade``'s job), starts the media worker, and gives the WebSocket
    handler Engine.IO's origin rule and the configured request timeout.
    """
    from server.app import create_app
    from server.cli import start_background_work
    from server.realtime import origin_checker

    app = create_app()
    config = app.extensions["parley"].config
    if config.is_sqlite:
        app.extensions["parley"].db.upgrade()
    start_background_work(app)
    ParleyHandler.origin_allowed = staticmethod(origin_checker(config))
    ParleyHandler.head_timeout = ParleyHandler.body_grace = config.http_timeout
    ParleyHandler.max_frame = max_websocket_frame(config.socketio_max_payload)
    return app
