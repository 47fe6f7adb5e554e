"""Structured logs with request ids, and Prometheus metrics at ``/metrics``.

Every request gets an id (the client's ``X-Request-ID`` when it sends a sane
one, otherwise a new one), echoed in the response header and attached to
every log line written while the request runs. With ``PARLEY_LOG_FORMAT=json``
(the default when stderr is not a terminal) each line is one JSON object.

Metrics live in a registry per app, so tests can build many apps in one
process. Other layers count through :class:`Metrics` (``services().metrics``).
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("parley.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    converter = time.gmtime
    _skip = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for k, v in record.__dict__.items():
            if k not in self._skip and not k.startswith("_"):
                out[k] = v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str | None = None, fmt: str | None = None) -> None:
    """Root logging for the server process (text on a terminal, JSON otherwise)."""
    fmt = (fmt or os.environ.get("PARLEY_LOG_FORMAT") or ("text" if sys.stderr.isatty() else "json")).lower()
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("PARLEY_LOG_LEVEL", "INFO"))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


class Metrics:
    """The server's Prometheus metrics (one registry per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("parley_http_requests_total", "HTTP requests answered",
                                     ["method", "status"], registry=r)
        self.http_latency = Histogram("parley_http_request_seconds", "HTTP request latency", registry=r,
                                      buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.sockets = Gauge("parley_connected_sockets", "Socket.IO connections open on this process",
                             registry=r)
        self.messages = Counter("parley_messages_total", "Messages stored (rate() gives messages per second)",
                                registry=r)
        self.uploads = Counter("parley_uploads_total", "Video uploads by outcome", ["outcome"], registry=r)
        self.mail_sent = Counter("parley_mail_sent_total", "Emails sent", registry=r)
        self.mail_failures = Counter("parley_mail_failures_total", "Emails given up on after retries",
                                     registry=r)

    def track_sockets(self, count: Callable[[], int]) -> None:
        self.sockets.set_function(count)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), mimetype=CONTENT_TYPE_LATEST)


def install(app: Flask, metrics: Metrics) -> None:
    """Request ids, the access log and ``/metrics``."""

    @app.before_request
    def _start() -> None:
        rid = request.headers.get("X-Request-ID", "")
        g.request_id = rid if _REQUEST_ID.match(rid) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(resp: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            resp.headers["X-Request-ID"] = rid
        started = g.get("request_started")
        if started is not None and request.endpoint != "metrics":
            took = time.perf_counter() - started
            metrics.http_requests.labels(request.method, str(resp.status_code)).inc()
            metrics.http_latency.observe(took)
            if not request.path.startswith("/socket.io"):
                log.info("%s %s %s", request.method, request.path, resp.status_code,
                         extra={"method": request.method, "path": request.path, "status": resp.status_code,
                                "ms": round(took * 1000, 1), "remote": request.remote_addr})
        return resp

    def _metrics() -> Response:
        from server.admin_access import is_admin_request
        from server.errors import ApiError, problem_response
        if not is_admin_request(app.extensions["parley"].config):
            return problem_response(ApiError(
                403, "forbidden", "Metrics are served only to loopback callers or with the admin token "
                                  "(Authorization: Bearer <PARLEY_ADMIN_TOKEN>)."))
        return metrics.render()

    app.add_url_rule("/metrics", "metrics", _metrics)
