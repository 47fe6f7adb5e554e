"""Translatable wording for errors; the server's own field messages pass through."""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import ApiError, NetworkError, ParleyError


def _t(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def _tn(text: str) -> str:
    """Marks ``text`` for translation (context ``Errors``) without translating it (Qt's QT_TR_NOOP)."""
    return text


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


#: The server's and the app's fixed sentences about a refused video -> a stable code. The server
#: sends the sentence (``media.error``) without a code, so the app recognises it to show it in the
#: person's language; anything unknown is shown as it came.
_MEDIA_ERRORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("not_a_video", re.compile(r"^This file is not a video we can play\b")),
    ("not_a_video_named", re.compile(r"^“(?P<name>.*)” is not a video Parley can send\.")),
    ("no_video_track", re.compile(r"^This file has no video track\b")),
    ("damaged", re.compile(r"^The video file is incomplete or damaged\.")),
    ("gave_up", re.compile(r"^This video could not be processed \(the server tried (?P<n>\d+) times\)")),
    ("empty", re.compile(r"^“(?P<name>.*)” is empty\.$")),
    ("unreadable", re.compile(r"^“(?P<name>.*)” can't be read\.")),
    ("too_large", re.compile(r"^“(?P<name>.*)” is (?P<size>[^;]+); this server accepts videos up to "
                             r"(?P<limit>.+)\.$")),
)


def media_error_code(text: str) -> tuple[str, dict[str, str]] | None:
    """(code, details) of a known refusal sentence, or None."""
    for code, pattern in _MEDIA_ERRORS:
        match = pattern.search(text or "")
        if match:
            return code, match.groupdict()
    return None


def media_error_text(text: str) -> str:
    """A refused or failed video's reason in the current language."""
    found = media_error_code(text)
    if found is None:
        return text
    code, d = found
    sources = {
        "not_a_video": _tn("This file is not a video Parley can play. Send an MP4, MOV, WebM or MKV video."),
        "not_a_video_named": _tn("“%1” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video."),
        "no_video_track": _tn("This file has no picture, only sound. Send an MP4, MOV, WebM or MKV video."),
        "damaged": _tn("The video file is incomplete or damaged."),
        "gave_up": _tn("The server could not process this video (it tried %2 times). Try sending it again."),
        "empty": _tn("“%1” is empty."),
        "unreadable": _tn("“%1” can't be read. Check that the file still exists."),
        "too_large": _tn("“%1” is %3; this server accepts videos up to %4."),
    }
    source = sources[code]
    words = _t(source)
    if words == source:
        return text  # no translation (English): the original sentence keeps its details
    return (words.replace("%1", d.get("name", "")).replace("%2", d.get("n", ""))
            .replace("%3", d.get("size", "")).replace("%4", d.get("limit", "")))
