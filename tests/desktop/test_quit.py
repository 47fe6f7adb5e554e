"""Quit ends the app at once (issue 12: the process lived on for 4-5 s after its windows vanished).

Most of that was the WebSocket disconnect: websocket-client's close() waited its full 3 s for a close
reply that engineio's own read loop had already taken (desktop/net/realtime.py, CLOSE_WAIT_S).
"""
from __future__ import annotations

import time
from typing import Any

import pytest

from desktop.net.realtime import CLOSE_WAIT_S
from tests.desktop.conftest import sign_in, wait_online

# The windows vanish at once and quit() typically returns in about 0.2 s. What it may still wait for
# is bounded by design (the socket thread's join, the network pool, the disk queue), and those waits
# stretch when four test workers share two cores: CI once measured 1.57 s there. The bound catches
# the symptom a person saw (the process lived 4-5 s after its windows vanished) and the old 3 s wait
# for a WebSocket close reply, which the last assertions check directly.
QUIT_BOUND_S = 3.0


def test_quit_while_online_returns_promptly(qtbot: Any, make_app: Any, live_server: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    alice = live_server.register_verified("Alice Nguyen")
    a = make_app(live_server.url, profile="alice")
    sign_in(qtbot, a, alice["email"], alice["password"])
    wait_online(qtbot, a)
    realtime = a.service.realtime
    close_waits: list[float] = []  # how long each WebSocket close took (it once waited 3 s for a reply)
    ws = realtime._client.eio.ws
    shortened_close = ws.close

    def recording_close(*args: Any, **kwargs: Any) -> Any:
        t0 = time.monotonic()
        try:
            return shortened_close(*args, **kwargs)
        finally:
            close_waits.append(time.monotonic() - t0)

    ws.close = recording_close
    quit_called: list[bool] = []
    monkeypatch.setattr(a.qapp, "quit", lambda: quit_called.append(True))  # other tests share the QApplication
    started = time.monotonic()
    a.quit()
    took = time.monotonic() - started
    assert quit_called and a.main_window is None and not realtime.connected
    assert took < QUIT_BOUND_S, f"quit took {took:.2f} s"
    # the WebSocket was closed, not waited on: CLOSE_WAIT_S at most, with room for a loaded machine
    assert close_waits and max(close_waits) < CLOSE_WAIT_S + 1.0, close_waits
    # the server saw the person leave (the socket really closed, it was not just abandoned)
    qtbot.waitUntil(lambda: not realtime.looping, timeout=5000)
