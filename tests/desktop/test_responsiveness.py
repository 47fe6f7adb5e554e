"""The GUI thread never waits on the network: with a slow server the event loop keeps turning."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

DELAY_S = 2.5


class _SlowHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server API
        time.sleep(DELAY_S)
        body = json.dumps({"type": "about:blank", "title": "Unauthorized", "status": 401,
                           "detail": "bad", "code": "invalid_credentials"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_event_loop_keeps_turning_while_the_server_is_slow(qtbot, make_app, slow_server):
    app = make_app(slow_server)
    qtbot.waitUntil(lambda: app.login_window is not None and app.login_window.isVisible())
    w = app.login_window
    ticks: list[int] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(clock.elapsed()))
    w.email.edit.setText("someone@example.com")
    w.password.edit.setText("whatever password")
    clock.start()
    timer.start()
    w.sign_in_page.button.click()
    assert not w.sign_in_page.button.isEnabled()  # busy state shown at once
    assert w.sign_in_page.button.text() == "Signing in…"
    qtbot.waitUntil(lambda: w.password.error.isVisible(), timeout=int(DELAY_S * 1000) + 8000)
    timer.stop()
    assert clock.elapsed() >= DELAY_S * 1000 * 0.9  # the request really was slow
    gaps = [b - a for a, b in zip([0] + ticks, ticks)]
    assert len(ticks) > DELAY_S * 1000 / 10 * 0.5  # the loop ran all along
    assert max(gaps) < 250, f"the GUI thread stalled for {max(gaps)} ms"
    assert w.sign_in_page.button.isEnabled()
