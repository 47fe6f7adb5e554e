"""The player with HLS renditions, against a fake server laid out as docs/media.md says: Auto, the quality
menu, switching at the same position, an expired playlist link, the encode finishing while it plays."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtMultimedia import QMediaPlayer

from desktop.core.media import media_info
from desktop.net.uploads import MediaClient
from desktop.qt.media import MediaReader
from desktop.qt.tasks import TaskRunner
from desktop.ui.player_window import PlayerWindow
from tests.desktop.conftest import Runners
from tests.desktop.hls_fixtures import HlsRoutes, make_hls
from tests.desktop.video_fixtures import FakeMediaServer, StaticApi, fake_media, make_video, video_dir  # noqa: F401

PLAYING = QMediaPlayer.PlaybackState.PlayingState
PAUSED = QMediaPlayer.PlaybackState.PausedState
_network: list[TaskRunner] = []


@pytest.fixture(autouse=True)
def _runner(runners: Runners) -> Iterator[None]:
    _network.append(runners.network)
    yield
    _network.clear()


@pytest.fixture(scope="module")
def hls_clip(video_dir: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A 12 s 640x360 clip and its two renditions (labelled 360p and 720p, encoded small)."""
    src = make_video(video_dir / "hls-src.mp4", seconds=12)
    return src, make_hls(src, video_dir / "hls")


@pytest.fixture
def served(fake_media: FakeMediaServer, hls_clip: tuple[Path, list[dict[str, Any]]]) -> Any:
    """(fake server, routes, media dict with a ready ``hls``)."""
    src, renditions = hls_clip
    routes = HlsRoutes(fake_media)
    info = fake_media.add_media(src.read_bytes(), duration=12.0)
    info["hls"] = routes.add(info["id"], src.parent / "hls", renditions)
    return fake_media, routes, info


def _open(info: dict, fake: FakeMediaServer, reader: MediaReader | None = None) -> PlayerWindow:
    reader = reader or MediaReader(MediaClient(StaticApi(fake.url)), runner=_network[0])
    w = PlayerWindow(media_info(info), reader)
    w._reader_ref = reader  # type: ignore[attr-defined]
    w.show()
    return w


def _frame_after(w: PlayerWindow, ms: int) -> bool:
    f = w.last_frame
    return f is not None and f.startTime() >= ms * 1000


def test_auto_starts_low_measures_and_steps_up_at_the_same_position(qtbot: Any, served: Any) -> None:
    fake, routes, info = served
    w = _open(info, fake)
    assert "/hls/360p.m3u8?token=t" in w.player.source().toString()  # unknown link: the lowest first
    assert w.quality.button.isVisible()
    # loopback is fast: the measurement at open moves Auto straight to the highest rendition
    qtbot.waitUntil(lambda: w.quality.switches == [("measured", "720p")], timeout=10000)
    assert "/hls/720p.m3u8?token=t" in w.player.source().toString()
    assert w.quality.button.accessibleDescription() == "Auto (720p)"
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and _frame_after(w, 1000), timeout=15000)
    assert not any("/stream" in e for e in routes.log)  # the original is not streamed
    assert w.reader.throughput_bps is not None  # the next player starts from it
    w.close()


def test_a_stall_on_a_working_link_steps_auto_down_and_it_stays_down(qtbot: Any, served: Any) -> None:
    fake, routes, info = served
    routes.rendition_rates = {"720p": 25_000}  # 720p's segments crawl (a fifth of its bitrate); 360p's fly
    w = _open(info, fake)
    qtbot.waitUntil(lambda: w.quality.switches[:1] == [("measured", "720p")], timeout=10000)
    qtbot.waitUntil(lambda: ("stall", "360p") in w.quality.switches, timeout=20000)
    assert w.renewals == []  # the link answered: a slow network, not an expired link
    assert "/hls/360p.m3u8" in w.player.source().toString()
    assert w.quality.button.accessibleDescription() == "Auto (360p)"
    at = w.player.position()
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > at + 1500, timeout=15000)
    assert w.quality.switches[-1] == ("stall", "360p")  # no step back up during the hold-off
    w.close()


def test_picking_a_rendition_keeps_the_position_and_pause(qtbot: Any, served: Any) -> None:
    fake, routes, info = served
    w = _open(info, fake)
    qtbot.waitUntil(lambda: bool(w.quality.switches) and w.player.playbackState() == PLAYING and _frame_after(w, 2000),
                    timeout=15000)
    w.toggle_play()
    qtbot.waitUntil(lambda: w.player.playbackState() == PAUSED, timeout=5000)
    at = w.player.position()
    menu = w.quality.button.menu_
    assert [a.text() for a in menu.actions()] == ["Auto (720p)", "720p", "360p"]
    assert w.quality.button.text() == "Auto (720p) ▾"
    menu.actions()[2].trigger()  # 360p
    qtbot.waitUntil(lambda: "/hls/360p.m3u8" in w.player.source().toString(), timeout=5000)
    qtbot.waitUntil(lambda: abs(w.player.position() - at) < 600 and w.player.mediaStatus() in (
        QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia), timeout=10000)
    qtbot.waitUntil(lambda: w.last_frame is not None and abs(w.last_frame.startTime() // 1000 - at) < 600,
                    timeout=10000)
    assert w.player.playbackState() == PAUSED
    assert w.quality.button.accessibleDescription() == "360p" and w.quality.choice == "360p"
    assert menu.actions()[2].isChecked()
    w.toggle_play()  # and it plays on from there
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > at + 500, timeout=10000)
    menu.actions()[0].trigger()  # back to Auto: the highest that fits, at the same place, still playing
    qtbot.waitUntil(lambda: "/hls/720p.m3u8" in w.player.source().toString(), timeout=5000)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > at + 600, timeout=10000)
    assert w.quality.button.accessibleDescription() == "Auto (720p)"
    w.close()


