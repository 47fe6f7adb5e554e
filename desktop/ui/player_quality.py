"""Which stream a :class:`desktop.ui.player_window.PlayerWindow` plays: HLS renditions or the original.

The player plays the progressive ``playback_url`` until the video's HLS encode is ready, then one
rendition's media playlist: the person's pick from the quality menu, or Auto's (the rule is in
:mod:`desktop.core.quality`). Qt's FFmpeg backend plays a single playlist and never switches by
itself, so a switch is a new source at the same position (the window keeps the picture and the
play/pause state). Auto's inputs come from here: timed fetches through
:meth:`desktop.qt.media.MediaReader.measure` (as the player opens when the link is not known yet, then every
``PROBE_EVERY_S`` while it plays without a stall) and the stalls the window reports. Measuring
shares the link with the player: the first measurement runs while the player opens (0.4 s; on
1.5 Mbit/s, measuring 3 s into playback froze the picture for 0.7 s, the player keeps little in
hand), later ones only while Qt reports the buffer full (BufferedMedia), for 0.5 s.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QMediaPlayer

from desktop.core.media import MediaInfo, Rendition
from desktop.core.quality import AUTO, AutoQuality
from desktop.net.hls import Sample
from desktop.qt.media import MediaReader
from desktop.ui.quality_menu import QualityButton

if TYPE_CHECKING:
    from desktop.ui.player_window import PlayerWindow

PROBE_CHECK_MS = 5000
FIRST_PROBE_S = 0.4  # the measurement at open shares the link with the opening player: keep it short
PROBE_S = 0.5  # a later one shares it with playback: short, and only with the player's buffer full


class PlayerQuality(QObject):
    """The quality state of one player window.

    Attributes:
        button: the quality button for the window's controls.
        choice: ``"auto"`` or the rendition name the person picked.
        auto: Auto's state (None until the video has renditions).
        playing: the rendition playing, None for the progressive stream.
        switches: ``(reason, rendition name)`` of every switch, newest last (tests, logs).

    Signals:
        switched(str): a new rendition was set as the source (its name).
    """

    switched = Signal(str)

    def __init__(self, window: PlayerWindow, reader: MediaReader) -> None:
        super().__init__(window)
        self.window = window
        self.reader = reader
        self.button = QualityButton()
        self.button.chosen.connect(self.choose)
        self.choice = AUTO
        self.auto: AutoQuality | None = None
        self.playing: Rendition | None = None
        self.switches: list[tuple[str, str]] = []
        self.timer = QTimer(self)
        self.timer.setInterval(PROBE_CHECK_MS)
        self.timer.timeout.connect(self._maybe_probe)
        self._measuring = False

    # the source ---------------------------------------------------------------------------------
    def source_url(self, info: MediaInfo) -> str:
        """The URL to play for ``info`` now, remembering which rendition it is."""
        if not info.hls_ready or info.hls is None:
            self.playing = None
            self._show()
            return self.reader.url(info)
        self._know(info)
        assert self.auto is not None
        picked = info.hls.rendition(self.choice) if self.choice != AUTO else None
        self.playing = picked or self.auto.current
        self._show()
        return self.reader.rendition_url(self.playing)

    def offer(self, info: MediaInfo) -> None:
        """The encode became ready while the person watches the original: the menu offers the
        renditions; the stream changes when they pick one (or at the next open)."""
        self._know(info)
        self._show()

    def _know(self, info: MediaInfo) -> None:
        assert info.hls is not None
        renditions = info.hls.renditions
        if self.auto is None:
            self.auto = AutoQuality.start(renditions, self.reader.throughput_bps, time.monotonic())
            self.button.set_renditions(renditions)
            self.timer.start()
            if self.auto.throughput_bps is None:  # unknown link: measure now, while the player opens
                self._measure(self.auto.renditions[0], 0.0, FIRST_PROBE_S)
        else:
            self.auto.renew(renditions)

    def _show(self) -> None:
        if self.auto is None:
            self.button.hide()
            return
        self.button.show_state(self.choice, self.playing)

    # switching ------------------------------------------------------------------------------------
    def choose(self, choice: str) -> None:
        """The person picked Auto or a rendition in the menu."""
        self.choice = choice
        if self.auto is None:
            return
        target = self.auto.current if choice == AUTO else next(
            (r for r in self.auto.renditions if r.name == choice), self.auto.current)
        self._switch(target, "picked")

    def _switch(self, target: Rendition, reason: str) -> None:
        if self.playing is not None and target.name == self.playing.name:
            self._show()
            return
        self.playing = target
        self.switches.append((reason, target.name))
        self._show()
        self.window.switch_source(self.reader.rendition_url(target))
        self.switched.emit(target.name)

    def stalled(self) -> None:
        """The window saw the picture stop on a working link: Auto steps down."""
        if self.auto is None or self.playing is None or self.choice != AUTO:
            return
        lower = self.auto.stalled(time.monotonic())
        if lower is not None:
            self._switch(lower, "stall")

    def paused(self) -> None:
        if self.auto is not None:
            self.auto.paused(time.monotonic())

    # measuring ------------------------------------------------------------------------------------
    def _maybe_probe(self) -> None:
        if self.auto is None or self.playing is None or self.choice != AUTO or not self.window.is_playing():
            return
        if self.window.player.mediaStatus() != QMediaPlayer.MediaStatus.BufferedMedia:
            return  # the player has no reserve: a measurement now could stall the picture
        target = self.auto.probe_target(time.monotonic())
        if target is not None:
            self._measure(target, self.window.player.position() / 1000, PROBE_S)

    def _measure(self, rendition: Rendition, at_seconds: float, max_seconds: float = 2.0) -> None:
        if self._measuring:
            return
        self._measuring = True

        def done(sample: Sample) -> None:
            self._measuring = False
            if self.window.closed_ or self.auto is None or sample.bps is None:
                return
            move = self.auto.measured(sample.bps, time.monotonic())
            if move is not None and self.choice == AUTO and self.playing is not None:
                self._switch(move, "measured")
            elif self.playing is not None:
                self._show()

        self.reader.measure(rendition, at_seconds, done, max_seconds=max_seconds)

    def stop(self) -> None:
        self.timer.stop()
