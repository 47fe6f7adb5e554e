"""Who a rate limit counts: the client's network, not its exact address.

One IPv6 host usually owns a whole /64 (SLAAC, privacy addresses), so keying
limits on the full address would hand such a client 2^64 budgets. IPv6
clients are therefore counted per /64 network, IPv4 clients per address, and
an IPv4 address mapped into IPv6 (``::ffff:a.b.c.d``) as that IPv4 address.
Behind a proxy, ``PARLEY_TRUSTED_PROXIES`` makes ``remote_addr`` the client's
address first (ProxyFix), so this sees the real client.
"""
from __future__ import annotations

import ipaddress

from flask import request

IPV6_PREFIX = 64


def network_key(address: str | None) -> str:
    """The rate-limit key of one client address."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def client_key() -> str:
    """Flask-Limiter's key function."""
    return network_key(request.remote_addr)
