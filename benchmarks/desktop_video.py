"""Desktop video benchmark: first frame and seek in the player, and upload throughput from the app.

Against a local Parley server (local storage, loopback), on this machine:

1. upload throughput of the app's own upload path (UploadManager -> Uploader, 3 parts in flight, 8 MiB
   parts) for a large MP4, next to the server-side figures of ``benchmarks/uploads.py`` measured in
   the same run: the same bytes PUT by a plain client to the Parley server, and to a minimal HTTP
   server (the loopback ceiling);
2. the player: time from opening the player on a ready video (what a click on a video bubble does)
   to the first frame shown, over fresh windows; and time from a seek to the first frame at the new
   position, for seeks across the file. Goals: first frame < 300 ms, seek < 200 ms.

Usage: .venv/bin/python benchmarks/desktop_video.py [--size-mb 256] [--opens 8] [--seeks 12] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.core.media import media_info  # noqa: E402
from desktop.core.uploads import PROCESSING, UploadStore, inspect_video  # noqa: E402
from desktop.net.http import ApiClient  # noqa: E402
from desktop.net.uploads import MediaClient  # noqa: E402
from desktop.qt.media import MediaReader  # noqa: E402
from desktop.qt.tasks import TaskRunner  # noqa: E402
from desktop.qt.uploads import PreparedVideo, UploadManager  # noqa: E402
from desktop.ui.player_window import PlayerWindow  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from uploads import bench_plain, make_video, parley_upload, wait_ready  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "parley-bench"


def wait_for(cond, timeout: float = 60.0, step_ms: int = 1) -> None:  # noqa: ANN001
    """Turn the Qt event loop until ``cond()`` holds (checked every ``step_ms``)."""
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        QTimer.singleShot(step_ms, loop.quit)
        loop.exec()


def playback_clip() -> Path:
    """A 60 s 1280x720 H.264/AAC clip at 4 Mbit/s, like a phone video (cached)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / "clip-720p-60s.mp4"
    if not path.exists():
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                        "-f", "lavfi", "-i", "sine=frequency=440", "-t", "60", "-c:v", "libx264", "-preset", "veryfast",
                        "-b:v", "4M", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                        "-movflags", "+faststart", str(path)], check=True)
    return path


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms, max {values[-1] * 1000:6.1f} ms"


def app_upload(qapp: QApplication, api: ApiClient, path: Path, workdir: Path) -> tuple[float, dict]:
    """The desktop app's upload path, timed from Send to the upload completed (processing begins)."""
    client = MediaClient(api, timeout=(5.0, 120.0))
    runners = [TaskRunner(threads=8), TaskRunner(threads=1), TaskRunner(threads=6)]  # as the app's
    manager = UploadManager(client, UploadStore(workdir / f"uploads-{time.time_ns()}.sqlite3"), "bench|me",
                            runner=runners[0], disk=runners[1], parts=runners[2])
    got: list = []
    manager.prepare(str(path), got.append, got.append)
    wait_for(lambda: bool(got))
    prepared = got[0]
    assert isinstance(prepared, PreparedVideo), prepared
    done: list = []
    manager.changed.connect(lambda s: s.phase == PROCESSING and done.append(time.perf_counter()))
    t0 = time.perf_counter()
    state = manager.start(prepared, "nobody")
    wait_for(lambda: bool(done), 600, step_ms=50)  # an idle GUI loop, as in the app
    elapsed = done[0] - t0
    media_id = manager.get(state.key).media_id
    manager.shutdown()
    for runner in runners:
        runner.shutdown(wait_ms=5000)
    return elapsed, {"media_id": media_id}


