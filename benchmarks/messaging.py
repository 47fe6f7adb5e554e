"""Messaging throughput, latency and idle-connection memory of one Parley server process.

    .venv/bin/python benchmarks/messaging.py [--pairs 50] [--window 10] [--seconds 10]
        [--rate 1000,2000] [--idle 10000] [--idle-concurrency 16] [--transports websocket,polling]
        [--database-url URL]
        [--targets parley,bare] [--bare-ws gevent-websocket|simple-websocket]

What it does, on loopback, with a real ``python -m server serve`` process:

1. creates ``2 * pairs`` verified users and their access tokens directly in a
   fresh data dir (no mail round trips), then starts the server;
2. *throughput*: every sender sends to its own receiver as fast as acks come
   back, with at most ``window`` un-acked messages each; prints the
   ``message:new`` deliveries per second and the send -> receive latency;
3. *paced latency*: the same at a fixed total rate (``--rate``, 1000 msg/s by
   default), which is the contract's p99 target;
4. both over WebSocket and over HTTP long-polling;
5. *idle memory*: opens ``--idle`` WebSocket connections (Engine.IO +
   Socket.IO handshake with a token; 20 per user), ``--idle-concurrency`` of
   them being opened at any moment (the JavaScript client on one event loop,
   ``loadgen/idle.mjs``), and reports the server's RSS and thread count before
   and after, the connection rate and the server's CPU per connect;
6. *the bare library* (``--targets`` includes ``bare``): the same load on
   ``benchmarks/bare_app.py``, a minimal Flask-SocketIO gevent app doing the
   same routing with an SQLite group commit, started in the same run; each
   Parley figure is then also given as a ratio of the bare app's.

The load generator runs on the same machine (and cores) as the server, so
the figures are a lower bound of what the server alone could do.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import socketio
import websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import protocol as P  # noqa: E402


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_users(env: dict[str, str], n: int) -> list[tuple[str, str]]:
    """Creates ``n`` verified users in-process; returns ``(user_id, access_token)``."""
    from server import close_app, create_app
    from server.config import Config
    from server.models import User, utcnow
    from server.services import passwords

    app = create_app(Config.from_env(env))
    svc = app.extensions["parley"]
    svc.db.upgrade()
    tokens = svc.tokens
    out = []
    pw = passwords.hash_password("benchmark password 1")
    with svc.db.session() as s:
        for i in range(n):
            u = User(email=f"bench{i}-{uuid.uuid4().hex[:6]}@example.com", password_hash=pw,
                     display_name=f"Bench {i}", email_verified_at=utcnow())
            s.add(u)
            s.flush()
            pair = tokens.start_session(s, u)
            out.append((u.id, pair.access_token))
        s.commit()
    close_app(app)
    return out


class Server:
    def __init__(self, env: dict[str, str], argv: list[str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        argv = argv or ["-m", "server", "serve", "--host", "127.0.0.1", "--port", "{port}"]
        self.proc = subprocess.Popen([sys.executable, *(a.format(port=self.port) for a in argv)], cwd=ROOT,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/task"))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def connect(url: str, token: str, transport: str) -> socketio.Client:
    c = socketio.Client(reconnection=False)
    c.connect(url, auth={"token": token}, transports=[transport], wait_timeout=20)
    return c


def close(c: socketio.Client) -> None:
    """Disconnects without websocket-client's 3 s wait for a close frame that the
    engineio client's reader thread has already consumed."""
    ws = getattr(c.eio, "ws", None)
    if ws is not None:
        orig = ws.close
        ws.close = lambda *a, **k: orig(timeout=0.2)
    try:
        c.disconnect()
    except Exception:  # noqa: BLE001
        pass


