"""Time to first frame on a throttled link: the progressive MP4 against HLS (issue 13).

A live server (local storage) encodes the renditions of a 60 s 1280x720 clip at 4 Mbit/s; the
player reaches it through ``tests/desktop/throttle.py`` (token buckets, 1.5 Mbit/s each way by
default). Each round opens a fresh player window (and a fresh MediaReader, so Auto knows nothing
of the link) twice, once on the original (``playback_url``) and once on the renditions, each through
a fresh proxy, and reports the time from opening the window to the first frame, the rendition it
started on, and how many seconds of video played in the WATCH_S seconds after the first frame
(a stream that cannot keep up stalls: fewer seconds than WATCH_S).

Usage: .venv/bin/python benchmarks/hls_first_frame.py [--rounds 3] [--mbit 1.5] [--watch 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.core.media import MediaInfo, media_info  # noqa: E402
from desktop.net.uploads import MediaClient  # noqa: E402
from desktop.qt.media import MediaReader  # noqa: E402
from desktop.qt.tasks import TaskRunner  # noqa: E402
from desktop.ui.player_window import PlayerWindow  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.desktop.test_video_hls_slow_link import encoded_on_live_server, make_busy_clip  # noqa: E402
from tests.desktop.throttle import ThrottledLink  # noqa: E402
from tests.desktop.video_fixtures import StaticApi  # noqa: E402
from tests.server.media_helpers import auth  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "parley-bench"


def wait_for(cond, timeout: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not cond():
        if time.monotonic() > deadline:
            return False
        QTimer.singleShot(5, loop.quit)
        loop.exec()
    return True


def one_open(srv: LiveServer, token: str, info: MediaInfo, bps: float, watch_s: float,
             runner: TaskRunner) -> tuple[float | None, str, float]:
    """(seconds to the first frame or None, what it started on, seconds of video played in watch_s)."""
    with ThrottledLink(("127.0.0.1", srv.port), bits_per_second=bps) as link:
        reader = MediaReader(MediaClient(StaticApi(link.url, token)), runner=runner)
        if not info.hls_ready:  # the original only: no refresh at open that would find the renditions
            reader.refresh = lambda *_a, **_k: None  # type: ignore[method-assign]
        w = PlayerWindow(info, reader)
        w.show()
        try:
            if not wait_for(lambda: w.first_frame_at is not None, 30):
                return None, "-", 0.0
            first = w.first_frame_at - w.opened_at
            started = w.quality.playing.name if w.quality.playing else "original"
            at = w.player.position()
            wait_for(lambda: time.monotonic() - w.first_frame_at >= watch_s, watch_s + 5)
            played = (w.player.position() - at) / 1000
            return first, started, played
        finally:
            w.close()
            reader.deleteLater()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mbit", type=float, default=1.5)
    ap.add_argument("--watch", type=float, default=10.0)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    CACHE.mkdir(exist_ok=True)
    clip = make_busy_clip(CACHE / "busy-720p-60s-4M.mp4", 60, "1280x720", "4M")
    runner = TaskRunner(threads=4, name="network")
    with tempfile.TemporaryDirectory(prefix="parley-hls-bench-") as tmp:
        srv = LiveServer(Path(tmp) / "server").start(timeout=90)
        try:
            t = time.monotonic()
            owner, media_id = encoded_on_live_server(srv, clip, timeout=900)
            print(f"clip {clip.stat().st_size / 1e6:.1f} MB, 60 s 1280x720; upload + processing + HLS encode "
                  f"{time.monotonic() - t:.0f} s")
            data = requests.get(f"{srv.url}/api/media/{media_id}", headers=auth(owner), timeout=10).json()
            info = media_info(data)
            assert info is not None and info.hls is not None
            print("renditions:", ", ".join(f"{r.name} {r.width}x{r.height} peak {r.bandwidth / 1e6:.2f} Mbit/s"
                                           for r in info.hls.renditions))
            token = owner["tokens"]["access_token"]
            rows: dict[str, list[tuple[float | None, str, float]]] = {"progressive MP4": [], "HLS (Auto)": []}
            for _ in range(args.rounds):
                rows["progressive MP4"].append(one_open(srv, token, info.replace(hls=None), args.mbit * 1e6,
                                                        args.watch, runner))
                rows["HLS (Auto)"].append(one_open(srv, token, info, args.mbit * 1e6, args.watch, runner))
        finally:
            srv.stop()
            runner.shutdown()
    print(f"\nlink {args.mbit} Mbit/s each way, {args.rounds} fresh opens each, video played in the "
          f"{args.watch:.0f} s after the first frame")
    print(f"{'stream':18} {'first frame (median, each)':40} {'started on':12} {'video played':s}")
    for name, results in rows.items():
        firsts = [f for f, _, _ in results if f is not None]
        each = ", ".join(f"{f:.2f}" if f is not None else "none" for f, _, _ in results)
        med = f"{statistics.median(firsts):.2f} s" if firsts else "none"
        print(f"{name:18} {med + ' (' + each + ')':40} {results[0][1]:12} "
              f"{', '.join(f'{p:.1f} s' for _, _, p in results)}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