def bare_upload(api: ApiClient, path: Path, workdir: Path) -> float:
    """The same upload through desktop.net.uploads.Uploader alone (no UploadManager; parts on a TaskRunner)."""
    from desktop.core.uploads import UploadState
    from desktop.net.uploads import Control, Uploader

    st = path.stat()
    state = UploadState(key=f"bare-{time.time_ns()}", owner="bench|me", peer_id="nobody", path=str(path),
                        filename=path.name, size=st.st_size, mtime=st.st_mtime, content_type="video/mp4")
    parts = TaskRunner(threads=3)
    uploader = Uploader(MediaClient(api, timeout=(5.0, 120.0)), UploadStore(workdir / f"{state.key}.sqlite3"),
                        spawn=parts.start)
    t0 = time.perf_counter()
    uploader.run(state, Control())
    elapsed = time.perf_counter() - t0
    parts.shutdown(wait_ms=5000)
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=256, help="size of the upload test file")
    ap.add_argument("--opens", type=int, default=8, help="player windows opened for the first-frame time")
    ap.add_argument("--seeks", type=int, default=12, help="seeks timed in one player")
    ap.add_argument("--rounds", type=int, default=3, help="upload rounds (best of, alternating)")
    args = ap.parse_args()
    qapp = QApplication([])
    workdir = Path(tempfile.mkdtemp(prefix="parley-desktop-video-"))
    srv = LiveServer(workdir / "server", {"PARLEY_MAX_UPLOAD_BYTES": str(4 << 30),
                                          "PARLEY_USER_QUOTA_BYTES": str(64 << 30)}).start()
    try:
        user = srv.register_verified("Bench")
        api = ApiClient(srv.url, timeout=(5.0, 60.0))
        api.login(user["email"], user["password"])
        h = {"Authorization": f"Bearer {user['tokens']['access_token']}"}
        print(f"server {srv.url} (local storage), {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

        # 1. upload throughput -------------------------------------------------------------------------
        big = make_video(args.size_mb)
        data = memoryview(big.read_bytes())
        mb = len(data) / 1e6
        inspect_video(big)  # warm PyAV once (the app probes the file before the upload starts)
        runs = {"plain": [], "server": [], "uploader": [], "app": []}
        for _ in range(args.rounds):  # best of, alternating (a shared machine is noisy)
            os.sync()
            runs["plain"].append(bench_plain(data, workdir, 3))
            os.sync()
            runs["server"].append(parley_upload(srv, h, data, 3)[0])
            os.sync()
            runs["uploader"].append(bare_upload(api, big, workdir))
            os.sync()
            runs["app"].append(app_upload(qapp, api, big, workdir)[0])
        plain = mb / min(runs["plain"])
        print(f"upload of {mb:.0f} MB, 3 parts of 8 MiB in flight (best of {args.rounds}):")
        print(f"  plain HTTP PUT to a minimal server   {plain:6.0f} MB/s")
        server = mb / min(runs["server"])
        print(f"  Parley server, plain client          {server:6.0f} MB/s ({server / plain:.0%} of plain)")
        bare = mb / min(runs["uploader"])
        print(f"  Parley server, the app's Uploader    {bare:6.0f} MB/s ({bare / plain:.0%} of plain, "
              f"{bare / server:.0%} of the plain client; no Qt)")
        app = mb / min(runs["app"])
        print(f"  Parley server, the desktop app       {app:6.0f} MB/s ({app / plain:.0%} of plain, "
              f"{app / server:.0%} of the plain client)")
        del data

        # 2. player -------------------------------------------------------------------------------------
        clip = playback_clip()
        elapsed, up = app_upload(qapp, api, clip, workdir)
        info = wait_ready(srv, h, up["media_id"])
        media = media_info(info)
        assert media is not None and media.ready, info
        network = TaskRunner(threads=8)
        reader = MediaReader(MediaClient(api), runner=network)
        print(f"player: {clip.name} ({clip.stat().st_size / 1e6:.0f} MB, {media.duration:.0f} s, "
              f"{media.width}x{media.height}), streamed from the local server")
        first: list[float] = []
        for i in range(args.opens + 1):
            w = PlayerWindow(media, reader)
            t0 = w.opened_at
            w.show()
            wait_for(lambda: w.first_frame_at is not None, 30)
            if i:  # the first open warms up the FFmpeg backend (plugin load), as at app start
                first.append(w.first_frame_at - t0)
            w.close()
            wait_for(lambda: True, 0.05)
        print(f"  open -> first frame ({len(first)} windows):        {ms(first)}")

        w = PlayerWindow(media, reader)
        w.show()
        wait_for(lambda: w.player.position() > 500, 30)
        duration = w.player.duration()
        seeks: list[float] = []
        targets = [int(duration * f) for f in (0.9, 0.2, 0.75, 0.4, 0.05, 0.6, 0.95, 0.3, 0.85, 0.1, 0.5, 0.7)]
        shown: list[float] = []
        w.frameShown.connect(lambda: shown.append(time.monotonic()) if w.last_frame is not None and abs(
            w.last_frame.startTime() / 1000 - current[0]) < 700 else None)
        current = [0]
        for target in (targets * 3)[:args.seeks]:
            shown.clear()
            current[0] = target
            t0 = time.monotonic()
            w.seek(target)
            wait_for(lambda: bool(shown), 30, step_ms=5)
            seeks.append(shown[0] - t0)
            wait_for(lambda: True, 0.2)  # play a little, as a person does between seeks
        w.close()
        print(f"  seek -> frame at the new position ({len(seeks)} seeks): {ms(seeks)}")
        ok_first = statistics.median(first) < 0.3
        ok_seek = statistics.median(seeks) < 0.2
        print(f"goals: first frame < 300 ms: {'met' if ok_first else 'NOT met'}; "
              f"seek < 200 ms: {'met' if ok_seek else 'NOT met'}")
        return 0
    finally:
        srv.stop()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip PySide's teardown of windows closed above
