"""The admin's Server status window (issue 14) against a live server, in both languages and themes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import shutil

import pytest
import requests
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from desktop import i18n
from desktop.ui import theme
from tests.desktop.conftest import ROOT, sign_in, wait_online
from tests.server.media_helpers import Uploader, make_video, video_dir  # noqa: F401 - fixture
from tests.server.test_admin_cli import cli

SHOTS = ROOT / "screenshots"
T = 10


def _send(server: Any, sender: dict, to: dict, n: int) -> None:
    r = requests.post(f"{server.url}/api/conversations/{to['user']['id']}/messages",
                      json={"client_id": f"status-{n}", "body": f"hello {n}"},
                      headers={"Authorization": f"Bearer {sender['tokens']['access_token']}"}, timeout=T)
    assert r.status_code in (200, 201), r.text


def _me(server: Any, person: dict) -> int:
    return requests.get(f"{server.url}/api/me", timeout=T,
                        headers={"Authorization": f"Bearer {person['tokens']['access_token']}"}).status_code


def _save(widget: Any, name: str) -> Path:
    QApplication.processEvents()
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), path
    assert path.stat().st_size > 5000
    return path


def _answer(qtbot: Any, window: Any, confirm: bool) -> QMessageBox:
    card = window.accounts
    qtbot.waitUntil(lambda: card.confirmation is not None and card.confirmation.isVisible())
    box = card.confirmation
    wanted = (QMessageBox.ButtonRole.DestructiveRole, QMessageBox.ButtonRole.AcceptRole) if confirm else \
        (QMessageBox.ButtonRole.RejectRole,)
    [button] = [b for b in box.buttons() if box.buttonRole(b) in wanted]
    button.click()
    qtbot.waitUntil(lambda: card.confirmation is None)
    return box


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_server_status_window(lang: str, qtbot: Any, qapp: Any, make_app: Any, live_server: Any,
                              tmp_path: Path, video_dir: Path) -> None:  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    vi = lang == "vi"
    env = {"PARLEY_DATA_DIR": str(live_server.data_dir)}
    alice, binh = live_server.register_verified("Alice Nguyen"), live_server.register_verified("Binh Tran")
    for n in range(3):
        _send(live_server, binh, alice, n)
    clip = make_video(video_dir / "status-tiny.mp4", seconds=1, size="160x120", bit_rate=200_000)
    up = Uploader(live_server, binh)
    assert up.wait_done(up.upload(clip.read_bytes()))["status"] == "ready"
    # a video that fails, and a mail that cannot be written (the console outbox is now a file)
    bad = up.upload(b"\x00\x00\x00\x18ftypmp42" + b"not really a video" * 200, filename="bad.mp4")
    assert up.wait_done(bad)["status"] == "failed"
    outbox = live_server.data_dir / "outbox"
    shutil.move(outbox, tmp_path / "outbox-saved")
    outbox.write_text("in the way")
    requests.post(f"{live_server.url}/api/auth/forgot-password", json={"email": binh["email"]}, timeout=T)
    assert cli("grant-admin", alice["email"], env=env).returncode == 0
    installed = i18n.install(qapp, lang, tmp_path / "qm")
    try:
        # a person who is not an admin has no "Server status" in the menu
        plain_app = make_app(live_server.url, profile=f"binh-{lang}")
        sign_in(qtbot, plain_app, binh["email"], binh["password"])
        assert not plain_app.main_window.status_action.isVisible()

        app = make_app(live_server.url, profile=f"alice-{lang}")
        sign_in(qtbot, app, alice["email"], alice["password"])
        wait_online(qtbot, app)
        action = app.main_window.status_action
        assert action.isVisible() and action.text() == ("Trạng thái máy chủ…" if vi else "Server status…")
        action.trigger()
        qtbot.waitUntil(lambda: app.status_window is not None and app.status_window.status is not None,
                        timeout=15000)
        window = app.status_window
        assert window.isVisible() and window.windowTitle().startswith("Trạng thái máy chủ" if vi else "Server status")
        st = window.status
        assert (st.users.total, st.users.verified, st.users.admins) == (2, 2, 1)
        assert st.users.online is not None and st.users.online >= 1  # alice's app holds a socket
        assert window.chart.days[-1].messages == 3 and len(window.chart.days) == 14
        assert ("Tài khoản: 2 · đã xác minh: 2" if vi else "Accounts: 2 · verified: 2") in window.users_label.text()
        assert st.storage.videos == 1 and window.top_users.topLevelItemCount() == 1
        assert window.top_users.topLevelItem(0).text(1) == binh["email"]
        assert ("3 hôm nay" if vi else "3 today") in window.messages_label.text()
        qtbot.waitUntil(lambda: window.status.mail.failed_24h == 1, timeout=20000)  # the mail's retries
        st = window.status
        assert [(c.name, c.ok) for c in st.health] == [("database", True), ("storage", True), ("mail", False)]
        marks = [(label.text()[0], label.objectName()) for label in window.health_labels]
        assert marks == [("✔", "muted"), ("✔", "muted"), ("✖", "error")]
        assert st.queue.failed_24h == 1 and window.queue_error.objectName() == "error"
        assert ("bị hỏng" if vi else "incomplete or damaged") in window.queue_error.text()
        assert ("1 lỗi" if vi else "1 failed") in window.mail_label.text()
        opened: list[str] = []
        window.open_url = lambda url: opened.append(url.toString())
        links = [b for b in window.findChildren(QPushButton) if b.objectName() == "link"]
        assert [b.text() for b in links] == (["Tài liệu API", "Hướng dẫn quản trị"] if vi else
                                             ["API documentation", "Admin guide"])
        for b in links:
            b.click()
        assert opened[0] == f"{live_server.url}/docs#/Admin" and opened[1].endswith("docs/admin.md")
        window.resize(820, 900)  # all of it, the accounts section too
        window.top_users.setCurrentItem(window.top_users.topLevelItem(0))
        assert window.accounts.email.text() == binh["email"]  # picking a person fills in the account field
        for mode in ("light", "dark"):
            theme.apply(qapp, theme.LIGHT if mode == "light" else theme.DARK)
            _save(window, f"status-window-{lang}-{mode}")
        theme.apply(qapp, theme.LIGHT)

        # it refreshes itself: a new message shows without touching anything
        window.timer.setInterval(1500)  # the admin limit is 60 a minute
        _send(live_server, binh, alice, 10)
        qtbot.waitUntil(lambda: window.chart.days[-1].messages == 4, timeout=10000)

        # my own account: refused at once, no question asked
        window.accounts.email.setText(alice["email"].upper())
        window.accounts.disable_button.click()
        assert window.accounts.confirmation is None and window.accounts.note.isVisible()
        assert ("tự vô hiệu hoá" if vi else "cannot disable your own") in window.accounts.note.text()

        # cancelling the question changes nothing
        window.accounts.email.setText(binh["email"])
        window.accounts.disable_button.click()
        box = _answer(qtbot, window, confirm=False)
        assert binh["email"] in box.text()
        assert _me(live_server, binh) == 200

        # confirming disables the account: its sessions end, and its app is back at the sign-in
        window.accounts.disable_button.click()
        qtbot.waitUntil(lambda: window.accounts.confirmation is not None)
        if lang == "en":
            theme.apply(qapp, theme.DARK)
            _save(window.accounts.confirmation, "status-window-confirm-en-dark")
            theme.apply(qapp, theme.LIGHT)
        with qtbot.waitSignal(window.accountChanged, timeout=10000) as changed:
            _answer(qtbot, window, confirm=True)
        assert changed.args[0].disabled and changed.args[0].sessions_ended >= 1
        assert _me(live_server, binh) == 401
        assert binh["email"] in window.accounts.note.text()
        qtbot.waitUntil(lambda: window.status.users.disabled == 1, timeout=10000)
        qtbot.waitUntil(lambda: plain_app.login_window is not None and plain_app.login_window.isVisible(),
                        timeout=20000)

        # and enabling lets the person sign in again
        window.accounts.enable_button.click()
        with qtbot.waitSignal(window.accountChanged, timeout=10000) as changed:
            _answer(qtbot, window, confirm=True)
        assert not changed.args[0].disabled
        r = requests.post(f"{live_server.url}/api/auth/login", json={"email": binh["email"],
                                                                     "password": binh["password"]}, timeout=T)
        assert r.status_code == 200
        qtbot.waitUntil(lambda: window.status.users.disabled == 0, timeout=10000)
        window.resize(820, 960)
        theme.apply(qapp, theme.DARK)
        _save(window, f"status-window-after-enable-{lang}-dark")
        theme.apply(qapp, theme.LIGHT)

        # the role taken away: the window says so instead of showing stale figures as current
        assert cli("revoke-admin", alice["email"], env=env).returncode == 0
        qtbot.waitUntil(lambda: window.error.isVisible(), timeout=10000)
        assert ("không phải quản trị viên" if vi else "not an admin") in window.error.text()
    finally:
        i18n.uninstall(qapp, installed)
        theme.apply(qapp, theme.LIGHT)

