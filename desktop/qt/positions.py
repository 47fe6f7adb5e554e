"""Resume anywhere on this device: where I stopped each video, and saving it to the server.

:class:`PlaybackPositions` (one per signed-in app) knows the positions; :class:`PositionSaver`
(one per player window) decides when a player's position is worth saving.

A position comes from three places: the ``media`` object of a message (the server's copy when the
history was read), ``media:position`` (another of my devices saved one since), and this device's
own player. The newest ``updated_at`` wins. Saving runs on the network runner, never on the GUI
thread, with at most one PUT in flight per video: a newer value waits and replaces an older one
still waiting (a player saving every 5 s on a slow link does not pile up requests).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QMediaPlayer

from desktop.core.media import MediaInfo, resume_point
from desktop.core.protocol import PositionUpdate
from desktop.net.uploads import MediaClient
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)


def now_iso() -> str:
    """The server's time format (ISO 8601 UTC, milliseconds, ``Z``), so the two compare as text."""
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class PlaybackPositions(QObject):
    """My positions in videos, as far as this device knows.

    Signals:
        changed(str): the position of this media id changed (bubbles repaint, a player updates its offer).
    """

    changed = Signal(str)

    def __init__(self, client: MediaClient, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.runner = runner
        self._known: dict[str, tuple[float | None, str]] = {}  # media id -> (seconds or None, updated_at)
        self._waiting: dict[str, float] = {}  # media id -> newest value not sent yet
        self._sending: set[str] = set()

    def of(self, media: MediaInfo) -> float | None:
        """Where to resume ``media``: the newest of its own ``position`` and what was learned since."""
        known = self._known.get(media.id)
        if known is not None and (media.position_at is None or known[1] >= media.position_at):
            return known[0]
        return media.position

    def learn(self, update: PositionUpdate) -> None:
        """``media:position`` from another of my devices."""
        self._note(update.media_id, update.seconds, update.updated_at)

    def save(self, media: MediaInfo, seconds: float) -> None:
        """This device stopped (or is) at ``seconds``: known here at once, sent in the background."""
        self._note(media.id, resume_point(seconds, media.duration), now_iso())
        self._waiting[media.id] = seconds
        self._send_next(media.id)

    def _note(self, media_id: str, seconds: float | None, at: str) -> None:
        current = self._known.get(media_id)
        if current is not None and at < current[1]:
            return  # an older update that crossed a newer one
        self._known[media_id] = (seconds, at)
        if current is None or current[0] != seconds:
            self.changed.emit(media_id)

    def _send_next(self, media_id: str) -> None:
        if media_id in self._sending or media_id not in self._waiting:
            return
        seconds = self._waiting.pop(media_id)
        self._sending.add(media_id)

        def sent(_: object) -> None:
            self._sending.discard(media_id)
            self._send_next(media_id)

        def failed(exc: Exception) -> None:  # offline, rate limited: the next save carries the newest value
            log.info("saving the position of %s: %s", media_id, exc)
            self._sending.discard(media_id)

        self.runner.run(lambda: self.client.save_position(media_id, seconds), sent, failed, guard=self)


SAVE_EVERY_MS = 5000  # while playing
SEEK_SETTLE_MS = 700  # a seek is saved once the person stops moving the slider
WATCHED_S = 2.0  # how far playing must get before a save counts (opening and closing changes nothing)


class PositionSaver(QObject):
    """Saves one player's position: every 5 s while playing, on pause, after a seek, and at the end.

    It only reads the player (GUI thread); ``save`` receives seconds and must not block
    (:meth:`PlaybackPositions.save` queues the request). Nothing is saved until the person
    watched or moved somewhere: opening a video and closing it at once keeps the saved position.
    """

    def __init__(self, player: QMediaPlayer, save: Callable[[float], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._save = save
        self._opened_at: float | None = None  # the first position seen (0, or where it was opened)
        self._touched = False
        self._last: float | None = None
        self.timer = QTimer(self, interval=SAVE_EVERY_MS)
        self.timer.timeout.connect(self.save_now)
        self._seek_timer = QTimer(self, singleShot=True, interval=SEEK_SETTLE_MS)
        self._seek_timer.timeout.connect(self.save_now)
        player.playbackStateChanged.connect(self._state)
        player.positionChanged.connect(self._moved)
        player.mediaStatusChanged.connect(self._status)

    @property
    def has_saved(self) -> bool:
        """This player saved a position already (what is known since is its own doing)."""
        return self._last is not None

    def seeked(self) -> None:
        """The person moved the position (slider, keys, resume, a moment link)."""
        self._touched = True
        self._seek_timer.start()

    def save_now(self) -> None:
        if not self._touched:
            return
        seconds = self.player.position() / 1000
        if self._last is not None and abs(seconds - self._last) < 0.5:
            return
        self._last = seconds
        self._save(seconds)

    def finish(self) -> None:
        """The player closes: the last save (call before its source is released, which zeroes the position)."""
        self.timer.stop()
        self._seek_timer.stop()
        self.save_now()

    def _moved(self, ms: int) -> None:
        if self._opened_at is None:
            self._opened_at = ms / 1000
        elif not self._touched and ms / 1000 - self._opened_at >= WATCHED_S:
            self._touched = True

    def _state(self, state: QMediaPlayer.PlaybackState) -> None:
        if state == QMediaPlayer.PlaybackState.PlayingState:
            self.timer.start()
        else:
            self.timer.stop()
            if state == QMediaPlayer.PlaybackState.PausedState:
                self.save_now()

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:  # watched to the end: the server clears it
            self._touched = True
            self._last = None
            self._save(self.player.duration() / 1000)
