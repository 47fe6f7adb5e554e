"""HLS renditions against a live server on local storage."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import HLS_ON, LiveServer
from tests.server.hls_cases import *  # noqa: F403 - the shared test functions
from tests.server.hls_cases import clip_480p, clip_long_small  # noqa: F401 - fixtures
from tests.server.media_helpers import video_dir  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def backend() -> str:
    return "local"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("hls-local") / "server",
                        {**HLS_ON, "PARLEY_TEST_HLS_FRAME_DELAY": "0.1",
                         "PARLEY_MEDIA_LEASE_SECONDS": "4"}).start(timeout=90)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stored(srv: LiveServer) -> Callable[[], list[str]]:
    root: Path = srv.data_dir / "media"
    return lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_encode_renditions_queues_media_made_before_renditions(srv: LiveServer, clip_480p: bytes) -> None:  # noqa: F811
    """Media from before migration 0007 have no encode (``hls`` null) and play progressively;
    ``parley-server encode-renditions`` queues them and the running server encodes them."""
    import sqlite3
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.server.hls_cases import _hls
    from tests.server.media_helpers import Uploader
    owner = srv.register_verified("Archivist")
    up = Uploader(srv, owner)
    media_id = up.upload(clip_480p)
    _hls(up, media_id, "ready")
    with sqlite3.connect(srv.data_dir / "parley.db") as db:  # as if it were sent before renditions existed
        db.execute("UPDATE media SET hls_status = NULL, hls_renditions = NULL, hls_progress = NULL "
                   "WHERE id = ?", (media_id,))
    old = up.media(media_id).json()
    assert old["hls"] is None and old["playback_url"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "server", "encode-renditions", *args], cwd=ROOT,
                              env=srv.env, capture_output=True, text=True, timeout=60)
    done = cli("--all")
    assert done.returncode == 0 and f"{media_id}  queued" in done.stdout, done.stdout + done.stderr
    again = cli(media_id, "f" * 32)
    assert again.returncode == 1 and "no such video" in again.stdout, again.stdout
    m = _hls(up, media_id, "ready", timeout=60)  # the server's media worker picks it up (lease 4 s: every 2 s)
    assert [r["name"] for r in m["hls"]["renditions"]] == ["360p", "source"]


def test_an_encode_cut_short_by_a_crash_is_claimed_again(tmp_path: Path, clip_480p: bytes) -> None:  # noqa: F811
    """SIGKILL mid-encode: the claim lapses after the lease, the restarted server encodes it again."""
    import sqlite3

    import requests

    from tests.server.hls_cases import _hls
    from tests.server.media_helpers import Uploader, wait_for

    def state(media_id: str) -> tuple[str, int]:
        with sqlite3.connect(srv.data_dir / "parley.db") as db:
            return db.execute("SELECT hls_status, hls_attempts FROM media WHERE id = ?", (media_id,)).fetchone()
    srv = LiveServer(tmp_path / "crash", {**HLS_ON, "PARLEY_TEST_HLS_FRAME_DELAY": "0.3",
                                          "PARLEY_MEDIA_LEASE_SECONDS": "3"}).start(timeout=90)
    try:
        owner = srv.register_verified("Crashy")
        up = Uploader(srv, owner)
        media_id = up.upload(clip_480p)
        assert up.wait_done(media_id)["status"] == "ready"
        wait_for(lambda: state(media_id) == ("encoding", 1), 30, "the encode's claim")
        srv.kill()  # mid-encode (36 frames at 0.3 s): the claim stays behind
        srv.env.pop("PARLEY_TEST_HLS_FRAME_DELAY")
        srv.start(timeout=90)
        m = _hls(up, media_id, "ready", timeout=60)
        assert state(media_id) == ("ready", 2)
        master = requests.get(srv.url + m["hls"]["master_url"], timeout=30)
        assert master.status_code == 200 and "360p.m3u8" in master.text
        root = srv.data_dir / "media" / "h" / media_id
        assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
            "360p.m3u8", "360p/00000.ts", "master.m3u8", "source.m3u8", "source/00000.ts"]
        # the killed encode's scratch folder went when the job was claimed again
        assert not list((srv.data_dir / "media" / "incoming" / "tmp").glob("parley-hls-*"))
    finally:
        srv.stop()
