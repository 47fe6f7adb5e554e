"""Window behaviour: resend cooldown, notifications, single-window mode, geometry, tray count."""
from __future__ import annotations

from typing import Any

import requests
from PySide6.QtCore import QObject

from desktop.core.errors import from_problem
from desktop.qt.settings import Settings
from desktop.ui.login_window import LoginWindow
from tests.desktop.conftest import sign_in, wait_online


class FakeSession(QObject):
    """Only what the sign-in window calls; answers resend with a 429."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def resend_code(self, url: str, email: str, on_done: Any, on_error: Any) -> None:
        self.calls.append(email)
        on_error(from_problem(429, {"code": "rate_limited", "status": 429}, {"Retry-After": "42"}))


def test_resend_shows_the_servers_cooldown(qtbot):
    session = FakeSession()
    w = LoginWindow(session, "http://127.0.0.1:1", "a@example.com")  # type: ignore[arg-type]
    qtbot.addWidget(w)
    w.show()
    w._show_verify("a@example.com", "a long enough secret 7")
    w.resend.click()
    assert session.calls == ["a@example.com"]
    assert not w.resend.isEnabled() and w.resend.text() == "Send a new code in 42 s"
    assert w.verify_page.error.text() == "Too many tries. Please wait 42 seconds."
    qtbot.waitUntil(lambda: w.resend.text() == "Send a new code in 41 s", timeout=3000)
    w.resend.click()  # still cooling down: nothing sent
    assert session.calls == ["a@example.com"]


def _post(server: Any, sender: dict, to: dict, body: str, cid: str) -> None:
    r = requests.post(f"{server.url}/api/conversations/{to['user']['id']}/messages",
                      json={"client_id": cid, "body": body},
                      headers={"Authorization": f"Bearer {sender['tokens']['access_token']}"}, timeout=10)
    assert r.status_code == 201, r.text


def test_notification_tray_count_and_click_opens_the_chat(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    app = make_app(live_server.url, profile="alice")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    with qtbot.waitSignal(app.tray.notified, timeout=10000) as note:
        _post(live_server, binh, alice, "Are you there?", "n1")
    assert note.args == [binh["user"]["id"], "Binh Tran", "Are you there?"]
    qtbot.waitUntil(lambda: app.tray.count == 1, timeout=5000)
    app.tray.open_last()  # what clicking the notification does
    assert binh["user"]["id"] in app.chat_windows
    qtbot.waitUntil(lambda: app.tray.count == 0, timeout=10000)  # read once shown

    app.settings.notifications = False
    with qtbot.assertNotEmitted(app.tray.notified, wait=1500):
        _post(live_server, binh, alice, "Hello?", "n2")


def test_single_window_mode_and_remembered_geometry(qtbot, make_app, live_server, desktop_home):
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    _post(live_server, binh, alice, "Hi", "s1")
    app = make_app(live_server.url, profile="alice")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    binh_id = binh["user"]["id"]
    qtbot.waitUntil(lambda: app.service.conversations.get(binh_id) is not None, timeout=10000)

    app.open_chat(binh_id)  # its own window by default
    window = app.chat_windows[binh_id]
    window.resize(611, 533)
    window.close()
    app.open_chat(binh_id)
    assert app.chat_windows[binh_id].size().width() == 611  # size remembered
    app.chat_windows[binh_id].close()

    app.settings.single_window = True
    app.main_window.set_single_window(True)
    app.open_chat(binh_id)
    assert not app.chat_windows
    view = app.chat_view(binh_id)
    assert view is not None and app.main_window.chat_stack.currentWidget() is view
    qtbot.waitUntil(lambda: [m.body for m in view.model.messages()] == ["Hi"], timeout=10000)
    settings = Settings(desktop_home / "profiles" / "alice" / "settings.ini")
    assert settings.single_window


def test_settings_dialog_saves_every_choice(qtbot, tmp_path):
    from desktop.ui.settings_dialog import SettingsDialog

    settings = Settings(tmp_path / "settings.ini")
    assert (settings.language, settings.theme, settings.notifications, settings.single_window) == \
        ("system", "system", True, False)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("vi"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.notifications.setChecked(False)
    dialog.single.setChecked(True)
    dialog.accept()
    again = Settings(tmp_path / "settings.ini")
    assert (again.language, again.theme, again.notifications, again.single_window) == ("vi", "dark", False, True)
