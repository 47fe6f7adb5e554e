"""The player window against a fake stream: plays while bytes arrive, seeks, renews an expired link."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer

from desktop.core.media import media_info
from desktop.net.uploads import MediaClient
from desktop.qt.media import MediaReader
from desktop.qt.tasks import TaskRunner
from desktop.ui.player_window import PlayerWindow
from tests.desktop.conftest import Runners
from tests.desktop.video_fixtures import FakeMediaServer, StaticApi, fake_media, make_video, s3_video, small_video, \
    video_dir  # noqa: F401

PLAYING = QMediaPlayer.PlaybackState.PlayingState
_network: list[TaskRunner] = []


@pytest.fixture(autouse=True)
def _runner(runners: Runners) -> Iterator[None]:
    """The readers' network runner, shut down on the GUI thread after each test (conftest)."""
    _network.append(runners.network)
    yield
    _network.clear()


def _reader(url: str) -> MediaReader:
    return MediaReader(MediaClient(StaticApi(url)), runner=_network[0])


def _open(qtbot: Any, fake: FakeMediaServer, info: dict) -> PlayerWindow:
    reader = _reader(fake.url)
    w = PlayerWindow(media_info(info), reader)
    w._reader_ref = reader  # type: ignore[attr-defined]
    w.show()  # each test closes it (it deletes itself on close, so qtbot must not close it again)
    return w


def _frame_at_or_after(w: PlayerWindow, ms: int) -> bool:
    f = w.last_frame
    return f is not None and f.startTime() >= ms * 1000


def test_plays_streaming_and_seeks(qtbot: Any, small_video: Path, fake_media: FakeMediaServer) -> None:
    info = fake_media.add_media(small_video.read_bytes())
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 500, timeout=15000)
    assert w.first_frame_at is not None and not w.frame_image().isNull()
    assert all(log.split(" ", 1)[1].startswith("bytes=") for log in fake_media.stream_log)  # Range reads
    assert w.time_label.text().endswith("/ 0:06")
    w.seek(int(w.player.duration() * 0.8))
    qtbot.waitUntil(lambda: _frame_at_or_after(w, int(w.player.duration() * 0.8) - 200), timeout=10000)
    assert w.player.position() >= w.player.duration() * 0.8 - 200

    qtbot.keyClick(w, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.player.playbackState() == QMediaPlayer.PlaybackState.PausedState, timeout=5000)
    qtbot.keyClick(w, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING, timeout=5000)
    qtbot.keyClick(w, Qt.Key.Key_M)
    assert w.audio.isMuted()
    w.volume.setValue(30)
    assert abs(w.audio.volume() - 0.3) < 0.01
    qtbot.keyClick(w, Qt.Key.Key_F)
    qtbot.waitUntil(w.isFullScreen, timeout=5000)
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not w.isFullScreen(), timeout=5000)
    w.close()


def test_an_expired_link_is_renewed_at_the_same_position(qtbot: Any, s3_video: Path,
                                                         fake_media: FakeMediaServer) -> None:
    fake_media.valid_tokens = {"old", "t"}
    fake_media.stream_rate = 4_000_000  # a far seek then needs bytes that have not arrived yet
    info = fake_media.add_media(s3_video.read_bytes(), duration=10.0)
    info["playback_url"] = info["playback_url"].replace("token=t", "token=old")
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 300, timeout=15000)
    fake_media.valid_tokens = {"t"}  # the link expires mid-play
    target = int(w.player.duration() * 0.8)
    w.seek(target)  # the seek needs bytes the player does not have: it reads again, and is refused
    qtbot.waitUntil(lambda: len(w.renewals) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "token=t" in w.player.source().toString() and _frame_at_or_after(w, target - 200),
                    timeout=15000)
    assert w.stack.currentIndex() == 0  # no error shown to the person
    assert any(entry.startswith("old ") for entry in fake_media.stream_log)
    assert any(entry.startswith("t ") for entry in fake_media.stream_log)
    w.close()


@pytest.fixture(scope="module")
def mkv_video(video_dir: Path) -> Path:
    """8 s, 1280x720, H.264 + AAC in Matroska, cues at the end (what issue 12's person played)."""
    return make_video(video_dir / "clip720.mkv", seconds=8, size="1280x720", bitrate="3M", faststart=False)


def test_an_expired_link_on_an_mkv_is_renewed_instead_of_stalling(qtbot: Any, mkv_video: Path,
                                                                  fake_media: FakeMediaServer) -> None:
    """FFmpeg's Matroska reader takes the refused read for the end of the file and Qt reports nothing:
    before, the player sat "playing" at the seek target for good."""
    fake_media.valid_tokens = {"old", "t"}
    fake_media.stream_rate = 300_000  # the far seek needs bytes (the cues at the end) not read yet
    info = fake_media.add_media(mkv_video.read_bytes(), duration=8.0, width=1280, height=720,
                                filename="clip720.mkv", content_type="video/x-matroska")
    info["playback_url"] = info["playback_url"].replace("token=t", "token=old")
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 150, timeout=15000)
    fake_media.valid_tokens = {"t"}  # the link expires mid-play
    w.seek(6000)
    qtbot.waitUntil(lambda: len(w.renewals) == 1 and "token=t" in w.player.source().toString(), timeout=10000)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 6100, timeout=15000)
    assert w.stack.currentIndex() == 0  # no error shown to the person
    assert "old bytes=0-0" in fake_media.stream_log  # the player asked whether the link still worked
    w.close()


