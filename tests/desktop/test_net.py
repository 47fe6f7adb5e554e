"""net/: the REST client (timeouts, token refresh, errors), the realtime loop, the keyring store."""
from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from desktop.core.errors import ApiError, NetworkError
from desktop.net.credentials import CredentialStore, KeyringUnavailable
from desktop.net.http import ApiClient, normalize_url
from desktop.net.realtime import Backoff, RealtimeClient


class FakeResponse:
    def __init__(self, status: int, body: Any = None, headers: dict | None = None,
                 content_type: str = "application/json") -> None:
        import json

        self.status_code = status
        self._body = body
        self.content = b"" if body is None else json.dumps(body).encode()
        self.headers = {"Content-Type": content_type, **(headers or {})}

    def json(self) -> Any:
        return self._body


class FakeSession:
    """Answers requests from a list of (method, path) -> response rules, recording calls."""

    def __init__(self, answer) -> None:  # noqa: ANN001
        self.answer = answer
        self.calls: list[tuple[str, str, dict]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        assert kwargs.get("timeout"), "every request has a timeout"
        path = url.split("://", 1)[1].split("/", 1)[1]
        self.calls.append((method, "/" + path, kwargs))
        result = self.answer(method, "/" + path, kwargs)
        if isinstance(result, Exception):
            raise result
        return result


def pair(n: int, expires: int = 900) -> dict:
    return {"access_token": f"A{n}", "refresh_token": f"R{n}", "token_type": "Bearer", "expires_in": expires}


def test_normalize_url():
    assert normalize_url(" chat.example.org:8000/ ") == "https://chat.example.org:8000"
    assert normalize_url("https://x.org") == "https://x.org"


def test_access_token_is_refreshed_before_expiry_and_rotation_reported():
    now = [0.0]
    seen: list[str] = []

    def answer(method, path, kw):  # noqa: ANN001, ANN202
        if path == "/api/auth/refresh":
            return FakeResponse(200, pair(2))
        return FakeResponse(200, {"id": "u", "email": "e", "display_name": "E"})

    session = FakeSession(answer)
    api = ApiClient("http://s.local", session=session, clock=lambda: now[0],
                    on_tokens=lambda p: seen.append(p.refresh_token))
    from desktop.core.protocol import token_pair

    api.set_tokens(token_pair(pair(1)))
    api.me()
    assert session.calls[-1][2]["headers"]["Authorization"] == "Bearer A1"
    now[0] = 900 - 30  # inside the refresh margin
    api.me()
    assert [c[1] for c in session.calls] == ["/api/me", "/api/auth/refresh", "/api/me"]
    assert session.calls[1][2]["json"] == {"refresh_token": "R1"}
    assert session.calls[-1][2]["headers"]["Authorization"] == "Bearer A2"
    assert seen == ["R2"]


def test_a_401_refreshes_once_and_retries_transparently():
    state = {"me": 0}

    def answer(method, path, kw):  # noqa: ANN001, ANN202
        if path == "/api/auth/refresh":
            return FakeResponse(200, pair(2))
        state["me"] += 1
        if kw["headers"]["Authorization"] == "Bearer A1":
            return FakeResponse(401, {"code": "token_expired", "status": 401}, content_type="application/problem+json")
        return FakeResponse(200, {"id": "u", "email": "e", "display_name": "E"})

    session = FakeSession(answer)
    api = ApiClient("http://s.local", session=session)
    from desktop.core.protocol import token_pair

    api.set_tokens(token_pair(pair(1)))
    assert api.me().id == "u"
    assert state["me"] == 2 and api.refresh_token == "R2"


def test_errors_are_decoded_and_network_failures_named():
    def answer(method, path, kw):  # noqa: ANN001, ANN202
        if path == "/api/auth/login":
            return FakeResponse(422, {"code": "validation_failed", "status": 422,
                                      "errors": {"email": ["Enter a valid email address."]}},
                                content_type="application/problem+json")
        if path == "/api/auth/register":
            return requests.exceptions.ConnectTimeout("slow")
        return requests.exceptions.ConnectionError("refused")

    api = ApiClient("http://s.local", session=FakeSession(answer))
    with pytest.raises(ApiError) as err:
        api.login("x", "y")
    assert err.value.field_errors == {"email": ["Enter a valid email address."]}
    with pytest.raises(NetworkError) as net:
        api.register("a@b.c", "p" * 10, "A")
    assert net.value.kind == "timeout"
    with pytest.raises(NetworkError) as net:
        api.forgot_password("a@b.c")
    assert net.value.kind == "unreachable" and "http://s" in net.value.message


def test_html_answers_mean_a_wrong_address():
    page = FakeResponse(200, None, content_type="text/html")
    page.content = b"<html><body>Welcome to nginx</body></html>"
    api = ApiClient("http://s.local", session=FakeSession(lambda *a: page))
    with pytest.raises(NetworkError) as net:
        api.forgot_password("a@b.c")
    assert net.value.kind == "bad_address"


def test_backoff_grows_exponentially_with_jitter_and_caps():
    b = Backoff(base=1.0, maximum=8.0)
    delays = [b.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings))
    b.reset()
    assert b.next_delay() <= 1.0


