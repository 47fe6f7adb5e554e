"""UploadManager: background uploads with progress, pause/resume/cancel, and resume after a crash."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.core.uploads import FAILED, PAUSED, PROCESSING, UploadStore, plan_parts
from desktop.net.uploads import Interrupted, MediaClient
from desktop.qt.uploads import PreparedVideo, UploadManager
from tests.desktop.conftest import Runners
from tests.desktop.video_fixtures import FakeMediaServer, StaticApi, fake_media, not_a_video, small_video, \
    video_dir  # noqa: F401

KIB = 1024


_made: list[UploadManager] = []
_runners: list[Runners] = []


@pytest.fixture(autouse=True)
def _cleanup(qtbot: Any, runners: Runners) -> Any:
    _runners.append(runners)  # torn down after the managers: this fixture depends on it
    yield
    _runners.clear()
    while _made:
        m = _made.pop()
        m.shutdown()
        m.store.close()
        m.deleteLater()
    qtbot.wait(10)  # let deleteLater run while the QApplication is alive


def _manager(fake: FakeMediaServer, path: Path, **kw: Any) -> UploadManager:
    m = UploadManager(MediaClient(StaticApi(fake.url)), UploadStore(path), "srv|me",
                      **_runners[0].upload_kwargs(), **kw)
    _made.append(m)
    return m


def _prepare(qtbot: Any, m: UploadManager, path: Path) -> PreparedVideo:
    got: list[Any] = []
    m.prepare(str(path), got.append, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert isinstance(got[0], PreparedVideo), got
    return got[0]


def test_upload_reports_progress_and_hands_the_ready_video_over(qtbot: Any, tmp_path: Path, small_video: Path,
                                                               fake_media: FakeMediaServer) -> None:
    m = _manager(fake_media, tmp_path / "u.sqlite3")
    progress: list[Any] = []
    m.progress.connect(lambda key, p: progress.append(p))
    prepared = _prepare(qtbot, m, small_video)
    assert prepared.video.name == "clip.mp4" and prepared.created["part_size"] == 256 * KIB
    with qtbot.waitSignal(m.readyToSend, timeout=15000) as ready:
        state = m.start(prepared, "peer-1")
    sent, info = ready.args
    assert sent.key == state.key and sent.peer_id == "peer-1" and info.ready and info.duration == 6.0
    assert progress[-1].percent == 100
    assert m.store.get(state.key).phase == PROCESSING  # kept until the outbox holds the message
    with qtbot.waitSignal(m.removed):
        m.handed_over(state.key)
    qtbot.waitUntil(lambda: m.store.get(state.key) is None, timeout=5000)
    m.shutdown()


def test_a_non_video_and_a_too_large_video_are_refused(qtbot: Any, tmp_path: Path, small_video: Path,
                                                       not_a_video: Path) -> None:
    fake = FakeMediaServer(max_bytes=500_000)
    try:
        m = _manager(fake, tmp_path / "u.sqlite3")
        for path in (not_a_video, small_video):
            got: list[Any] = []
            m.prepare(str(path), got.append, got.append)
            qtbot.waitUntil(lambda: bool(got), timeout=10000)
            assert isinstance(got[0], str)
            if path == not_a_video:
                assert got[0] == "“notes.mp4” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video."
            else:
                assert got[0].startswith("“clip.mp4” can't be sent.")
        assert not fake.uploads
        m.shutdown()
    finally:
        fake.close()


def test_pause_resume_and_cancel(qtbot: Any, tmp_path: Path, small_video: Path, fake_media: FakeMediaServer,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    m = _manager(fake_media, tmp_path / "u.sqlite3", connections=1)
    original = MediaClient.put_part
    calls = {"n": 0}

    def put_part(self: MediaClient, target: Any, body: Any) -> str:
        calls["n"] += 1
        etag = original(self, target, body)
        if calls["n"] == 2:
            m.pause(key)  # the person pauses while part 2 is answered
        return etag

    monkeypatch.setattr(MediaClient, "put_part", put_part)
    prepared = _prepare(qtbot, m, small_video)
    key = ""
    with qtbot.waitSignal(m.changed, check_params_cb=lambda s: s.phase == PAUSED, timeout=10000):
        key = m.start(prepared, "peer").key
    assert set(m.store.get(key).parts) == {1, 2}
    fake_media.puts.clear()
    with qtbot.waitSignal(m.readyToSend, timeout=15000):
        m.resume(key)
    total = len(plan_parts(small_video.stat().st_size, 256 * KIB))
    assert sorted(fake_media.puts) == list(range(3, total + 1))

    prepared = _prepare(qtbot, m, small_video)
    calls["n"] = -100  # no pause this time
    state = m.start(prepared, "peer")
    with qtbot.waitSignal(m.removed, timeout=10000):
        m.cancel(state.key)
    qtbot.waitUntil(lambda: state.upload_id not in fake_media.uploads and m.store.get(state.key) is None,
                    timeout=10000)
    m.shutdown()


def test_after_a_crash_a_new_manager_sends_only_the_missing_parts(qtbot: Any, tmp_path: Path, small_video: Path,
                                                                 fake_media: FakeMediaServer,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "uploads.sqlite3"
    first = _manager(fake_media, db, connections=1)
    original = MediaClient.put_part
    crashed = {"after": 2, "count": 0}

    def dying_put(self: MediaClient, target: Any, body: Any) -> str:
        if crashed["count"] >= crashed["after"]:
            raise Interrupted("shutdown")  # the process is gone: nothing more is sent or recorded
        crashed["count"] += 1
        return original(self, target, body)

    monkeypatch.setattr(MediaClient, "put_part", dying_put)
    prepared = _prepare(qtbot, first, small_video)
    key = first.start(prepared, "peer-9").key
    def two_parts_recorded() -> bool:
        saved = first.store.get(key)
        return saved is not None and len(saved.parts) == 2

    qtbot.waitUntil(two_parts_recorded, timeout=10000)
    first.shutdown()
    monkeypatch.setattr(MediaClient, "put_part", original)

    fake_media.puts.clear()
    second = _manager(fake_media, db)
    loaded: list[int] = []
    with qtbot.waitSignal(second.readyToSend, timeout=15000) as ready:
        second.resume_unfinished(loaded.append)
    assert loaded == [1]
    state, info = ready.args
    assert state.key == key and state.peer_id == "peer-9" and info.ready
    total = len(plan_parts(small_video.stat().st_size, 256 * KIB))
    assert sorted(fake_media.puts) == list(range(3, total + 1))  # parts 1 and 2 were not sent again
    assert sorted(second.sent_parts()) == list(range(3, total + 1))
    assert fake_media.assembled(prepared.created["upload_id"]) == small_video.read_bytes()
    second.shutdown()


def test_processing_failure_shows_the_servers_reason_and_retry_sends_again(
        qtbot: Any, tmp_path: Path, small_video: Path, fake_media: FakeMediaServer) -> None:
    m = _manager(fake_media, tmp_path / "u.sqlite3")
    prepared = _prepare(qtbot, m, small_video)
    real_complete = fake_media.media

    class FailingMedia(dict):  # the fake stores media as ready; make this one fail once
        def __setitem__(self, k: str, v: dict) -> None:
            if not getattr(self, "failed_once", False):
                v = {**v, "status": "failed", "error": "This file is not a video Parley can play."}
                self.failed_once = True
            super().__setitem__(k, v)

    fake_media.media = FailingMedia(real_complete)
    with qtbot.waitSignal(m.changed, check_params_cb=lambda s: s.phase == FAILED, timeout=15000) as sig:
        state = m.start(prepared, "peer")
    assert sig.args[0].error == "This file is not a video Parley can play."
    with qtbot.waitSignal(m.readyToSend, timeout=15000):
        m.retry(state.key)
    m.shutdown()
