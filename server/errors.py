"""One error shape for every failure: RFC 9457 ``application/problem+json``.

Services raise :class:`ApiError`; the handlers installed by
:func:`install_error_handlers` turn it, and every HTTP error Flask or
Werkzeug raises (404, 405, 413, 415, 500...), into the same JSON shape with a
stable ``code``. Socket.IO handlers turn it into an error ack instead.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, json, request
from flask.json.provider import DefaultJSONProvider
from pydantic import BaseModel, Field, ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
#: Pages a browser posts an HTML form to (the emailed verification link's page).
FORM_PATHS = frozenset({"/verify"})
#: Largest JSON body read. Parsing runs on the event loop, so a big body holds up every other
#: request of the process: before this limit, the only one was MAX_CONTENT_LENGTH (an upload part,
#: 9 MiB), and two clients posting 4 MB to ``/api/auth/refresh``, without an account, made every
#: other request wait about a second. Every schema-valid body but ``complete``'s (which sets its own,
#: after authenticating) is far smaller: a 4000-character message escaped as \\uXXXX is 48 KB.
JSON_BODY_LIMIT = 256 * 1024

_TITLES = {
    400: "Bad request", 401: "Not signed in", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 410: "Gone", 413: "Too large",
    415: "Unsupported media type", 416: "Range not satisfiable", 422: "Invalid input",
    429: "Too many requests", 500: "Server error", 503: "Service unavailable",
}
_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "payload_too_large",
    415: "unsupported_media_type", 416: "range_not_satisfiable", 422: "validation_failed",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}
_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request is too large.",
    415: "Send the body as JSON with Content-Type: application/json.",
    500: "Something went wrong on the server. It has been logged; try again.",
}


class Problem(BaseModel):
    """The contract's error body (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable error code (snake_case)")
    errors: dict[str, list[str]] | None = Field(
        default=None, description="Field name -> messages, for validation failures")


class ApiError(Exception):
    """An error a client can act on. ``code`` is stable; ``message`` is for a person."""

    def __init__(self, status: int, code: str, message: str, *,
                 errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "about:blank", "title": _TITLES.get(self.status, "Error"),
                                "status": self.status, "detail": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    def to_ack(self) -> dict[str, Any]:
        """The Socket.IO form: ``{"ok": false, "error": {"code", "message"}}``."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            err["errors"] = self.errors
        return {"ok": False, "error": err}


def problem_response(err: ApiError) -> Response:
    resp = Response(json.dumps(err.to_dict()), status=err.status, mimetype=PROBLEM_JSON)
    for k, v in err.headers.items():
        resp.headers[k] = v
    return resp


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors as ``{field: [message, ...]}`` in words a person understands."""
    out: dict[str, list[str]] = {}
    for e in exc.errors(include_url=False):
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")]
        name = ".".join(loc) or "body"
        msg = e.get("msg", "is invalid")
        ctx = e.get("ctx") or {}
        kind = e.get("type", "")
        if kind == "missing":
            msg = "This field is required."
        elif kind == "string_too_short":
            msg = f"Must be at least {ctx.get('min_length')} characters."
        elif kind == "string_too_long":
            msg = f"Must be at most {ctx.get('max_length')} characters."
        elif kind in ("json_invalid", "model_attributes_type", "model_type"):
            name, msg = "body", "The body must be a JSON object."
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        out.setdefault(name, []).append(msg)
    return out


def validation_problem(exc: ValidationError) -> ApiError:
    errors = field_errors(exc)
    if list(errors) == ["body"]:
        return ApiError(400, "invalid_json", errors["body"][0], errors=errors)
    fields = ", ".join(sorted(errors))
    return ApiError(422, "validation_failed", f"Some fields are not valid: {fields}.", errors=errors)


def _retry_after() -> int:
    from server.extensions import limiter
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to parse is invalid JSON, not a crash.

    The standard library's parser recurses once per level: ``[[[[...`` a hundred thousand
    levels deep (200 KB) raised RecursionError, which Werkzeug does not treat as a parse error,
    so any client, signed in or not, got a 500 from every JSON endpoint.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


def install_error_handlers(app: Flask) -> None:
    app.json = JSONProvider(app)
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return problem_response(err)

    @app.before_request
    def _require_json_body() -> Response | None:
        """JSON endpoints refuse other body types with 415 (raw uploads send octet-stream)."""
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype and not request.is_json \
                and request.mimetype != "application/octet-stream" and request.path not in FORM_PATHS:
            return problem_response(ApiError(415, "unsupported_media_type", _MESSAGES[415]))
        if request.is_json:
            request.max_content_length = JSON_BODY_LIMIT  # 413 beyond it, before anything is parsed
        return None

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status == 400 and "JSON" in (exc.description or ""):
            err = ApiError(400, "invalid_json", "The body is not valid JSON.")
        elif status == 429:
            wait = _retry_after()
            err = ApiError(429, "rate_limited", f"Too many attempts. Try again in {wait} seconds.",
                           headers={"Retry-After": str(wait)})
        else:
            err = ApiError(status, _CODES.get(status, "http_error"),
                           _MESSAGES.get(status) or exc.description or _TITLES.get(status, "Error"))
        resp = problem_response(err)
        if status == 405 and getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return _http_error(exc)
        log.exception("unhandled error")
        return problem_response(ApiError(500, "internal_error", _MESSAGES[500]))
