"""Message search, "messages around an id" and the admin status, on a store of many messages (issue 14).

    .venv/bin/python benchmarks/search.py [--messages 50000] [--rounds 30]

Server: a real ``parley-server serve`` on SQLite, two accounts made with the CLI, ``--messages``
messages between them written straight into its database (the full-text index fills itself
through its triggers), then timed over HTTP with the accounts' own tokens:
``GET /api/messages/search`` for a common word, a rare word, Vietnamese typed without diacritics
and a prefix; ``GET /api/conversations/{peer}/messages?around=ID``; ``GET /api/admin/status``.

Desktop: the same messages in a local cache (``desktop.core.store.Store``), searched on this thread
as the disk thread does (``desktop.core.search.search_cache``), and the one-time folding of a cache
written before issue 14. Prints median and 95th percentile in milliseconds; compare within one run.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.core.cache import MessageCache  # noqa: E402
from desktop.core.models import Message  # noqa: E402
from desktop.core.search import fold_cached, search_cache  # noqa: E402
from desktop.core.store import Store  # noqa: E402
from server.services.text_folding import fold  # noqa: E402

PASSWORD = "benchmark pass phrase 7"
WORDS = ("hôm nay trời đẹp quá, đi cà phê không", "xin chào, bạn khỏe không", "meeting at noon tomorrow",
         "see the video I sent", "đang họp, gọi lại sau nhé", "the build is green again",
         "cảm ơn nhiều", "where are the slides", "tối nay ăn gì", "ok")
RARE = "zephyrine"
QUERIES = {"common word (\"video\")": "video", "rare word": RARE, "Vietnamese without diacritics (\"dang hop\")":
           "dang hop", "prefix while typing (\"tomo\")": "tomo"}


def bodies(n: int) -> list[str]:
    rng = random.Random(7)
    return [f"{rng.choice(WORDS)} {i}" + (f" {RARE}" if i % 5000 == 0 else "") for i in range(n)]


def timed(fn: Callable[[], object], rounds: int) -> str:
    fn()  # warm: caches, connections
    took = []
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        took.append(time.perf_counter() - began)
    took.sort()
    p95 = took[min(len(took) - 1, int(0.95 * len(took)))]
    return f"median {1000 * statistics.median(took):7.1f} ms, p95 {1000 * p95:7.1f} ms"


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "server", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def fill_server_db(db: Path, a: str, b: str, texts: list[str]) -> int:
    start = datetime.now(timezone.utc) - timedelta(days=13)
    step = timedelta(days=13) / max(1, len(texts))
    rows = [(f"bench-{i}", a if i % 2 else b, b if i % 2 else a, t, fold(t),
             (start + i * step).strftime("%Y-%m-%d %H:%M:%S.%f"), False, False) for i, t in enumerate(texts)]
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO messages (client_id, sender_id, recipient_id, body, body_folded, created_at, "
                         "deleted, withheld) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return int(conn.execute("SELECT id FROM messages ORDER BY id LIMIT 1 OFFSET ?",
                                (len(rows) // 2,)).fetchone()[0])


def server_figures(texts: list[str], rounds: int, folder: Path) -> None:
    port = 8000 + random.Random().randrange(1000, 9000)
    env = {**os.environ, "PARLEY_DATA_DIR": str(folder / "server"), "PARLEY_MAIL_BACKEND": "console",
           "PARLEY_RATE_LIMITS": "off", "PYTHONPATH": str(ROOT),
           "PARLEY_USER_LIMIT_MESSAGE_SEARCH": "off", "PARLEY_USER_LIMIT_ADMIN": "off"}
    cli(env, "db", "upgrade")
    ids = []
    for who in ("alice", "bob"):
        out = cli(env, "create-user", "--email", f"{who}@example.org", "--name", who.title(),
                  "--password", PASSWORD, *(["--admin"] if who == "alice" else []))
        ids.append(out.rsplit("id ", 1)[1].strip())
    middle = fill_server_db(folder / "server" / "parley.db", ids[0], ids[1], texts)
    server = subprocess.Popen([sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if requests.get(f"{url}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        http = requests.Session()
        token = http.post(f"{url}/api/auth/login", json={"email": "alice@example.org", "password": PASSWORD},
                          timeout=30).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"

        def get(path: str, **params: object) -> Callable[[], object]:
            def call() -> object:
                r = http.get(f"{url}{path}", params=params, timeout=30)
                r.raise_for_status()
                return r.json()
            return call

        print(f"server (SQLite, {len(texts):,} messages in one conversation, over HTTP):")
        print(f"  GET /api/me, the floor of a signed-in request     {timed(get('/api/me'), rounds)}")
        for label, q in QUERIES.items():
            found = len(get("/api/messages/search", q=q, limit=50)()["messages"])  # type: ignore[index]
            print(f"  search, {label:45} {found:3} found  {timed(get('/api/messages/search', q=q, limit=50), rounds)}")
        around = get(f"/api/conversations/{ids[1]}/messages", around=middle, limit=50)
        print(f"  history around a message in the middle            {timed(around, rounds)}")
        print(f"  admin status                                      {timed(get('/api/admin/status'), rounds)}")
    finally:
        server.terminate()
        server.wait(15)


def desktop_figures(texts: list[str], rounds: int, folder: Path) -> None:
    store = Store(folder / "cache.sqlite3")
    base = datetime.now(timezone.utc) - timedelta(days=13)
    messages = [Message(id=str(i + 1), client_id=f"c{i}", sender_id="me" if i % 2 else "peer",
                        recipient_id="peer" if i % 2 else "me", body=t,
                        created_at=base + timedelta(seconds=i)) for i, t in enumerate(texts)]
    cache = MessageCache(store, "me")
    for i in range(0, len(messages), 1000):
        cache.put_messages(messages[i:i + 1000])
    print(f"desktop cache ({len(texts):,} messages, on the calling thread as on the disk thread):")
    for label, q in QUERIES.items():
        found = len(search_cache(store, "me", q))
        print(f"  search, {label:45} {found:3} found  {timed(lambda q=q: search_cache(store, 'me', q), rounds)}")
    with store.lock:
        store.db.execute("UPDATE messages SET body_folded=NULL")
    began = time.perf_counter()
    folded = fold_cached(store)
    print(f"  folding a cache written before issue 14 (once)   {folded:,} messages in "
          f"{1000 * (time.perf_counter() - began):.0f} ms")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    texts = bodies(args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        server_figures(texts, args.rounds, Path(tmp))
        desktop_figures(texts, args.rounds, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
