"""Hosting the bundled server from the app: start, reach it, sign up against it, stop."""
from __future__ import annotations

import requests

from desktop.qt.hosting import ServerHost, free_port, server_command
from desktop.ui.host_dialog import HostServerDialog
from tests.conftest import read_outbox_code


def test_host_dialog_starts_a_reachable_server_and_stops_it(qtbot, tmp_path) -> None:  # noqa: ANN001
    host = ServerHost(tmp_path / "hosted", port=free_port(0), bind="127.0.0.1")
    dialog = HostServerDialog(host)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Host a server — Parley"
    assert "not running" in dialog.status.text() and not dialog.stop_button.isVisible()
    with qtbot.waitSignal(host.started, timeout=30000) as started:
        qtbot.mouseClick(dialog.start_button, qtbot_button())
    url = started.args[0]
    try:
        assert "running" in dialog.status.text() and dialog.address.text().startswith("http://")
        assert requests.get(f"{url}/healthz", timeout=5).json() == {"status": "ok"}
        # a real account on the hosted server, its code in the hosted outbox (embedded defaults)
        r = requests.post(f"{url}/api/auth/register", timeout=10,
                          json={"email": "team@example.com", "password": "harbor lights 42", "display_name": "Team"})
        assert r.status_code == 202
        assert read_outbox_code(host.data_dir, "team@example.com").isdigit()
        with qtbot.waitSignal(dialog.useServer, timeout=2000) as used:
            dialog.use_button.click()
        assert used.args == [url]
    finally:
        with qtbot.waitSignal(host.stopped, timeout=15000):
            dialog.stop_button.click()
    assert not host.running
    assert "stopped" in dialog.status.text() and dialog.start_button.isVisible()
    try:
        requests.get(f"{url}/healthz", timeout=2)
        reachable = True
    except requests.ConnectionError:
        reachable = False
    assert not reachable


def test_a_port_in_use_fails_with_a_plain_message(qtbot, tmp_path) -> None:  # noqa: ANN001
    import socket
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    host = ServerHost(tmp_path / "h", port=busy.getsockname()[1], bind="127.0.0.1", start_timeout_ms=20000)
    try:
        with qtbot.waitSignal(host.failed, timeout=25000) as failed:
            host.start()
        assert "could not" in failed.args[0] or "stopped while starting" in failed.args[0]
    finally:
        host.stop()
        busy.close()


def test_server_command_runs_the_package_from_source() -> None:
    program, args = server_command(["serve"])
    assert args[:2] == ["-m", "server"] and program.endswith(("python", "python3", "python.exe"))


def qtbot_button():  # noqa: ANN201
    from PySide6.QtCore import Qt
    return Qt.MouseButton.LeftButton


def test_sign_in_window_hosts_a_server_and_fills_in_its_address(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from desktop.qt import hosting
    from tests.desktop.conftest import MemoryKeyring

    monkeypatch.setattr(hosting, "default_data_dir", lambda: tmp_path / "hosted")
    from PySide6.QtWidgets import QApplication

    from desktop.app import ParleyApp
    from desktop.config import AppConfig
    app = ParleyApp(AppConfig(profile="host", home=tmp_path / "home", server_url="http://127.0.0.1:9"),
                    QApplication.instance(), keyring_backend=MemoryKeyring())
    try:
        app.start()
        assert app.login_window is not None and app.login_window.host_link.isVisible()
        app.login_window.host_link.click()
        dialog = app.host_dialog
        assert dialog is not None and dialog.isVisible()
        with qtbot.waitSignal(app.server_host.started, timeout=30000) as started:
            dialog.start_button.click()
        dialog.use_button.click()
        assert app.login_window.server.text() == started.args[0]
    finally:
        app.shutdown()
    assert not app.server_host.running  # stopped with the app
