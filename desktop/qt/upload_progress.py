"""An upload's progress: what the bubble shows, and how it gets from the workers to the GUI thread."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

PROGRESS_EVERY_S = 0.1  # the progress signal at most this often (the last value always follows)


@dataclass(frozen=True)
class Progress:
    """What a progress bar shows: bytes done of total, speed (bytes/s) and time left (s, None if unknown)."""

    done: int
    total: int
    rate: float
    eta: float | None

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class ProgressTicks:
    """The newest progress of one upload, handed from its workers to the GUI thread without loss.

    Workers :meth:`put` every change; at most one tick is on its way to the GUI thread at a
    time, and it carries the newest value when it is read (:meth:`take`). So the GUI never
    falls behind, and the last value before the upload stops (the server died, the network
    went) always arrives: a bubble that says "offline" shows the percentage really reached.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newest: tuple[int, int, float] | None = None
        self._queued = False

    def put(self, done: int, total: int) -> bool:
        """Record a change; True if the caller must send a tick (none is on its way)."""
        with self._lock:
            self._newest = (done, total, time.monotonic())
            send, self._queued = not self._queued, True
            return send

    def take(self) -> tuple[int, int, float] | None:
        """On the GUI thread, for a tick that arrived: the newest value (None if already taken)."""
        with self._lock:
            newest, self._newest, self._queued = self._newest, None, False
            return newest
