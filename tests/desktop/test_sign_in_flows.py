"""Sign in, create account, verify and reset the password against a live server, errors included."""
from __future__ import annotations

import time
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import free_port, read_outbox_code
from tests.desktop.conftest import sign_in, wait_online

PASSWORD = "a sturdy passphrase 7"


def _login(qtbot, app):
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible(), timeout=10000)
    return app.login_window


def _idle(w) -> bool:
    return not w._busy


def test_window_title_focus_tab_and_enter_sign_in(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url)
    w = _login(qtbot, app)
    assert w.windowTitle() == "Sign in — Parley"
    assert w.server.text() == live_server.url  # prefilled
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.email.edit)
    qtbot.keyClicks(w.email.edit, alice["email"])
    qtbot.keyClick(w.email.edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.password.edit
    qtbot.keyClicks(w.password.edit, alice["password"])
    qtbot.keyClick(w.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=10000)
    assert app.main_window.windowTitle() == "Parley"
    assert app.settings.server_url == live_server.url  # remembered


def test_sign_in_errors_are_shown_next_to_their_fields(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url)
    w = _login(qtbot, app)

    w.sign_in_page.button.click()  # nothing typed
    assert w.email.error.text() == "Enter your email address."
    assert w.password.error.text() == "Enter your password."

    w.email.edit.setText(alice["email"])
    w.password.edit.setText("not the password 1")
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: w.password.error.isVisible(), timeout=10000)
    assert w.password.error.text() == "That email and password don't match an account."
    assert not w.sign_in_page.error.isVisible()

    # The server is down (nothing listens on that port): said plainly, no traceback.
    w.server.edit.setText(f"http://127.0.0.1:{free_port()}")
    w.password.edit.setText(alice["password"])
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: w.sign_in_page.error.isVisible(), timeout=10000)
    assert w.sign_in_page.error.text().startswith("Can't reach the server")

    # A wrong address (something that is not a Parley server) is shown at the address field.
    w.server.edit.setText(live_server.url + "/docs")
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: w.server.error.isVisible(), timeout=10000)
    assert "doesn't look like a Parley server" in w.server.error.text()
    w.server.edit.setText("http://exa mple")
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: _idle(w) and (w.server.error.isVisible() or w.sign_in_page.error.isVisible()),
                    timeout=10000)
    assert "{" not in w.server.error.text() + w.sign_in_page.error.text()  # never raw JSON

    w.server.edit.setText(live_server.url)
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=10000)


def test_create_account_verify_with_errors_then_signed_in(qtbot, make_app, live_server):
    app = make_app(live_server.url)
    w = _login(qtbot, app)
    w.create_link.click()
    assert w.stack.currentWidget() is w.register_page
    assert QApplication.focusWidget() is w.reg_name.edit or not w.isActiveWindow()

    # rules shown inline as the person types
    w.reg_password.edit.setText("short")
    assert w.reg_password.hint.text() == "At least 10 characters (at most 128)."
    w.reg_password.edit.setText("long enough now")
    assert w.reg_password.hint.text().startswith("✓")

    # client-side checks
    w.register_page.button.click()
    assert w.reg_name.error.text() == "Enter your name."
    assert w.reg_email.error.text() == "Enter your email address."

    # the server's own field messages, next to their fields
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    w.reg_name.edit.setText("Chi Le")
    w.reg_email.edit.setText("chi@localhost")
    w.reg_password.edit.setText("aaaaaaaaaaaa")
    w.register_page.button.click()
    qtbot.waitUntil(lambda: _idle(w) and (w.reg_email.error.isVisible() or w.reg_password.error.isVisible()),
                    timeout=10000)
    assert w.reg_password.error.text() == "Use more different characters."
    assert w.reg_email.error.text()  # the server's words for a bad address
    assert not w.register_page.error.isVisible()

    w.reg_email.edit.setText(email)
    w.reg_password.edit.setText(PASSWORD)
    t0 = time.time() - 1
    w.register_page.button.click()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.verify_page, timeout=10000)
    assert email in w.verify_page.subtitle.text()
    assert not w.resend.isEnabled() and "in 60 s" in w.resend.text()  # cooldown shown
    code = live_server.outbox_code(email, after=t0)

    wrong = "000000" if code != "000000" else "111111"
    w.code.edit.setText(wrong)
    w.verify_page.button.click()
    qtbot.waitUntil(lambda: w.code.error.isVisible(), timeout=10000)
    assert w.code.error.text() == "That code isn't right. Check the email and try again."
    w.code.edit.setText("12a")
    w.verify_page.button.click()
    assert w.code.error.text() == "The code has 6 digits."

    w.code.edit.setText(code)
    qtbot.keyClick(w.code.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=10000)
    assert app.main_window.me_label.text() == "Chi Le"


