"""Video in the chat app against a live server with local storage: send, resume after an outage, play, seek."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QPainter

from desktop.qt.uploads import UploadManager
from tests.desktop.video_fixtures import not_a_video, s3_video, small_video, video_dir  # noqa: F401
from tests.desktop.video_flow import (
    PLAYING,
    SHOTS,
    PartRecorder,
    attach_with_button,
    click_play,
    open_chat,
    save_shot,
    two_people,
    wait_frame_at,
    waiting_for_network,
)

PART = 256 * 1024


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"PARLEY_UPLOAD_PART_SIZE": str(PART), "PARLEY_MAX_UPLOAD_BYTES": "3000000"}


def test_video_is_sent_resumed_after_an_outage_and_played(qtbot: Any, make_app: Any, live_server: Any,
                                                         small_video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UploadManager, "part_retries", 1)
    a, b, alice, binh = two_people(qtbot, make_app, live_server)
    alice_id, binh_id = alice["user"]["id"], binh["user"]["id"]
    win_a = open_chat(qtbot, a, binh)
    chat_a = win_a.chat
    rec = PartRecorder(monkeypatch)
    rec.after[2] = live_server.stop  # the server goes down once two parts are through
    # one part at a time, so no part is already in flight when it does (a graceful stop finishes
    # requests in flight, and with three at once all five parts of this clip could get through)
    a.uploads.connections = 1

    va = attach_with_button(qtbot, chat_a, small_video, monkeypatch)
    size = small_video.stat().st_size
    assert va.panel.name_label.text() == "clip.mp4"
    assert va.panel.detail_label.text().startswith(f"{size / 1e6:.1f} MB · 0:06 · 640×360")
    qtbot.mouseClick(va.panel.send_button, Qt.MouseButton.LeftButton)
    assert not va.panel.isVisible()
    [state] = a.uploads.uploads(binh_id)
    key = state.key
    assert chat_a.model.row_of(client_id=key) >= 0  # the bubble is there at once

    qtbot.waitUntil(lambda: waiting_for_network(a, key), timeout=30000)
    before = set(a.uploads.store.get(key).parts)
    sent_before = len(rec.sent)
    chat_a.view.viewport().update()
    qtbot.wait(50)
    save_shot(win_a, "video-upload-light.png")
    total = math.ceil(size / PART)
    assert total >= 5 and 2 <= len(before) < total

    live_server.start()
    qtbot.waitUntil(lambda: any(bool(m.id and m.media and m.media.ready) for m in chat_a.model.messages()),
                    timeout=60000)
    resent = rec.sent[sent_before:]
    assert resent and not set(resent) & before, (before, resent)  # only the missing parts went again
    assert set(resent) <= set(range(1, total + 1)) - before
    assert all("token=" in u and "/api/media/uploads/" in u for u in rec.urls)
    assert not any("Authorization" in h for h in rec.headers)
    qtbot.waitUntil(lambda: a.uploads.uploads() == [] and a.uploads.store.get(key) is None, timeout=10000)
    [sent] = [m for m in chat_a.model.messages() if m.media]
    assert sent.client_id == key and sent.media.duration == pytest.approx(6.0, abs=0.3)

    # Binh's window shows the bubble with the duration; a click opens the player, which streams
    b.open_chat(alice_id)
    win_b = b.chat_windows[alice_id]
    chat_b = win_b.chat
    qtbot.waitUntil(lambda: any(bool(m.media and m.media.ready) for m in chat_b.model.messages()), timeout=15000)
    [got] = [m for m in chat_b.model.messages() if m.media]
    assert got.media.duration == pytest.approx(6.0, abs=0.3) and got.media.width == 640
    qtbot.waitUntil(lambda: got.media.id in b.media_reader._thumbs, timeout=10000)  # the poster arrived
    chat_b.view.viewport().update()
    qtbot.wait(50)
    save_shot(win_b, "video-chat-light.png")
    click_play(qtbot, chat_b, got.id)
    qtbot.waitUntil(lambda: got.media.id in b.players, timeout=5000)
    player = b.players[got.media.id]
    qtbot.waitUntil(lambda: player.player.playbackState() == PLAYING and player.player.position() > 500,
                    timeout=15000)
    assert player.windowTitle() == "clip.mp4 — Parley" and player.parent() is None

    # it keeps playing when the chat window closes
    win_b.close()
    qtbot.waitUntil(lambda: alice_id not in b.chat_windows, timeout=5000)
    at = player.player.position()
    qtbot.waitUntil(lambda: player.player.position() > at + 300, timeout=10000)
    assert player.isVisible()

    # a seek to 80 % plays from there
    target = int(player.player.duration() * 0.8)
    player.seek(target)
    wait_frame_at(qtbot, player, target - 200)
    qtbot.waitUntil(lambda: player.player.position() >= target, timeout=5000)
    _player_shot(player)


def _player_shot(player: Any) -> None:
    """grab() shows the video area blank: paint the last frame into it, as the screen shows it."""
    pixmap = player.grab()
    frame = player.frame_image()
    assert frame is not None and not frame.isNull()
    area = player.video.geometry()
    scaled = frame.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    painter = QPainter(pixmap)
    painter.fillRect(area, Qt.GlobalColor.black)
    painter.drawImage(area.left() + (area.width() - scaled.width()) // 2,
                      area.top() + (area.height() - scaled.height()) // 2, scaled)
    painter.end()
    SHOTS.mkdir(exist_ok=True)
    assert pixmap.save(str(SHOTS / "video-player.png"))


def test_a_non_video_and_an_oversized_video_are_refused(qtbot: Any, make_app: Any, live_server: Any,
                                                        not_a_video: Path, s3_video: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, alice, binh = two_people(qtbot, make_app, live_server)
    chat = open_chat(qtbot, a, binh).chat
    va = attach_with_button(qtbot, chat, not_a_video, monkeypatch)
    shown = "“notes.mp4” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video."
    assert va.refusal == shown and va.panel.detail_label.text() == shown
    assert va.panel.detail_label.isVisible() and not va.panel.send_button.isEnabled()
    qtbot.mouseClick(va.panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not va.panel.isVisible()

    # dropped onto the chat window: the server says it is over its limit (3 MB here)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(s3_video))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    # (offscreen Qt delivers drops only from a real drag; hand the event to the window's drop handling)
    assert va.eventFilter(chat.view.viewport(), drop) and drop.isAccepted()
    qtbot.waitUntil(lambda: bool(va.refusal) and va.refusal != shown, timeout=15000)
    assert va.refusal.startswith("“clip-s3.mp4” can't be sent. This video is ")
    assert "this server accepts videos up to" in va.refusal, va.refusal
    assert va.panel.detail_label.text() == va.refusal and not va.panel.send_button.isEnabled()
    save_shot(chat.window(), "video-refused-light.png")
    assert a.uploads.uploads() == []

    # pasted into the composer: a video that fits is shown, ready to send
    qtbot.mouseClick(va.panel.cancel_button, Qt.MouseButton.LeftButton)
    clip = QMimeData()
    clip.setUrls([QUrl.fromLocalFile(str(not_a_video.parent / "none.mp4"))])
    clipboard = QGuiApplication.clipboard()
    clipboard.setMimeData(clip)  # the clipboard owns it now (see tests/desktop/conftest.py: clear_clipboard)
    chat.composer.setFocus()
    try:
        qtbot.keyClick(chat.composer, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    finally:
        clipboard.clear()
    qtbot.waitUntil(lambda: va.panel.isVisible() and bool(va.refusal), timeout=10000)
    assert va.refusal == "“none.mp4” can't be read. Check that the file still exists."
