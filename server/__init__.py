"""Parley server: accounts, private messaging over Socket.IO, and video.

The composition root is :func:`server.app.create_app`; ``from server import
create_app, close_app`` still works. This module imports nothing itself, so
that ``parley-server`` can monkey-patch the standard library for gevent
(:func:`server.green.patch`) before Flask, psycopg, redis-py, boto3 or smtplib
are imported (see :mod:`server.green`).
"""
from __future__ import annotations

from typing import Any

__all__ = ["__version__", "close_app", "create_app"]


def __getattr__(name: str) -> Any:
    if name in ("create_app", "close_app"):
        from server import app
        return getattr(app, name)
    if name == "__version__":
        from server.app import __version__
        return __version__
    raise AttributeError(f"module 'server' has no attribute {name!r}")
