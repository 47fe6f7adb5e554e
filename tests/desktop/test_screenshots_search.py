"""Screenshots of issue 14's views in both themes and both languages, saved to screenshots/:
the main window's search results (People, then Messages), the message search dialog, a chat opened
at a result (outlined), the keyboard shortcuts and the quick switcher."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop import i18n
from desktop.ui import theme
from tests.desktop.conftest import ROOT, open_synced_chat
from tests.server.realtime_helpers import rest, token_of

SHOTS = ROOT / "screenshots"


def _save(widget: Any, name: str) -> None:
    QApplication.processEvents()
    pix = widget.grab()
    path = SHOTS / f"{name}.png"
    assert pix.save(str(path)), path
    assert path.stat().st_size > 2000  # a real picture, not an empty frame


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_search_and_shortcut_screens(lang: str, qtbot: Any, qapp: Any, make_app: Any, live_server: Any,
                                     tmp_path: Path) -> None:
    SHOTS.mkdir(exist_ok=True)
    installed = i18n.install(qapp, lang, tmp_path / "qm")
    try:
        _screens(lang, qtbot, qapp, make_app, live_server)
    finally:
        i18n.uninstall(qapp, installed)
        theme.apply(qapp, theme.LIGHT)


def _screens(lang: str, qtbot: Any, qapp: Any, make_app: Any, live_server: Any) -> None:
    vi = lang == "vi"
    me = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    chi = live_server.register_verified("Chi Le")
    a_id, b_id = me["user"]["id"], binh["user"]["id"]
    lines = [(binh, a_id, "Xin chào Alice! Mai mình họp lúc mấy giờ?" if vi else "Hi Alice! When is the review?"),
             (me, b_id, "10 giờ, phòng nhỏ. Mình sẽ mang bản thiết kế mới." if vi else
              "At ten, in the small room. I'll bring the new design."),
             (binh, a_id, "Tuyệt, nhớ gửi bản thiết kế danh sách trò chuyện nhé." if vi else
              "Great, please send the design of the conversation list too."),
             (chi, a_id, "Chào chị, bản thiết kế hôm qua đẹp lắm!" if vi else "The design you showed yesterday was lovely!"),
             (me, b_id, "Ok, gửi tối nay." if vi else "Ok, sending it tonight.")]
    for n, (sender, to, body) in enumerate(lines):
        r = rest("POST", f"{live_server.url}/api/conversations/{to}/messages", token_of(sender),
                 json={"client_id": f"s{n}", "body": body})
        assert r.status_code == 201, r.text
    app = make_app(live_server.url, profile=f"search-shots-{lang}")
    chat = open_synced_chat(qtbot, app, me, b_id)
    main = app.main_window
    main.resize(400, 640)
    query = "thiet ke" if vi else "design"
    main.search.setText(query)
    qtbot.waitUntil(lambda: main.message_results.model.rowCount() == 3, timeout=10000)
    qtbot.waitUntil(lambda: "3" in main.message_results.status.text(), timeout=10000)
    nav = app.navigation
    nav.search(None)
    dialog = nav.dialog
    dialog.field.setText(query)
    qtbot.waitUntil(lambda: dialog.results.model.rowCount() == 3, timeout=10000)
    dialog.results.list.setCurrentIndex(dialog.results.model.index(1, 0))
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        _save(main, f"search-main-{lang}-{name}")
        _save(dialog, f"search-dialog-{lang}-{name}")
    dialog.close()

    hit = [h for h in main.message_results.model.hits() if h.peer_id == b_id][-1]
    app.open_message(b_id, hit.message.id)
    window = chat.window()
    window.resize(520, 600)
    qtbot.waitUntil(lambda: chat.delegate.flash_id == hit.message.id, timeout=10000)
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        _save(window, f"search-opened-{lang}-{name}")

    nav.show_shortcuts()
    shortcuts = nav.dialog
    qtbot.waitExposed(shortcuts)
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        _save(shortcuts, f"shortcuts-{lang}-{name}")
    shortcuts.close()
    nav.quick_switch()
    switcher = nav.dialog
    switcher.field.setText("b")
    for name in ("light", "dark"):
        theme.apply(qapp, theme.LIGHT if name == "light" else theme.DARK)
        _save(switcher, f"quick-switcher-{lang}-{name}")
    switcher.close()
