"""Errors a person can act on, decoded from problem+json and from the transport."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# Plain words for the stable codes of the contract. Field messages from the
# server (validation_failed, weak_password) are shown as the server wrote them.
FRIENDLY: dict[str, str] = {
    "invalid_credentials": "That email and password don't match an account.",
    "email_not_verified": "This email address isn't verified yet. Enter the code we sent you.",
    "invalid_code": "That code isn't right. Check the email and try again.",
    "code_expired": "That code has expired. Ask for a new one.",
    "too_many_attempts": "Too many wrong codes. Ask for a new one.",
    "token_reused": "Your session ended. Please sign in again.",
    "invalid_token": "Your session ended. Please sign in again.",
    "token_expired": "Your session ended. Please sign in again.",
    "unauthorized": "Your session ended. Please sign in again.",
    "weak_password": "Choose a stronger password.",
    "rate_limited": "Too many tries. Please wait a moment.",
    "not_found": "That could not be found on the server.",
    "validation_failed": "Please check the highlighted fields.",
}

SESSION_CODES = frozenset({"token_reused", "invalid_token", "token_expired", "unauthorized"})


class ParleyError(Exception):
    """Base of every error the desktop app shows to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NetworkError(ParleyError):
    """The server could not be reached (down, wrong address, timeout)."""

    def __init__(self, message: str, *, kind: str = "unreachable") -> None:
        super().__init__(message)
        self.kind = kind


class NotSignedIn(ParleyError):
    """No usable session: the person has to sign in."""


@dataclass
class ApiError(ParleyError):
    """A problem+json answer from the server."""

    status: int
    code: str
    message: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    @property
    def is_session_error(self) -> bool:
        return self.status == 401 and self.code in SESSION_CODES

    def field_message(self, name: str) -> str | None:
        msgs = self.field_errors.get(name)
        return " ".join(msgs) if msgs else None


def from_problem(status: int, body: Any, headers: Mapping[str, str] | None = None) -> ApiError:
    """Decode a problem+json body (or anything else) into an ApiError."""
    headers = headers or {}
    data = body if isinstance(body, dict) else {}
    code = str(data.get("code") or _code_for_status(status))
    raw = data.get("errors") or {}
    field_errors: dict[str, list[str]] = {}
    if isinstance(raw, dict):
        for name, msgs in raw.items():
            if isinstance(msgs, str):
                msgs = [msgs]
            field_errors[str(name)] = [str(m) for m in msgs or []]
    retry_after = _retry_after(headers.get("Retry-After") or headers.get("retry-after"))
    message = FRIENDLY.get(code) or str(data.get("detail") or data.get("title") or "")
    if not message:
        message = f"The server could not do that (error {status})."
    if code == "rate_limited" and retry_after:
        message = f"Too many tries. Please wait {int(retry_after + 0.999)} seconds."
    return ApiError(status=status, code=code, message=message, field_errors=field_errors,
                    retry_after=retry_after)


def from_ack_error(error: Any) -> ApiError:
    """Decode the ``error`` of a Socket.IO ack ``{ok: false, error: {code, message}}``."""
    data = error if isinstance(error, dict) else {}
    code = str(data.get("code") or "error")
    msg = str(data.get("message") or FRIENDLY.get(code) or "The server refused that.")
    return ApiError(status=0, code=code, message=msg)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _code_for_status(status: int) -> str:
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            413: "too_large", 422: "validation_failed", 429: "rate_limited"}.get(status, "server_error")
