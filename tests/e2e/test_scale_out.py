"""Two server processes behind a real nginx, sharing PostgreSQL, Redis and S3 (moto).

The nginx configuration is the one shipped in ``packaging/server/`` with only
its TLS, ports and upstream addresses swapped for the test's. Clients connect
from different loopback addresses (all of 127.0.0.0/8 is this machine), so the
sticky ``hash $remote_addr`` sends them to different processes. They exchange
messages and a video across the processes; then one process is stopped and
its client moves to the other with no message lost.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import socketio
from requests.adapters import HTTPAdapter

from tests.conftest import REDIS_URL, ROOT, LiveServer, free_port, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "scale out secret 42"


class SourceAddressAdapter(HTTPAdapter):
    """Makes every connection of a requests session leave from one loopback address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    s = requests.Session()
    s.mount("http://", SourceAddressAdapter(address))
    return s


def nginx_conf(prefix: Path, port: int, upstreams: list[int]) -> str:
    """The shipped site, with the test's ports and no TLS, inside a minimal nginx.conf."""
    site = (ROOT / "packaging/server/nginx-parley.conf").read_text()
    site = re.sub(r"#[^\n]*", "", site)
    site = re.sub(r"\n\s*server 127\.0\.0\.1:\d+[^\n]*;", "", site)
    site = site.replace("hash $remote_addr consistent;",
                        "hash $remote_addr consistent;\n" + "".join(
                            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams))
    blocks = re.split(r"\nserver \{", site)
    head, servers = blocks[0], ["server {" + b for b in blocks[1:]]
    main = next(b for b in servers if "listen 443" in b)
    main = re.sub(r"listen 443[^\n]*\n", f"listen 127.0.0.1:{port};\n", main)
    main = re.sub(r"\s*listen \[::\]:443[^\n]*", "", main)
    main = re.sub(r"\s*ssl_[a-z_]+ [^\n]*;", "", main)
    temp = "".join(f"    {name}_temp_path {prefix / name};\n" for name in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
    return (f"user root;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n    access_log {prefix / 'access.log'};\n{temp}"
            f"{head}\n{main}\n}}\n")


class Client:
    """A user's device over long-polling (the transport that needs sticky sessions)."""

    def __init__(self, base: str, address: str, email: str) -> None:
        self.base, self.http = base, session_from(address)
        r = self.http.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)
        assert r.status_code == 200, r.text
        self.tokens, self.user = r.json(), r.json()["user"]
        self.upstream = r.headers["X-Parley-Upstream"]
        self.received: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.sio = socketio.Client(http_session=self.http, reconnection=True, reconnection_delay=0.2,
                                   reconnection_delay_max=1, randomization_factor=0.1)
        self.sio.on("message:new", self._on_message)
        self.sio.on("connect", self._on_connect)

    def _on_message(self, msg: dict) -> None:
        with self.lock:
            self.received[msg["id"]] = msg

    def _on_connect(self) -> None:
        threading.Thread(target=self.sync, daemon=True).start()

    def token(self) -> dict:
        # refresh through nginx so a reconnect after the move carries a valid token
        return {"token": self.tokens["access_token"]}

    def connect(self) -> Client:
        self.sio.connect(self.base, transports=["polling"], auth=lambda: self.token(), wait_timeout=10)
        return self

    def sync(self) -> None:
        after = None
        while True:
            ack = self.sio.call("sync", {"after": after}, timeout=10)
            assert ack["ok"], ack
            with self.lock:
                for m in ack["messages"]:
                    self.received[m["id"]] = m
            if not ack["has_more"] or not ack["messages"]:
                return
            after = ack["messages"][-1]["id"]

    def send(self, to: str, body: str | None = None, media_id: str | None = None, deadline: float = 30) -> dict:
        """Sends until acknowledged, retrying with the same client_id (what the app's outbox does)."""
        payload: dict[str, Any] = {"to": to, "client_id": uuid.uuid4().hex}
        if body is not None:
            payload["body"] = body
        if media_id is not None:
            payload["media_id"] = media_id
        end = time.monotonic() + deadline
        while True:
            try:
                ack = self.sio.call("message:send", payload, timeout=3)
                assert ack["ok"], ack
                return ack["message"]
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                if time.monotonic() > end:
                    raise
                time.sleep(0.2)

    def bodies(self, sender: str) -> list[str]:
        with self.lock:
            return [m["body"] for _, m in sorted(self.received.items(), key=lambda kv: int(kv[0]))
                    if m["sender_id"] == sender]


def make_video(path: Path) -> bytes:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                    "-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
                   check=True, timeout=120)
    return path.read_bytes()


def upload(c: Client, blob: bytes) -> str:
    h = {"Authorization": f"Bearer {c.tokens['access_token']}"}
    up = c.http.post(f"{c.base}/api/media/uploads", headers=h, timeout=10,
                     json={"filename": "clip.mp4", "size": len(blob), "content_type": "video/mp4"}).json()
    parts = []
    for n in range(1, up["part_count"] + 1):
        where = c.http.post(f"{c.base}/api/media/uploads/{up['upload_id']}/parts/{n}", headers=h, timeout=10).json()
        chunk = blob[(n - 1) * up["part_size"]: n * up["part_size"]]
        assert "127.0.0.1" in where["url"] and c.base not in where["url"]  # straight to S3, not through nginx
        r = requests.request(where["method"], where["url"], data=chunk, headers=where.get("headers") or {},
                             timeout=30)
        assert r.status_code == 200, r.text
        parts.append({"n": n, "etag": r.headers["ETag"]})
    r = c.http.post(f"{c.base}/api/media/uploads/{up['upload_id']}/complete", headers=h, json={"parts": parts},
                    timeout=10)
    assert r.status_code == 202, r.text
    media_id = r.json()["media_id"]
    wait_until(lambda: c.http.get(f"{c.base}/api/media/{media_id}", headers=h, timeout=10).json()["status"]
               == "ready", 60, 0.2, "the video to be processed")
    return media_id


