"""The resumable upload protocol of the desktop app, against a fake of the contract's Media calls."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.core.uploads import (
    PROCESSING,
    UploadState,
    UploadStore,
    VideoRefused,
    human_size,
    inspect_video,
    plan_parts,
)
from desktop.core.errors import NetworkError
from desktop.net.uploads import Control, Interrupted, MediaClient, Uploader, abort_upload, download
from tests.desktop.video_fixtures import FakeMediaServer, StaticApi, fake_media, not_a_video, small_video, \
    video_dir  # noqa: F401

KIB = 1024


def _state(path: Path, key: str = "c1") -> UploadState:
    st = path.stat()
    return UploadState(key=key, owner="srv|me", peer_id="peer", path=str(path), filename=path.name,
                       size=st.st_size, mtime=st.st_mtime, content_type="video/mp4")


def test_plan_parts_cover_the_file_exactly() -> None:
    spans = plan_parts(10 * KIB + 1, 4 * KIB)
    assert [(s.n, s.offset, s.length) for s in spans] == [(1, 0, 4096), (2, 4096, 4096), (3, 8192, 2049)]
    assert sum(s.length for s in plan_parts(5 << 20, 1 << 20)) == 5 << 20
    assert human_size(1_500_000) == "1.5 MB"


def test_store_keeps_state_and_parts_across_reopen(tmp_path: Path, small_video: Path) -> None:
    store = UploadStore(tmp_path / "uploads.sqlite3")
    s = _state(small_video)
    s.upload_id, s.part_size = "u1", 256 * KIB
    store.save(s)
    store.add_part("c1", 2, '"e2"')
    store.close()
    again = UploadStore(tmp_path / "uploads.sqlite3")
    [loaded] = again.load("srv|me")
    assert loaded.upload_id == "u1" and loaded.parts == {2: '"e2"'}
    assert loaded.missing() == [n for n in range(1, len(loaded.spans()) + 1) if n != 2]
    assert again.load("srv|someone-else") == []
    again.remove("c1")
    assert again.load("srv|me") == []


class CountingClient(MediaClient):
    """A real MediaClient that notes which threads send parts and how many at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.threads: set[int] = set()

    def put_part(self, target: Any, body: Any) -> str:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.threads.add(threading.get_ident())
        try:
            time.sleep(0.05)  # long enough for the other senders to be in flight too
            return super().put_part(target, body)
        finally:
            with self.lock:
                self.now -= 1


def test_upload_sends_every_part_in_parallel_and_completes(tmp_path: Path, small_video: Path,
                                                          fake_media: FakeMediaServer, runners: Any) -> None:
    store = UploadStore(tmp_path / "u.sqlite3")
    client = CountingClient(StaticApi(fake_media.url))
    seen: list[tuple[int, int]] = []
    state = Uploader(client, store, spawn=runners.parts.start, connections=3).run(
        _state(small_video), Control(), lambda d, t: seen.append((d, t)))
    count = len(plan_parts(small_video.stat().st_size, 256 * KIB))
    assert count >= 4
    # the parts went 3 at a time, as jobs of the upload-parts runner (no thread or executor of its own)
    assert client.most == 3, client.most
    assert threading.get_ident() not in client.threads and len(client.threads) >= 2
    assert sorted(fake_media.puts) == list(range(1, count + 1))
    assert state.phase == PROCESSING and state.media_id in fake_media.media
    upload_id = state.upload_id
    assert fake_media.assembled(upload_id) == small_video.read_bytes()
    assert seen[-1] == (small_video.stat().st_size, small_video.stat().st_size)
    assert not any("Authorization" in h for h in fake_media.put_headers)  # a part URL carries its own token
    assert store.get(state.key).phase == PROCESSING


def test_presigned_part_urls_get_no_authorization_header(tmp_path: Path, small_video: Path) -> None:
    fake = FakeMediaServer(presigned=True)
    try:
        state = Uploader(MediaClient(StaticApi(fake.url)), UploadStore(tmp_path / "u.sqlite3")).run(
            _state(small_video), Control())
        assert state.media_id
        assert fake.put_headers and not any("Authorization" in h for h in fake.put_headers)
        assert all(h.get("Content-Type") == "application/octet-stream" for h in fake.put_headers)
    finally:
        fake.close()


def test_a_refused_part_is_retried(tmp_path: Path, small_video: Path, fake_media: FakeMediaServer,
                                   runners: Any) -> None:
    fake_media.fail_parts = {2: 2}
    up = Uploader(MediaClient(StaticApi(fake_media.url)), UploadStore(tmp_path / "u.sqlite3"),
                  spawn=runners.parts.start, backoff=0.01)
    state = up.run(_state(small_video), Control())
    assert fake_media.puts.count(2) == 3 and state.media_id


