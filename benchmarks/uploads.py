"""Upload and streaming benchmark: Parley's resumable upload against a plain HTTP PUT, in one run.

Makes (once, cached) a real MP4 of about 512 MB (FFmpeg's test pattern with
noise, so it barely compresses), then measures on this machine, over loopback:

1. baseline: the same bytes PUT, in the same 8 MiB parts, to a minimal
   ``http.server`` that writes each part at its offset in one file;
2. local: a Parley server with local storage (create, part URL + PUT per
   part, complete), bytes through the server;
3. S3: a Parley server on moto's standalone S3; the client PUTs every part
   to its presigned URL (the bytes never touch the Parley server);
4. streaming of the processed video (local): time to first byte of
   ``GET /stream`` and of a 1 MiB Range read at 90% of the file (a seek),
   median and p95 over repeated requests, plus the same through S3's redirect.

Usage: .venv/bin/python benchmarks/uploads.py [--size-mb 512] [--repeat 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import LiveServer, free_port, wait_until  # noqa: E402

PART = 8 << 20
CACHE = Path(tempfile.gettempdir()) / "parley-bench"

PLAIN_SERVER = textwrap.dedent('''
    import os, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    target = sys.argv[2]

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_PUT(self):
            n = int(self.headers["Content-Length"])
            offset = int(self.path.rsplit("/", 1)[-1]) if self.path.count("/") > 1 else 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT)
            left, pos = n, offset
            while left:
                chunk = self.rfile.read(min(1 << 20, left))
                if not chunk:
                    break
                os.pwrite(fd, chunk, pos)
                pos += len(chunk)
                left -= len(chunk)
            os.close(fd)
            self.send_response(200)
            self.send_header("ETag", '"x"')
            self.send_header("Content-Length", "0")
            self.end_headers()
        def log_message(self, *a):
            pass

    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
''')


def make_video(size_mb: int) -> Path:
    """A real, playable MP4 of about ``size_mb`` MB (cached between runs)."""
    import av
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"noise-{size_mb}.mp4"
    if path.exists():
        return path
    seconds = max(2, round(size_mb / 25))  # ~25 MB per second at this quality
    tmp = path.with_suffix(".tmp")
    source = f"testsrc2=size=1280x720:rate=30:duration={seconds},noise=alls=40:allf=t"
    with av.open(source, format="lavfi") as vin, \
            av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vs = out.add_stream("mpeg4", rate=30)
        vs.width, vs.height, vs.pix_fmt, vs.bit_rate = 1280, 720, "yuv420p", 200_000_000
        vs.options = {"qmin": "2", "qmax": "4"}
        for frame in vin.decode(video=0):
            frame.pts = None
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    tmp.rename(path)
    return path


def parts(data: memoryview) -> list[memoryview]:
    return [data[i:i + PART] for i in range(0, len(data), PART)]


def run_parts(fn, count: int, parallel: int) -> list:  # noqa: ANN001
    """Calls ``fn(n)`` for n in 1..count, ``parallel`` at a time (each worker thread keeps its session)."""
    if parallel <= 1:
        return [fn(n) for n in range(1, count + 1)]
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(fn, range(1, count + 1)))


_local = threading.local()


def session() -> requests.Session:
    s = getattr(_local, "s", None)
    if s is None:
        s = _local.s = requests.Session()
    return s


def bench_plain(data: memoryview, workdir: Path, parallel: int) -> float:
    port = free_port()
    target = workdir / "plain.bin"
    proc = subprocess.Popen([sys.executable, "-c", PLAIN_SERVER, str(port), str(target)])
    try:
        wait_until(lambda: _up(f"http://127.0.0.1:{port}"), 10, what="plain server")
        chunks = parts(data)

        def put(n: int) -> None:
            url = f"http://127.0.0.1:{port}/part/{(n - 1) * PART}"
            r = session().put(url, data=chunks[n - 1], timeout=60)
            assert r.status_code == 200

        t = time.perf_counter()
        run_parts(put, len(chunks), parallel)
        elapsed = time.perf_counter() - t
        assert target.stat().st_size == len(data)
        return elapsed
    finally:
        proc.terminate()
        proc.wait(5)
        target.unlink(missing_ok=True)


def _up(url: str) -> bool:
    try:
        requests.put(url + "/part/0", data=b"", timeout=1)
        return True
    except requests.RequestException:
        return False


def parley_upload(srv: LiveServer, h: dict[str, str], data: memoryview, parallel: int) -> tuple[float, str]:
    s = requests.Session()
    chunks = parts(data)
    t = time.perf_counter()
    r = s.post(f"{srv.url}/api/media/uploads", headers=h, timeout=30,
               json={"filename": "bench.mp4", "size": len(data), "content_type": "video/mp4"})
    assert r.status_code == 201, r.text
    up = r.json()
    assert up["part_size"] == PART

    def put(n: int) -> dict:
        ws = session()
        target = ws.post(f"{srv.url}/api/media/uploads/{up['upload_id']}/parts/{n}", headers=h,
                         timeout=30).json()
        r = ws.request(target["method"], target["url"], data=chunks[n - 1], headers=target["headers"],
                       timeout=120)
        assert r.status_code == 200, r.text
        return {"n": n, "etag": r.headers["ETag"]}

    etags = run_parts(put, len(chunks), parallel)
    r = s.post(f"{srv.url}/api/media/uploads/{up['upload_id']}/complete", headers=h, json={"parts": etags},
               timeout=120)
    assert r.status_code == 202, r.text
    return time.perf_counter() - t, r.json()["media_id"]


def wait_ready(srv: LiveServer, h: dict[str, str], media_id: str) -> dict:
    def ready() -> dict | None:
        m = requests.get(f"{srv.url}/api/media/{media_id}", headers=h, timeout=30).json()
        return m if m["status"] in ("ready", "failed") else None
    m = wait_until(ready, 300, 0.2, "processing")
    assert m["status"] == "ready", m
    return m


def timings(url: str, size: int, repeat: int) -> dict[str, list[float]]:
    """First byte of a plain GET, and of a 1 MiB read at 90% (a new connection each time, like a seek)."""
    out: dict[str, list[float]] = {"ttfb": [], "seek90_first_byte": [], "seek90_1mib": []}
    at = size * 9 // 10
    for _ in range(repeat):
        t = time.perf_counter()
        with requests.get(url, stream=True, timeout=30) as r:
            assert r.status_code == 200
            next(r.iter_content(1))
            out["ttfb"].append(time.perf_counter() - t)
        t = time.perf_counter()
        rng = {"Range": f"bytes={at}-{at + (1 << 20) - 1}"}
        with requests.get(url, headers=rng, stream=True, timeout=30) as r:
            assert r.status_code == 206, r.status_code
            it = r.iter_content(64 * 1024)
            got = len(next(it))
            out["seek90_first_byte"].append(time.perf_counter() - t)
            for chunk in it:
                got += len(chunk)
            assert got == 1 << 20
            out["seek90_1mib"].append(time.perf_counter() - t)
    return out


def fmt_ms(values: list[float]) -> str:
    v = sorted(values)
    return f"median {statistics.median(v) * 1000:.1f} ms, p95 {v[int(len(v) * 0.95) - 1] * 1000:.1f} ms"


def moto_direct(endpoint: str, bucket: str, data: memoryview, parallel: int) -> float:
    """The same parts PUT to presigned part URLs minted by boto3 itself: moto's own ceiling."""
    import boto3
    from botocore.config import Config as BotoConfig
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                      aws_secret_access_key="bench", config=BotoConfig(signature_version="s3v4"))
    chunks = parts(data)
    t = time.perf_counter()
    up = s3.create_multipart_upload(Bucket=bucket, Key="direct")["UploadId"]

    def put(n: int) -> dict:
        url = s3.generate_presigned_url("upload_part", HttpMethod="PUT", ExpiresIn=600,
                                        Params={"Bucket": bucket, "Key": "direct", "UploadId": up,
                                                "PartNumber": n})
        r = session().put(url, data=chunks[n - 1], timeout=120)
        assert r.status_code == 200
        return {"PartNumber": n, "ETag": r.headers["ETag"]}

    done = run_parts(put, len(chunks), parallel)
    s3.complete_multipart_upload(Bucket=bucket, Key="direct", UploadId=up, MultipartUpload={"Parts": done})
    elapsed = time.perf_counter() - t
    s3.delete_object(Bucket=bucket, Key="direct")
    return elapsed