def run_load(srv: Server, users: list[tuple[str, str]], transport: str, pairs: int, window: int,
             seconds: float, rate: float | None) -> dict[str, float]:
    """Senders 0..pairs-1 each send to receiver pairs..2*pairs-1; returns the figures."""
    latencies: list[float] = []
    delivered = 0
    lock = threading.Lock()
    measuring = threading.Event()
    stop = threading.Event()
    errors: list[str] = []
    clients = []

    def on_new(msg: dict) -> None:
        nonlocal delivered
        now = time.perf_counter()
        sent_at = float(msg["body"].split(" ", 1)[0])
        if measuring.is_set():
            with lock:
                delivered += 1
                latencies.append(now - sent_at)

    receivers = []
    for uid, tok in users[pairs:2 * pairs]:
        c = connect(srv.url, tok, transport)
        c.on(P.MESSAGE_NEW, on_new)
        receivers.append(uid)
        clients.append(c)
    senders = [connect(srv.url, tok, transport) for _, tok in users[:pairs]]
    clients += senders

    def sender(i: int) -> None:
        c = senders[i]
        to = receivers[i]
        slots = threading.Semaphore(window)
        interval = pairs / rate if rate else 0.0
        next_at = time.perf_counter() + (i / pairs) * interval
        n = 0

        def acked(ack: dict) -> None:
            slots.release()
            if not ack.get("ok"):
                errors.append(str(ack.get("error")))

        while not stop.is_set():
            if interval:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                next_at += interval
            if not slots.acquire(timeout=1):
                continue
            n += 1
            body = f"{time.perf_counter():.6f} m{n}"
            try:
                c.emit(P.MESSAGE_SEND, {"to": to, "client_id": uuid.uuid4().hex, "body": body}, callback=acked)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
                slots.release()

    threads = [threading.Thread(target=sender, args=(i,), daemon=True) for i in range(pairs)]
    for t in threads:
        t.start()
    time.sleep(2)  # warm-up, not measured
    cpu0, own0 = srv.cpu_seconds(), time.process_time()
    measuring.set()
    t0 = time.perf_counter()
    time.sleep(seconds)
    measuring.clear()
    elapsed = time.perf_counter() - t0
    server_cpu, own_cpu = srv.cpu_seconds() - cpu0, time.process_time() - own0
    stop.set()
    for t in threads:
        t.join(5)
    closers = [threading.Thread(target=close, args=(c,), daemon=True) for c in clients]
    for t in closers:
        t.start()
    for t in closers:
        t.join(10)
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {"delivered_per_s": delivered / elapsed,
            "server_cpu_ms_per_msg": server_cpu * 1000 / delivered if delivered else float("nan"),
            "server_cpu_share": server_cpu / elapsed, "client_cpu_share": own_cpu / elapsed, "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan"), "errors": len(errors),
            "first_error": errors[0] if errors else ""}


LOADGEN = ROOT / "benchmarks/loadgen"


def node_loadgen_ready() -> bool:
    import shutil
    return shutil.which("node") is not None and (LOADGEN / "node_modules/socket.io-client").is_dir()


def run_load_node(srv: Server, users: list[tuple[str, str]], transport: str, pairs: int, window: int,
                  seconds: float, rate: float | None) -> dict[str, float]:
    """The same load as :func:`run_load`, driven by the JavaScript socket.io-client (one event loop)."""
    cfg = {"url": srv.url, "senders": users[:pairs], "receivers": users[pairs:2 * pairs], "transport": transport,
           "window": window, "seconds": seconds, "warmup": 2, "rate": rate or 0}
    proc = subprocess.Popen(["node", str(LOADGEN / "load.mjs"), json.dumps(cfg)], stdout=subprocess.PIPE,
                            text=True, cwd=LOADGEN)
    assert proc.stdout is not None
    cpu0 = cpu1 = 0.0
    result: dict[str, Any] = {}
    for out in proc.stdout:
        out = out.strip()
        if out == "START":
            cpu0 = srv.cpu_seconds()
        elif out == "END":
            cpu1 = srv.cpu_seconds()
        elif out.startswith("{"):
            result = json.loads(out)
    proc.wait(60)
    if not result:
        raise RuntimeError(f"the load generator failed (exit {proc.returncode})")
    elapsed, delivered = result["elapsed"], result["delivered"]
    server_cpu = cpu1 - cpu0
    return {"delivered_per_s": delivered / elapsed,
            "server_cpu_ms_per_msg": server_cpu * 1000 / delivered if delivered else float("nan"),
            "server_cpu_share": server_cpu / elapsed, "client_cpu_share": result["client_cpu_s"] / elapsed,
            "p50_ms": result["p50_ms"], "p99_ms": result["p99_ms"], "mean_ms": result["mean_ms"],
            "errors": result["errors"], "first_error": result["first_error"]}