def test_an_expired_playlist_link_is_renewed_on_the_same_rendition(qtbot: Any, served: Any,
                                                                   hls_clip: Any) -> None:
    fake, routes, info = served
    src, renditions = hls_clip
    fake.valid_tokens = {"old", "t"}
    info["hls"] = routes.add(info["id"], src.parent / "hls", renditions, token="old")
    fake.media[info["id"]]["hls"] = routes.add(info["id"], src.parent / "hls", renditions, token="t")
    w = _open(info, fake)
    w.quality.choose("360p")
    routes.segment_rate = 200_000  # segments arrive while it plays, so the expiry hits a later one
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and _frame_after(w, 500), timeout=15000)
    fake.valid_tokens = {"t"}  # the link expires mid-play: segments and playlist answer 401
    qtbot.waitUntil(lambda: len(w.renewals) == 1, timeout=20000)
    qtbot.waitUntil(lambda: "/hls/360p.m3u8?token=t" in w.player.source().toString(), timeout=10000)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and _frame_after(w, 9000), timeout=20000)
    assert w.stack.currentIndex() == 0  # no error shown
    assert any(e.startswith("old ") and e.endswith(".ts") for e in routes.log)
    assert w.quality.button.accessibleDescription() == "360p"
    w.close()


def test_the_encode_becoming_ready_switches_a_paused_player_and_waits_for_a_watching_one(
        qtbot: Any, served: Any) -> None:
    fake, routes, info = served
    pending = {**info, "hls": {"status": "encoding", "progress": 0.5}}
    fake.media[info["id"]]["hls"] = pending["hls"]  # the refresh at open says: not yet
    w = _open(pending, fake)
    assert "/stream?token=t" in w.player.source().toString()
    assert not w.quality.button.isVisible()
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and _frame_after(w, 1000), timeout=15000)
    w.media_updated(media_info(info))  # media:status: ready, while the person watches
    assert "/stream?token=t" in w.player.source().toString()
    assert w.quality.button.isVisible() and w.quality.button.accessibleDescription() == "Original"
    w.close()

    w = _open(pending, fake)
    qtbot.waitUntil(lambda: _frame_after(w, 1000), timeout=15000)
    w.toggle_play()
    qtbot.waitUntil(lambda: w.player.playbackState() == PAUSED, timeout=5000)
    at = w.player.position()
    w.media_updated(media_info(info))  # paused: it switches at the same position
    assert "/hls/" in w.player.source().toString()
    qtbot.waitUntil(lambda: w.last_frame is not None and abs(w.last_frame.startTime() // 1000 - at) < 600
                    and w.player.mediaStatus() != QMediaPlayer.MediaStatus.LoadingMedia, timeout=10000)
    assert w.player.playbackState() == PAUSED and w.quality.button.accessibleDescription().startswith("Auto (")
    w.close()


def test_save_video_as_saves_the_original(qtbot: Any, served: Any, tmp_path: Path) -> None:
    fake, routes, info = served
    w = _open(info, fake)
    assert "/hls/" in w.player.source().toString()
    w.save_as(str(tmp_path / "saved.mp4"))
    qtbot.waitUntil(lambda: (tmp_path / "saved.mp4").exists(), timeout=10000)
    assert (tmp_path / "saved.mp4").read_bytes() == fake.media[info["id"]]["_bytes"]
    w.close()


class _FakePlayer:
    """What StallWatch reads of a QMediaPlayer."""

    def __init__(self) -> None:
        self.pos = 0
        self.state = PLAYING

    def position(self) -> int:
        return self.pos

    def playbackState(self) -> QMediaPlayer.PlaybackState:  # noqa: N802 - Qt's name
        return self.state


def test_the_stall_watch_notices_a_picture_that_stops_while_the_clock_runs(qtbot: Any) -> None:
    """FFmpeg's HLS reader skips refused segments and the clock runs on with no picture."""
    from desktop.qt.playback_watch import StallWatch

    player = _FakePlayer()
    watch = StallWatch(player, lambda: True, stall_s=0.5)  # type: ignore[arg-type]
    fired: list[int] = []
    watch.stalled.connect(fired.append)
    for _ in range(6):  # frames and a moving clock: no stall
        watch.frame_shown()
        player.pos += 100
        qtbot.wait(100)
    assert fired == []
    for _ in range(10):  # the clock moves, no frame comes
        player.pos += 100
        qtbot.wait(100)
    assert len(fired) == 1 and not watch.position_stuck  # the picture, not the clock
    player.state = QMediaPlayer.PlaybackState.PausedState  # paused: nothing to report
    qtbot.wait(300)
    player.state = PLAYING
    watch.frame_shown()
    qtbot.wait(800)  # now the clock stands still too
    assert len(fired) == 2 and watch.position_stuck
    watch.stop()
