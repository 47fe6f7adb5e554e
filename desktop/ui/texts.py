"""Translatable wording for errors; the server's own field messages pass through."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import ApiError, NetworkError, ParleyError


def _t(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def explain(exc: Exception) -> str:
    """Plain words for any error a task handed back."""
    if isinstance(exc, ApiError):
        words = {
            "invalid_credentials": _t("That email and password don't match an account."),
            "email_not_verified": _t("This email address isn't verified yet. Enter the code we sent you."),
            "invalid_code": _t("That code isn't right. Check the email and try again."),
            "code_expired": _t("That code has expired. Ask for a new one."),
            "too_many_attempts": _t("Too many wrong codes. Ask for a new one."),
            "weak_password": _t("Choose a stronger password."),
            "validation_failed": _t("Please check the highlighted fields."),
        }.get(exc.code)
        if exc.code == "rate_limited":
            if exc.retry_after:
                return _t("Too many tries. Please wait %1 seconds.").replace(
                    "%1", str(int(exc.retry_after + 0.999)))
            return _t("Too many tries. Please wait a moment.")
        if exc.is_session_error:
            return _t("Your session ended. Please sign in again.")
        return words or exc.message
    if isinstance(exc, NetworkError):
        if exc.kind == "bad_address":
            return exc.message
        if exc.kind == "timeout":
            return _t("The server took too long to answer. Check your connection and try again.")
        if exc.kind == "offline":
            return _t("You're offline. Parley will retry when the connection is back.")
        if exc.kind == "server":
            return _t("The server had a problem. Try again in a moment.")
        return _t("Can't reach the server. Check the address and your internet connection.")
    if isinstance(exc, ParleyError):
        return exc.message
    return _t("Something went wrong. Please try again.")
