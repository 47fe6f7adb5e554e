"""Desktop test fixtures: offscreen Qt, an in-memory keyring, apps on temp profile dirs."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("PARLEY_DESKTOP_HOME", None)

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.errors import NoKeyringError, PasswordDeleteError  # noqa: E402

from desktop.app import ParleyApp  # noqa: E402
from desktop.config import AppConfig  # noqa: E402
from desktop.qt.lifetime import release_qt_objects  # noqa: E402
from desktop.qt.tasks import TaskRunner  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict and remembers every value it was given."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.history: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password
        self.history.append(password)

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


class BrokenKeyring(KeyringBackend):
    """What a headless Linux without Secret Service looks like to keyring."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("No recommended backend was available.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("No recommended backend was available.")

    def delete_password(self, service: str, username: str) -> None:
        raise NoKeyringError("No recommended backend was available.")


@pytest.fixture(scope="session", autouse=True)
def release_qt_at_exit(qapp: Any) -> Iterator[None]:
    """Empties the clipboard and deletes every window before Python shuts down, as the app does.

    - QMimeData made in Python and handed to ``QClipboard.setMimeData`` belongs to the clipboard,
      which the offscreen platform keeps in a C++ global: it was deleted by the C exit handlers after
      Python had finalized, and the wrapper's destructor then called into a dead interpreter
      (a segfault at the exit of ``test_video_chat_local.py``).
    - A window left for PySide's exit clean-up can be deleted twice (``desktop/qt/lifetime.py``):
      ``malloc_consolidate(): unaligned fastbin chunk detected`` as a worker exited, from the
      "Host a server" dialog ``test_hosting.py`` leaves to ``deleteLater`` with no event loop after.
    """
    yield
    qapp.clipboard().clear()
    release_qt_objects()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def broken_keyring() -> Iterator[BrokenKeyring]:
    previous = keyring.get_keyring()
    backend = BrokenKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def desktop_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def make_app(qapp: Any, qtbot: Any, desktop_home: Path, memory_keyring: MemoryKeyring
             ) -> Iterator[Callable[..., ParleyApp]]:
    """Factory of started apps on ``desktop_home``; every app is shut down after the test."""
    apps: list[ParleyApp] = []

    def make(server_url: str, profile: str = "default", theme: str = "light", start: bool = True,
             **extra: Any) -> ParleyApp:
        config = AppConfig(profile=profile, home=desktop_home, server_url=server_url, theme=theme,
                           reconnect_base=0.2, reconnect_max=1.0, http_timeout=(3.0, 10.0), **extra)
        app = ParleyApp(config, qapp)
        apps.append(app)
        if start:
            app.start()
        return app

    yield make
    for app in reversed(apps):
        app.shutdown()


class Runners:
    """The app's three task runners, for tests that build its parts without a ParleyApp."""

    def __init__(self) -> None:
        self.network = TaskRunner(threads=8, name="network")
        self.disk = TaskRunner(threads=1, name="disk")
        self.parts = TaskRunner(threads=6, name="upload-parts")
        self.socket = TaskRunner(threads=2, name="socket")

    def upload_kwargs(self) -> dict[str, TaskRunner]:
        return {"runner": self.network, "disk": self.disk, "parts": self.parts}

    def shutdown(self) -> None:
        """Let queued work run, then delete the pools here, on the GUI thread (as the app does)."""
        everything = (self.parts, self.socket, self.network, self.disk)
        for runner in everything:
            runner.wait_idle(5000)
        for runner in everything:
            runner.shutdown()
            runner.deleteLater()


@pytest.fixture
def runners(qapp: Any) -> Iterator[Runners]:
    r = Runners()
    yield r
    r.shutdown()


def sign_in(qtbot: Any, app: ParleyApp, email: str, password: str) -> None:
    """Type into the sign-in window and wait for the main window."""
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible(), timeout=10000)
    w = app.login_window
    assert w is not None
    w.email.edit.setText(email)
    w.password.edit.setText(password)
    w.sign_in_page.button.click()
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible(), timeout=15000)


def wait_online(qtbot: Any, app: ParleyApp, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: app.service is not None and app.service.online, timeout=timeout)


def two_people(qtbot: Any, make_app: Any, live_server: Any) -> tuple[ParleyApp, ParleyApp, dict, dict]:
    """Alice and Binh, each signed in to their own app (profile) and online."""
    alice = live_server.register_verified("Alice Nguyen")
    binh = live_server.register_verified("Binh Tran")
    a = make_app(live_server.url, profile="alice")
    b = make_app(live_server.url, profile="binh")
    sign_in(qtbot, a, alice["email"], alice["password"])
    sign_in(qtbot, b, binh["email"], binh["password"])
    wait_online(qtbot, a)
    wait_online(qtbot, b)
    return a, b, alice, binh


def open_synced_chat(qtbot: Any, app: ParleyApp, person: dict, peer_id: str) -> Any:
    """Signs ``person`` in, waits until the conversation with ``peer_id`` synced, opens it; returns its chat."""
    sign_in(qtbot, app, person["email"], person["password"])
    wait_online(qtbot, app)
    qtbot.waitUntil(lambda: app.service.conversations.get(peer_id) is not None, timeout=10000)
    app.open_chat(peer_id)
    return app.chat_windows[peer_id].chat
