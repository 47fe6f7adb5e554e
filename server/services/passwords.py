"""Password hashing (argon2id) and the password rules.

argon2id with OWASP's recommended parameters (m=19 MiB, t=2, p=1): strong
against GPU cracking while a login stays cheap enough for a small server
(about 20 ms on one core here, see docs/performance.md). The parameters are
stored in each hash, and a hash made with weaker ones is upgraded at login.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.green import offload

MIN_LENGTH = 10
MAX_LENGTH = 128

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
#: Verified when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("parley-dummy-password-for-timing")


#: Passwords of at most 3 different characters. The OpenAPI document states the rule with this same
#: expression (``not: {pattern}``), so the server and its document agree on every string.
FEW_DISTINCT_PATTERN = r"^([\s\S])\1*(?:([\s\S])(?:\1|\2)*(?:([\s\S])(?:\1|\2|\3)*)?)?$"
#: ``$`` in JSON Schema (ECMA 262) ends the text; Python's ``\Z`` is that (its ``$`` also matches before a final "\n").
_FEW_DISTINCT = re.compile(FEW_DISTINCT_PATTERN[:-1] + r"\Z")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = resources.files("server.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line and not line.startswith("#"))


def problems(password: str, *, email: str = "", display_name: str = "") -> list[str]:
    """Why ``password`` is not acceptable (empty when it is)."""
    out: list[str] = []
    if len(password) < MIN_LENGTH:
        out.append(f"Use at least {MIN_LENGTH} characters.")
    elif len(password) > MAX_LENGTH:
        out.append(f"Use at most {MAX_LENGTH} characters.")
    elif password.lower() in _common():
        out.append("This password is too common; choose one that is hard to guess.")
    elif _FEW_DISTINCT.search(password):
        out.append("Use more different characters.")
    else:
        low = password.lower()
        local = email.split("@", 1)[0].lower()
        if (local and len(local) >= 4 and local in low) or (display_name and display_name.lower() == low):
            out.append("Do not use your name or email address in your password.")
    return out


def hash_password(password: str) -> str:
    """Hashes on gevent's real thread pool: argon2 releases the GIL, and the event loop goes on."""
    return offload(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-ish time: an unknown user still costs one argon2 verification (off the event loop)."""
    return offload(_verify, stored_hash or _DUMMY_HASH, password) and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