def test_a_slow_server_that_stalls_the_picture_gets_no_new_link(qtbot: Any, mkv_video: Path,
                                                               fake_media: FakeMediaServer) -> None:
    fake_media.stream_rate = 150_000  # half the clip's bitrate: the picture stops while bytes trickle in
    info = fake_media.add_media(mkv_video.read_bytes(), duration=8.0, width=1280, height=720,
                                filename="clip720.mkv")
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 150, timeout=15000)
    w.seek(6000)
    qtbot.waitUntil(lambda: "t bytes=0-0" in fake_media.stream_log, timeout=15000)  # stalled: link checked
    qtbot.wait(500)
    assert w.renewals == [] and w.stack.currentIndex() == 0  # it works: no renewal, no message
    w.close()


def test_a_file_qt_cannot_decode_says_so_and_offers_save_as(qtbot: Any, tmp_path: Path,
                                                            fake_media: FakeMediaServer) -> None:
    info = fake_media.add_media(b"\x00\x01garbage, not a video" * 5000, filename="odd.mp4")
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.stack.currentIndex() == 1, timeout=15000)
    assert "can't play “odd.mp4”" in w.message.text()
    assert w.save_button.isVisible()
    w.save_as(str(tmp_path / "odd.mp4"))
    qtbot.waitUntil(lambda: (tmp_path / "odd.mp4").exists(), timeout=10000)
    assert (tmp_path / "odd.mp4").read_bytes() == fake_media.media[info["id"]]["_bytes"]
    w.close()


def test_save_video_as_from_a_bubble_shows_progress_and_resumes(qtbot: Any, tmp_path: Path, small_video: Path,
                                                                fake_media: FakeMediaServer) -> None:
    from PySide6.QtWidgets import QWidget

    from desktop.ui.attach import save_video_as

    blob = small_video.read_bytes()
    info = media_info(fake_media.add_media(blob))
    reader = _reader(fake_media.url)
    parent = QWidget()
    qtbot.addWidget(parent)
    dest = tmp_path / "saved.mp4"
    (tmp_path / "saved.mp4.part").write_bytes(blob[:400_000])  # a save that stopped earlier
    dialog = save_video_as(parent, reader, info, str(dest))
    # the bar reaches 100 % with the last bytes; "Saved to" follows once the file is in place
    qtbot.waitUntil(lambda: dest.exists() and dialog.value() == 100 and "Saved to" in dialog.labelText(),
                    timeout=10000)
    assert dest.read_bytes() == blob
    assert any(e.endswith("bytes=400000-") for e in fake_media.stream_log)  # it continued with a Range
    dialog.close()


def _shown_frame_at(w: PlayerWindow, ms: int, tolerance: int = 250) -> bool:
    """The frame the video widget paints now (not black) is the one at ``ms``."""
    frame = w.video.videoSink().videoFrame()
    return frame.isValid() and abs(frame.startTime() // 1000 - ms) <= tolerance


def test_clicking_the_seek_bar_jumps_there(qtbot: Any, small_video: Path, fake_media: FakeMediaServer) -> None:
    from PySide6.QtCore import QPoint

    info = fake_media.add_media(small_video.read_bytes())
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.duration() > 0, timeout=15000)
    assert w.slider.pageStep() >= 500 and w.slider.singleStep() == 5000  # not 10 ms steps
    slider = w.slider
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(int(slider.width() * 0.75), slider.height() // 2))
    target = w.player.duration() * 0.75
    qtbot.waitUntil(lambda: abs(w.player.position() - target) < w.player.duration() * 0.12, timeout=5000)
    w.close()


def test_the_picture_stays_after_the_end_and_after_a_seek_while_paused(qtbot: Any, small_video: Path,
                                                                      fake_media: FakeMediaServer) -> None:
    info = fake_media.add_media(small_video.read_bytes())
    w = _open(qtbot, fake_media, info)
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING and w.player.position() > 300, timeout=15000)
    qtbot.keyClick(w, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.player.playbackState() == QMediaPlayer.PlaybackState.PausedState, timeout=5000)
    w.seek(3000)  # paused: the frame at 3 s is shown at once
    qtbot.waitUntil(lambda: _shown_frame_at(w, 3000), timeout=5000)

    qtbot.keyClick(w, Qt.Key.Key_Space)
    w.seek(w.player.duration() - 400)
    qtbot.waitUntil(lambda: w.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia, timeout=10000)
    qtbot.waitUntil(lambda: _shown_frame_at(w, w.player.duration(), tolerance=200), timeout=5000)  # the last frame

    qtbot.keyClick(w, Qt.Key.Key_Left)  # a seek after the end shows that frame, paused
    qtbot.waitUntil(lambda: _shown_frame_at(w, w.player.duration() - 5000), timeout=5000)
    assert w.player.playbackState() == QMediaPlayer.PlaybackState.PausedState
    qtbot.keyClick(w, Qt.Key.Key_Space)  # and play goes on from there
    qtbot.waitUntil(lambda: w.player.playbackState() == PLAYING, timeout=5000)
    assert w.player.position() < w.player.duration() - 3000
    w.close()


def test_the_focus_goes_back_to_the_composer_when_the_player_closes(qtbot: Any, small_video: Path,
                                                                    fake_media: FakeMediaServer) -> None:
    from PySide6.QtWidgets import QApplication, QListWidget, QTextEdit, QVBoxLayout, QWidget

    chat = QWidget()  # a chat window: the message list that was clicked, and the composer
    qtbot.addWidget(chat)
    layout = QVBoxLayout(chat)
    history, composer = QListWidget(), QTextEdit()
    layout.addWidget(history)
    layout.addWidget(composer)
    chat.show()
    chat.activateWindow()
    history.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is history, timeout=5000)

    info = fake_media.add_media(small_video.read_bytes())
    reader = _reader(fake_media.url)
    w = PlayerWindow(media_info(info), reader, return_focus=composer)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    w.close()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is chat and QApplication.focusWidget() is composer,
                    timeout=5000)
