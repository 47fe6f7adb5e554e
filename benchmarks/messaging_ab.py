"""Two server trees and the bare app under the same load, interleaved, in one invocation.

    .venv/bin/python benchmarks/messaging_ab.py --base ../wt-base [--rounds 2] [--seconds 8] [--idle 1000]
        [--kinds "websocket max,websocket 1000,polling max"]

``--base`` is another checkout of Parley (``git worktree add --detach ../wt-base main``;
link ``benchmarks/loadgen/node_modules`` into it). Each round starts, in turn, the base
tree's server ("base"), this tree's ("this") and ``benchmarks/bare_app.py`` ("bare"),
puts the :mod:`messaging` load on each (same users, same data dir, the JavaScript load
generator) and, with ``--idle``, opens that many WebSocket connections one after another
and reads the server's CPU time per connect. Interleaving matters on a shared machine:
what the others run changes within minutes, so the figures compare as ratios within a
round, and server CPU per message (or per connect) compares across rounds.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import messaging as M  # noqa: E402

THIS = HERE.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, type=Path, help="another checkout of Parley")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--kinds", default="websocket max,websocket 1000,polling max")
    args = ap.parse_args()
    base = args.base.resolve()
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    M.raise_nofile()
    data = Path(tempfile.mkdtemp(prefix="parley-ab-"))
    env = {**os.environ, "PARLEY_DATA_DIR": str(data), "PARLEY_RATE_LIMITS": "off",
           "PARLEY_MESSAGE_RATE": "1000000", "PARLEY_MESSAGE_BURST": "1000000",
           "PARLEY_ACCESS_TOKEN_TTL": "7200", "PARLEY_LOG_LEVEL": "WARNING"}
    per_idle = -(-args.idle // 20)
    users = M.make_users(env, 100 + per_idle * 3 * args.rounds + 1)
    idle_users = users[100:]
    print(f"start {time.strftime('%H:%M:%S', time.gmtime())} UTC, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    res: dict[tuple[str, str], list[dict[str, Any]]] = {}
    targets = ["base", "this", "bare"]
    for rnd in range(args.rounds):
        for i, target in enumerate(targets):
            M.ROOT = base if target == "base" else THIS  # the server runs `python -m server` in ROOT
            srv = M.start_bare(env, users, data, "gevent-websocket") if target == "bare" else M.Server(env)
            try:
                for kind in kinds:
                    transport, rate = kind.split()
                    r = M.run_load_node(srv, users, transport, 50, 10, args.seconds,
                                        None if rate == "max" else float(rate))
                    res.setdefault((target, kind), []).append(r)
                    print(f"round {rnd} " + M.line(f"{target:4} {kind:15}", r)
                          + f", load {os.getloadavg()[0]:.1f}", flush=True)
                if args.idle:
                    k = i + len(targets) * rnd
                    cpu0 = srv.cpu_seconds()
                    m = M.idle_memory(srv, idle_users[k * per_idle:(k + 1) * per_idle], args.idle)
                    m["cpu_ms_per_connect"] = (srv.cpu_seconds() - cpu0) * 1000 / args.idle
                    res.setdefault((target, "idle"), []).append(m)
                    print(f"round {rnd} {target:4} idle: {args.idle} connections, {m['kib_per_connection']:.0f} KiB "
                          f"each, {args.idle / m['connect_seconds']:.0f}/s, server CPU "
                          f"{m['cpu_ms_per_connect']:.2f} ms per connect (with the 2 s settle), "
                          f"load {os.getloadavg()[0]:.1f}", flush=True)
            finally:
                srv.stop()
    print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    def mean(target: str, kind: str, key: str) -> float:
        values = [r[key] for r in res[(target, kind)]]
        return sum(values) / len(values)

    for kind in kinds:
        cpu = {t: mean(t, kind, "server_cpu_ms_per_msg") for t in targets}
        print(f"{kind}: server CPU ms/msg base {cpu['base']:.2f}, this {cpu['this']:.2f}, bare {cpu['bare']:.2f}; "
              f"efficiency vs bare: base {cpu['bare'] / cpu['base']:.2f}, this {cpu['bare'] / cpu['this']:.2f}; "
              + "; ".join(f"{t} {mean(t, kind, 'delivered_per_s'):.0f} msg/s p99 {mean(t, kind, 'p99_ms'):.0f} ms"
                          for t in targets))
    if args.idle:
        for t in targets:
            ms = res[(t, "idle")]
            print(f"idle {t}: connects/s {[round(args.idle / m['connect_seconds']) for m in ms]}, server CPU ms per "
                  f"connect {[round(m['cpu_ms_per_connect'], 2) for m in ms]}, "
                  f"KiB each {[round(m['kib_per_connection']) for m in ms]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
