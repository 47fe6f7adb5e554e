"""Resume anywhere and moments, end to end: live server, real apps (offscreen), a 12 s 320x240 clip.

- Two devices of one person (two apps signed in to the same account): device A plays, seeks and
  pauses; device B, already showing the chat, draws the progress line at once (``media:position``)
  and its player offers "Resume from 0:04", which resumes there.
- Moments: a video, then "look at 0:02": the time is a link, a click opens the player at ~2 s; in
  the player "Send this moment" writes the explicit form into that chat's composer, and once sent
  it shows as "▶ 0:0x", a link to the same video.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPainter

from desktop.core.moments import find_moments
from tests.desktop.conftest import sign_in, wait_online
from tests.desktop.video_fixtures import make_video, video_dir  # noqa: F401 - fixture
from tests.desktop.video_flow import PLAYING, SHOTS, click_play
from tests.server.media_helpers import Uploader

SHOT_DIR = Path("/tmp")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 s: a position is only kept more than 5 s before the end (docs/media.md)."""
    return make_video(tmp_path_factory.mktemp("clip") / "resume-12s.mp4", seconds=12, size="320x240",
                      bitrate="150k")


def _send(srv: Any, sender: dict, to: dict, **body: str) -> dict:
    r = requests.post(f"{srv.url}/api/conversations/{to['user']['id']}/messages",
                      headers={"Authorization": f"Bearer {sender['tokens']['access_token']}"},
                      json={"client_id": uuid.uuid4().hex, **body}, timeout=15)
    assert r.status_code == 201, r.text
    return r.json()


def _video_message(srv: Any, clip: Path, alice: dict, binh: dict) -> dict:
    up = Uploader(srv, alice)
    media_id = up.upload(clip.read_bytes(), "clip.mp4")
    assert up.wait_done(media_id)["status"] == "ready"
    return _send(srv, alice, binh, media_id=media_id)


def _chat(qtbot: Any, app: Any, peer_id: str, message_id: str) -> Any:
    qtbot.waitUntil(lambda: app.service.conversations.get(peer_id) is not None, timeout=10000)
    app.open_chat(peer_id)
    chat = app.chat_windows[peer_id].chat
    qtbot.waitUntil(lambda: chat.model.row_of(message_id=message_id) >= 0, timeout=10000)
    return chat


def _shot(widget: Any, name: str) -> Path:
    path = SHOT_DIR / name
    SHOTS.mkdir(exist_ok=True)
    image = widget.grab()
    frame = widget.frame_image() if hasattr(widget, "frame_image") else None
    if frame is not None and not frame.isNull():  # grab() shows a video area blank: paint the frame in
        area = widget.video.geometry()
        scaled = frame.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        painter = QPainter(image)
        painter.fillRect(area, Qt.GlobalColor.black)
        painter.drawImage(area.left() + (area.width() - scaled.width()) // 2,
                          area.top() + (area.height() - scaled.height()) // 2, scaled)
        painter.end()
    assert image.save(str(path)) and image.save(str(SHOTS / name))
    return path


def test_two_devices_of_one_person_resume_where_the_other_stopped(qtbot: Any, make_app: Any, live_server: Any,
                                                                  clip: Path) -> None:
    alice, binh = live_server.register_verified("Alice Nguyen"), live_server.register_verified("Binh Tran")
    sent = _video_message(live_server, clip, alice, binh)
    alice_id = alice["user"]["id"]
    laptop, phone = make_app(live_server.url, profile="binh-laptop"), make_app(live_server.url, profile="binh-phone")
    for app in (laptop, phone):
        sign_in(qtbot, app, binh["email"], binh["password"])
        wait_online(qtbot, app)
    chat_a, chat_b = _chat(qtbot, laptop, alice_id, sent["id"]), _chat(qtbot, phone, alice_id, sent["id"])
    video_b = chat_b.model.message_at(chat_b.model.row_of(message_id=sent["id"]))
    assert chat_b.video_attach.bubbles.watched(video_b) is None  # not started anywhere: no line

    # device A plays, jumps to 4 s and pauses there
    click_play(qtbot, chat_a, sent["id"])
    qtbot.waitUntil(lambda: sent["media"]["id"] in laptop.players, timeout=5000)
    player_a = laptop.players[sent["media"]["id"]]
    assert not player_a.resume_offer.isVisible()  # nothing to resume yet
    qtbot.waitUntil(lambda: player_a.player.playbackState() == PLAYING, timeout=15000)
    player_a.seek(4000)
    qtbot.waitUntil(lambda: player_a.player.position() >= 4000, timeout=10000)
    player_a.toggle_play()  # pause: saved now, off the GUI thread

    def saved() -> float | None:
        r = requests.get(f"{live_server.url}/api/media/{sent['media']['id']}/position", timeout=5,
                         headers={"Authorization": f"Bearer {binh['tokens']['access_token']}"})
        return r.json()["seconds"]

    qtbot.waitUntil(lambda: saved() is not None, timeout=10000)
    at = saved()
    assert 4.0 <= at < 6.0, at

    # device B, which was showing the chat all along, draws the line (media:position, no reload)
    qtbot.waitUntil(lambda: chat_b.video_attach.bubbles.watched(video_b) is not None, timeout=10000)
    assert chat_b.video_attach.bubbles.watched(video_b) == pytest.approx(at / 12, abs=0.03)
    chat_b.view.viewport().update()
    qtbot.wait(50)
    _shot(chat_b.window(), "resume-bubble-progress.png")

    # B opens the video: it plays from the start and offers to resume; the offer resumes there
    click_play(qtbot, chat_b, sent["id"])
    qtbot.waitUntil(lambda: sent["media"]["id"] in phone.players, timeout=5000)
    player_b = phone.players[sent["media"]["id"]]
    offer = player_b.resume_offer
    qtbot.waitUntil(lambda: offer.isVisible(), timeout=5000)
    assert offer.button.text() == f"Resume from 0:0{int(at)}" and offer.button.focusPolicy() != Qt.FocusPolicy.NoFocus
    qtbot.waitUntil(lambda: player_b.player.playbackState() == PLAYING and player_b.last_frame is not None,
                    timeout=15000)
    _shot(player_b, "resume-offer.png")
    qtbot.mouseClick(offer.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player_b.player.position() >= int(at * 1000) - 300, timeout=10000)
    assert not offer.isVisible()


def _click_link(qtbot: Any, chat: Any, message_id: str, label: str) -> None:
    """Click the moment link ``label`` of a message (text, or a video's caption), found by the app's
    own hit test: the point the person would click."""
    view = chat.view
    index = chat.model.index(chat.model.row_of(message_id=message_id))
    view.scrollTo(index)
    rect = view.visualRect(index)
    for y in range(rect.top() + 4, rect.bottom(), 3):
        for x in range(rect.left(), rect.right(), 2):
            hit = chat.moment_links._span_at(QPointF(x, y))
            if hit is not None and hit[1].moment.label == label:
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, y))
                return
    raise AssertionError(f"no link {label!r} in message {message_id}")


