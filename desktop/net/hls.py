"""Measuring the link for Auto quality: a timed fetch of an HLS media playlist and one of its segments.

The fetch is sent as the player sends it (no ``Authorization``: the playlist and segment URLs
carry their own token), is bounded in bytes and in time, and reports what arrived, so a slow
link costs at most ``max_seconds`` of shared bandwidth. Runs on a worker thread (blocking I/O).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests

from desktop.core.quality import segment_uris

READ_CHUNK = 16 * 1024


@dataclass(frozen=True)
class Sample:
    """What one timed fetch measured.

    Attributes:
        nbytes: segment bytes that arrived.
        seconds: from the segment request to its end or the time limit.
        status: HTTP status of the playlist, or of the segment once the playlist answered 200.
    """

    nbytes: int
    seconds: float
    status: int

    @property
    def bps(self) -> float | None:
        from desktop.core.quality import throughput

        return throughput(self.nbytes, self.seconds) if self.status == 200 else None


def segment_index(playlist: str, seconds: float) -> int:
    """The index of the segment that holds ``seconds`` (from the ``#EXTINF`` durations)."""
    t = 0.0
    durations = [float(d) for d in re.findall(r"^#EXTINF:([\d.]+)", playlist, flags=re.M)]
    for i, d in enumerate(durations):
        t += d
        if seconds < t:
            return i
    return max(0, len(durations) - 1)


def measure(client: Any, playlist_url: str, *, at_seconds: float = 0.0, max_bytes: int = 1 << 20,
            max_seconds: float = 1.5) -> Sample:
    """Fetch ``playlist_url`` and the segment at ``at_seconds``; bounded by ``max_bytes``/``max_seconds``.

    ``client`` is a :class:`desktop.net.uploads.MediaClient` (its session, timeouts and base URL).
    """
    url = client.absolute(playlist_url)
    r = client.fetch_signed(url)
    with r:
        if r.status_code != 200:
            return Sample(0, 0.0, r.status_code)
        text = r.text
    uris = segment_uris(text)
    if not uris:
        return Sample(0, 0.0, 204)
    segment = urljoin(url, uris[min(segment_index(text, at_seconds), len(uris) - 1)])
    started = time.monotonic()
    got = 0
    r = client.fetch_signed(segment)
    with r:
        if r.status_code != 200:
            return Sample(0, 0.0, r.status_code)
        try:
            for chunk in r.iter_content(READ_CHUNK):
                got += len(chunk)
                if got >= max_bytes or time.monotonic() - started >= max_seconds:
                    break
        except requests.RequestException:  # cut off mid-body: what arrived still measures the link
            if not got:
                return Sample(0, 0.0, 0)
    return Sample(got, time.monotonic() - started, 200)
