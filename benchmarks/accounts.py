"""Accounts benchmark: login throughput and latency, register latency.

Starts one server process (SQLite, rate limits off) and measures:
- login requests per second and p50/p99 latency with 8 concurrent clients;
- register latency with console mail, and with an SMTP server that takes
  2 s per message, which shows registration never waits for the mail.

Usage: .venv/bin/python benchmarks/accounts.py [--seconds 10] [--clients 8]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.conftest import LiveServer, free_port  # noqa: E402

PASSWORD = "benchmark secret 123"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def login_load(base: str, email: str, seconds: float, clients: int) -> tuple[int, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        s = requests.Session()
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            r = s.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
            mine.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies


def argon2_ceiling(seconds: float, threads: int) -> float:
    """Password verifications per second on all cores: the ceiling for logins."""
    from server.services import passwords
    stored = passwords.hash_password(PASSWORD)
    count = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal count
        n = 0
        while time.monotonic() < stop:
            passwords.verify_password(stored, PASSWORD)
            n += 1
        with lock:
            count += n

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return count / seconds


def register_latency(base: str, n: int) -> list[float]:
    s = requests.Session()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = s.post(f"{base}/api/auth/register", json={"email": f"b-{uuid.uuid4().hex[:10]}@example.com",
                                                      "password": PASSWORD, "display_name": "Bench"}, timeout=30)
        out.append(time.perf_counter() - t)
        assert r.status_code == 202
    return out


class SlowSmtp:
    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        await asyncio.sleep(2.0)
        return "250 OK"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        srv = LiveServer(Path(tmp) / "a").start()
        try:
            user = srv.register_verified("Bench", PASSWORD)
            login_load(srv.url, user["email"], 1, args.clients)  # warm up
            n, lat = login_load(srv.url, user["email"], args.seconds, args.clients)
            ceiling = argon2_ceiling(min(args.seconds, 5), os.cpu_count() or 2)
            print(f"login: {n / args.seconds:.1f} req/s with {args.clients} clients over {args.seconds:.0f} s; "
                  f"p50 {pct(lat, .5):.1f} ms, p99 {pct(lat, .99):.1f} ms")
            print(f"argon2id verifications alone (same run, {os.cpu_count()} threads): {ceiling:.1f}/s; "
                  f"login reaches {n / args.seconds / ceiling:.0%} of that ceiling")
            reg = register_latency(srv.url, 40)
            print(f"register (console mail): p50 {pct(reg, .5):.1f} ms, p99 {pct(reg, .99):.1f} ms, "
                  f"mean {statistics.mean(reg) * 1000:.1f} ms")
        finally:
            srv.stop()

        from aiosmtpd.controller import Controller
        port = free_port()
        ctl = Controller(SlowSmtp(), hostname="127.0.0.1", port=port)
        ctl.start()
        srv = LiveServer(Path(tmp) / "b", {"PARLEY_MAIL_BACKEND": "smtp", "PARLEY_SMTP_HOST": "127.0.0.1",
                                           "PARLEY_SMTP_PORT": str(port)}).start()
        try:
            reg = register_latency(srv.url, 20)
            print(f"register (SMTP server taking 2 s a message): p50 {pct(reg, .5):.1f} ms, "
                  f"p99 {pct(reg, .99):.1f} ms, max {max(reg) * 1000:.1f} ms")
        finally:
            srv.stop()
            ctl.stop()


if __name__ == "__main__":
    main()
