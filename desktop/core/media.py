"""The contract's ``media`` object (a video attached to a message) and its decoding."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

PROCESSING, READY, FAILED = "processing", "ready", "failed"
#: A position this close to the end means "watched to the end": nothing to resume (the server's rule).
FINISHED_MARGIN = 5.0


def resume_point(seconds: float, duration: float | None) -> float | None:
    """What a saved position means, as the server stores it: clamped to the duration; None (nothing
    to resume) at 0 or within :data:`FINISHED_MARGIN` seconds of the end."""
    if duration:
        seconds = min(seconds, duration)
        if seconds >= duration - FINISHED_MARGIN:
            return None
    return seconds if seconds > 0 else None


@dataclass(frozen=True)
class MediaInfo:
    """A video as the server describes it.

    ``thumbnail_url`` and ``playback_url`` may be relative to the server address and may
    carry a short-lived ``?token=``; :meth:`desktop.net.uploads.MediaClient.absolute` resolves them.
    """

    id: str
    status: str = PROCESSING
    filename: str = ""
    content_type: str = ""
    size: int = 0
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_url: str | None = None
    playback_url: str | None = None
    error: str | None = None
    #: The viewer's own saved position (resume anywhere), seconds, and when it was saved (ISO);
    #: None: nothing to resume. Newer values arrive by ``media:position`` (desktop/qt/positions.py).
    position: float | None = None
    position_at: str | None = None

    @property
    def ready(self) -> bool:
        return self.status == READY

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def replace(self, **changes: Any) -> MediaInfo:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _num(value: Any, kind: type) -> Any:
    if value is None or value == "":
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def media_info(data: Any) -> MediaInfo | None:
    """Decode a ``media`` dict (None, or anything without an id, gives None)."""
    if not isinstance(data, dict) or not data.get("id"):
        return None
    return MediaInfo(
        id=str(data["id"]),
        status=str(data.get("status") or PROCESSING),
        filename=str(data.get("filename") or ""),
        content_type=str(data.get("content_type") or ""),
        size=int(_num(data.get("size"), int) or 0),
        duration=_num(data.get("duration"), float),
        width=_num(data.get("width"), int),
        height=_num(data.get("height"), int),
        thumbnail_url=data.get("thumbnail_url") or None,
        playback_url=data.get("playback_url") or None,
        error=data.get("error") or None,
        **_position(data),
    )


def _position(data: dict[str, Any]) -> dict[str, Any]:
    """The wire's ``"position": {"seconds", "updated_at"}``, or the cache's flat ``position``/``position_at``."""
    raw = data.get("position")
    if isinstance(raw, dict):
        seconds, at = _num(raw.get("seconds"), float), raw.get("updated_at")
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        seconds, at = float(raw), data.get("position_at")
    else:
        return {}
    return {"position": seconds, "position_at": str(at) if at else None} if seconds is not None else {}


def media_to_json(info: MediaInfo | None) -> str | None:
    """For the local cache and outbox (``None`` stays NULL)."""
    import json

    return json.dumps(info.to_dict()) if info is not None else None


def media_from_json(text: str | None) -> MediaInfo | None:
    import json

    if not text:
        return None
    try:
        return media_info(json.loads(text))
    except ValueError:
        return None
