"""Who may read operational details: ``/readyz``'s per-component report and ``/metrics``.

Those show internal errors, bucket names, paths and traffic, which help an
attacker more than a visitor. They are served to loopback callers (a
monitoring agent on the host) and to anyone presenting ``PARLEY_ADMIN_TOKEN``
as a Bearer token. A request that came through a proxy the server was not told
to trust (it carries ``X-Forwarded-For`` while ``PARLEY_TRUSTED_PROXIES=0``)
is not treated as loopback, since a local nginx makes every visitor look local.
"""
from __future__ import annotations

import hmac
import ipaddress

from flask import request

from server.config import Config


def is_admin_request(config: Config) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if config.admin_token and scheme.lower() == "bearer" and \
            hmac.compare_digest(token.strip().encode(), config.admin_token.encode()):
        return True
    if config.trusted_proxies == 0 and ("X-Forwarded-For" in request.headers or "Forwarded" in request.headers):
        return False
    try:
        return ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False
