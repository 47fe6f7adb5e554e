"""Helpers for the media tests: generated videos (cached), a resumable-upload client, waits."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

import av
import pytest
import requests

from tests.conftest import LiveServer, wait_until

T = 30


def make_video(path: Path, *, seconds: int = 20, size: str = "1280x720", rate: int = 18,
               bit_rate: int = 12_000_000, faststart: bool = True) -> Path:
    """An MP4 (MPEG-4 Part 2 video + AAC) from FFmpeg's test patterns, made with PyAV (no ffmpeg CLI).

    ``faststart=False`` leaves the ``moov`` index after the media data, as
    many cameras and screen recorders do.
    """
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one xdist worker makes it, the others wait and reuse it
        if not path.exists():
            _encode(path, seconds=seconds, size=size, rate=rate, bit_rate=bit_rate, faststart=faststart)
    return path


def _encode(path: Path, *, seconds: int, size: str, rate: int, bit_rate: int, faststart: bool) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    w, h = map(int, size.split("x"))
    opts = {"movflags": "+faststart"} if faststart else {}
    with av.open(f"testsrc2=size={size}:rate={rate}:duration={seconds}", format="lavfi") as vin, \
            av.open(f"sine=frequency=440:duration={seconds}", format="lavfi") as ain, \
            av.open(str(tmp), "w", format="mp4", options=opts) as out:
        vs = out.add_stream("mpeg4", rate=rate)
        vs.width, vs.height, vs.pix_fmt, vs.bit_rate = w, h, "yuv420p", bit_rate
        aus = out.add_stream("aac", rate=44100)
        for frame in vin.decode(video=0):
            frame.pts = None
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        for frame in ain.decode(audio=0):
            frame.pts = None
            out.mux(aus.encode(frame))
        out.mux(aus.encode(None))
    os.replace(tmp, path)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by every xdist worker of this run (its parent is the run's base temp dir)."""
    d = tmp_path_factory.getbasetemp().parent / "parley-media-videos"
    d.mkdir(exist_ok=True)
    return d


@pytest.fixture(scope="session")
def big_mp4(video_dir: Path) -> bytes:
    """~30 MB, 20 s, 1280x720, index first."""
    return make_video(video_dir / "big-faststart.mp4").read_bytes()


@pytest.fixture(scope="session")
def index_last_mp4(video_dir: Path) -> bytes:
    """~6 MB, 8 s, 640x360, ``moov`` after ``mdat`` (exercises faststart)."""
    return make_video(video_dir / "small-index-last.mp4", seconds=8, size="640x360", bit_rate=6_000_000,
                      faststart=False).read_bytes()


def auth(user: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['tokens']['access_token']}"}


class Uploader:
    """A client of the contract's resumable upload."""

    def __init__(self, srv: LiveServer, user: dict) -> None:
        self.base = srv.url
        self.h = auth(user)
        self.etags: dict[int, str] = {}

    def create(self, size: int, filename: str = "clip.mp4",
               content_type: str = "video/mp4") -> requests.Response:
        return requests.post(f"{self.base}/api/media/uploads", headers=self.h, timeout=T,
                             json={"filename": filename, "size": size, "content_type": content_type})

    def start(self, data: bytes, **kw: str) -> dict:
        r = self.create(len(data), **kw)
        assert r.status_code == 201, r.text
        return r.json()

    def target(self, upload_id: str, n: int) -> requests.Response:
        return requests.post(f"{self.base}/api/media/uploads/{upload_id}/parts/{n}", headers=self.h,
                             timeout=T)

    def put(self, up: dict, data: bytes, n: int, body: bytes | None = None) -> requests.Response:
        r = self.target(up["upload_id"], n)
        assert r.status_code == 200, r.text
        t = r.json()
        ps = up["part_size"]
        chunk = data[(n - 1) * ps: n * ps] if body is None else body
        resp = requests.request(t["method"], t["url"], data=chunk, headers=t["headers"], timeout=60)
        if resp.status_code == 200:
            self.etags[n] = resp.headers["ETag"]
        return resp

    def status(self, upload_id: str) -> dict:
        r = requests.get(f"{self.base}/api/media/uploads/{upload_id}", headers=self.h, timeout=T)
        assert r.status_code == 200, r.text
        return r.json()

    def complete(self, upload_id: str, parts: dict[int, str] | None = None) -> requests.Response:
        parts = self.etags if parts is None else parts
        return requests.post(f"{self.base}/api/media/uploads/{upload_id}/complete", headers=self.h, timeout=T,
                             json={"parts": [{"n": n, "etag": e} for n, e in sorted(parts.items())]})

    def upload(self, data: bytes, filename: str = "clip.mp4") -> str:
        """The whole upload in one go; returns the media id."""
        self.etags = {}
        up = self.start(data, filename=filename)
        for n in range(1, up["part_count"] + 1):
            assert self.put(up, data, n).status_code == 200
        r = self.complete(up["upload_id"])
        assert r.status_code == 202, r.text
        return r.json()["media_id"]

    def media(self, media_id: str, headers: dict[str, str] | None = None) -> requests.Response:
        return requests.get(f"{self.base}/api/media/{media_id}", headers=headers or self.h, timeout=T)

    def wait_done(self, media_id: str, timeout: float = 60) -> dict:
        def done() -> dict | None:
            m = self.media(media_id).json()
            return m if m["status"] in ("ready", "failed") else None
        return wait_until(done, timeout, 0.1, f"media {media_id} to leave processing")


def wait_for(cond, timeout: float = 20, what: str = "condition"):  # noqa: ANN001, ANN201
    return wait_until(cond, timeout, 0.1, what)


