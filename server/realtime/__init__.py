"""Real-time private messaging over Socket.IO (the contract's Socket.IO table).

``init_realtime(app, svc)`` installs the handlers of :mod:`server.realtime.chat`
on the shared ``socketio`` extension and builds this app's
:class:`~server.realtime.hub.Realtime` state.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from server.config import Config
from server.extensions import Services, socketio
from server.realtime import transport
from server.realtime.chat import register
from server.realtime.hub import Realtime


def init_realtime(app: Flask, svc: Services) -> Realtime:
    """Call after ``socketio.init_app(app, ...)``."""
    transport.install()
    rt = Realtime(svc, socketio)
    app.extensions["parley_realtime"] = rt
    register(rt, socketio)
    rt.watch_handshakes()
    return rt


def origin_checker(config: Config) -> Callable[[str | None, dict[str, Any]], bool]:
    """Engine.IO's origin check: no Origin, the server's own origin, or a listed one.

    A connection without an ``Origin`` header (the desktop app, scripts) is
    always allowed. Python clients over WebSocket send the server's own URL as
    the Origin, which is same-origin and allowed, as is ``PARLEY_PUBLIC_URL``.
    Any other origin (a browser page elsewhere) must be listed in
    ``PARLEY_ALLOWED_ORIGINS``. (Passing engine.io an empty list would turn
    the check *off*, so an explicit function is used.)
    """
    listed = {o.rstrip("/").lower() for o in config.allowed_origins}
    listed.add(config.public_url.rstrip("/").lower())

    def allowed(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        if not origin:
            return True
        o = origin.rstrip("/").lower()
        if o in listed:
            return True
        environ = environ or {}
        host = environ.get("HTTP_HOST")
        if host:
            scheme = environ.get("wsgi.url_scheme", "http")
            own = {f"{scheme}://{host}".lower()}
            fwd_host = environ.get("HTTP_X_FORWARDED_HOST")
            if fwd_host or environ.get("HTTP_X_FORWARDED_PROTO"):
                proto = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
                own.add(f"{proto}://{(fwd_host or host).split(',')[0].strip()}".lower())
            if o in own:
                return True
        return False

    return allowed