def main() -> int:
    import logging
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2, help="local/plain rounds per setting (best is shown)")
    ap.add_argument("--parallel", type=int, nargs="+", default=[1, 4],
                    help="parts in flight at once (one run per value)")
    args = ap.parse_args()
    video = make_video(args.size_mb)
    data = memoryview(video.read_bytes())
    mb = len(data) / 1e6
    print(f"file: {video} ({mb:.0f} MB, {len(parts(data))} parts of 8 MiB), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")

    def rate(label: str, seconds: float, base: float | None = None) -> float:
        extra = f"  = {mb / seconds / base:.0%} of plain" if base else ""
        print(f"  {label:<42} {mb / seconds:6.0f} MB/s ({seconds:6.2f} s){extra}")
        return mb / seconds

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as d:
        work = Path(d)
        from moto.server import ThreadedMotoServer
        port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        endpoint = f"http://127.0.0.1:{port}"
        requests.put(f"{endpoint}/bench", timeout=10).raise_for_status()  # the bucket
        local = LiveServer(work / "local", {"PARLEY_USER_QUOTA_BYTES": "100GiB"}).start()
        s3srv = LiveServer(work / "s3", {
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": endpoint, "PARLEY_STORAGE_BACKEND": "s3", "PARLEY_S3_BUCKET": "bench",
            "PARLEY_USER_QUOTA_BYTES": "100GiB"}).start()
        try:
            hl = {"Authorization": f"Bearer {local.register_verified('Bench')['tokens']['access_token']}"}
            hs = {"Authorization": f"Bearer {s3srv.register_verified('Bench')['tokens']['access_token']}"}
            ready: dict[str, dict] = {}
            for par in args.parallel:
                print(f"upload, {par} part{'s' if par > 1 else ''} in flight (best of {args.rounds}):")
                plain_s, local_s = [], []
                for _ in range(args.rounds):
                    # Alternate, and flush dirty pages first, so neither pays for the other's writeback.
                    os.sync()
                    plain_s.append(bench_plain(data, work, par))
                    os.sync()
                    elapsed, mid = parley_upload(local, hl, data, par)
                    local_s.append(elapsed)
                    t = time.perf_counter()
                    ready.setdefault("local", wait_ready(local, hl, mid))
                    m = wait_ready(local, hl, mid)
                    processing = time.perf_counter() - t
                plain = rate("plain HTTP PUT to a minimal server", min(plain_s))
                rate("Parley, local storage (through the server)", min(local_s), plain)
                print(f"  (processing of {m['size'] / 1e6:.0f} MB: {processing:.1f} s after complete)")
                rate("moto direct (boto3-presigned parts)", moto_direct(endpoint, "bench", data, par), plain)
                elapsed, mid = parley_upload(s3srv, hs, data, par)
                rate("Parley, S3 on moto (presigned parts)", elapsed, plain)
                ready.setdefault("s3", wait_ready(s3srv, hs, mid))
                wait_ready(s3srv, hs, mid)
            print("streaming (each request on a new connection, as a player seeking):")
            for name, srv in (("local", local), ("s3", s3srv)):
                m = ready[name]
                tm = timings(srv.url + m["playback_url"], m["size"], args.repeat if name == "local" else 10)
                via = "" if name == "local" else " (302 + moto)"
                print(f"  {name}{via}: first byte {fmt_ms(tm['ttfb'])}")
                print(f"  {name}{via}: seek to 90%, first byte {fmt_ms(tm['seek90_first_byte'])}; "
                      f"1 MiB read {fmt_ms(tm['seek90_1mib'])}")
                if name == "s3":  # the presigned URL itself, without the Parley hop: moto's own share
                    loc = requests.get(srv.url + m["playback_url"], allow_redirects=False,
                                       timeout=30).headers["Location"]
                    td = timings(loc, m["size"], 10)
                    print(f"  s3, presigned URL straight to moto: first byte {fmt_ms(td['ttfb'])}; "
                          f"seek to 90% {fmt_ms(td['seek90_first_byte'])}")
        finally:
            local.stop()
            s3srv.stop()
            moto.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
