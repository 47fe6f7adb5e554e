"""Screenshots of the sign-in, main and chat windows in light and dark, saved to screenshots/."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop import i18n
from desktop.ui import theme
from desktop.ui.attach import video_filter
from desktop.ui.login_window import LoginWindow
from desktop.ui.settings_dialog import SettingsDialog
from tests.desktop.conftest import ROOT, sign_in, wait_online
from tests.desktop.video_fixtures import small_video, video_dir  # noqa: F401
from tests.desktop.video_flow import attach_with_button

SHOTS = ROOT / "screenshots"


def _send(server, sender: dict, to: dict, body: str, n: int) -> dict:
    r = requests.post(f"{server.url}/api/conversations/{to['user']['id']}/messages",
                      json={"client_id": f"shot-{n}", "body": body},
                      headers={"Authorization": f"Bearer {sender['tokens']['access_token']}"}, timeout=10)
    assert r.status_code in (200, 201), r.text
    return r.json()


def _save(widget, name: str) -> None:
    QApplication.processEvents()
    pix = widget.grab()
    assert pix.width() > 200 and pix.height() > 200
    path = SHOTS / f"{name}.png"
    assert pix.save(str(path)), path
    assert path.stat().st_size > 5000  # a real picture, not an empty frame


def test_screenshots(qtbot, qapp, make_app, live_server):
    SHOTS.mkdir(exist_ok=True)
    me = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    chi = live_server.register_verified("Chi Le")
    dung = live_server.register_verified("Dung Pham")
    lines = [(binh, me, "Hi Alice! Are we still on for the design review tomorrow?"),
             (me, binh, "Yes — 10:00 in the small room. I'll bring the new mock-ups."),
             (binh, me, "Great. Could you also send me the export of the conversation list screen? "
                        "I want to check the spacing of the unread badges on a small laptop display."),
             (me, binh, "Sure, sending it tonight."),
             (binh, me, "Thanks!")]
    n = 0
    for sender, to, body in lines:
        n += 1
        _send(live_server, sender, to, body, n)
    _send(live_server, chi, me, "Lunch on Friday?", 100)
    _send(live_server, me, dung, "The build is green again.", 101)

    app = make_app(live_server.url, profile="shots")
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible())
    login = app.login_window
    login.resize(440, 640)
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        _save(login, f"sign-in-{name}")
    theme.apply(qapp, theme.LIGHT)
    sign_in(qtbot, app, me["email"], me["password"])
    wait_online(qtbot, app)
    qtbot.waitUntil(lambda: app.service.conversations.rowCount() == 3, timeout=10000)
    main = app.main_window
    main.resize(380, 600)
    app.open_chat(binh["user"]["id"])
    chat = app.chat_windows[binh["user"]["id"]]
    chat.resize(520, 640)
    qtbot.waitUntil(lambda: len(chat.chat.model.messages()) == 5, timeout=10000)
    chat.chat.composer.setPlainText("See you tomorrow")
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        chat.chat.view.viewport().update()
        qtbot.waitUntil(lambda: chat.chat.view.verticalScrollBar().value() ==
                        chat.chat.view.verticalScrollBar().maximum())
        _save(main, f"main-{name}")
        _save(chat, f"chat-{name}")
    chat.close()
    app.settings.single_window = True
    main.set_single_window(True)
    main.resize(980, 640)
    app.open_chat(binh["user"]["id"])
    pane = app.chat_view(binh["user"]["id"])
    qtbot.waitUntil(lambda: len(pane.model.messages()) == 5, timeout=10000)
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        qtbot.waitUntil(lambda: pane.view.verticalScrollBar().value() == pane.view.verticalScrollBar().maximum())
        _save(main, f"single-window-{name}")
    theme.apply(qapp, theme.LIGHT)
    for name in ("sign-in", "main", "chat", "single-window"):
        for mode in ("light", "dark"):
            assert (SHOTS / f"{name}-{mode}.png").exists()


def test_attach_button_follows_the_theme(qapp, qtbot) -> None:  # noqa: ANN001
    from desktop.ui.attach import IconButton
    b = IconButton("attach")
    qtbot.addWidget(b)
    try:
        theme.apply(qapp, theme.LIGHT)
        light = b.icon().pixmap(24, 24).toImage()
        theme.apply(qapp, theme.DARK)
        dark = b.icon().pixmap(24, 24).toImage()
        assert light != dark  # re-tinted, not left in the light theme's colour
    finally:
        theme.apply(qapp, theme.LIGHT)


# issue 12: every "what a person tripped on" item, seen in both themes and both languages ------------------
LONG_WORD = "https://example.org/review/" + "mockups-conversation-list-unread-badges-small-laptop" * 2


def _delivered(server: Any, person: dict, ids: list[str]) -> None:
    """``person``'s device says it got these messages (delivered ticks for their sender)."""
    sio = socketio.Client(reconnection=False)
    sio.connect(server.url, auth={"token": person["tokens"]["access_token"]}, transports=["websocket"],
                wait_timeout=10)
    try:
        sio.call("message:delivered", {"ids": ids}, timeout=10)
    finally:
        sio.disconnect()


