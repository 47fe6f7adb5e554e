"""The ``hls`` field of the ``media`` object, and the playlists rewritten for one viewer.

Stored playlists name their children relatively (``<name>.m3u8`` in the
master, ``<name>/<nnnnn>.ts`` in a media playlist: see
:mod:`server.services.renditions`). A viewer never gets those: every request
for a playlist goes through the server, which checks the viewer's token as
``/stream`` does and answers the playlist with each URI replaced by a URL
for that viewer: the variant playlists on this server with the same token,
and each segment either on this server with the token (local storage) or as
a presigned GET of the segment object (S3). Only lines that match the
expected shapes are rewritten; anything else in a URI position is dropped,
so a stored playlist can never point a viewer elsewhere.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

#: ``hls_status`` values (``None``: no encode, e.g. media older than renditions).
STATUSES = ("pending", "encoding", "ready", "failed", "cancelled")
#: The rendition name in a URL: 360p, 720p or source.
NAME_PATTERN = r"^(360p|720p|source)$"
#: A segment number in a URL: exactly five digits.
SEGMENT_PATTERN = r"^[0-9]{5}$"
MPEGURL = "application/vnd.apple.mpegurl"
_VARIANT = re.compile(r"^(360p|720p|source)\.m3u8$")
_SEGMENT = re.compile(r"^(360p|720p|source)/([0-9]{5})\.ts$")


def renditions_of(media: Any) -> list[dict[str, Any]]:
    """The stored list of renditions (lowest first), or [] when none are ready."""
    if media.hls_status != "ready" or not media.hls_renditions:
        return []
    return list(json.loads(media.hls_renditions))


def hls_dict(media: Any, query: str | None) -> dict[str, Any] | None:
    """The ``hls`` field: null without an encode; URLs (carrying ``query``, ``?token=...``) only when
    ready and for a known viewer (``query`` None: no viewer, no URLs)."""
    if media.hls_status is None:
        return None
    ready = media.hls_status == "ready"
    base = f"/api/media/{media.id}/hls"
    rends = [{"name": r["name"], "height": r["height"], "width": r["width"], "bandwidth": r["bandwidth"],
              "url": f"{base}/{r['name']}.m3u8{query}" if query is not None else None}
             for r in renditions_of(media)] if ready else []
    progress = media.hls_progress if media.hls_status in ("pending", "encoding") else (1.0 if ready else None)
    return {
        "status": media.hls_status,
        "progress": round(progress or 0.0, 3) if progress is not None else None,
        "master_url": f"{base}/master.m3u8{query}" if ready and query is not None else None,
        "renditions": rends,
        "error": media.hls_error,
    }


def rewrite_master(text: str, media_id: str, query: str) -> str:
    """The master playlist for one viewer: each variant URI becomes this server's URL with ``query``."""
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            m = _VARIANT.match(line.strip())
            if m is None:
                continue
            line = f"/api/media/{media_id}/hls/{m.group(1)}.m3u8{query}"
        out.append(line)
    return "\n".join(out) + "\n"


def rewrite_media(text: str, name: str, segment_url: Callable[[str], str]) -> str:
    """A media playlist for one viewer: segment ``<name>/<nnnnn>.ts`` becomes ``segment_url(nnnnn)``."""
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            m = _SEGMENT.match(line.strip())
            if m is None or m.group(1) != name:
                continue
            line = segment_url(m.group(2))
        out.append(line)
    return "\n".join(out) + "\n"