def idle_memory(srv: Server, users: list[tuple[str, str]], count: int, concurrency: int = 1,
                node: bool = False) -> dict[str, float]:
    """Opens ``count`` Socket.IO-over-WebSocket connections and reads the server's RSS.

    ``concurrency`` connections are being opened at any moment, as devices do when a server
    restarts (with 1, the rate is one client's round trips, not the server's capacity). With
    ``node`` the JavaScript client opens them on one event loop (``loadgen/idle.mjs``); else
    threads of raw ``websocket-client`` connections, whose own CPU then limits the rate.
    """
    before, threads_before = srv.rss_mib(), srv.threads()
    tokens = [users[(i // 20) % len(users)][1] for i in range(count)]
    cpu0 = srv.cpu_seconds()
    if node:
        cfg = Path(tempfile.mkdtemp(prefix="parley-idle-")) / "idle.json"
        cfg.write_text(json.dumps({"url": srv.url, "tokens": tokens, "concurrency": concurrency}))
        proc = subprocess.Popen(["node", str(LOADGEN / "idle.mjs"), str(cfg)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, cwd=LOADGEN)
        assert proc.stdout is not None and proc.stdin is not None
        first = proc.stdout.readline()
        if not first.startswith("{"):
            proc.kill()
            raise RuntimeError(f"the idle connections failed (exit {proc.wait()})")
        done = json.loads(first)
        took, client_cpu, server_cpu = done["elapsed"], done["client_cpu_s"], srv.cpu_seconds() - cpu0
        time.sleep(2)
        after, threads_after = srv.rss_mib(), srv.threads()
        proc.stdin.close()
        proc.wait(60)
    else:
        from concurrent.futures import ThreadPoolExecutor
        ws_url = f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket"

        def connect(i: int) -> websocket.WebSocket:
            ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
            ws.recv()  # Engine.IO open packet
            ws.send("40" + json.dumps({"token": tokens[i]}))
            reply = ws.recv()
            if not reply.startswith("40"):
                raise RuntimeError(f"connection {i} refused: {reply}")
            return ws

        own0, t0 = time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            socks = list(pool.map(connect, range(count)))
        took = time.perf_counter() - t0
        server_cpu, client_cpu = srv.cpu_seconds() - cpu0, time.process_time() - own0
        time.sleep(2)
        after, threads_after = srv.rss_mib(), srv.threads()
        for ws in socks:
            ws.close(timeout=0)
    return {"connections": count, "rss_before_mib": before, "rss_after_mib": after,
            "kib_per_connection": (after - before) * 1024 / count, "threads_before": threads_before,
            "threads_after": threads_after, "connect_seconds": took,
            "server_cpu_ms_per_connect": server_cpu * 1000 / count, "client_cpu_share": client_cpu / took,
            "concurrency": concurrency}


def raise_nofile() -> None:
    """The load generator holds one socket per idle connection too."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_bare(env: dict[str, str], users: list[tuple[str, str]], data: Path, ws: str) -> Server:
    tokens = data / "bare-tokens.json"
    tokens.write_text(json.dumps({tok: uid for uid, tok in users}))
    return Server(env, [str(ROOT / "benchmarks/bare_app.py"), "{port}", str(data / "bare.db"), str(tokens),
                        "--ws", ws])


def line(label: str, r: dict[str, float]) -> str:
    return (f"{label}: {r['delivered_per_s']:8.0f} msg/s delivered, latency p50 {r['p50_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms, server CPU {r['server_cpu_ms_per_msg']:.2f} ms/msg "
            f"({r['server_cpu_share']:.2f} cores, load generator {r['client_cpu_share']:.2f} cores), "
            f"errors {r['errors']} {r['first_error']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=50)
    ap.add_argument("--window", type=int, default=10, help="un-acked messages per sender")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", default="1000,2000", help="total msg/s of the paced latency runs (empty: skip)")
    ap.add_argument("--idle", type=int, default=10000, help="idle connections for the memory figure (0: skip)")
    ap.add_argument("--idle-concurrency", type=int, default=16,
                    help="clients opening the idle connections at the same time (1: one after another)")
    ap.add_argument("--transports", default="websocket,polling")
    ap.add_argument("--targets", default="parley,bare", help="parley and/or bare (benchmarks/bare_app.py)")
    ap.add_argument("--bare-ws", default="gevent-websocket", choices=["gevent-websocket", "simple-websocket"])
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (already upgraded); SQLite by default")
    ap.add_argument("--client", default="auto", choices=["auto", "node", "python"],
                    help="load generator: the JavaScript socket.io-client (benchmarks/loadgen, `npm install` "
                         "there once) or python-socketio's threaded client; auto: node when installed")
    args = ap.parse_args()
    use_node = args.client == "node" or (args.client == "auto" and node_loadgen_ready())
    load = run_load_node if use_node else run_load
    raise_nofile()
    rates = [float(r) for r in args.rate.split(",") if r]

    data = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    env = {**os.environ, "PARLEY_DATA_DIR": str(data), "PARLEY_RATE_LIMITS": "off",
           "PARLEY_MESSAGE_RATE": "1000000", "PARLEY_MESSAGE_BURST": "1000000",
           "PARLEY_ACCESS_TOKEN_TTL": "7200", "PARLEY_LOG_LEVEL": "WARNING"}
    if args.database_url:
        env["PARLEY_DATABASE_URL"] = args.database_url
    # the idle connections use their own users (20 sockets each, the per-user limit), so that
    # sockets of the load runs still closing cannot count against that limit
    users = make_users(env, max(2 * args.pairs, 100) + -(-args.idle // 20))
    idle_users = users[max(2 * args.pairs, 100):]
    results: dict[tuple[str, str], dict[str, float]] = {}
    print(f"{'PostgreSQL' if args.database_url else 'SQLite'}, {os.cpu_count()} CPUs, pairs={args.pairs} "
          f"window={args.window} seconds={args.seconds}, load generator: "
          f"{'socket.io-client (node)' if use_node else 'python-socketio'}", flush=True)
    for target in [t for t in args.targets.split(",") if t]:
        srv = Server(env) if target == "parley" else start_bare(env, users, data, args.bare_ws)
        name = "parley" if target == "parley" else f"bare ({args.bare_ws})"
        print(f"{name}: pid {srv.proc.pid} on {srv.url}", flush=True)
        try:
            for transport in [t for t in args.transports.split(",") if t]:
                r = results[(target, f"{transport} max")] = load(
                    srv, users, transport, args.pairs, args.window, args.seconds, None)
                print(line(f"{name:8} {transport:9} max throughput", r), flush=True)
                for rate in rates:
                    r = results[(target, f"{transport} {rate:.0f}")] = load(
                        srv, users, transport, args.pairs, args.window, args.seconds, rate)
                    print(line(f"{name:8} {transport:9} paced {rate:.0f} msg/s", r), flush=True)
            if args.idle:
                m = idle_memory(srv, idle_users, args.idle, args.idle_concurrency, use_node)
                print(f"{name} idle: {m['connections']} WebSocket connections: server RSS {m['rss_before_mib']:.0f} MiB -> "
                      f"{m['rss_after_mib']:.0f} MiB ({m['kib_per_connection']:.0f} KiB each), threads "
                      f"{m['threads_before']} -> {m['threads_after']}, connected in {m['connect_seconds']:.1f} s "
                      f"({m['connections'] / m['connect_seconds']:.0f}/s by {m['concurrency']} clients; server CPU "
                      f"{m['server_cpu_ms_per_connect']:.2f} ms/connect, load generator {m['client_cpu_share']:.2f} "
                      f"cores)", flush=True)
        finally:
            srv.stop()
    for (target, kind), r in results.items():
        bare = results.get(("bare", kind))
        if target == "parley" and bare and bare["delivered_per_s"]:
            print(f"parley / bare, {kind}: throughput {r['delivered_per_s'] / bare['delivered_per_s']:.2f}, "
                  f"p99 {r['p99_ms']:.1f} ms vs {bare['p99_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
