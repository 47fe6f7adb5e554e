"""Media job benchmark: job throughput, and sign-up latency while hostile uploads are processed.

Before and after in one run: "before" is the server at a baseline git
revision (default ``ec0d8d7``, the last one with video work on the shared
job pool), extracted with ``git archive`` into a temp folder and run from
there with this interpreter; "after" is this tree. Both get the same
settings, files and steps:

1. **throughput**: ``--normal`` (8) uploads of a real 4.6 MB MP4 whose
   index is at the end (so every job probes, makes a poster and remuxes),
   all completed at once; jobs per second until the last is ready; best and
   median of ``--rounds`` (3) rounds;
2. **hostile**: ``--hostile`` (4) uploads of the same video with 2 million
   8-byte boxes before its index (the issue's case), completed at once;
   then ``--signups`` (5) people register one after another, and each is
   timed from ``POST /api/auth/register`` to their code in the outbox; also
   the time until every hostile upload has left ``processing`` and a normal
   upload's turnaround while they are processed;
3. **runaway**: ``--hostile`` (4) uploads whose demuxing runs away (a 0.1 MB
   MOV promising ``--runaway-frames`` (400,000) frames, all read from the same
   bytes: no cheap check refuses it, FFmpeg just reads for seconds), completed
   at once, then the same sign-ups. Both servers get
   ``PARLEY_MEDIA_JOB_SECONDS=3`` (the baseline has no such limit).

A third server runs this tree with ``PARLEY_MEDIA_WORKER_NICE=0``, to tell
the cost of worker processes from the cost of their lower CPU priority
(which only shows when other programs keep the CPU busy).

Usage: .venv/bin/python benchmarks/media_jobs.py [--baseline REV] [--normal 8] [--rounds 3] [--hostile 4]
       [--signups 5]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tests.conftest as conftest  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.server import media_hostile  # noqa: E402
from tests.server.media_helpers import Uploader, make_video  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "parley-bench"
GIVE_UP = 180.0  # seconds any one wait may take


@contextlib.contextmanager
def tree(rev: str | None) -> Iterator[Path]:
    """This source tree, or ``rev`` extracted into a temp folder."""
    if rev is None:
        yield ROOT
        return
    with tempfile.TemporaryDirectory(prefix="parley-baseline-") as d:
        blob = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", d], input=blob, check=True)
        yield Path(d)


def start(root: Path, data_dir: Path, env: dict[str, str]) -> LiveServer:
    """A live server run from ``root`` (``LiveServer`` starts ``python -m server`` in conftest.ROOT)."""
    srv = LiveServer(data_dir, {"PARLEY_USER_QUOTA_BYTES": "10GiB", "PARLEY_MEDIA_JOB_SECONDS": "3", **env})
    saved = conftest.ROOT
    conftest.ROOT = root
    try:
        return srv.start(timeout=120)
    finally:
        conftest.ROOT = saved


class Pending:
    """Uploads whose parts are all sent; :meth:`complete` starts their jobs at once."""

    def __init__(self, up: Uploader, data: bytes, count: int) -> None:
        self.up = up
        self.ids: list[tuple[str, dict[int, str]]] = []
        for _ in range(count):
            up.etags = {}
            u = up.start(data)
            for n in range(1, u["part_count"] + 1):
                assert up.put(u, data, n).status_code == 200
            self.ids.append((u["upload_id"], dict(up.etags)))

    def complete(self) -> list[str]:
        out = []
        for upload_id, etags in self.ids:
            r = self.up.complete(upload_id, etags)
            assert r.status_code == 202, r.text
            out.append(r.json()["media_id"])
        return out


def wait_all(up: Uploader, ids: list[str]) -> list[dict]:
    with ThreadPoolExecutor(len(ids)) as pool:
        return list(pool.map(lambda m: up.wait_done(m, timeout=GIVE_UP), ids))


def signup_seconds(srv: LiveServer) -> float:
    addr = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    t0, wall = time.monotonic(), time.time() - 1
    r = requests.post(f"{srv.url}/api/auth/register", timeout=GIVE_UP,
                      json={"email": addr, "password": "correct horse battery 9", "display_name": "Bench"})
    assert r.status_code == 202, r.text
    srv.outbox_code(addr, after=wall, timeout=GIVE_UP)
    return time.monotonic() - t0


def measure(root: Path, workdir: Path, env: dict[str, str], normal: bytes, hostile: bytes, runaway: bytes,
            args: argparse.Namespace) -> dict:
    srv = start(root, workdir, env)
    try:
        owner = srv.register_verified("Bench")
        up = Uploader(srv, owner)
        rounds = [Pending(up, normal, args.normal) for _ in range(args.rounds)]
        bad = Pending(up, hostile, args.hostile)
        one = Pending(up, normal, 1)
        slow = Pending(up, runaway, args.hostile)
        signup_seconds(srv)  # warm: the first argon2 hash and mail

        throughput = []
        for fine in rounds:
            t0 = time.monotonic()
            done = wait_all(up, fine.complete())
            throughput.append(args.normal / (time.monotonic() - t0))
            assert all(m["status"] == "ready" for m in done), [m["error"] for m in done]

        t0 = time.monotonic()
        bad_ids = bad.complete()
        late = one.complete()[0]
        signups = [signup_seconds(srv) for _ in range(args.signups)]
        hostile_done = wait_all(up, bad_ids)
        hostile_s = time.monotonic() - t0
        turnaround = up.wait_done(late, timeout=GIVE_UP)
        turnaround_s = time.monotonic() - t0

        t0 = time.monotonic()
        slow_ids = slow.complete()
        runaway_signups = [signup_seconds(srv) for _ in range(args.signups)]
        runaway_done = wait_all(up, slow_ids)
        runaway_s = time.monotonic() - t0
        return {"runaway_signups": runaway_signups, "runaway_s": runaway_s,
                "runaway": sorted({f"{m['status']}: {m['error']}" for m in runaway_done}),
                "throughput": throughput, "signups": signups, "hostile_s": hostile_s,
                "hostile": sorted({m["status"] for m in hostile_done}),
                "normal_during": turnaround_s, "normal_status": turnaround["status"]}
    finally:
        srv.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="ec0d8d7", help="git revision for 'before'")
    ap.add_argument("--normal", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hostile", type=int, default=4)
    ap.add_argument("--signups", type=int, default=5)
    ap.add_argument("--runaway-frames", type=int, default=400_000)
    args = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    video = make_video(CACHE / "media-jobs-index-last.mp4", seconds=8, size="640x360", bit_rate=6_000_000,
                       faststart=False).read_bytes()
    hostile = media_hostile.tiny_boxes(video, 2_000_000)
    print(f"normal: {len(video) / 1e6:.1f} MB index-last MP4; hostile: {len(hostile) / 1e6:.1f} MB "
          f"(2,000,000 boxes of 8 bytes before the index); runaway: {args.runaway_frames:,} frames",
          flush=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="parley-media-jobs-") as tmp:
        raw = media_hostile.raw_mov(Path(tmp) / "raw.mov")
        runaway = media_hostile.runaway_demux(raw.read_bytes(), samples=args.runaway_frames)
        for label, rev, env in (("before", args.baseline, {}), ("after", None, {}),
                                ("nice0", None, {"PARLEY_MEDIA_WORKER_NICE": "0"})):
            with tree(rev) as root:
                print(f"{label}: {rev or 'this tree'} {env or ''} ...", flush=True)
                results[label] = measure(root, Path(tmp) / label, env, video, hostile, runaway, args)
    b, a, z = results["before"], results["after"], results["nice0"]
    rows = [
        ("job throughput, best round (jobs/s)", max(b["throughput"]), max(a["throughput"]), "{:.2f}"),
        ("job throughput, median round (jobs/s)", statistics.median(b["throughput"]),
         statistics.median(a["throughput"]), "{:.2f}"),
        ("job throughput, best round, workers at nice 0 (jobs/s)", max(b["throughput"]), max(z["throughput"]),
         "{:.2f}"),
        ("job throughput, median round, workers at nice 0 (jobs/s)", statistics.median(b["throughput"]),
         statistics.median(z["throughput"]), "{:.2f}"),
        ("sign-up to code during hostile jobs, median (s)", statistics.median(b["signups"]),
         statistics.median(a["signups"]), "{:.2f}"),
        ("sign-up to code during hostile jobs, max (s)", max(b["signups"]), max(a["signups"]), "{:.2f}"),
        ("hostile uploads done after (s)", b["hostile_s"], a["hostile_s"], "{:.1f}"),
        ("a normal upload sent with them, ready after (s)", b["normal_during"], a["normal_during"], "{:.1f}"),
        ("sign-up to code during runaway demuxes, median (s)", statistics.median(b["runaway_signups"]),
         statistics.median(a["runaway_signups"]), "{:.2f}"),
        ("sign-up to code during runaway demuxes, max (s)", max(b["runaway_signups"]),
         max(a["runaway_signups"]), "{:.2f}"),
        ("runaway uploads done after (s)", b["runaway_s"], a["runaway_s"], "{:.1f}"),
    ]
    print("\n| measure | before | after | after/before |\n|---|---|---|---|")
    for name, x, y, f in rows:
        print(f"| {name} | {f.format(x)} | {f.format(y)} | {y / x:.2f} |")
    print(f"\nrunaway outcome: before {b['runaway']}\n                 after {a['runaway']}")
    print(f"hostile outcome: before {b['hostile']}, after {a['hostile']}; "
          f"normal beside them: before {b['normal_status']}, after {a['normal_status']}")
    for key in ("signups", "runaway_signups"):
        print(f"{key} (s): before " + ", ".join(f"{s:.2f}" for s in b[key])
              + "; after " + ", ".join(f"{s:.2f}" for s in a[key]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
