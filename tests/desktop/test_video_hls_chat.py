"""HLS in the chat app against a live server with real encodes: Binh opens Alice's video while its
renditions are still encoding (the original plays), the encode's ``media:status`` switches his paused
player at the same position, Auto measures the link and steps up, and the next open plays the
renditions at once. "Save video as" still saves the original."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtMultimedia import QMediaPlayer

from tests.conftest import HLS_ON
from tests.desktop.conftest import sign_in, wait_online
from tests.desktop.video_fixtures import make_video, video_dir  # noqa: F401
from tests.desktop.video_flow import PLAYING, click_play
from tests.server.media_helpers import Uploader, auth

PAUSED = QMediaPlayer.PlaybackState.PausedState


@pytest.fixture
def server_env() -> dict[str, str]:
    return {**HLS_ON, "PARLEY_TEST_HLS_FRAME_DELAY": "0.05"}  # the encode takes a few seconds: time to open the player


@pytest.fixture(scope="module")
def clip_480p(video_dir: Path) -> Path:
    """6 s, 854x480: renditions 360p and source (480p)."""
    return make_video(video_dir / "clip-480p.mp4", seconds=6, size="854x480", bitrate="1200k")


def test_the_encode_finishing_switches_a_paused_player_and_the_next_open_plays_hls(
        qtbot: Any, make_app: Any, live_server: Any, clip_480p: Path, tmp_path: Path) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    b = make_app(live_server.url, profile="binh")
    sign_in(qtbot, b, binh["email"], binh["password"])
    wait_online(qtbot, b)

    up = Uploader(live_server, alice)
    media_id = up.upload(clip_480p.read_bytes(), filename="clip-480p.mp4")
    assert up.wait_done(media_id)["status"] == "ready"
    r = requests.post(f"{live_server.url}/api/conversations/{binh['user']['id']}/messages", headers=auth(alice),
                      json={"client_id": "c-hls-1", "media_id": media_id}, timeout=10)
    assert r.status_code == 201, r.text

    alice_id = alice["user"]["id"]
    b.open_chat(alice_id)
    chat = b.chat_windows[alice_id].chat
    qtbot.waitUntil(lambda: any(bool(m.media and m.media.ready) for m in chat.model.messages()), timeout=15000)
    [got] = [m for m in chat.model.messages() if m.media]
    assert not got.media.hls_ready  # still encoding when the message arrived
    click_play(qtbot, chat, got.id)
    qtbot.waitUntil(lambda: media_id in b.players, timeout=5000)
    player = b.players[media_id]
    assert "/stream?token=" in player.player.source().toString()
    qtbot.waitUntil(lambda: player.last_frame is not None and player.player.position() > 300, timeout=15000)
    if not player.media.hls_ready and "/hls/" not in player.player.source().toString():
        player.toggle_play()  # paused: the person is not watching, so the encode may switch the stream
        qtbot.waitUntil(lambda: player.player.playbackState() == PAUSED, timeout=5000)
    at = player.player.position()

    # media:status (to the peer too) when the renditions are ready: the paused player switches in place
    qtbot.waitUntil(lambda: "/hls/" in player.player.source().toString(), timeout=90000)
    qtbot.waitUntil(lambda: player.last_frame is not None and abs(player.last_frame.startTime() // 1000 - at) < 700
                    and player.player.mediaStatus() != QMediaPlayer.MediaStatus.LoadingMedia, timeout=15000)
    assert player.player.playbackState() == PAUSED
    assert [r.name for r in player.media.hls.renditions] == ["360p", "source"]
    assert player.quality.button.isVisible()

    # playing on: loopback is fast, Auto's measurement moves it to the source rendition
    player.toggle_play()
    qtbot.waitUntil(lambda: player.quality.playing is not None and player.quality.playing.name == "source",
                    timeout=15000)
    assert player.quality.button.accessibleDescription() == "Auto (480p)"
    qtbot.waitUntil(lambda: player.player.playbackState() == PLAYING and player.player.position() > at + 500,
                    timeout=15000)
    player.save_as(str(tmp_path / "saved.mp4"))
    qtbot.waitUntil(lambda: (tmp_path / "saved.mp4").exists(), timeout=15000)
    assert (tmp_path / "saved.mp4").read_bytes() == clip_480p.read_bytes()  # the original, not a rendition
    player.close()
    qtbot.waitUntil(lambda: media_id not in b.players, timeout=5000)

    # the next open plays the renditions at once, from the link measured before
    click_play(qtbot, chat, got.id)
    qtbot.waitUntil(lambda: media_id in b.players, timeout=5000)
    again = b.players[media_id]
    assert "/hls/source.m3u8?token=" in again.player.source().toString()
    qtbot.waitUntil(lambda: again.player.playbackState() == PLAYING and again.player.position() > 500,
                    timeout=15000)
    again.close()
