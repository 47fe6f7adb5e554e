"""Moments: times in a message body that point into a video of the conversation (docs/protocol.md, "Moments").

Two forms, both plain text in the message body, so they need nothing from the server and survive
copy and paste (copying a message copies its body):

- **implicit**: a time ``m:ss`` or ``h:mm:ss`` ("look at 0:45", "1:02:03") refers to the most recent
  video message at or before the message that contains it, in the same conversation;
- **explicit**, as "Send this moment" writes it: ``▶ 0:45 parley:moment/<video message id>?t=45``.
  The app shows only "▶ 0:45" (a link to that video); a client that does not know the form shows
  readable text.

Pure functions, no Qt: :func:`find_moments` finds both forms, :func:`display` gives the text to
paint with the explicit tokens shortened, :func:`moment_token` writes the explicit form.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.models import Message

#: The explicit form. The label before the reference is optional when reading (a person may have
#: cut it); ``t`` is authoritative, the label is only for people.
_EXPLICIT = re.compile(
    r"(?:▶\uFE0F?\s?(?:\d{1,3}(?::\d{2}){1,2})\s+)?parley:moment/(?P<id>\d{1,19})\?t=(?P<t>\d{1,7}(?:\.\d{1,3})?)"
    r"(?![\w.])")
#: ``h:mm:ss`` (minutes and seconds 00-59) or ``m:ss`` (seconds 00-59, up to 999 minutes), standing
#: alone: not inside a word, a number, a longer time (``1:02:03:04``) or a decimal (``0:45.5``).
_IMPLICIT = re.compile(
    r"(?<![\w:./])(?:(?P<h>\d{1,2}):(?P<hm>[0-5]\d):(?P<hs>[0-5]\d)|(?P<m>\d{1,3}):(?P<s>[0-5]\d))"
    r"(?![\w:]|\.\d)")
#: A clock time, not a moment: "12:30 pm", "9:15 a.m."
_CLOCK_AFTER = re.compile(r"\s?(?:[ap]\.?m\b\.?)", re.IGNORECASE)
#: Web addresses and the like: a time inside one is part of the address.
_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)

PLAY = "▶"


@dataclass(frozen=True)
class Moment:
    """One moment in a body.

    Attributes:
        start, end: where it is in the body (``body[start:end]``).
        seconds: the time it points at.
        message_id: the video message of an explicit moment; None for an implicit one (the
            most recent video at or before the message: :func:`resolve_implicit`).
    """

    start: int
    end: int
    seconds: float
    message_id: str | None = None

    @property
    def label(self) -> str:
        """What the app shows: "0:45", or "▶ 0:45" for an explicit moment."""
        return f"{PLAY} {format_time(self.seconds)}" if self.message_id else format_time(self.seconds)


@dataclass(frozen=True)
class Span:
    """A link in the displayed text: ``text[start:end]`` opens ``moment``."""

    start: int
    end: int
    moment: Moment


def format_time(seconds: float) -> str:
    """``0:45``, ``12:03``, ``1:02:03`` (whole seconds, rounded down)."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def moment_token(message_id: str, seconds: float) -> str:
    """The explicit form "Send this moment" writes: ``▶ 0:45 parley:moment/<id>?t=45``."""
    return f"{PLAY} {format_time(seconds)} parley:moment/{message_id}?t={max(0, int(seconds))}"


def find_moments(body: str) -> list[Moment]:
    """Every moment of ``body``, in order: explicit tokens first claim their text, then standalone
    times outside them and outside web addresses (``https://x/?t=1:30`` is not a moment)."""
    if ":" not in body:
        return []
    found: list[Moment] = []
    taken: list[tuple[int, int]] = []
    for m in _EXPLICIT.finditer(body):
        found.append(Moment(m.start(), m.end(), float(m.group("t")), m.group("id")))
        taken.append((m.start(), m.end()))
    taken += [(m.start(), m.end()) for m in _ADDRESS.finditer(body)]
    for m in _IMPLICIT.finditer(body):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if _CLOCK_AFTER.match(body, m.end()):
            continue
        if m.group("h") is not None:
            seconds = int(m.group("h")) * 3600 + int(m.group("hm")) * 60 + int(m.group("hs"))
        else:
            seconds = int(m.group("m")) * 60 + int(m.group("s"))
        found.append(Moment(m.start(), m.end(), float(seconds)))
    return sorted(found, key=lambda x: x.start)


def display(body: str, moments: list[Moment] | None = None) -> tuple[str, list[Span]]:
    """The text to show for ``body`` and where its links are in it: each explicit token is shown
    as its label ("▶ 0:45"); implicit times stay as they were written."""
    moments = find_moments(body) if moments is None else moments
    if not moments:
        return body, []
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for mo in moments:
        out.append(body[pos:mo.start])
        length += mo.start - pos
        text = mo.label if mo.message_id else body[mo.start:mo.end]
        spans.append(Span(length, length + len(text), mo))
        out.append(text)
        length += len(text)
        pos = mo.end
    out.append(body[pos:])
    return "".join(out), spans


def plain_text(body: str) -> str:
    """The body as a person reads it in the app (explicit tokens shortened): notifications, previews."""
    return display(body)[0]


def resolve_implicit(messages: Sequence[Message], index: int) -> Message | None:
    """The video an implicit moment of ``messages[index]`` points at: the most recent message with a
    video at or before it (its own video included), in the conversation's order."""
    for i in range(min(index, len(messages) - 1), -1, -1):
        m = messages[i]
        if m.media is not None and not m.deleted and m.id is not None:
            return m
    return None
