"""The contract's ``media`` object (a video attached to a message) and its decoding."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

PROCESSING, READY, FAILED = "processing", "ready", "failed"


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
    )


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
