"""Operating the server: graceful shutdown under load, /metrics, request ids and JSON logs."""
from __future__ import annotations

import json
import re
import threading
import time
import uuid

import requests
import socketio

from tests.conftest import LiveServer, wait_until


def metric(text: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.M)
    assert m, f"{name} not in /metrics"
    return float(m.group(1))


def connect(url: str, token: str) -> socketio.Client:
    sio = socketio.Client(reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.5)
    sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return sio


def test_graceful_shutdown_loses_no_acknowledged_message(tmp_path) -> None:  # noqa: ANN001
    srv = LiveServer(tmp_path / "g", {"PARLEY_MESSAGE_RATE": "1000", "PARLEY_MESSAGE_BURST": "1000"}).start()
    a, b = srv.register_verified("An"), srv.register_verified("Bao")
    sio = socketio.Client(reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.5)
    sio.connect(srv.url, auth=lambda: {"token": a["tokens"]["access_token"]}, transports=["websocket"],
                wait_timeout=10)
    acked: list[str] = []
    errors: list[dict] = []
    stop = threading.Event()

    def sender() -> None:
        i = 0
        while not stop.is_set():
            payload = {"to": b["user"]["id"], "client_id": f"g-{i}", "body": f"message {i}"}
            while not stop.is_set():
                try:
                    ack = sio.call("message:send", payload, timeout=2)
                except socketio.exceptions.SocketIOError:
                    time.sleep(0.05)  # disconnected or no answer: retry with the same client_id
                    continue
                if ack["ok"]:
                    acked.append(payload["client_id"])
                    break
                if ack["error"]["code"] == "rate_limited":
                    time.sleep(ack["error"].get("retry_after", 0.05))
                    continue
                errors.append(ack)  # the test fails on it below
                stop.set()
            i += 1

    t = threading.Thread(target=sender)
    t.start()
    try:
        wait_until(lambda: len(acked) >= 20, 20, what="some messages acknowledged")
        started = time.monotonic()
        srv.stop(timeout=30)  # SIGTERM while the stream runs
        # the server's own bound: 10 s for requests in flight (grace), then up to 5 s for mail; a loaded
        # fresh-clone run took 10.03 s here, so 10 s was tighter than what the server promises
        assert time.monotonic() - started < 15
        closed = re.search(r"closed (\d+) socket", srv.log())
        assert closed and int(closed.group(1)) >= 1 and '"msg": "stopped"' in srv.log(), srv.log()[-2000:]
        srv.start()
        wait_until(lambda: len(acked) >= 60, 30, what="the stream to continue after the restart")
    finally:
        stop.set()
        t.join(30)
        sio.disconnect()
    assert not errors, errors
    token = b["tokens"]["access_token"]
    stored: list[str] = []
    after = None
    reader = connect(srv.url, token)
    try:
        while True:
            ack = reader.call("sync", {"after": after}, timeout=10)
            stored += [m["client_id"] for m in ack["messages"] if m["sender_id"] == a["user"]["id"]]
            if not ack["has_more"]:
                break
            after = ack["messages"][-1]["id"]
    finally:
        reader.disconnect()
    srv.stop()
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert set(acked) <= set(stored), f"acknowledged but lost: {sorted(set(acked) - set(stored))[:5]}"


def test_metrics_request_ids_and_json_logs(live_server: LiveServer) -> None:
    a, b = live_server.register_verified("An"), live_server.register_verified("Bao")
    s1 = connect(live_server.url, a["tokens"]["access_token"])
    s2 = connect(live_server.url, b["tokens"]["access_token"])
    try:
        for i in range(3):
            ack = s1.call("message:send", {"to": b["user"]["id"], "client_id": f"m-{i}", "body": "hi"}, timeout=10)
            assert ack["ok"]
        text = requests.get(f"{live_server.url}/metrics", timeout=5).text
        assert metric(text, "parley_connected_sockets") == 2
        assert metric(text, "parley_messages_total") == 3
        assert metric(text, "parley_mail_sent_total") >= 2  # the two verification codes
        assert metric(text, "parley_mail_failures_total") == 0
        assert metric(text, 'parley_http_requests_total{method="POST",status="200"}') >= 2
    finally:
        s1.disconnect()
        s2.disconnect()
    rid = f"test-{uuid.uuid4().hex[:8]}"
    r = requests.get(f"{live_server.url}/api/me", headers={"X-Request-ID": rid}, timeout=5)
    assert r.status_code == 401 and r.headers["X-Request-ID"] == rid
    bad = requests.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "not ok {}"}, timeout=5)
    assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["X-Request-ID"])  # an unsafe id is replaced

    def logged() -> dict | None:
        for line in live_server.log().splitlines():
            if rid in line and line.startswith("{"):
                return json.loads(line)
        return None

    entry = wait_until(logged, 5, what="the access log line")
    assert entry["path"] == "/api/me" and entry["status"] == 401 and entry["request_id"] == rid
    assert entry["level"] == "info" and entry["ts"].endswith("Z")
