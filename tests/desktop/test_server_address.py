"""Server addresses: https unless typed otherwise, plain http only on this computer and private
networks, or after the person confirms a warning (nothing is sent in clear text before)."""
from __future__ import annotations

from typing import Any

import pytest

from desktop.core.errors import NetworkError
from desktop.net import address, http
from desktop.net.http import ApiClient
from desktop.ui import login_window
from tests.desktop.conftest import wait_online


def test_address_rules() -> None:
    assert address.normalize_url(" chat.example.org:8000/ ") == "https://chat.example.org:8000"
    assert address.normalize_url("http://x.org") == "http://x.org"
    assert address.candidates("chat.example.org") == ["https://chat.example.org"]
    assert address.candidates("192.168.1.5:8000") == ["https://192.168.1.5:8000", "http://192.168.1.5:8000"]
    assert address.candidates("localhost:8000") == ["https://localhost:8000", "http://localhost:8000"]
    assert address.candidates("http://chat.example.org") == ["http://chat.example.org"]
    for private in ("127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.0.1", "[::1]", "[fd00::1]", "nas.local",
                    "169.254.1.1"):
        assert not address.needs_consent(f"http://{private}:8000"), private
    for public in ("chat.example.org", "8.8.8.8", "[2606:4700::1111]", "172.32.0.1", "localhost.example.org"):
        assert address.needs_consent(f"http://{public}:8000"), public
    assert not address.needs_consent("https://chat.example.org")
    assert not address.needs_consent("http://exa mple")  # not an address at all: it fails as such


class Recorder:
    """A transport that records what would go on the wire."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any]] = []

    def request(self, method: str, url: str, **kw: Any) -> Any:
        self.sent.append((method, url, kw.get("json")))
        raise NetworkError("recorded", kind="unreachable")


def test_no_password_goes_out_over_public_http_without_consent() -> None:
    wire = Recorder()
    api = ApiClient("http://chat.example.org:8000", session=wire)  # type: ignore[arg-type]
    with pytest.raises(NetworkError) as err:
        api.login("a@example.org", "correct horse battery 9")
    assert err.value.kind == "cleartext" and wire.sent == []
    api.cleartext_hosts.add("chat.example.org")  # the person confirmed the warning
    with pytest.raises(NetworkError):
        api.login("a@example.org", "correct horse battery 9")
    assert [s[1] for s in wire.sent] == ["http://chat.example.org:8000/api/auth/login"]


def _type_and_sign_in(qtbot: Any, app: Any, server: str, who: dict) -> Any:
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible(), timeout=10000)
    w = app.login_window
    w.server.edit.setText(server)
    w.email.edit.setText(who["email"])
    w.password.edit.setText(who["password"])
    w.sign_in_page.button.click()
    return w


def test_bare_loopback_address_falls_back_to_http(qtbot, make_app, live_server) -> None:  # noqa: ANN001
    who = live_server.register_verified("Bare Address")
    app = make_app("", profile="bare")
    bare = live_server.url.removeprefix("http://")
    _type_and_sign_in(qtbot, app, bare, who)
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=20000)
    wait_online(qtbot, app)
    assert app.session.info.server_url == live_server.url  # https failed; http, as it is loopback


def test_public_http_needs_the_warning_confirmed(qtbot, make_app, live_server, monkeypatch) -> None:  # noqa: ANN001
    # this loopback server stands in for a public host: treat every http address as public
    monkeypatch.setattr(http, "needs_consent", lambda url: url.startswith("http://"))
    answers: list[bool] = [False, True]
    asked: list[str] = []
    monkeypatch.setattr(login_window, "confirm_cleartext",
                        lambda _parent, url: (asked.append(url), answers.pop(0))[1])
    who = live_server.register_verified("Careful Person")
    app = make_app("", profile="careful")
    w = _type_and_sign_in(qtbot, app, live_server.url, who)
    qtbot.waitUntil(lambda: len(asked) == 1 and w.server.error.text() != "", timeout=10000)
    assert "https://" in w.server.error.text() and app.main_window is None  # declined: nothing sent
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=10000)
    qtbot.waitUntil(lambda: w.sign_in_page.button.isEnabled() and w.sign_in_page.note.text() != "",
                    timeout=10000)
    w.sign_in_page.button.click()  # confirmed: now it goes
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=20000)
    assert app.settings.cleartext_hosts == ["127.0.0.1"]
