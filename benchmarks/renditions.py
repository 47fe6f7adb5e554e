"""HLS renditions: encoding speed, and Socket.IO latency while encodes run.

    nice -n 10 .venv/bin/python benchmarks/renditions.py [--seconds 60] [--rate 200] [--load-seconds 20]
        [--rounds 3] [--idle on|off] [--skip-speed] [--skip-latency]

1. *Encoding speed*: makes a 60 s 1280x720 and a 60 s 1920x1080 clip (30 fps,
   FFmpeg's ``testsrc2`` pattern and a sine tone, MPEG-4 Part 2 + AAC, cached
   in the temp dir), then encodes each exactly as the server does: one job
   in an encode worker process (:class:`server.media_workers.MediaWorkers`,
   nice 15, the 1 GiB address-space limit), running
   :func:`server.services.renditions.encode`. Prints the renditions and the
   speed as a multiple of real time (video seconds per wall-clock second),
   and per CPU-second of the worker (what the machine's other load does not
   change much: an idle-class encode gets only the CPU time nobody else wants).
2. *Message latency with encodes*: starts a real ``python -m server serve``
   with ``PARLEY_HLS_WORKERS=2``, drives a paced Socket.IO message load
   (``--rate`` msg/s over WebSocket, ``benchmarks/messaging.py``'s Python
   client) and prints the send -> receive p50/p99, first with no encode,
   then with two encodes of the 1080p clip (two media rows queued in the
   server's database; its encode pool picks them up): ``--rounds`` pairs of
   runs with the encode workers paused (SIGSTOP) and running, so that both
   runs of a pair see the same background load on a shared machine.

The load generator, the encodes and the server share this machine's cores,
so the figures describe this machine under that whole load.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402

from benchmarks.messaging import Server, make_users, run_load  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "parley-bench"
FPS = 30


def make_clip(seconds: int, width: int, height: int) -> Path:
    """A ``seconds`` long clip at ``width`` x ``height``, 30 fps (cached)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"renditions-{width}x{height}-{seconds}s.mp4"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp.mp4")
    size = f"{width}x{height}"
    with av.open(f"testsrc2=size={size}:rate={FPS}:duration={seconds}", format="lavfi") as vin, \
            av.open(f"sine=frequency=440:duration={seconds}", format="lavfi") as ain, \
            av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vs = out.add_stream("mpeg4", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.bit_rate = 4_000_000 if height <= 720 else 8_000_000
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
    return path


def encode_speed(clip: Path, seconds: int, idle: bool) -> None:
    from server.media_workers import MediaWorkers
    from server.services.hls import ENCODE
    workers = MediaWorkers(1, 1 << 30, nice=15, idle_priority=idle)
    scratch = Path(tempfile.mkdtemp(prefix="parley-bench-hls-"))
    try:
        workers.warm()
        pid = workers.pids()[0]
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        done = workers.run(ENCODE, {"src": str(clip), "scratch": str(scratch)}, 3600)
        took, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    finally:
        workers.close()
        shutil.rmtree(scratch, ignore_errors=True)
    names = ", ".join(f"{r['name']} {r['width']}x{r['height']} {r['bandwidth'] / 1e6:.1f} Mbit/s"
                      for r in done["renditions"])
    print(f"  {clip.name}: {took:.1f} s for {seconds} s of video = {seconds / took:.2f}x real time; "
          f"{cpu:.1f} CPU-s = {seconds / cpu:.2f}x real time per core  ({names})", flush=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its threads so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def queue_encodes(data: Path, owner_id: str, clip: Path, n: int, duration: float) -> list[str]:
    """Media rows ready for encoding, as if uploaded: a copy of ``clip`` under ``media/v/``."""
    ids = []
    db = sqlite3.connect(data / "parley.db", timeout=30)
    try:
        for _ in range(n):
            media_id, key = uuid.uuid4().hex, f"v/{uuid.uuid4().hex}"
            shutil.copyfile(clip, data / "media" / key)
            db.execute("INSERT INTO media (id, owner_id, status, filename, content_type, size, storage_key, "
                       "duration, width, height, attempts, created_at, hls_status, hls_progress, hls_attempts) "
                       "VALUES (?, ?, 'ready', 'bench.mp4', 'video/mp4', ?, ?, ?, 1920, 1080, 1, ?, "
                       "'pending', 0.0, 0)",
                       (media_id, owner_id, clip.stat().st_size, key, duration,
                        time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())))
            ids.append(media_id)
        db.commit()
    finally:
        db.close()
    return ids


def encoding_states(data: Path, ids: list[str]) -> list[tuple[str, float]]:
    db = sqlite3.connect(data / "parley.db", timeout=30)
    try:
        marks = ",".join("?" * len(ids))
        return db.execute(f"SELECT hls_status, coalesce(hls_progress, 0) FROM media WHERE id IN ({marks})",
                          ids).fetchall()
    finally:
        db.close()


def encode_workers(server_pid: int) -> list[int]:
    """The server's encode worker processes (their environment says nice 15, the processing ones 10)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            env = (entry / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == server_pid and b"PARLEY_MEDIA_WORKER_NICE=15" in env:
            out.append(int(entry.name))
    return out


def _line(label: str, r: dict[str, float]) -> str:
    return (f"  {label:<22} {r['delivered_per_s']:.0f} msg/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
            f"errors {r['errors']}")


def latency(clip: Path, duration: float, rate: float, seconds: float, idle: str, rounds: int) -> None:
    """A clean baseline, then ``rounds`` pairs of runs with the two encodes paused (SIGSTOP) and
    running, so both figures of a pair see the same background load of a shared machine."""
    import signal
    import statistics
    pairs = 10
    data = Path(tempfile.mkdtemp(prefix="parley-bench-hls-srv-"))
    env = {**os.environ, "PARLEY_DATA_DIR": str(data), "PARLEY_RATE_LIMITS": "off",
           "PARLEY_MAIL_BACKEND": "console", "PARLEY_HLS_WORKERS": "2", "PARLEY_MEDIA_LEASE_SECONDS": "4",
           "PARLEY_HLS_IDLE_PRIORITY": idle,
           "PARLEY_MESSAGE_RATE": "1000", "PARLEY_MESSAGE_BURST": "2000"}
    users = make_users(env, 2 * pairs)
    srv = Server(env)
    pids: list[int] = []
    try:
        print(_line("no encode (clean):", run_load(srv, users, "websocket", pairs, 10, seconds, rate)), flush=True)
        ids = queue_encodes(data, users[0][0], clip, 2, duration)
        deadline = time.monotonic() + 120
        while [s for s, _p in encoding_states(data, ids)] != ["encoding", "encoding"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the encodes did not start: {encoding_states(data, ids)}")
            time.sleep(0.5)
        pids = encode_workers(srv.proc.pid)
        assert len(pids) == 2, pids
        paused, running = [], []
        for i in range(rounds):
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
            r = run_load(srv, users, "websocket", pairs, 10, seconds, rate)
            paused.append(r["p99_ms"])
            print(_line(f"round {i + 1}, paused:", r), flush=True)
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
            r = run_load(srv, users, "websocket", pairs, 10, seconds, rate)
            running.append(r["p99_ms"])
            print(_line(f"round {i + 1}, 2 encodes:", r), flush=True)
        states = encoding_states(data, ids)
        print("  encodes after the runs: " + ", ".join(f"{s} {p:.0%}" for s, p in states), flush=True)
        a, b = statistics.median(paused), statistics.median(running)
        print(f"  median p99: {a:.1f} ms paused, {b:.1f} ms with two encodes = {b / a:.2f}x (goal: at most 2x)",
              flush=True)
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
        srv.stop()
        shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=60, help="length of the generated clips")
    ap.add_argument("--rate", type=float, default=200, help="msg/s of the paced message load")
    ap.add_argument("--load-seconds", type=float, default=10, help="measured seconds of each load run")
    ap.add_argument("--rounds", type=int, default=3, help="pairs of runs with the encodes paused and running")
    ap.add_argument("--idle", choices=["on", "off"], default="on",
                    help="encode workers under SCHED_IDLE (the default, PARLEY_HLS_IDLE_PRIORITY) or nice only")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    args = ap.parse_args()
    print(f"PyAV {av.__version__}, {os.cpu_count()} CPUs", flush=True)
    clips = {h: make_clip(args.seconds, w, h) for w, h in ((1280, 720), (1920, 1080))}
    if not args.skip_speed:
        print(f"Encoding speed (one encode, nice 15, SCHED_IDLE {args.idle}, 1 GiB limit):", flush=True)
        for h in (720, 1080):
            encode_speed(clips[h], args.seconds, args.idle == "on")
    if not args.skip_latency:
        print(f"Socket.IO send -> receive latency, {args.rate:.0f} msg/s over WebSocket, "
              f"{args.load_seconds:.0f} s each (encode workers SCHED_IDLE {args.idle}):", flush=True)
        latency(clips[1080], float(args.seconds), args.rate, args.load_seconds, args.idle, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