def test_a_time_in_a_message_opens_the_video_there_and_a_moment_can_be_sent(
        qtbot: Any, make_app: Any, live_server: Any, clip: Path) -> None:
    alice, binh = live_server.register_verified("Alice Nguyen"), live_server.register_verified("Binh Tran")
    sent = _video_message(live_server, clip, alice, binh)
    text = _send(live_server, alice, binh, body="look at 0:02, and lunch at 12:30pm")
    app = make_app(live_server.url, profile="binh")
    sign_in(qtbot, app, binh["email"], binh["password"])
    wait_online(qtbot, app)
    chat = _chat(qtbot, app, alice["user"]["id"], text["id"])
    qtbot.waitUntil(lambda: chat.model.row_of(message_id=sent["id"]) >= 0, timeout=10000)  # the page before it
    m = chat.model.message_at(chat.model.row_of(message_id=text["id"]))
    assert [chat.delegate._text(m)[s.start:s.end] for s in chat.delegate.links(m)] == ["0:02"]  # 12:30pm: a clock

    _click_link(qtbot, chat, text["id"], "0:02")
    qtbot.waitUntil(lambda: sent["media"]["id"] in app.players, timeout=5000)
    player = app.players[sent["media"]["id"]]
    qtbot.waitUntil(lambda: player.player.playbackState() == PLAYING and player.player.position() >= 1900,
                    timeout=15000)
    assert player.player.position() < 4000  # it started at the moment, not at 0 and not at the end
    assert not player.resume_offer.isVisible()  # opened at a moment: no resume offer on top

    # "Send this moment": the explicit form at the cursor of this chat's composer
    player.player.pause()
    seconds = player.player.position() // 1000
    chat.composer.setPlainText("here:")
    chat.composer.moveCursor(chat.composer.textCursor().MoveOperation.End)
    assert player.moment_button.isVisible()
    qtbot.mouseClick(player.moment_button, Qt.MouseButton.LeftButton)
    token = f"▶ 0:0{seconds} parley:moment/{sent['id']}?t={seconds}"
    assert chat.composer.toPlainText() == f"here: {token} "
    [moment] = find_moments(chat.composer.toPlainText())
    assert moment.message_id == sent["id"] and moment.seconds == seconds
    chat.send_button.click()
    qtbot.waitUntil(lambda: any(x.id and "parley:moment/" in x.body for x in chat.model.messages()), timeout=10000)
    [mine] = [x for x in chat.model.messages() if x.id and "parley:moment/" in x.body]
    assert chat.delegate._text(mine) == f"here: ▶ 0:0{seconds}"  # the app shows the short form
    assert [s.moment.message_id for s in chat.delegate.links(mine)] == [sent["id"]]
    chat.view.viewport().update()
    qtbot.wait(50)
    _shot(chat.window(), "moment-links.png")

    # the explicit link seeks the open player back to its second
    player.seek(8000)
    qtbot.waitUntil(lambda: player.player.position() >= 7000, timeout=10000)
    _click_link(qtbot, chat, mine.id, f"▶ 0:0{seconds}")
    qtbot.waitUntil(lambda: player.player.position() < 4000, timeout=10000)

    # a time in a video's own caption points at that video
    captioned = _send(live_server, alice, binh, media_id=sent["media"]["id"], body="the best bit: 0:06")
    qtbot.waitUntil(lambda: chat.model.row_of(message_id=captioned["id"]) >= 0, timeout=10000)
    player.seek(1000)
    qtbot.waitUntil(lambda: player.player.position() < 2000, timeout=10000)
    _click_link(qtbot, chat, captioned["id"], "0:06")
    qtbot.waitUntil(lambda: player.player.position() >= 5500, timeout=10000)
