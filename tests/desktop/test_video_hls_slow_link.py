"""The slow link of issue 13, end to end: a live server encodes the renditions, the player reaches it
through a 1.5 Mbit/s proxy (tests/desktop/throttle.py), starts within 3 s on a low rendition and plays
20 s without a stall. Serial: it times playback, which parallel load would distort."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from PySide6.QtCore import QTimer
from PySide6.QtMultimedia import QMediaPlayer

from desktop.core.media import media_info
from desktop.net.uploads import MediaClient
from desktop.qt.media import MediaReader
from desktop.ui.player_window import PlayerWindow
from tests.conftest import HLS_ON, LiveServer
from tests.desktop.conftest import Runners
from tests.desktop.throttle import ThrottledLink
from tests.desktop.video_fixtures import StaticApi, video_dir  # noqa: F401
from tests.server.media_helpers import Uploader, auth, wait_for

pytestmark = pytest.mark.serial
LINK_BPS = 1_500_000
PLAYING = QMediaPlayer.PlaybackState.PlayingState


def make_busy_clip(path: Path, seconds: int, size: str, bitrate: str) -> Path:
    """A clip that does not compress away: the test pattern with moving noise, at ``bitrate``."""
    if not path.exists():
        tmp = path.with_name(path.stem + ".tmp" + path.suffix)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size={size}:rate=25,noise=alls=14:allf=t", "-f", "lavfi", "-i",
                        "sine=frequency=440", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                        "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-g", "50", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(tmp)], check=True)
        tmp.rename(path)
    return path


def encoded_on_live_server(srv: LiveServer, clip: Path, timeout: float = 300) -> tuple[dict, str]:
    """Upload ``clip``, wait for processing and the HLS encode; returns (owner, media id)."""
    owner = srv.register_verified("Anh")
    up = Uploader(srv, owner)
    media_id = up.upload(clip.read_bytes(), filename=clip.name)
    assert up.wait_done(media_id, timeout=120)["status"] == "ready"

    def ready() -> dict | None:
        m = up.media(media_id).json()
        assert m["hls"] is None or m["hls"]["status"] != "failed", m["hls"]
        return m if m["hls"] and m["hls"]["status"] == "ready" else None

    wait_for(ready, timeout, "the HLS encode")
    return owner, media_id


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory, video_dir: Path) -> Iterator[tuple[LiveServer, dict, str]]:
    """A live server holding a 24 s 854x480 clip at 2.5 Mbit/s (more than the link) and its renditions."""
    clip = make_busy_clip(video_dir / "busy-480p-24s.mp4", 24, "854x480", "2500k")
    srv = LiveServer(tmp_path_factory.mktemp("hls-slow") / "server", HLS_ON).start(timeout=90)
    try:
        owner, media_id = encoded_on_live_server(srv, clip)
        yield srv, owner, media_id
    finally:
        srv.stop()


class PlaybackLog:
    """Samples a player every 100 ms: the stalls a person would see.

    A freeze is a run of consecutive samples with the same position while playing, after the first
    frame; its length is the time between those samples. A late sample (the GUI thread busy, e.g.
    with the proxy's threads) at which the position has moved on is not a freeze: the clock ran.

    Attributes:
        freezes: (position ms, seconds) of every freeze over FREEZE_S.
        statuses: media statuses seen after the first frame (StalledMedia is Qt's own stall report).
        max_gap: the longest time between two samples (how late the GUI thread got).
    """

    FREEZE_S = 0.5

    def __init__(self, w: PlayerWindow) -> None:
        self.w = w
        self.freezes: list[tuple[int, float]] = []
        self.statuses: list[str] = []
        self.max_gap = 0.0
        self._prev: tuple[int, float] | None = None
        self._frozen = 0.0
        w.player.mediaStatusChanged.connect(self._status)
        self.timer = QTimer()
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._sample)
        self.timer.start()

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self.w.first_frame_at is not None:
            self.statuses.append(status.name)

    def _sample(self) -> None:
        now = time.monotonic()
        pos = self.w.player.position()
        if self.w.first_frame_at is None or self.w.player.playbackState() != PLAYING:
            self._prev = None
            return
        if self._prev is not None:
            self.max_gap = max(self.max_gap, now - self._prev[1])
            if pos == self._prev[0]:
                self._frozen += now - self._prev[1]
            else:
                self._end_freeze()
        self._prev = (pos, now)

    def _end_freeze(self) -> None:
        if self._frozen > self.FREEZE_S and self._prev is not None:
            self.freezes.append((self._prev[0], round(self._frozen, 2)))
        self._frozen = 0.0

    def stop(self) -> None:
        self._sample()
        self._end_freeze()
        self.timer.stop()


def test_a_slow_link_starts_within_3_s_on_a_low_rendition_and_plays_20_s_without_a_stall(
        qtbot: Any, runners: Runners, encoded: tuple[LiveServer, dict, str]) -> None:
    srv, owner, media_id = encoded
    data = requests.get(f"{srv.url}/api/media/{media_id}", headers=auth(owner), timeout=10).json()
    info = media_info(data)
    assert info is not None and info.hls_ready and info.hls is not None
    lowest = info.hls.renditions[0]
    with ThrottledLink(("127.0.0.1", srv.port), bits_per_second=LINK_BPS) as link:
        reader = MediaReader(MediaClient(StaticApi(link.url, owner["tokens"]["access_token"])),
                             runner=runners.network)
        w = PlayerWindow(info, reader)
        log = PlaybackLog(w)
        w.show()
        try:
            qtbot.waitUntil(lambda: w.first_frame_at is not None, timeout=15000)
            first_frame_s = w.first_frame_at - w.opened_at
            at_first_frame = w.quality.playing
            qtbot.waitUntil(lambda: w.player.position() >= 20000, timeout=30000)
            played_s = time.monotonic() - w.first_frame_at
            log.stop()
        finally:
            w.close()
    print(f"\nslow link {LINK_BPS / 1e6} Mbit/s: first frame {first_frame_s:.2f} s on {at_first_frame}, "
          f"20 s of video played in {played_s:.1f} s, renditions {[(r.name, r.bandwidth) for r in info.hls.renditions]}, "
          f"switches {w.quality.switches}, freezes {log.freezes}, statuses {log.statuses}, "
          f"longest time between two samples {log.max_gap:.2f} s")
    assert first_frame_s < 3.0
    assert at_first_frame is not None and at_first_frame.name == lowest.name
    assert log.freezes == [] and "StalledMedia" not in log.statuses
    assert played_s < 21.0  # the clock ran with the wall clock: no stall hidden by a skip
    assert not any(reason == "stall" for reason, _ in w.quality.switches)


def test_a_playlist_link_that_dies_mid_play_is_renewed_on_the_same_rendition(
        qtbot: Any, runners: Runners, encoded: tuple[LiveServer, dict, str]) -> None:
    """The links were signed for a login that signs out while the video plays: segments answer 401
    (FFmpeg skips them without a word); the player asks, gets fresh links through the person's other
    login, and reopens the same rendition where the picture stopped. Through the slow link, so the
    player fetches segments as it plays rather than all at once."""
    srv, owner, media_id = encoded
    first = requests.post(f"{srv.url}/api/auth/login", json={"email": owner["email"], "password": owner["password"]},
                          timeout=10).json()
    data = requests.get(f"{srv.url}/api/media/{media_id}",
                        headers={"Authorization": f"Bearer {first['access_token']}"}, timeout=10).json()
    info = media_info(data)
    assert info is not None and info.hls is not None
    with ThrottledLink(("127.0.0.1", srv.port), bits_per_second=LINK_BPS) as link:
        # the app's own calls (the refresh) go with the other login's token
        reader = MediaReader(MediaClient(StaticApi(link.url, owner["tokens"]["access_token"])),
                             runner=runners.network)
        w = PlayerWindow(info, reader)
        w.show()
        try:
            qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 2000,
                            timeout=15000)
            old = w.player.source().toString()
            r = requests.post(f"{srv.url}/api/auth/logout", json={"refresh_token": first["refresh_token"]},
                              timeout=10)
            assert r.status_code == 204
            qtbot.waitUntil(lambda: len(w.renewals) == 1, timeout=30000)
            qtbot.waitUntil(lambda: w.player.source().toString() != old, timeout=10000)
            assert "/hls/360p.m3u8?token=" in w.player.source().toString()
            at = w.player.position()
            qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > at + 3000
                            and w.last_frame is not None and w.last_frame.startTime() // 1000 > at + 2000,
                            timeout=30000)
            assert w.stack.currentIndex() == 0  # nothing shown to the person but the video
        finally:
            w.close()
