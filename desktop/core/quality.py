"""Which HLS rendition the player plays: the person's choice, or Auto's rule.

Qt's FFmpeg backend plays one media playlist and never switches by itself, so "Auto" is
decided here, from two inputs the player measures: the throughput of the link (bits per
second, from timed fetches of playlists and segments) and stalls (the picture stopped while
the person wants it playing, and the link still works). The rule, in order:

1. **Start**: the highest rendition whose ``bandwidth`` fits in ``SAFETY`` of the known
   throughput; the lowest when the throughput is not known yet.
2. **First measurement** (the one made while the video opens): move straight to the rendition
   that fits, up or down.
3. **Stall**: one rendition down, at once; no step up for ``HOLD_AFTER_STALL_S`` after it.
4. **Later measurements**: one rendition up when the next one fits and playback ran
   ``STEADY_S`` without a stall; down to the one that fits when the current one no longer does.

Pure and deterministic: the caller passes ``now`` (seconds, monotonic). No Qt, no network.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.media import Rendition

AUTO = "auto"
SAFETY = 0.7  # a rendition fits when its bandwidth is at most this share of the measured throughput
HOLD_AFTER_STALL_S = 60.0  # no step up this long after a stall
STEADY_S = 20.0  # playing this long without a stall before a step up is tried
PROBE_EVERY_S = 30.0  # at most one throughput probe this often while playing


def fitting(renditions: Sequence[Rendition], throughput_bps: float | None) -> Rendition:
    """The highest rendition that fits ``throughput_bps``; the lowest if none does or it is unknown."""
    if not renditions:
        raise ValueError("no renditions")
    best = renditions[0]
    if throughput_bps is None or throughput_bps <= 0:
        return best
    for r in renditions:
        if r.bandwidth <= SAFETY * throughput_bps:
            best = r
    return best


@dataclass
class AutoQuality:
    """Auto's state for one player.

    Attributes:
        renditions: lowest first.
        current: the rendition Auto wants played now.
        throughput_bps: the newest measurement (None before the first).
        last_stall: when the last stall was reported (None: none yet).
        steady_since: when playback last started to run without a stall.
        last_probe: when the last throughput probe started.
    """

    renditions: tuple[Rendition, ...]
    current: Rendition
    throughput_bps: float | None = None
    last_stall: float | None = None
    steady_since: float = 0.0
    last_probe: float | None = None
    measured_once: bool = False

    @classmethod
    def start(cls, renditions: Sequence[Rendition], throughput_bps: float | None, now: float) -> AutoQuality:
        """Rule 1: the rendition to open with (a throughput known from earlier videos counts)."""
        rs = tuple(renditions)
        return cls(rs, fitting(rs, throughput_bps), throughput_bps, steady_since=now)

    def _index(self) -> int:
        return next((i for i, r in enumerate(self.renditions) if r.name == self.current.name), 0)

    def _move(self, to: Rendition) -> Rendition | None:
        if to.name == self.current.name:
            return None
        self.current = to
        return to

    def measured(self, throughput_bps: float, now: float) -> Rendition | None:
        """A new throughput figure; returns the rendition to switch to, or None to stay."""
        self.throughput_bps = throughput_bps
        first, self.measured_once = not self.measured_once, True
        fits = fitting(self.renditions, throughput_bps)
        i, j = self._index(), self.renditions.index(fits)
        if first and self.last_stall is None:
            return self._move(fits)  # rule 2
        if j < i:
            self.steady_since = now
            return self._move(fits)  # rule 4, down
        if j > i and self.may_step_up(now):
            self.steady_since = now
            return self._move(self.renditions[i + 1])  # rule 4, up: one step at a time
        return None

    def stalled(self, now: float) -> Rendition | None:
        """Rule 3: the picture stalled on a working link; returns the lower rendition, or None at the lowest."""
        self.last_stall = now
        self.steady_since = now
        i = self._index()
        return self._move(self.renditions[i - 1]) if i > 0 else None

    def may_step_up(self, now: float) -> bool:
        if self._index() >= len(self.renditions) - 1:
            return False
        if self.last_stall is not None and now - self.last_stall < HOLD_AFTER_STALL_S:
            return False
        return now - self.steady_since >= STEADY_S

    def probe_target(self, now: float) -> Rendition | None:
        """The rendition above the current one, when it is time to measure whether it would fit."""
        if not self.may_step_up(now):
            return None
        if self.last_probe is not None and now - self.last_probe < PROBE_EVERY_S:
            return None
        self.last_probe = now
        return self.renditions[self._index() + 1]

    def renew(self, renditions: Sequence[Rendition]) -> None:
        """Fresh links (a renewed token): the same renditions by name, the same one current."""
        rs = tuple(renditions)
        if not rs:
            return
        self.renditions = rs
        self.current = next((r for r in rs if r.name == self.current.name), fitting(rs, self.throughput_bps))

    def paused(self, now: float) -> None:
        """Paused or seeking: the steady run starts again when playback resumes."""
        self.steady_since = now


def segment_uris(playlist: str) -> list[str]:
    """The segment URIs of a media playlist, in order (``#`` lines and blank lines skipped)."""
    return [line.strip() for line in playlist.splitlines() if line.strip() and not line.startswith("#")]


def throughput(nbytes: int, seconds: float) -> float | None:
    """Bits per second, or None for a measurement too small to mean anything."""
    if nbytes < 16 * 1024 or seconds <= 0:
        return None
    return nbytes * 8 / seconds
