"""A processing job survives a crash: after ``kill -9`` it is picked up again (same or another process)."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, wait_until
from tests.server.media_helpers import Uploader, index_last_mp4, video_dir  # noqa: F401 - fixtures

SLOW = {"PARLEY_MEDIA_LEASE_SECONDS": "3", "PARLEY_HLS": "off"}


def _attempts(data_dir: Path, media_id: str) -> tuple[str, int]:
    with sqlite3.connect(data_dir / "parley.db") as db:
        return db.execute("SELECT status, attempts FROM media WHERE id = ?", (media_id,)).fetchone()


def _children(pid: int) -> list[int]:
    return [int(k) for task in Path(f"/proc/{pid}/task").iterdir()
            for k in (task / "children").read_text().split()]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def server_env() -> dict[str, str]:
    return {**SLOW, "PARLEY_TEST_PROCESSING_DELAY": "120"}


def test_job_finishes_after_a_crash_and_restart(live_server: LiveServer, index_last_mp4: bytes) -> None:  # noqa: F811
    owner = live_server.register_verified("Patient")
    up = Uploader(live_server, owner)
    media_id = up.upload(index_last_mp4)
    wait_until(lambda: _attempts(live_server.data_dir, media_id) == ("processing", 1), 30,
               what="the job's claim")
    assert live_server.proc is not None
    workers = _children(live_server.proc.pid)
    assert len(workers) == 2, workers  # the media worker processes
    live_server.kill()  # mid-job: no cleanup, the claim is left behind
    # Its workers see their stdin close and exit: nothing is left running.
    wait_until(lambda: not any(_running(pid) for pid in workers), 15,
               what="the dead server's workers to exit")
    live_server.env.pop("PARLEY_TEST_PROCESSING_DELAY")
    live_server.start(timeout=90)
    m = up.wait_done(media_id, timeout=60)
    assert m["status"] == "ready", m
    assert _attempts(live_server.data_dir, media_id) == ("ready", 2)
    assert abs(m["duration"] - 8.0) < 0.5 and m["thumbnail_url"]


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two processes on one data dir and database, as behind a load balancer."""
    env = {**SLOW, "PARLEY_TEST_PROCESSING_DELAY": "5"}  # longer than the lease
    a = LiveServer(tmp_path / "shared", env).start(timeout=90)
    b = LiveServer(tmp_path / "shared", env)
    b.log_path = tmp_path / "b.log"
    try:
        b.start(timeout=90)
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_another_process_takes_over_a_dead_ones_job(two_servers, index_last_mp4: bytes) -> None:  # noqa: ANN001, F811
    a, b = two_servers
    owner = a.register_verified("Clustered")
    media_id = Uploader(a, owner).upload(index_last_mp4)
    wait_until(lambda: _attempts(a.data_dir, media_id) == ("processing", 1), 30, what="the job's claim")
    a.kill()
    m = Uploader(b, owner).wait_done(media_id, timeout=60)
    assert m["status"] == "ready", m
    # B waited for the lapsed claim and took it once; it never ran the job beside A.
    assert _attempts(b.data_dir, media_id) == ("ready", 2)


def test_a_live_claim_is_not_taken(two_servers, index_last_mp4: bytes) -> None:  # noqa: ANN001, F811
    a, b = two_servers
    owner = a.register_verified("Single")
    media_id = Uploader(a, owner).upload(index_last_mp4)
    m = Uploader(b, owner).wait_done(media_id, timeout=60)
    assert m["status"] == "ready", m
    # The job ran longer than the lease; the heartbeat kept it with its first claim.
    assert _attempts(a.data_dir, media_id) == ("ready", 1)
