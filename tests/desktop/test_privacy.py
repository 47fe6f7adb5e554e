"""Blocking from the chat menu, the conversation list and the settings; the presence choice;
and other people's text shown as plain text (a live server, pytest-qt offscreen)."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt

from desktop.qt.conversation_model import PeerIdRole
from desktop.ui import privacy_ui
from desktop.ui.plain import notification_text, tooltip
from desktop.ui.settings_dialog import SettingsDialog
from server import protocol as P
from tests.desktop.conftest import open_synced_chat
from tests.server.realtime_helpers import Device, rest, token_of

EVIL = "<img src=x><b>bold</b>"


def _blocked_ids(srv: Any, who: dict) -> list[str]:
    return [b["user"]["id"] for b in rest("GET", f"{srv.url}/api/blocks", token_of(who)).json()["blocked"]]


def _row_center(main: Any, peer_id: str) -> Any:
    model = main.list.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(PeerIdRole) == peer_id)
    return main.list.visualRect(model.index(row, 0)).center()


def test_block_unblock_everywhere_and_names_stay_plain_text(qtbot, make_app, live_server, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(privacy_ui, "confirm_block", lambda _parent, _name: True)  # "Block" in the dialog
    alice = live_server.register_verified("Alice Nguyen")
    evil = live_server.register_verified("Evil")
    renamed = rest("PATCH", f"{live_server.url}/api/me", token_of(evil), json={"display_name": EVIL})
    assert renamed.status_code == 200 and renamed.json()["display_name"] == EVIL
    a_id, e_id = alice["user"]["id"], evil["user"]["id"]
    r = rest("POST", f"{live_server.url}/api/conversations/{a_id}/messages", token_of(evil),
             json={"client_id": uuid.uuid4().hex, "body": "hi"})
    assert r.status_code == 201
    app = make_app(live_server.url, profile="alice")
    chat = open_synced_chat(qtbot, app, alice, e_id)

    # the name is shown literally, never as markup: header, typing line, window title
    assert chat.name_label.text() == EVIL and chat.name_label.textFormat() == Qt.TextFormat.PlainText
    typer = Device(live_server.url, token_of(evil)).connect()
    try:
        assert typer.call(P.TYPING, {"to": a_id, "typing": True}) == {"ok": True}
        qtbot.waitUntil(lambda: not chat.typing_label.isHidden(), timeout=10000)
        assert EVIL in chat.typing_label.text()
        assert chat.typing_label.textFormat() == Qt.TextFormat.PlainText
    finally:
        typer.close()
    assert chat.privacy_menu.note.textFormat() == Qt.TextFormat.PlainText
    assert EVIL in chat.privacy_menu.block_action.text()

    # block from the chat window's menu: the server knows, the composer closes with a reason
    chat.privacy_menu.block_action.trigger()
    qtbot.waitUntil(lambda: app.privacy.is_blocked(e_id), timeout=10000)
    assert _blocked_ids(live_server, alice) == [e_id]
    assert not chat.composer.isEnabled() and not chat.privacy_menu.note.isHidden()
    assert chat.privacy_menu.block_action.text().startswith("Unblock")

    # unblock, then block again, from the conversation list's menu
    lists = app.main_window.conversation_menu
    menu = lists.menu_for(_row_center(app.main_window, e_id))
    assert menu is not None and menu.actions()[0].text() == f"Unblock {EVIL}"
    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: not app.privacy.is_blocked(e_id), timeout=10000)
    assert _blocked_ids(live_server, alice) == [] and chat.composer.isEnabled()
    menu = lists.menu_for(_row_center(app.main_window, e_id))
    assert menu.actions()[0].text() == f"Block {EVIL}…"
    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: app.privacy.is_blocked(e_id), timeout=10000)
    assert _blocked_ids(live_server, alice) == [e_id]

    # the settings list the blocked person, Unblock works; the presence choice is saved
    dialog = SettingsDialog(app.settings, app.main_window, privacy=app.privacy)
    section = dialog.privacy_section
    qtbot.waitUntil(lambda: section.presence.isEnabled(), timeout=10000)
    assert section.presence.currentData() == "written_to"  # the default
    assert [section.blocked.item(i).text() for i in range(section.blocked.count())] == [EVIL]
    section.unblock_button.click()
    qtbot.waitUntil(lambda: not app.privacy.is_blocked(e_id), timeout=10000)
    assert _blocked_ids(live_server, alice) == []
    assert section.blocked.item(0).text() == "Nobody" and not section.unblock_button.isEnabled()
    section.presence.setCurrentIndex(section.presence.findData("nobody"))
    dialog.accept()
    qtbot.waitUntil(lambda: rest("GET", f"{live_server.url}/api/me", token_of(alice)).json()
                    ["presence_visibility"] == "nobody", timeout=10000)

    # a block made on another device reaches this one
    assert rest("PUT", f"{live_server.url}/api/blocks/{e_id}", token_of(alice)).status_code == 204
    qtbot.waitUntil(lambda: app.privacy.is_blocked(e_id), timeout=10000)


def test_tooltips_and_notifications_escape_markup() -> None:
    assert tooltip(EVIL) == "<p style='white-space:pre-wrap'>&lt;img src=x&gt;&lt;b&gt;bold&lt;/b&gt;</p>"
    assert notification_text(EVIL, "linux") == "&lt;img src=x&gt;&lt;b&gt;bold&lt;/b&gt;"
    assert notification_text(EVIL, "win32") == EVIL  # Windows and macOS show the body as text
