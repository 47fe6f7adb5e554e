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
class Rendition:
    """One HLS rendition: its media playlist (signed like ``playback_url``) and what it needs.

    ``name`` is ``360p``, ``720p`` or ``source``; ``bandwidth`` is the master playlist's
    ``BANDWIDTH`` (bits per second, peak).
    """

    name: str
    height: int = 0
    width: int = 0
    bandwidth: int = 0
    url: str = ""

    @property
    def lines(self) -> int:
        """The short side in pixels, what "720p" counts (a portrait phone video is 720 wide)."""
        return min(self.width, self.height) if self.width and self.height else self.height


@dataclass(frozen=True)
class HlsInfo:
    """The media object's ``hls`` field: the state of the HLS encode and, once ready, its renditions
    (lowest first)."""

    status: str = "pending"
    progress: float = 0.0
    master_url: str | None = None
    renditions: tuple[Rendition, ...] = ()
    error: str | None = None

    @property
    def ready(self) -> bool:
        """Playable: the encode is ready and names at least one rendition."""
        return self.status == READY and bool(self.renditions)

    def rendition(self, name: str) -> Rendition | None:
        return next((r for r in self.renditions if r.name == name), None)


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
    hls: HlsInfo | None = None
    #: The viewer's own saved position (resume anywhere), seconds, and when it was saved (ISO);
    #: None: nothing to resume. Newer values arrive by ``media:position`` (desktop/qt/positions.py).
    position: float | None = None
    position_at: str | None = None

    @property
    def ready(self) -> bool:
        return self.status == READY

    @property
    def hls_ready(self) -> bool:
        """The HLS renditions can be played (else the progressive ``playback_url`` is played)."""
        return self.hls is not None and self.hls.ready

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


def _rendition(data: Any) -> Rendition | None:
    if not isinstance(data, dict) or not data.get("name") or not data.get("url"):
        return None
    return Rendition(name=str(data["name"]), height=int(_num(data.get("height"), int) or 0),
                     width=int(_num(data.get("width"), int) or 0),
                     bandwidth=int(_num(data.get("bandwidth"), int) or 0), url=str(data["url"]))


def hls_info(data: Any) -> HlsInfo | None:
    """Decode the ``hls`` field (None, or anything that is not an object, gives None)."""
    if not isinstance(data, dict):
        return None
    raw = data.get("renditions")
    found = [_rendition(r) for r in raw] if isinstance(raw, list) else []
    renditions = sorted((r for r in found if r is not None), key=lambda r: (r.lines, r.bandwidth))
    return HlsInfo(status=str(data.get("status") or "pending"),
                   progress=float(_num(data.get("progress"), float) or 0.0),
                   master_url=data.get("master_url") or None, renditions=tuple(renditions),
                   error=data.get("error") or None)


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
        hls=hls_info(data.get("hls")),
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
