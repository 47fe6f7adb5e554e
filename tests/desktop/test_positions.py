"""qt/positions.py: the newest position wins, saves leave the GUI thread one at a time per video."""
from __future__ import annotations

import threading
from typing import Any

from desktop.core.media import MediaInfo
from desktop.core.protocol import PositionUpdate
from desktop.qt.positions import PlaybackPositions


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
