"""Video in the chat app with S3 storage (moto): parts go straight to the bucket; the app is closed
mid-upload and a new instance resumes with only the missing parts; the recipient streams and seeks."""
from __future__ import annotations

import math
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.net.uploads import Interrupted, MediaClient
from tests.desktop.conftest import wait_online
from tests.desktop.video_fixtures import s3_video, video_dir  # noqa: F401
from tests.desktop.video_flow import (
    PLAYING,
    PartRecorder,
    attach_with_button,
    click_play,
    open_chat,
    two_people,
    wait_frame_at,
)

PART = 5 * 1024 * 1024


@pytest.fixture
def server_env(aws_env: dict[str, str]) -> dict[str, str]:
    import boto3

    bucket = f"parley-video-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=aws_env["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket=bucket)
    return {**aws_env, "PARLEY_STORAGE_BACKEND": "s3", "PARLEY_S3_BUCKET": bucket,
            "PARLEY_UPLOAD_PART_SIZE": str(PART)}


def test_video_over_s3_survives_an_app_restart_and_plays(qtbot: Any, make_app: Any, live_server: Any,
                                                        moto_server: str, s3_video: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, alice, binh = two_people(qtbot, make_app, live_server)
    alice_id, binh_id = alice["user"]["id"], binh["user"]["id"]
    chat_a = open_chat(qtbot, a, binh).chat
    dead = {"yes": False, "started": 0}
    lock = threading.Lock()
    original = MediaClient.put_part

    first_done = threading.Event()

    def put_part(client: Any, target: Any, body: Any) -> str:
        with lock:  # one part gets through, then the app "crashes": nothing more leaves it
            dead["started"] += 1
            first = dead["started"] == 1
        if not first:
            first_done.wait(30)
            dead["yes"] = True
            raise Interrupted("shutdown")
        etag = original(client, target, body)
        first_done.set()
        return etag

    monkeypatch.setattr(MediaClient, "put_part", put_part)
    va = attach_with_button(qtbot, chat_a, s3_video, monkeypatch)
    qtbot.mouseClick(va.panel.send_button, Qt.MouseButton.LeftButton)
    [state] = a.uploads.uploads(binh_id)
    key = state.key
    total = math.ceil(s3_video.stat().st_size / PART)
    assert total == 3
    qtbot.waitUntil(lambda: dead["yes"] and len(a.uploads.store.get(key).parts) == 1, timeout=30000)
    before = set(a.uploads.store.get(key).parts)
    a.shutdown()  # the app is closed halfway
    dead["yes"], dead["started"] = False, -1000
    monkeypatch.setattr(MediaClient, "put_part", original)
    rec = PartRecorder(monkeypatch)  # from here on, every part that leaves the app

    a2 = make_app(live_server.url, profile="alice")  # the next start: silent sign-in, uploads resume
    qtbot.waitUntil(lambda: a2.main_window is not None, timeout=15000)
    wait_online(qtbot, a2)
    a2.open_chat(binh_id)
    chat_a2 = a2.chat_windows[binh_id].chat
    qtbot.waitUntil(lambda: any(bool(m.id and m.media and m.media.ready) for m in chat_a2.model.messages()),
                    timeout=60000)
    resent = rec.sent
    assert sorted(resent) == sorted(set(range(1, total + 1)) - before), (before, resent)
    assert all(u.startswith(moto_server) for u in rec.urls)  # straight to the bucket, never via the server
    assert not any("Authorization" in h for h in rec.headers)
    [sent] = [m for m in chat_a2.model.messages() if m.media]
    assert sent.client_id == key and sent.media.duration == pytest.approx(10.0, abs=0.3)

    b.open_chat(alice_id)
    chat_b = b.chat_windows[alice_id].chat
    qtbot.waitUntil(lambda: any(bool(m.media and m.media.ready) for m in chat_b.model.messages()), timeout=15000)
    [got] = [m for m in chat_b.model.messages() if m.media]
    assert got.media.duration == pytest.approx(10.0, abs=0.3) and got.media.height == 360
    click_play(qtbot, chat_b, got.id)
    qtbot.waitUntil(lambda: got.media.id in b.players, timeout=5000)
    player = b.players[got.media.id]
    qtbot.waitUntil(lambda: player.player.playbackState() == PLAYING and player.player.position() > 500,
                    timeout=20000)
    target = int(player.player.duration() * 0.8)
    player.seek(target)
    wait_frame_at(qtbot, player, target - 200)
    qtbot.waitUntil(lambda: player.player.position() >= target, timeout=5000)
