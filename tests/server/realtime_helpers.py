"""Helpers for the messaging tests: a recording Socket.IO device, REST calls, minted tokens."""
from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import requests
import socketio

from server import protocol as P
from tests.conftest import wait_until


class Device:
    """One connected python-socketio client of a user, recording every server event.

    ``call`` is serialised with a lock: the client's ``emit``/``call`` are not thread safe.
    """

    def __init__(self, url: str, token: str, transport: str = "websocket", *, reconnection: bool = False,
                 headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.token = token
        self.transport = transport
        self.headers = headers or {}
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.1,
                                   reconnection_delay_max=0.5, randomization_factor=0.1)
        self.events: list[tuple[str, Any]] = []
        self.connect_errors: list[Any] = []
        self._lock = threading.Lock()
        self.disconnects = 0

        @self.sio.on("*")
        def _any(event: str, *args: Any) -> None:
            self.events.append((event, args[0] if args else None))

        @self.sio.on("connect_error")
        def _err(data: Any = None) -> None:
            self.connect_errors.append(data)

        @self.sio.on("disconnect")
        def _gone(*_a: Any) -> None:
            self.disconnects += 1

    def connect(self) -> Device:
        self.sio.connect(self.url, auth=lambda: {"token": self.token}, transports=[self.transport],
                         headers=self.headers, wait_timeout=10)
        return self

    def close(self) -> None:
        """Disconnects; on WebSocket without websocket-client's 3 s wait for a close frame.

        (The engineio client's read thread consumes the server's close frame, so
        ``WebSocket.close`` in the caller's thread always waits its full timeout.)
        """
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            close = ws.close
            ws.close = lambda *a, **k: close(timeout=0.2)
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001
            pass

    def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        with self._lock:
            return self.sio.call(event, data, timeout=timeout)

    def of(self, event: str) -> list[Any]:
        return [d for e, d in list(self.events) if e == event]

    def wait_for(self, event: str, pred=lambda d: True, timeout: float = 10) -> Any:  # noqa: ANN001
        return wait_until(lambda: next((d for d in self.of(event) if pred(d)), None), timeout,
                          what=f"{event} on {self.transport} device")

    def send(self, to: str, body: str, client_id: str | None = None) -> dict[str, Any]:
        ack = self.call(P.MESSAGE_SEND, {"to": to, "client_id": client_id or uuid.uuid4().hex, "body": body})
        assert ack["ok"], ack
        return ack["message"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_of(account: dict) -> str:
    return account["tokens"]["access_token"]


def rest(method: str, url: str, token: str, **kw: Any) -> requests.Response:
    return requests.request(method, url, headers=auth(token), timeout=10, **kw)


def secret_key(data_dir: Path) -> str:
    return (data_dir / "secret_key").read_text().strip()


def mint_access(data_dir: Path, user_id: str, session_id: str, ttl: float) -> str:
    """An access token signed with the server's key (ttl may be negative: already expired)."""
    now = int(time.time())
    return jwt.encode({"sub": user_id, "sid": session_id, "typ": "access", "iat": now, "exp": now + ttl},
                      secret_key(data_dir), algorithm="HS256")


def session_id_of(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sid"]


def unverified_user_id(server, name: str = "Unverified") -> str:  # noqa: ANN001 - LiveServer
    """An account whose email is not verified, straight in the server's SQLite file.

    Registrations stay out of ``users`` until verified (issue 11), so such a row
    exists only from older data; the server still refuses it everywhere, which is
    what the tests using this check.
    """
    user = server.register_verified(name)
    with sqlite3.connect(server.data_dir / "parley.db") as db:
        db.execute("UPDATE users SET email_verified_at = NULL WHERE id = ?", (user["user"]["id"],))
    return user["user"]["id"]