@pytest.fixture
def cluster(tmp_path: Path, postgres_url: str, moto_server: str, aws_env: dict[str, str]):  # noqa: ANN201
    bucket = f"parley-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=bucket)
    nginx_port = free_port()
    env = {**aws_env, "PARLEY_DATABASE_URL": postgres_url, "PARLEY_REDIS_URL": REDIS_URL,
           "PARLEY_REDIS_CHANNEL": f"parley-test-{uuid.uuid4().hex[:8]}", "PARLEY_STORAGE_BACKEND": "s3",
           "PARLEY_S3_BUCKET": bucket, "PARLEY_SECRET_KEY": "s" * 48, "PARLEY_TRUSTED_PROXIES": "1",
           "PARLEY_PUBLIC_URL": f"http://127.0.0.1:{nginx_port}"}
    base_env = {**os.environ, **env, "PARLEY_DATA_DIR": str(tmp_path / "admin")}
    subprocess.run([sys.executable, "-m", "server", "db", "upgrade"], cwd=ROOT, env=base_env, check=True, timeout=60)
    for email, name in (("an@example.com", "An"), ("bao@example.com", "Bao")):
        subprocess.run([sys.executable, "-m", "server", "create-user", "--email", email, "--name", name],
                       cwd=ROOT, env=base_env, input=PASSWORD + "\n", text=True, check=True, timeout=60)
    servers = [LiveServer(tmp_path / f"p{i}", env).start() for i in (1, 2)]
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(nginx_conf(prefix, nginx_port, [s.port for s in servers]))
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                            stderr=subprocess.STDOUT, stdout=open(prefix / "out.log", "wb"))  # noqa: SIM115
    base = f"http://127.0.0.1:{nginx_port}"
    try:
        wait_until(lambda: requests.get(f"{base}/healthz", timeout=2).status_code == 200, 15, 0.1, "nginx")
        yield base, servers
    finally:
        proc.terminate()
        proc.wait(10)
        for s in servers:
            s.stop()


def test_two_processes_behind_nginx(cluster, tmp_path: Path) -> None:  # noqa: ANN001
    base, servers = cluster
    # one loopback address per process, by where nginx's sticky hash sends it
    by_upstream: dict[str, str] = {}
    for i in range(2, 80):
        addr = f"127.0.0.{i}"
        up = session_from(addr).get(f"{base}/healthz", timeout=5).headers["X-Parley-Upstream"]
        by_upstream.setdefault(up, addr)
        if len(by_upstream) == 2:
            break
    assert len(by_upstream) == 2, by_upstream
    (up_a, addr_a), (up_b, addr_b) = sorted(by_upstream.items())
    a = Client(base, addr_a, "an@example.com").connect()
    b = Client(base, addr_b, "bao@example.com").connect()
    assert a.upstream != b.upstream  # they really are on different processes
    a_id, b_id = a.user["id"], b.user["id"]

    # messages cross the processes (Redis message queue), both ways
    a.send(b_id, "hello from the first process")
    b.send(a_id, "hello back from the second")
    wait_until(lambda: b.bodies(a_id) == ["hello from the first process"], 15, what="B to receive A's message")
    wait_until(lambda: a.bodies(b_id) == ["hello back from the second"], 15, what="A to receive B's message")

    # a video: parts straight to S3, processed, sent, streamed by the peer
    blob = make_video(tmp_path / "clip.mp4")
    media_id = upload(a, blob)
    sent = a.send(b_id, media_id=media_id)
    assert sent["media"]["id"] == media_id
    wait_until(lambda: any(m.get("media") and m["media"]["id"] == media_id for m in b.received.values()), 15,
               what="B to receive the video message")
    hb = {"Authorization": f"Bearer {b.tokens['access_token']}"}
    r = b.http.get(f"{base}/api/media/{media_id}/stream", headers=hb, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    tail = requests.get(r.headers["Location"], headers={"Range": f"bytes={len(blob) - 1000}-"}, timeout=10)
    assert tail.status_code == 206 and tail.content == blob[-1000:]

    # stop A's process: A moves to the other one; nothing sent on either side is lost
    a_server = next(s for s in servers if up_a.endswith(f":{s.port}"))
    stopper = threading.Thread(target=a_server.stop)
    stopper.start()
    a_sent = [f"a-{i}" for i in range(5)]
    b_sent = [f"b-{i}" for i in range(5)]
    tb = threading.Thread(target=lambda: [b.send(a_id, body) for body in b_sent])
    tb.start()
    for body in a_sent:
        a.send(b_id, body)
    tb.join(60)
    stopper.join(30)
    wait_until(lambda: b.bodies(a_id)[-5:] == a_sent, 30, what="B to hold every message A sent")
    wait_until(lambda: a.bodies(b_id)[-5:] == b_sent, 30, what="A to hold every message B sent (live or by sync)")
    moved = a.http.get(f"{base}/healthz", timeout=5).headers["X-Parley-Upstream"]
    assert moved != up_a
    # exactly once in storage: the server kept each client_id once
    ha = {"Authorization": f"Bearer {a.tokens['access_token']}"}
    history = a.http.get(f"{base}/api/conversations/{b_id}/messages?limit=100", headers=ha, timeout=10).json()
    bodies = [m["body"] for m in history["messages"] if m["body"]]
    assert sorted(bodies) == sorted(["hello from the first process", "hello back from the second", *a_sent, *b_sent])
    a.sio.disconnect()
    b.sio.disconnect()
