"""Whether the database, storage and mail backend are usable.

Used by ``/readyz`` and ``parley-server check``: one line per component.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

from server.extensions import Services


@dataclass(frozen=True)
class Component:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail}


def run(name: str, fn) -> Component:  # noqa: ANN001
    try:
        return Component(name, True, str(fn()))
    except Exception as exc:  # noqa: BLE001 - any failure makes the component not ready
        return Component(name, False, f"{type(exc).__name__}: {exc}")


def check_database(svc: Services) -> str:
    svc.db.ping()
    rev = svc.db.current_revision()
    if rev is None:
        raise RuntimeError("the schema is not created: run `parley-server db upgrade`")
    return f"{svc.db.dialect}, schema {rev}"


def check_storage(svc: Services) -> str:
    if svc.storage is not None:
        return svc.storage.check()
    d = svc.config.data_dir
    if not os.access(d, os.W_OK):
        raise OSError(f"{d} is not writable")
    return f"local {d}"


class MailCheck:
    """Probes the mail backend at most every ``ttl`` seconds (SMTP/SES calls are slow)."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._at = 0.0
        self._last: Component | None = None

    def __call__(self, svc: Services) -> Component:
        if svc.mail.last_error:
            return Component("mail", False, f"last send failed: {svc.mail.last_error}")
        if self._last is None or time.monotonic() - self._at > self.ttl:
            self._last = run("mail", svc.mail.mailer.check)
            self._at = time.monotonic()
        return self._last


def check_all(svc: Services, mail_check: MailCheck | None = None) -> list[Component]:
    return [run("database", lambda: check_database(svc)),
            run("storage", lambda: check_storage(svc)),
            (mail_check or MailCheck(ttl=0))(svc)]
