"""The bundled server processes videos in its worker processes (``Parley server media-worker``).

Run by ``make package-test`` after ``make package``. A frozen executable has
no Python to run ``-c``: the server starts its workers as the bundle itself,
whose entry point hands ``server ...`` to the CLI.
"""
from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import requests

from tests.conftest import free_port, read_outbox_code, wait_until
from tests.packaging.test_bundle import EXE, clean_env
from tests.server.media_helpers import Uploader, index_last_mp4, video_dir  # noqa: F401 - fixtures
from tests.server.media_hostile import tiny_boxes


class _Hosted:
    """Enough of ``LiveServer`` for ``Uploader``: a URL and a data dir."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.url, self.data_dir = url, data_dir


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def test_the_bundled_server_processes_video_in_worker_processes(tmp_path: Path,
                                                                 index_last_mp4: bytes) -> None:  # noqa: F811
    port = free_port()
    data = tmp_path / "hosted"
    env = clean_env(tmp_path, PARLEY_DATA_DIR=str(data), PARLEY_LOG_FORMAT="text", PARLEY_RATE_LIMITS="off")
    proc = subprocess.Popen([str(EXE), "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{base}/healthz", timeout=2).status_code == 200, 60, 0.2,
                   "the bundled server")
        workers = wait_until(lambda: len(_children(proc.pid)) == 2 and _children(proc.pid), 60,
                             what="two media workers")
        for pid in workers:  # the bundle running itself as a worker
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            assert cmd[:3] == [str(EXE).encode(), b"server", b"media-worker"], cmd
        addr = "filmmaker@example.com"
        r = requests.post(f"{base}/api/auth/register", timeout=10,
                          json={"email": addr, "password": "harbor lights 42", "display_name": "Film"})
        assert r.status_code == 202
        code = read_outbox_code(data, addr)
        r = requests.post(f"{base}/api/auth/verify", timeout=10,
                          json={"email": addr, "code": code, "password": "harbor lights 42"})  # contract v2
        assert r.status_code == 200, r.text
        up = Uploader(_Hosted(base, data), {"tokens": r.json()})  # type: ignore[arg-type]
        m = up.wait_done(up.upload(index_last_mp4), timeout=120)
        assert m["status"] == "ready" and m["thumbnail_url"], m
        m = up.wait_done(up.upload(tiny_boxes(index_last_mp4, 200_000), "boxes.mp4"), timeout=120)
        assert m["status"] == "failed" and "too many pieces" in m["error"], m
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out[-2000:]
    assert "Traceback" not in out, out[-2000:]
