"""Long request lines under gevent's handler: the API's own validation answers, in the contract's shape."""
from __future__ import annotations

import requests

from tests.conftest import LiveServer


def test_a_long_encoded_token_reaches_validation_and_a_huge_line_gets_a_problem(live_server: LiveServer) -> None:
    # 2049 characters of 4-byte UTF-8: about 24 KiB percent-encoded, past gevent's 8 KiB default
    token = "\U0001F600" * 2049
    r = requests.get(f"{live_server.url}/api/media/{'a' * 32}/stream", params={"token": token}, timeout=10)
    assert r.status_code == 422, (r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "validation_failed"

    r = requests.get(f"{live_server.url}/api/media/{'a' * 32}/stream", params={"token": "x" * 70_000}, timeout=10)
    assert r.status_code == 414
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "uri_too_long"
