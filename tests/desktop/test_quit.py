"""Quit ends the app at once (issue 12: the process lived on for 4-5 s after its windows vanished).

Most of that was the WebSocket disconnect: websocket-client's close() waited its full 3 s for a close
reply that engineio's own read loop had already taken (desktop/net/realtime.py, CLOSE_WAIT_S).
"""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.desktop.conftest import sign_in, wait_online

QUIT_BOUND_S = 1.5  # the windows vanish at once; what is left must not keep the process for seconds


def test_quit_while_online_returns_promptly(qtbot: Any, make_app: Any, live_server: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    a = make_app(live_server.url, profile="alice")
    sign_in(qtbot, a, alice["email"], alice["password"])
    wait_online(qtbot, a)
    realtime = a.service.realtime
    quit_called: list[bool] = []
    monkeypatch.setattr(a.qapp, "quit", lambda: quit_called.append(True))  # other tests share the QApplication
    started = time.monotonic()
    a.quit()
    took = time.monotonic() - started
    assert quit_called and a.main_window is None and not realtime.connected
    assert took < QUIT_BOUND_S, f"quit took {took:.2f} s"
    # the server saw the person leave (the socket really closed, it was not just abandoned)
    qtbot.waitUntil(lambda: realtime._thread is None or not realtime._thread.is_alive(), timeout=5000)