def test_unverified_account_is_sent_to_the_code_step(qtbot, make_app, live_server):
    import requests

    email = f"late-{uuid.uuid4().hex[:8]}@example.com"
    t0 = time.time() - 1
    r = requests.post(f"{live_server.url}/api/auth/register",
                      json={"email": email, "password": PASSWORD, "display_name": "Dung"}, timeout=10)
    assert r.status_code == 202
    live_server.outbox_code(email, after=t0)
    app = make_app(live_server.url)
    w = _login(qtbot, app)
    w.email.edit.setText(email)
    w.password.edit.setText(PASSWORD)
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.verify_page, timeout=10000)
    assert w.verify_page.note.text() == "Verify your email address first."
    mailed = {p.name for p in (live_server.data_dir / "outbox").glob("*.eml")}
    w.resend.click()  # a new code replaces the old one
    qtbot.waitUntil(lambda: w.verify_page.note.text() == "We sent a new code.", timeout=10000)
    assert not w.resend.isEnabled() and "in 60 s" in w.resend.text()
    new_code = read_outbox_code(live_server.data_dir, email, skip=mailed)
    w.code.edit.setText(new_code)
    w.verify_page.button.click()
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=10000)


def test_forgot_password_with_errors_then_new_password_works(qtbot, make_app, live_server):
    alice = live_server.register_verified("Alice Nguyen")
    app = make_app(live_server.url)
    w = _login(qtbot, app)
    w.email.edit.setText(alice["email"])
    w.forgot_link.click()
    assert w.stack.currentWidget() is w.forgot_page
    assert w.forgot_email.text() == alice["email"]
    mailed = {p.name for p in (live_server.data_dir / "outbox").glob("*.eml")}  # the sign-up code
    w.forgot_page.button.click()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.reset_page, timeout=10000)
    code = read_outbox_code(live_server.data_dir, alice["email"], skip=mailed)

    w.reset_code.edit.setText(code)
    w.new_password.edit.setText("short")
    w.reset_page.button.click()
    assert w.new_password.error.text() == "At least 10 characters (at most 128)."
    w.new_password.edit.setText("1234567890")  # long enough, but too common: the server says so
    w.reset_page.button.click()
    qtbot.waitUntil(lambda: _idle(w) and w.new_password.error.isVisible(), timeout=10000)
    assert "too common" in w.new_password.error.text()

    wrong = "000000" if code != "000000" else "111111"
    w.reset_code.edit.setText(wrong)
    w.new_password.edit.setText("brand new passphrase 8")
    w.reset_page.button.click()
    qtbot.waitUntil(lambda: _idle(w) and w.reset_code.error.isVisible(), timeout=10000)
    assert w.reset_code.error.text() == "That code isn't right. Check the email and try again."

    w.reset_code.edit.setText(code)
    w.reset_page.button.click()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.sign_in_page, timeout=10000)
    assert "password was changed" in w.sign_in_page.note.text()
    w.password.edit.setText(alice["password"])  # the old one no longer works
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: w.password.error.isVisible(), timeout=10000)
    sign_in(qtbot, app, alice["email"], "brand new passphrase 8")
    wait_online(qtbot, app)