def _read(server: Any, person: dict, peer: dict, up_to: str) -> None:
    r = requests.post(f"{server.url}/api/conversations/{peer['user']['id']}/read", json={"up_to": up_to},
                      headers={"Authorization": f"Bearer {person['tokens']['access_token']}"}, timeout=10)
    assert r.status_code == 204, r.text


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"PARLEY_UPLOAD_PART_SIZE": str(256 * 1024)}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_issue12_screens_in_both_themes_and_languages(lang: str, qtbot: Any, qapp: Any, make_app: Any,
                                                      live_server: Any, small_video: Path, monkeypatch: Any,
                                                      tmp_path: Path) -> None:
    SHOTS.mkdir(exist_ok=True)
    installed = i18n.install(qapp, lang, tmp_path / "qm")
    try:
        _issue12_screens(lang, qtbot, qapp, make_app, live_server, small_video, monkeypatch, tmp_path)
    finally:
        i18n.uninstall(qapp, installed)
        theme.apply(qapp, theme.LIGHT)


def _issue12_screens(lang: str, qtbot: Any, qapp: Any, make_app: Any, live_server: Any, video: Path,
                     monkeypatch: Any, tmp_path: Path) -> None:
    vi = lang == "vi"
    me = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    read = _send(live_server, me, binh, "Xem lại bản thiết kế lúc 10 giờ nhé 🙂" if vi else
                 "Design review at 10 🙂", 1)
    _read(live_server, binh, me, read["id"])
    delivered = _send(live_server, me, binh, LONG_WORD, 2)
    _delivered(live_server, binh, [delivered["id"]])
    _send(live_server, binh, me, "Tuyệt vời 🎉👍😀 cảm ơn!" if vi else "Great 🎉👍😀 thanks!", 3)

    # a new person: "Welcome to Parley", not "Welcome back"
    app = make_app(live_server.url, profile=f"shots-{lang}")
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible(), timeout=10000)
    login = app.login_window
    assert ("Chào mừng bạn đến với Parley" if vi else "Welcome to Parley") in login.sign_in_page.subtitle.text()
    # after a restart without a keyring: why, and the password has the focus
    keyring_login = LoginWindow(session=None, server_url=live_server.url, email=me["email"])  # type: ignore[arg-type]
    qtbot.addWidget(keyring_login)
    keyring_login.resize(440, 700)
    keyring_login.show_keyring_missing()
    keyring_login.show()
    qtbot.waitExposed(keyring_login)
    assert keyring_login.focusWidget() is keyring_login.password.edit
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        _save(login, f"sign-in-new-{lang}-{name}")
        _save(keyring_login, f"sign-in-keyring-{lang}-{name}")
    keyring_login.close()
    theme.apply(qapp, theme.LIGHT)

    sign_in(qtbot, app, me["email"], me["password"])
    wait_online(qtbot, app)
    binh_id = binh["user"]["id"]
    qtbot.waitUntil(lambda: app.service.conversations.get(binh_id) is not None, timeout=10000)
    app.open_chat(binh_id)
    window = app.chat_windows[binh_id]
    window.resize(560, 900)
    chat = window.chat
    qtbot.waitUntil(lambda: len(chat.model.messages()) == 3, timeout=10000)

    # a video, sent and processed: its bubble and its preview in the list
    va = attach_with_button(qtbot, chat, video, monkeypatch)
    qtbot.mouseClick(va.panel.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(bool(m.id and m.media and m.media.ready) for m in chat.model.messages()),
                    timeout=60000)
    [sent] = [m for m in chat.model.messages() if m.media]
    qtbot.waitUntil(lambda: sent.media.id in app.media_reader._thumbs, timeout=10000)
    preview = app.main_window.list.itemDelegate()._preview(app.service.conversations.get(binh_id), False)[0]
    assert preview == ("Bạn: 🎬 Video 0:06" if vi else "You: 🎬 Video 0:06")

    # another, checked while online, sent while the server is down: offline at once, Pause and Cancel
    va = attach_with_button(qtbot, chat, video, monkeypatch)
    live_server.stop()
    qtbot.waitUntil(lambda: not app.service.online, timeout=15000)
    qtbot.mouseClick(va.panel.send_button, Qt.MouseButton.LeftButton)
    [up] = app.uploads.uploads(binh_id)
    status = va.bubbles.status_line(app.uploads.get(up.key), app.uploads.progress_of(up.key))
    assert status == ("0% · ngoại tuyến, sẽ tiếp tục" if vi else "0% · offline, will resume")
    assert chat.status_label.text() == ("đang chờ mạng…" if vi else "waiting for the network…")
    sb = chat.view.verticalScrollBar()
    qtbot.waitUntil(lambda: sb.value() == sb.maximum(), timeout=5000)
    main = app.main_window
    main.resize(380, 600)

    settings = SettingsDialog(app.settings)
    qtbot.addWidget(settings)
    files = QFileDialog(None, "Gửi video" if vi else "Send a video", str(video.parent), video_filter())
    files.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    files.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(files)
    files.resize(640, 420)
    for w in (settings, files):
        w.show()
        qtbot.waitExposed(w)
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        chat.view.viewport().update()
        qtbot.waitUntil(lambda: sb.value() == sb.maximum())
        _save(window, f"chat-{lang}-{name}")
        _save(main, f"main-{lang}-{name}")
        _save(settings, f"settings-{lang}-{name}")
        _save(files, f"file-dialog-{lang}-{name}")
    settings.close()
    files.close()
