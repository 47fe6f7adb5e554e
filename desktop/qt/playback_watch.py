"""Noticing a player that says it plays while its picture stands still.

Over HTTP, FFmpeg's Matroska reader treats a refused read (an expired link answers 401) as the
end of the file ("File ended prematurely") and QMediaPlayer reports nothing: no error, no end of
media, the state stays Playing and the position stops. An MP4 reports an error instead, which the
player renews on. :class:`StallWatch` notices the silent case; the player then asks the server
whether the link still works (:meth:`desktop.qt.media.MediaReader.link_status`) and renews it if
not. A slow network stalls the position too, but its link answers, so nothing is renewed.

HLS adds a second silent case: FFmpeg's HLS reader retries a refused segment, skips it and goes on
with the next, while the clock (the position) keeps running with no new picture. So once frames
have been shown, a picture that stops for STALL_S counts as a stall too (:meth:`frame_shown`).
"""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QMediaPlayer

CHECK_EVERY_MS = 250
STALL_S = 1.5  # the position has not moved for this long while playing


class StallWatch(QObject):
    """Watches one QMediaPlayer from the GUI thread (reads only; never calls into its pipeline).

    Signals:
        stalled(int): playing, but the position (ms) has not moved for STALL_S, or (once frames
            were shown) no new frame came for STALL_S; ``position_stuck`` tells which. Emitted once
            per stall; :meth:`rearm` lets it fire again for the same position.
    """

    stalled = Signal(int)

    def __init__(self, player: QMediaPlayer, active: Callable[[], bool], parent: QObject | None = None, *,
                 stall_s: float = STALL_S) -> None:
        """``active``: whether the person wants it playing (not paused, not failed, not closed)."""
        super().__init__(parent)
        self.player = player
        self.active = active
        self.stall_s = stall_s
        self._position = -1
        self._since = time.monotonic()
        self._rearmed_at = self._since
        self._reported = False
        self._frame_at: float | None = None  # when the last frame was shown (None: none yet)
        self.position_stuck = False  # at the last stall: the clock stopped too (not only the picture)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self._check)
        self.timer.start()

    def rearm(self) -> None:
        """Start counting again (after a check found the link fine, or after a renewal)."""
        now = time.monotonic()
        self._since = now
        self._rearmed_at = now
        self._reported = False

    def stop(self) -> None:
        self.timer.stop()

    def frame_shown(self) -> None:
        """A new frame reached the screen (the player calls this from its video sink)."""
        self._frame_at = time.monotonic()

    def _check(self) -> None:
        position = self.player.position()
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        now = time.monotonic()
        if not playing or not self.active():
            self._position = position
            self._since = now
            self._reported = False
            if self._frame_at is not None:
                self._frame_at = now  # count the picture from resuming
            return
        if position != self._position:
            self._position = position
            self._since = now  # the clock runs
        clock_stuck = now - self._since >= self.stall_s
        picture_stuck = self._frame_at is not None and now - max(self._frame_at, self._rearmed_at) >= self.stall_s
        if not clock_stuck and not picture_stuck:
            self._reported = False
            return
        if not self._reported:
            self._reported = True
            self.position_stuck = clock_stuck
            self.stalled.emit(position)
