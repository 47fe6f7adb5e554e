"""The documented gunicorn deployment: Parley's gevent WebSocket worker serves Socket.IO and REST."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from server import protocol as P
from tests.conftest import ROOT, LiveServer, wait_until
from tests.server.realtime_helpers import Device, token_of


def test_gunicorn_gevent_websocket_worker(tmp_path: Path) -> None:
    srv = LiveServer(tmp_path / "g")  # only its environment and helpers; gunicorn is the process
    srv.data_dir.mkdir(parents=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(srv.log_path, "ab") as log:
        proc = subprocess.Popen([str(gunicorn), "-k", "server.gunicorn.Worker", "-w", "1", "-b",
                                 f"127.0.0.1:{srv.port}", "server.gunicorn:make_app()"],
                                cwd=ROOT, env=srv.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: requests.get(f"{srv.url}/healthz", timeout=1).ok, 60, 0.2, "gunicorn to serve")
        a, b = srv.register_verified("An"), srv.register_verified("Bao")
        sender = Device(srv.url, token_of(a)).connect()
        receiver = Device(srv.url, token_of(b)).connect()
        try:
            assert sender.sio.transport() == "websocket"
            sent = sender.send(b["user"]["id"], "over gunicorn")
            got = receiver.wait_for(P.MESSAGE_NEW, lambda m: m["id"] == sent["id"])
            assert got["body"] == "over gunicorn"
        finally:
            sender.close()
            receiver.close()
        evil = Device(srv.url, token_of(a), headers={"Origin": "https://evil.example.com"})
        try:
            evil.connect()
            raise AssertionError("a foreign origin was let in")
        except Exception as exc:  # noqa: BLE001 - socketio's ConnectionError
            assert "ConnectionError" in type(exc).__name__, repr(exc)
        evil.close()
    finally:
        proc.terminate()
        proc.wait(30)
