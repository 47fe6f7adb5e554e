"""The upload, processing and HLS encode jobs on PostgreSQL (upsert of parts, the jobs' claims with RETURNING)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import requests

from tests.conftest import HLS_ON, ROOT, LiveServer, wait_until
from tests.server.media_helpers import Uploader, index_last_mp4, video_dir  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgres


def test_upload_resume_and_process_on_postgres(tmp_path: Path, postgres_url: str,
                                               index_last_mp4: bytes) -> None:  # noqa: F811
    env = {**HLS_ON, "PARLEY_DATABASE_URL": postgres_url, "PARLEY_UPLOAD_PART_SIZE": "1MiB"}
    data_dir = tmp_path / "pg"
    up = subprocess.run([sys.executable, "-m", "server", "db", "upgrade"], cwd=ROOT, capture_output=True,
                        text=True, env={**os.environ, "PARLEY_DATA_DIR": str(data_dir), **env}, timeout=120)
    assert up.returncode == 0, up.stderr
    srv = LiveServer(data_dir, env).start(timeout=90)
    try:
        owner = srv.register_verified("Postgres")
        client = Uploader(srv, owner)
        u = client.start(index_last_mp4)
        assert u["part_count"] > 3
        for n in range(1, u["part_count"] + 1):
            assert client.put(u, index_last_mp4, n).status_code == 200
        first = client.etags[2]
        assert client.put(u, index_last_mp4, 2).status_code == 200  # sent twice: the row is replaced
        assert client.etags[2] != first
        st = client.status(u["upload_id"])
        assert st["parts_received"] == list(range(1, u["part_count"] + 1))
        assert {p["n"]: p["etag"] for p in st["parts"]}[2] == client.etags[2]
        r = client.complete(u["upload_id"])
        assert r.status_code == 202, r.text
        m = client.wait_done(r.json()["media_id"])
        assert m["status"] == "ready" and (m["width"], m["height"]) == (640, 360), m
        # the HLS encode's claim, heartbeat and result (migration 0007 on PostgreSQL)
        hls = wait_until(lambda: (lambda h: h if h and h["status"] == "ready" else None)(
            client.media(m["id"]).json()["hls"]), 90, 0.2, "renditions")
        assert [(r["name"], r["height"]) for r in hls["renditions"]] == [("source", 360)]
        master = requests.get(srv.url + hls["master_url"], timeout=30)
        assert master.status_code == 200 and "source.m3u8?token=" in master.text
    finally:
        srv.stop()
