"""Hostile uploads against a live server: each fails alone, with a clear ``media:status`` error.

Beside them a normal upload succeeds and a person who registers gets their
code within a few seconds, and a worker killed mid-job fails only that job.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
import requests

from server.media_workers import TIMED_OUT, WORKER_DIED
from server.services import video
from tests.conftest import LiveServer, wait_until
from tests.server import media_hostile
from tests.server.media_helpers import Uploader, index_last_mp4, make_video, video_dir  # noqa: F401
from tests.server.realtime_helpers import Device

LIMIT = 10  # seconds a job may take here (plus 120 s per GiB: under a second for these files)
SERVER = {"PARLEY_MEDIA_JOB_SECONDS": str(LIMIT), "PARLEY_MEDIA_WORKERS": "2", "PARLEY_HLS": "off"}


@pytest.fixture
def server_env() -> dict[str, str]:
    return dict(SERVER)


@pytest.fixture(scope="module")
def small_faststart(video_dir: Path) -> bytes:  # noqa: F811
    path = make_video(video_dir / "small-faststart.mp4", seconds=8, size="640x360", bit_rate=4_000_000)
    return path.read_bytes()


@pytest.fixture(scope="module")
def runaway(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    raw = media_hostile.raw_mov(tmp_path_factory.mktemp("raw") / "raw.mov")
    return media_hostile.runaway_demux(raw.read_bytes())


def _registration_seconds(srv: LiveServer) -> float:
    """From ``POST /api/auth/register`` to the code being in the (console) outbox."""
    addr = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    t0, wall = time.monotonic(), time.time() - 1
    r = requests.post(f"{srv.url}/api/auth/register", timeout=10,
                      json={"email": addr, "password": "correct horse battery 9", "display_name": "New"})
    assert r.status_code == 202, r.text
    srv.outbox_code(addr, after=wall, timeout=30)
    return time.monotonic() - t0


def _status_event(device: Device, media_id: str, timeout: float = 30) -> dict:
    def event() -> dict | None:
        return next((d for e, d in device.events if e == "media:status" and d["id"] == media_id), None)
    return wait_until(event, timeout, 0.05, f"media:status for {media_id}")


def _send_parts(up: Uploader, data: bytes) -> tuple[str, dict[int, str]]:
    up.etags = {}
    u = up.start(data)
    for n in range(1, u["part_count"] + 1):
        assert up.put(u, data, n).status_code == 200
    return u["upload_id"], dict(up.etags)


def _complete(up: Uploader, upload_id: str, etags: dict[int, str]) -> str:
    r = up.complete(upload_id, etags)
    assert r.status_code == 202, r.text
    return r.json()["media_id"]


def _processing(up: Uploader, media_id: str) -> bool:
    return up.media(media_id).json()["status"] == "processing"


def test_hostile_uploads_fail_alone_beside_a_normal_upload_and_a_registration(
        live_server: LiveServer, index_last_mp4: bytes, small_faststart: bytes, runaway: bytes) -> None:  # noqa: F811
    owner = live_server.register_verified("Target")
    device = Device(live_server.url, owner["tokens"]["access_token"]).connect()
    try:
        up = Uploader(live_server, owner)
        # Every part is sent first; then the five jobs start together.
        sent = [_send_parts(up, data) for data in (
            media_hostile.tiny_boxes(index_last_mp4, 2_000_000), media_hostile.truncated(small_faststart),
            runaway, runaway, index_last_mp4)]
        boxes, cut, *slow, normal = [_complete(up, *s) for s in sent]
        # Two runaway demuxes: both workers are busy with them until the time limit.
        took = _registration_seconds(live_server)
        # The registration was served while both workers were still held by the runaways.
        assert all(_processing(up, m) for m in slow), "the runaways ended before the registration"
        assert took < 5, f"the registration code took {took:.1f} s while video jobs ran"

        expected = {
            boxes: "This video file is split into too many pieces (more than 100,000 MP4 boxes)",
            cut: video.DAMAGED,
            slow[0]: TIMED_OUT.format(seconds=LIMIT).split("(")[0],
            slow[1]: TIMED_OUT.format(seconds=LIMIT).split("(")[0],
        }
        for media_id, error in expected.items():
            event = _status_event(device, media_id, timeout=LIMIT + 30)
            assert event["status"] == "failed" and event["error"].startswith(error), event
            m = up.wait_done(media_id)
            assert (m["status"], m["error"]) == ("failed", event["error"])
        m = up.wait_done(normal, timeout=LIMIT + 60)
        assert m["status"] == "ready" and abs(m["duration"] - 8.0) < 0.5, m
        assert _status_event(device, normal)["status"] == "ready"
    finally:
        device.close()


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            kids += [int(k) for k in fh.read().split()]
    return kids


def _reading_video(pid: int, media_dir: Path) -> bool:
    """Whether process ``pid`` has a stored video open (a worker on a job)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            if os.readlink(fd).startswith(str(media_dir / "v")):
                return True
        except OSError:
            continue
    return False


# a long job limit: the worker is caught with the video open however long the job waited to start
@pytest.mark.parametrize("server_env", [{**SERVER, "PARLEY_MEDIA_JOB_SECONDS": "60"}])
def test_a_worker_killed_mid_job_fails_that_upload_only(live_server: LiveServer, runaway: bytes,
                                                        index_last_mp4: bytes) -> None:  # noqa: F811
    assert live_server.proc is not None
    server_pid = live_server.proc.pid
    workers = wait_until(lambda: len(_children(server_pid)) == 2 and _children(server_pid), 30,
                         what="two worker processes")
    owner = live_server.register_verified("Unlucky")
    up = Uploader(live_server, owner)
    media_id = up.upload(runaway, "runaway.mov")
    media_dir = live_server.data_dir / "media"
    busy = wait_until(lambda: next((p for p in workers if _reading_video(p, media_dir)), None), 45,
                      what="a worker to open the video")
    os.kill(busy, 9)
    m = up.wait_done(media_id, timeout=30)
    assert m["status"] == "failed" and m["error"] == WORKER_DIED.format(how="killed by SIGKILL"), m
    # The pool has two workers again, and the next upload is processed.
    wait_until(lambda: len(_children(server_pid)) == 2 and busy not in _children(server_pid), 30,
               what="the killed worker to be replaced")
    m = up.wait_done(up.upload(index_last_mp4, "next.mp4"), timeout=60)
    assert m["status"] == "ready", m


@pytest.mark.parametrize("server_env", [{**SERVER, "PARLEY_MEDIA_JOB_SECONDS": "120",
                                         "PARLEY_MEDIA_JOB_MEMORY": "300MiB"}])
def test_the_memory_limit_stops_a_runaway_before_the_time_limit(live_server: LiveServer,
                                                                 runaway: bytes) -> None:
    # The runaway's index alone needs 240 MB. Under a 300 MiB limit FFmpeg cannot allocate it,
    # drops it, finds no packets, and the file reads as damaged: at once, not after 120 s.
    # (A job that runs out of memory in Python or in a codec gets OUT_OF_MEMORY: test_media_workers.py.)
    owner = live_server.register_verified("Greedy")
    up = Uploader(live_server, owner)
    m = up.wait_done(up.upload(runaway, "runaway.mov"), timeout=60)
    assert (m["status"], m["error"]) == ("failed", video.DAMAGED), m
