"""qt/positions.py: the newest position wins, saves leave the GUI thread one at a time per video, and a
player saves when the person watched, paused, seeked or closed, not when it was only opened."""
from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtMultimedia import QMediaPlayer

from desktop.core.media import MediaInfo
from desktop.core.protocol import PositionUpdate
from desktop.qt.positions import PlaybackPositions, PositionSaver


class SlowClient:
    """Records every PUT (value and thread); the first one waits until released."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float]] = []
        self.threads: set[int] = set()
        self.release = threading.Event()

    def save_position(self, media_id: str, seconds: float) -> None:
        self.threads.add(threading.get_ident())
        if not self.sent:
            self.release.wait(5)
        self.sent.append((media_id, seconds))


def test_saves_are_coalesced_and_off_the_gui_thread(qtbot: Any, runners: Any) -> None:
    client = SlowClient()
    positions = PlaybackPositions(client, runners.network)  # type: ignore[arg-type]
    video = MediaInfo(id="v", status="ready", duration=60.0)
    changed: list[str] = []
    positions.changed.connect(changed.append)
    positions.save(video, 10.0)  # in flight, held by the client
    positions.save(video, 15.0)  # waits
    positions.save(video, 20.0)  # replaces the waiting one
    assert positions.of(video) == 20.0 and changed == ["v", "v", "v"]  # known here at once
    client.release.set()
    qtbot.waitUntil(lambda: len(client.sent) == 2, timeout=5000)
    qtbot.wait(100)
    assert client.sent == [("v", 10.0), ("v", 20.0)]
    assert threading.get_ident() not in client.threads
    positions.save(video, 58.0)  # within 5 s of the end: nothing to resume
    assert positions.of(video) is None


def test_the_newest_position_wins_wherever_it_came_from(qtbot: Any, runners: Any) -> None:
    positions = PlaybackPositions(SlowClient(), runners.network)  # type: ignore[arg-type]
    video = MediaInfo(id="v", status="ready", duration=60.0, position=12.0, position_at="2026-12-07T10:00:00.000Z")
    assert positions.of(video) == 12.0  # from the message's media object
    positions.learn(PositionUpdate("v", 30.0, "2026-12-07T11:00:00.000Z"))
    assert positions.of(video) == 30.0  # another device, later
    positions.learn(PositionUpdate("v", 5.0, "2026-12-07T10:30:00.000Z"))
    assert positions.of(video) == 30.0  # an older update that crossed it
    newer_history = video.replace(position=40.0, position_at="2026-12-07T12:00:00.000Z")
    assert positions.of(newer_history) == 40.0
    positions.learn(PositionUpdate("v", None, "2026-12-07T13:00:00.000Z"))
    assert positions.of(newer_history) is None  # watched to the end elsewhere


class FakePlayer(QObject):
    """What PositionSaver reads of a QMediaPlayer."""

    playbackStateChanged = Signal(object)
    positionChanged = Signal(int)
    mediaStatusChanged = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.ms = 0

    def position(self) -> int:
        return self.ms

    def duration(self) -> int:
        return 60_000

    def move(self, ms: int) -> None:
        self.ms = ms
        self.positionChanged.emit(ms)


def test_a_player_saves_when_watched_paused_seeked_and_closed_but_not_when_only_opened(qtbot: Any) -> None:
    player = FakePlayer()
    saved: list[float] = []
    saver = PositionSaver(player, saved.append)  # type: ignore[arg-type]
    player.playbackStateChanged.emit(QMediaPlayer.PlaybackState.PlayingState)
    player.move(0)
    player.move(1500)
    player.playbackStateChanged.emit(QMediaPlayer.PlaybackState.PausedState)
    saver.finish()
    assert saved == [] and not saver.has_saved  # opened and closed: the saved position stays
    player.move(3000)  # watched 2 s
    player.playbackStateChanged.emit(QMediaPlayer.PlaybackState.PausedState)
    assert saved == [3.0]
    player.move(20_000)
    saver.seeked()
    saver.seeked()  # dragging the slider: one save once it settles
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=3000)
    qtbot.wait(800)
    assert saved == [3.0, 20.0]
    player.playbackStateChanged.emit(QMediaPlayer.PlaybackState.PlayingState)
    assert saver.timer.isActive() and saver.timer.interval() == 5000  # every 5 s while playing
    player.mediaStatusChanged.emit(QMediaPlayer.MediaStatus.EndOfMedia)
    assert saved[-1] == 60.0  # the end: the server clears it
