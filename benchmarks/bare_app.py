"""The bare library: a minimal Flask-SocketIO gevent app doing Parley's message routing.

    python benchmarks/bare_app.py PORT DB_PATH TOKENS_JSON [--ws gevent-websocket|simple-websocket]

``benchmarks/messaging.py`` starts it next to the real server and puts the
same load on both, so Parley's figures read as a ratio of what the library
itself does on this machine. What it does per ``message:send``, and nothing
more: look the socket's user up, store the message with a group commit in
SQLite (WAL, one writer greenlet, one multi-row INSERT and one commit per
batch, the sender acked after the commit), emit ``message:new`` to the
recipient's room, ack with the stored message. No validation, no auth checks
after connect, no rate limit, no metrics.

``--ws`` picks Engine.IO's WebSocket driver on gevent: gevent-websocket's
handler, or simple-websocket (engineio's fallback when gevent-websocket is not
importable); this is how the two were compared (docs/performance.md).
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("db")
ap.add_argument("tokens")
ap.add_argument("--ws", default="gevent-websocket", choices=["gevent-websocket", "simple-websocket"])
args = ap.parse_args()
if args.ws == "simple-websocket":
    sys.modules["geventwebsocket"] = None  # type: ignore[assignment]  # engineio falls back

import gevent  # noqa: E402
from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402
from gevent import pywsgi  # noqa: E402
from gevent.event import AsyncResult  # noqa: E402
from gevent.queue import Queue  # noqa: E402
from socketio.exceptions import ConnectionRefusedError  # noqa: E402

TOKENS: dict[str, str] = json.loads(open(args.tokens).read())  # noqa: SIM115
db = sqlite3.connect(args.db, isolation_level=None, check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, client_id TEXT, sender_id TEXT, "
           "recipient_id TEXT, body TEXT, created_at TEXT, UNIQUE(sender_id, client_id))")
queue: Queue = Queue()


def writer() -> None:
    """One greenlet inserts every waiting message in one transaction, then wakes the senders."""
    while True:
        batch = [queue.get()]
        while not queue.empty() and len(batch) < 256:
            batch.append(queue.get_nowait())
        db.execute("BEGIN")
        rows = []
        for values, _ in batch:
            cur = db.execute("INSERT INTO messages (client_id, sender_id, recipient_id, body, created_at) "
                             "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                             (values["client_id"], values["sender_id"], values["recipient_id"], values["body"],
                              values["created_at"]))
            rows.append(cur.fetchone())
        db.execute("COMMIT")
        for (_, result), row in zip(batch, rows, strict=True):
            result.set(row[0] if row else None)


app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", async_handlers=False, cors_allowed_origins="*")
users: dict[str, str] = {}


@socketio.on("connect")
def on_connect(auth: dict | None = None) -> None:
    uid = TOKENS.get((auth or {}).get("token", ""))
    if uid is None:
        raise ConnectionRefusedError("unauthorized")
    users[request.sid] = uid
    join_room(f"user:{uid}")


@socketio.on("disconnect")
def on_disconnect(*_a: object) -> None:
    users.pop(request.sid, None)


def on_send(sid: str, data: dict) -> dict:
    values = {"client_id": data["client_id"], "sender_id": users[sid], "recipient_id": data["to"],
              "body": data["body"], "created_at": datetime.now(timezone.utc).isoformat()}
    result: AsyncResult = AsyncResult()
    queue.put((values, result))
    msg = {"id": str(result.get(timeout=30)), **values}
    socketio.server.emit("message:new", msg, to=f"user:{values['recipient_id']}")
    return {"ok": True, "message": msg}


socketio.server.on("message:send", on_send)


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


gevent.spawn(writer)
if args.ws == "gevent-websocket":
    from geventwebsocket.handler import WebSocketHandler
    server = pywsgi.WSGIServer(("127.0.0.1", args.port), app, handler_class=WebSocketHandler, log=None)
else:
    server = pywsgi.WSGIServer(("127.0.0.1", args.port), app, log=None)
server.serve_forever()
