"""The live-server fixture itself works: start, register, verify."""
from __future__ import annotations

import requests


def test_live_server_registers_and_verifies(live_server):
    a = live_server.register_verified("Alice")
    r = requests.get(f"{live_server.url}/api/me",
                     headers={"Authorization": f"Bearer {a['tokens']['access_token']}"}, timeout=5)
    assert r.status_code == 200 and r.json()["email"] == a["email"]