class FakeSocket:
    """A stand-in for socketio.Client: refuses the first connect, then acks every emit."""

    attempts = 0

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}
        self.connected = False
        self.emitted: list[tuple[str, Any]] = []

    def on(self, name: str, handler: Any) -> None:
        self.handlers[name] = handler

    def connect(self, url: str, auth: dict, wait_timeout: float) -> None:
        FakeSocket.attempts += 1
        assert auth["token"].startswith("tok")
        if FakeSocket.attempts == 1:
            self.handlers["connect_error"]({"message": "expired", "code": "token_expired"})
            raise ConnectionError("refused")
        self.connected = True

    def emit(self, event: str, data: Any, callback: Any = None) -> None:
        self.emitted.append((event, data))
        if callback:
            threading.Thread(target=callback, args=({"ok": True, "echo": data},)).start()

    def disconnect(self) -> None:
        self.connected = False
        self.handlers["disconnect"]()


def test_realtime_loop_retries_with_a_fresh_token_and_serialises_calls(runners):  # noqa: ANN001
    FakeSocket.attempts = 0
    states: list[str] = []
    forced: list[bool] = []
    online = threading.Event()

    class Listener:
        def on_state(self, state, detail, retry_in):  # noqa: ANN001, ANN202
            states.append(state)
            if state == "online":
                online.set()

        def on_event(self, event, data):  # noqa: ANN001, ANN202
            pass

        def on_session_expired(self, message):  # noqa: ANN001, ANN202
            pass

    def token(force: bool) -> str:
        forced.append(force)
        return "tok"

    client = RealtimeClient("http://s", token, Listener(), spawn=runners.socket.start, backoff=Backoff(0.01, 0.02),
                            client_factory=FakeSocket)
    client.start()
    try:
        assert online.wait(5)
        assert states[:3] == ["connecting", "offline", "connecting"]
        assert forced == [False, True]  # a token_expired refusal forces a refresh
        acks = []
        threads = [threading.Thread(target=lambda i=i: acks.append(client.call("sync", {"after": str(i)})))
                   for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert len(acks) == 10 and all(a["ok"] for a in acks)
    finally:
        client.stop()
    assert states[-1] == "stopped"
    with pytest.raises(NetworkError):
        client.call("sync", {"after": None}, timeout=0.1)


def test_credentials_map_keyring_failures():
    from keyring.errors import NoKeyringError

    class Broken:
        def get_password(self, *a):  # noqa: ANN002, ANN202
            raise NoKeyringError("none")

        set_password = delete_password = get_password

    store = CredentialStore("p", Broken())
    for call in (lambda: store.load("http://s", "a@b.c"), lambda: store.save("http://s", "a@b.c", "t"),
                 lambda: store.delete("http://s", "a@b.c")):
        with pytest.raises(KeyringUnavailable):
            call()
    assert store.entry_name("http://s", "A@B.c") == "p:a@b.c@http://s"
