"""The refresh token lives only in the keyring: stored, used at the next start, removed at sign-out."""
from __future__ import annotations

from pathlib import Path

from desktop.net.credentials import SERVICE
from tests.desktop.conftest import sign_in, wait_online


def _files_with(root: Path, secrets: set[str]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.name}" for s in secrets if s and s.encode() in data]
    return hits


def test_token_stored_used_at_next_start_and_removed_at_sign_out(qtbot, make_app, live_server,
                                                                 memory_keyring, desktop_home):
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url, profile="work")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    entry = (SERVICE, f"work:{alice['email'].lower()}@{live_server.url}")
    qtbot.waitUntil(lambda: memory_keyring.entries.get(entry) == app.api.refresh_token, timeout=5000)
    first_token = memory_keyring.entries[entry]
    seen = {first_token, app.api.access_token()}
    app.main_window.search.setText("nobody")  # some traffic and settings writes
    app.shutdown()

    again = make_app(live_server.url, profile="work")
    qtbot.waitUntil(lambda: again.main_window is not None and again.main_window.isVisible(), timeout=10000)
    assert again.login_window is None  # silent sign-in
    wait_online(qtbot, again)
    # the stored token was spent (refresh tokens rotate) and its successor stored in its place
    qtbot.waitUntil(lambda: memory_keyring.entries.get(entry) not in (None, first_token), timeout=5000)
    assert memory_keyring.entries[entry] == again.api.refresh_token
    seen |= set(memory_keyring.history) | {again.api.access_token()}

    again.main_window.signOutRequested.emit()
    qtbot.waitUntil(lambda: entry not in memory_keyring.entries, timeout=5000)
    qtbot.waitUntil(lambda: again.login_window is not None and again.login_window.isVisible(), timeout=5000)
    again.shutdown()
    assert list(desktop_home.rglob("*.ini")), "the app wrote its settings"
    assert _files_with(desktop_home, seen) == []

    third = make_app(live_server.url, profile="work")  # signed out: the sign-in window again
    qtbot.waitUntil(lambda: third.login_window is not None and third.login_window.isVisible(), timeout=5000)
    assert third.main_window is None


def test_without_a_keyring_the_session_stays_in_memory(qtbot, make_app, live_server, broken_keyring,
                                                       desktop_home):
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url, profile="nokeyring")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    notice = app.main_window.notice
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert "keyring" in app.main_window.notice_label.text()
    tokens = {app.api.refresh_token, app.api.access_token()}
    app.shutdown()
    assert _files_with(desktop_home, tokens) == []
    again = make_app(live_server.url, profile="nokeyring")
    qtbot.waitUntil(lambda: again.login_window is not None and again.login_window.isVisible(), timeout=5000)


def test_a_refused_token_ends_the_session_plainly(qtbot, make_app, live_server, memory_keyring):
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url, profile="p")
    sign_in(qtbot, app, alice["email"], alice["password"])
    wait_online(qtbot, app)
    entry = (SERVICE, f"p:{alice['email'].lower()}@{live_server.url}")
    app.shutdown()
    memory_keyring.entries[entry] = "not-a-valid-refresh-token"
    again = make_app(live_server.url, profile="p")
    qtbot.waitUntil(lambda: again.login_window is not None and again.login_window.isVisible(), timeout=15000)
    note = again.login_window.sign_in_page.note
    assert note.isVisible() and "sign in again" in note.text()
    # the spent token is forgotten on a worker (keyring calls never run on the GUI thread)
    qtbot.waitUntil(lambda: entry not in memory_keyring.entries, timeout=5000)
    assert again.login_window.email.text() == alice["email"]
