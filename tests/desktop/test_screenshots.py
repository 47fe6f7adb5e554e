"""Screenshots of the sign-in, main and chat windows in light and dark, saved to screenshots/."""
from __future__ import annotations

import requests
from PySide6.QtWidgets import QApplication

from desktop.ui import theme
from tests.desktop.conftest import ROOT, sign_in, wait_online

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
