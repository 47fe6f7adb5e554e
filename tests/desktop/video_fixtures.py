"""Fixtures for the desktop video tests: generated clips and a small fake of the contract's Media calls.

The fake server lets the upload protocol be tested with failures injected at
exact points (a part refused, a server that forgets an upload) and records
which parts were PUT and with which headers. The live-server tests use the
real server; this one only pins the client's behaviour.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest


def make_video(path: Path, seconds: float = 6, size: str = "640x360", bitrate: str = "1500k",
               faststart: bool = True, cbr: bool = False) -> Path:
    """An H.264/AAC MP4 made by the ffmpeg CLI (testsrc2 pattern + a tone)."""
    if path.exists():
        return path
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
           "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds), "-c:v", "libx264", "-preset",
           "ultrafast", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-g", "25",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    if cbr:  # pad to the bitrate, so the size is predictable
        cmd += ["-minrate", bitrate, "-x264-params", "nal-hrd=cbr:force-cfr=1"]
    if faststart:
        cmd += ["-movflags", "+faststart"]
    subprocess.run(cmd + [str(tmp)], check=True)
    tmp.rename(path)
    return path


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.fail("the video tests need the ffmpeg command (Debian package ffmpeg)")
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def small_video(video_dir: Path) -> Path:
    """About 1.1 MB, 6 s, 640x360: several 256 KiB parts."""
    return make_video(video_dir / "clip.mp4")


@pytest.fixture(scope="session")
def s3_video(video_dir: Path) -> Path:
    """About 13 MB, 10 s: three parts of 5 MiB (S3's minimum part size)."""
    return make_video(video_dir / "clip-s3.mp4", seconds=10, bitrate="11M", cbr=True)


@pytest.fixture
def not_a_video(tmp_path: Path) -> Path:
    p = tmp_path / "notes.mp4"  # a video's name, a text file's bytes
    p.write_text("these are my notes, not a video\n" * 200)
    return p


# a fake of the Media section ---------------------------------------------------------------------------------
class FakeMediaServer:
    """The contract's Media calls in memory, on loopback.

    Attributes:
        url: base URL of the API.
        storage_url: base URL part PUTs go to when ``presigned`` (another origin, like S3).
        puts: part numbers PUT, in arrival order.
        put_headers: the headers of every part PUT.
        fail_parts: part number -> how many times to answer 503 before accepting it.
        forget_parts: part numbers the server "loses" (never listed in parts_received).
    """

    def __init__(self, part_size: int = 256 * 1024, presigned: bool = False, max_bytes: int = 1 << 31) -> None:
        self.part_size = part_size
        self.presigned = presigned
        self.max_bytes = max_bytes
        self.uploads: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.puts: list[int] = []
        self.put_headers: list[dict[str, str]] = []
        self.fail_parts: dict[int, int] = {}
        self.forget_parts: set[int] = set()
        self.valid_tokens = {"t"}  # playback link tokens the stream accepts (remove one to expire it)
        self.stream_log: list[str] = []  # "token range" of every stream request
        self.stream_rate = 0  # bytes/s the stream is sent at (0: as fast as loopback goes)
        self.get_hooks: list[Any] = []  # handler -> bool (True: answered), tried before the stream route
        self.lock = threading.Lock()
        self.connections: set[Any] = set()  # open sockets, so kill() can drop them like a dying server
        self._api = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(api=True))
        self._storage = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(api=False))
        for s in (self._api, self._storage):
            s.daemon_threads = True
            threading.Thread(target=s.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._api.server_address[1]}"
        self.storage_url = f"http://127.0.0.1:{self._storage.server_address[1]}"

    def close(self) -> None:
        for s in (self._api, self._storage):
            s.shutdown()
            s.server_close()

    def kill(self) -> None:
        """Stop like a server that dies: refuse new connections and cut the open ones mid-response."""
        self.close()
        with self.lock:
            conns, self.connections = list(self.connections), set()
        for conn in conns:
            try:
                conn.shutdown(2)  # socket.SHUT_RDWR
            except OSError:
                pass

    def add_media(self, blob: bytes, **fields: Any) -> dict[str, Any]:
        """A ready video serving ``blob``; returns its ``media`` dict."""
        mid = uuid.uuid4().hex
        info = {"id": mid, "status": "ready", "filename": "clip.mp4", "content_type": "video/mp4",
                "size": len(blob), "duration": 6.0, "width": 640, "height": 360, "thumbnail_url": None,
                "playback_url": f"/api/media/{mid}/stream?token=t", "error": None, **fields}
        self.media[mid] = {**info, "_bytes": blob}
        return info

    def assembled(self, upload_id: str) -> bytes:
        up = self.uploads[upload_id]
        return b"".join(up["parts"][n] for n in sorted(up["parts"]))

    def _handler(self, api: bool) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with fake.lock:
                    fake.connections.add(self.connection)

            def finish(self) -> None:
                with fake.lock:
                    fake.connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass  # killed mid-response

            def _json(self, status: int, body: Any, ctype: str = "application/json") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _problem(self, status: int, code: str, detail: str) -> None:
                self._json(status, {"type": "about:blank", "title": code, "status": status, "detail": detail,
                                    "code": code}, "application/problem+json")

            def _body(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _authed(self) -> bool:
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    self._problem(401, "unauthorized", "Sign in first.")
                    return False
                return True

            def do_POST(self) -> None:  # noqa: N802
                body = self._body()
                if not api or not self._authed():
                    return
                data = json.loads(body or b"{}")
                if self.path == "/api/media/uploads":
                    size = int(data["size"])
                    if size > fake.max_bytes:
                        return self._problem(413, "file_too_large", "This video is larger than the server "
                                             "accepts.")
                    uid = uuid.uuid4().hex
                    count = max(1, -(-size // fake.part_size))
                    fake.uploads[uid] = {"size": size, "count": count, "parts": {}, "status": "open"}
                    return self._json(201, {"upload_id": uid, "part_size": fake.part_size, "part_count": count,
                                            "expires_at": "2099-01-01T00:00:00.000Z"})
                m = re.fullmatch(r"/api/media/uploads/(\w+)/parts/(\d+)", self.path)
                if m:
                    up = fake.uploads.get(m.group(1))
                    if up is None or up["status"] != "open":
                        return self._problem(404, "not_found", "No such upload.")
                    n = int(m.group(2))
                    if not 1 <= n <= up["count"]:
                        return self._problem(422, "part_out_of_range", "No such part.")
                    base = fake.storage_url if fake.presigned else ""
                    return self._json(200, {"url": f"{base}/put/{m.group(1)}/{n}?sig=abc", "method": "PUT",
                                            "headers": {"Content-Type": "application/octet-stream"}})
                m = re.fullmatch(r"/api/media/uploads/(\w+)/complete", self.path)
                if m:
                    up = fake.uploads.get(m.group(1))
                    if up is None:
                        return self._problem(404, "not_found", "No such upload.")
                    sent = {p["n"]: p["etag"] for p in data["parts"]}
                    if sorted(sent) != list(range(1, up["count"] + 1)) or any(
                            up["etags"].get(n) != e for n, e in sent.items()):
                        return self._problem(422, "parts_missing", "Some parts did not arrive.")
                    up["status"] = "completed"
                    mid = uuid.uuid4().hex
                    up["media_id"] = mid
                    fake.media[mid] = {"id": mid, "status": "ready", "filename": "clip.mp4",
                                       "content_type": "video/mp4", "size": up["size"], "duration": 6.0,
                                       "width": 640, "height": 360, "thumbnail_url": None,
                                       "playback_url": f"/api/media/{mid}/stream?token=t", "error": None,
                                       "_bytes": fake.assembled(m.group(1))}
                    return self._json(202, {"media_id": mid, "status": "processing"})
                self._problem(404, "not_found", "No such call.")

            def do_PUT(self) -> None:  # noqa: N802
                body = self._body()
                m = re.fullmatch(r"/put/(\w+)/(\d+)\?sig=abc", self.path)
                if m is None:
                    return self._problem(404, "not_found", "No such part URL.")
                n = int(m.group(2))
                with fake.lock:
                    fake.puts.append(n)
                    fake.put_headers.append(dict(self.headers))
                    left = fake.fail_parts.get(n, 0)
                    if left:
                        fake.fail_parts[n] = left - 1
                if left:
                    return self._problem(503, "unavailable", "Try again.")
                up = fake.uploads[m.group(1)]
                up["parts"][n] = body
                etag = '"' + hashlib.md5(body).hexdigest() + '"'  # noqa: S324 - like S3
                up.setdefault("etags", {})[n] = etag
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # noqa: N802
                if not api:
                    return self._problem(404, "not_found", "No such object.")
                m = re.fullmatch(r"/api/media/uploads/(\w+)", self.path)
                if m and self._authed():
                    up = fake.uploads.get(m.group(1))
                    if up is None:
                        return self._problem(404, "not_found", "No such upload.")
                    got = sorted(n for n in up["parts"] if n not in fake.forget_parts)
                    return self._json(200, {"upload_id": m.group(1), "status": up["status"],
                                            "parts_received": got})
                if fake.get_hooks and any(hook(self) for hook in fake.get_hooks):
                    return  # answered by a test's extra route (tests/desktop/hls_fixtures.py)
                m = re.fullmatch(r"/api/media/(\w+)/stream(?:\?token=(\w+))?", self.path)
                if m:
                    fake.stream_log.append(f"{m.group(2)} {self.headers.get('Range', '')}")
                    if m.group(2) not in fake.valid_tokens:
                        return self._problem(401, "link_expired", "This video link has expired.")
                    blob = fake.media[m.group(1)]["_bytes"]
                    rng = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
                    start, end = 0, len(blob) - 1
                    if rng:
                        start = int(rng.group(1))
                        end = min(int(rng.group(2)) if rng.group(2) else end, len(blob) - 1)
                    chunk = blob[start:end + 1]
                    self.send_response(206 if rng else 200)
                    self.send_header("Content-Type", "video/mp4")
                    self.send_header("Accept-Ranges", "bytes")
                    if rng:
                        self.send_header("Content-Range", f"bytes {start}-{end}/{len(blob)}")
                    self.send_header("Content-Length", str(len(chunk)))
                    self.end_headers()
                    # throttled: small chunks, as a slow link delivers packets, not 64 KiB every 200 ms
                    # (FFmpeg checks for a stop between reads, so bursts would only stall its teardown)
                    step = 8 * 1024 if fake.stream_rate else 64 * 1024
                    try:
                        for i in range(0, len(chunk), step):
                            self.wfile.write(chunk[i:i + step])
                            if fake.stream_rate:  # like a slow network: bytes arrive while playing
                                time.sleep(step / fake.stream_rate)
                    except OSError:
                        pass  # the player closed the connection (a seek)
                    return
                m = re.fullmatch(r"/api/media/(\w+)", self.path)
                if m and self._authed():
                    info = fake.media.get(m.group(1))
                    if info is None:
                        return self._problem(404, "not_found", "No such video.")
                    return self._json(200, {k: v for k, v in info.items() if not k.startswith("_")})

            def do_DELETE(self) -> None:  # noqa: N802
                m = re.fullmatch(r"/api/media/uploads/(\w+)", self.path)
                if not api or m is None or not self._authed():
                    return
                if fake.uploads.pop(m.group(1), None) is None:
                    return self._problem(404, "not_found", "No such upload.")
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler


@pytest.fixture
def fake_media() -> Iterator[FakeMediaServer]:
    srv = FakeMediaServer()
    try:
        yield srv
    finally:
        srv.close()


class StaticApi:
    """What :class:`MediaClient` needs of :class:`desktop.net.http.ApiClient`: an address and a token."""

    def __init__(self, base_url: str, token: str = "test-token") -> None:
        self.base_url = base_url
        self.token = token

    def access_token(self, *, force_refresh: bool = False) -> str:
        return self.token
