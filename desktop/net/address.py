"""Server addresses: which scheme to use, and when plain http is acceptable.

A password (or a refresh token) sent over plain ``http://`` can be read by
anyone on the path. So an address typed without a scheme is tried as
``https://``; ``http://`` is used without asking only for this computer and
private networks (where the app's own "host a server" mode lives, and where a
TLS certificate is rare); for any other host the person must confirm a
warning first (:class:`desktop.net.http.ApiClient` refuses until then).

No I/O and no Qt here: the rules are pure functions of the address.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit


def normalize_url(url: str) -> str:
    """``example.org:8000`` -> ``https://example.org:8000`` (no trailing slash)."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "https://" + url
    return url


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_private_host(host: str) -> bool:
    """Loopback, private ranges (RFC 1918, fc00::/7), link-local, ``localhost`` and ``*.local``.

    Names other than those are not resolved: what a name resolves to can change, and
    a public name must not get plain http just because it points inward today.
    """
    host = host.strip("[]").lower()
    if host in ("localhost",) or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local


def is_cleartext(url: str) -> bool:
    return url.lower().startswith("http://")


_HOST = re.compile(r"^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$", re.IGNORECASE)


def needs_consent(url: str) -> bool:
    """Plain http to a host that is not on this computer or a private network.

    A malformed address needs none: nothing can be sent to it, and the request fails
    with "not a valid server address" instead of asking about encryption.
    """
    if not is_cleartext(url):
        return False
    netloc = url[len("http://"):].split("/", 1)[0].rsplit("@", 1)[-1]
    host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    if not _HOST.match(host):
        return False
    return not is_private_host(host_of(url))


def candidates(typed: str) -> list[str]:
    """The addresses to try for what the person typed, in order.

    With a scheme: exactly that. Without: ``https://`` first; for a private or loopback host
    also ``http://`` after it (a server on the local network rarely has a certificate).
    """
    typed = typed.strip()
    url = normalize_url(typed)
    if not typed or "://" in typed:
        return [url]
    plain = "http://" + url.removeprefix("https://")
    return [url, plain] if is_private_host(host_of(url)) else [url]
