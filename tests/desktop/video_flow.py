"""The end-to-end video flow shared by the local-storage and the S3 tests (two apps, one live server)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QFileDialog

from desktop.core.models import UserSummary
from desktop.core.uploads import QUEUED
from desktop.net.uploads import Interrupted, MediaClient
from tests.desktop.conftest import ROOT, sign_in, two_people, wait_online  # noqa: F401 - re-exported

PLAYING = QMediaPlayer.PlaybackState.PlayingState
SHOTS = ROOT / "screenshots"


def open_chat(qtbot: Any, app: Any, peer: dict) -> Any:
    app.service.ensure_conversation(UserSummary(peer["user"]["id"], peer["user"]["display_name"]))
    app.open_chat(peer["user"]["id"])
    qtbot.waitUntil(lambda: peer["user"]["id"] in app.chat_windows, timeout=5000)
    return app.chat_windows[peer["user"]["id"]]


def attach_with_button(qtbot: Any, chat: Any, path: Path, monkeypatch: Any) -> Any:
    """Click the attach button; the file dialog answers ``path``; wait for the preview."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    va = chat.video_attach
    qtbot.mouseClick(va.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: va.panel.isVisible() and (va.panel.send_button.isEnabled() or bool(va.refusal)),
                    timeout=15000)
    return va


class PartRecorder:
    """Wraps MediaClient.put_part: records every part PUT (number and URL), can run a hook after part k."""

    def __init__(self, monkeypatch: Any) -> None:
        self.sent: list[int] = []
        self.urls: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.after: dict[int, Any] = {}  # count of confirmed parts -> callable run once, on the worker thread
        self.confirmed = 0
        self.lock = threading.Lock()
        original = MediaClient.put_part
        recorder = self

        def put_part(client: MediaClient, target: Any, body: Any) -> str:
            n = int(target.url.split("/parts/")[1].split("/")[0]) if "/parts/" in target.url else \
                int(target.url.split("partNumber=")[1].split("&")[0])
            try:
                etag = original(client, target, body)
            except Interrupted:  # stopped inside the app: nothing was sent
                raise
            except Exception:
                with recorder.lock:
                    recorder.sent.append(n)
                    recorder.urls.append(target.url)
                    recorder.headers.append(dict(target.headers))
                raise
            with recorder.lock:
                recorder.sent.append(n)
                recorder.urls.append(target.url)
                recorder.headers.append(dict(target.headers))
                recorder.confirmed += 1
                hook = recorder.after.pop(recorder.confirmed, None)
            if hook is not None:
                hook()
            return etag

        monkeypatch.setattr(MediaClient, "put_part", put_part)


def click_play(qtbot: Any, chat: Any, message_id: str) -> None:
    """Click the middle of the video bubble's poster (its play button)."""
    view = chat.view
    row = chat.model.row_of(message_id=message_id)
    index = chat.model.index(row)
    view.scrollTo(index)
    m = chat.model.message_at(row)
    bubbles = chat.video_attach.bubbles
    rect = view.visualRect(index)
    bubble = bubbles._bubble(m, rect)
    center = bubbles._poster(m, bubble).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(center.x()), int(center.y())))


def wait_frame_at(qtbot: Any, player: Any, ms: int, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: player.last_frame is not None and player.last_frame.startTime() >= ms * 1000,
                    timeout=timeout)


def save_shot(widget: Any, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / name
    assert widget.grab().save(str(path))
    return path


def waiting_for_network(app: Any, key: str) -> bool:
    state = app.uploads.get(key)
    return state is not None and state.phase == QUEUED and bool(state.error)