def test_a_part_that_keeps_failing_ends_the_upload_once_every_sender_ended(
        tmp_path: Path, small_video: Path, fake_media: FakeMediaServer, runners: Any) -> None:
    fake_media.fail_parts = {1: 100}
    seen: list[int] = []
    up = Uploader(MediaClient(StaticApi(fake_media.url)), UploadStore(tmp_path / "u.sqlite3"),
                  spawn=runners.parts.start, connections=3, retries=1, backoff=0.01)
    with pytest.raises(NetworkError):
        up.run(_state(small_video), Control(), lambda d, t: seen.append(d))
    assert runners.parts.wait_idle(5000)  # every sender ended with the upload
    assert fake_media.puts.count(1) == 2  # one try and one retry
    assert 1 not in UploadStore(tmp_path / "u.sqlite3").load("srv|me")[0].parts


def test_an_upload_whose_part_runner_is_shut_down_ends_instead_of_waiting(
        tmp_path: Path, small_video: Path, fake_media: FakeMediaServer, runners: Any) -> None:
    runners.parts.shutdown()  # the app is quitting: no part sender can start
    up = Uploader(MediaClient(StaticApi(fake_media.url)), UploadStore(tmp_path / "u.sqlite3"),
                  spawn=runners.parts.start, connections=3)
    with pytest.raises(NetworkError):
        up.run(_state(small_video), Control())
    assert fake_media.puts == []


def test_interrupted_upload_resumes_with_only_the_missing_parts(tmp_path: Path, small_video: Path,
                                                               fake_media: FakeMediaServer, runners: Any) -> None:
    store = UploadStore(tmp_path / "u.sqlite3")
    client = MediaClient(StaticApi(fake_media.url))
    control = Control()
    stopped = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 2 * 256 * KIB and not stopped.is_set():  # pause once two parts are through
            stopped.set()
            control.stop("paused")

    with pytest.raises(Interrupted):
        Uploader(client, store, connections=1).run(_state(small_video), control, progress)
    # a fresh process: only what is on disk survives
    [saved] = UploadStore(tmp_path / "u.sqlite3").load("srv|me")
    done_before = set(saved.parts)
    assert len(done_before) >= 1 and saved.missing()
    fake_media.forget_parts = {min(done_before)}  # and the server lost one of them
    expected = sorted(set(saved.missing()) | {min(done_before)})
    resumed = Uploader(client, store, spawn=runners.parts.start, connections=3)
    state = resumed.run(saved, Control())
    assert sorted(resumed.sent_parts) == expected, (resumed.sent_parts, expected, done_before)
    assert min(done_before) in expected
    assert not (set(resumed.sent_parts) & (done_before - {min(done_before)}))
    assert fake_media.assembled(state.upload_id) == small_video.read_bytes()


def test_cancel_deletes_the_upload_on_the_server(tmp_path: Path, small_video: Path,
                                                fake_media: FakeMediaServer) -> None:
    store = UploadStore(tmp_path / "u.sqlite3")
    client = MediaClient(StaticApi(fake_media.url))
    control = Control()
    with pytest.raises(Interrupted):
        Uploader(client, store, connections=1).run(_state(small_video), control,
                                                   lambda d, t: d > 300 * KIB and control.stop("cancelled"))
    [saved] = store.load("srv|me")
    assert saved.upload_id in fake_media.uploads
    abort_upload(client, store, saved)
    assert saved.upload_id not in fake_media.uploads and store.load("srv|me") == []


def test_local_checks_refuse_a_non_video_and_an_oversized_file(small_video: Path, not_a_video: Path) -> None:
    ok = inspect_video(small_video)
    assert ok.content_type == "video/mp4" and ok.width == 640 and 5.5 < ok.duration < 6.5
    with pytest.raises(VideoRefused) as exc:
        inspect_video(not_a_video)
    assert str(exc.value) == "“notes.mp4” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video."
    with pytest.raises(VideoRefused) as exc:
        inspect_video(small_video, max_bytes=500_000)
    assert "this server accepts videos up to 500.0 KB" in str(exc.value)


def test_download_resumes_a_partial_file_with_range(tmp_path: Path, small_video: Path,
                                                    fake_media: FakeMediaServer) -> None:
    state = Uploader(MediaClient(StaticApi(fake_media.url)), UploadStore(tmp_path / "u.sqlite3")).run(
        _state(small_video), Control())
    client = MediaClient(StaticApi(fake_media.url))
    url = fake_media.media[state.media_id]["playback_url"]
    dest = tmp_path / "saved.mp4"
    blob = small_video.read_bytes()
    (tmp_path / "saved.mp4.part").write_bytes(blob[:300_000])  # an earlier, interrupted try
    seen: list[int] = []
    download(client, lambda: url, dest, Control(), lambda d, t: seen.append(d))
    assert dest.read_bytes() == blob
    assert seen[0] > 300_000  # it continued, it did not start over
