"""The server's status as an admin sees it (``GET /api/admin/status``), decoded into dataclasses.

No Qt and no I/O: :mod:`desktop.net.admin` fetches, this decodes,
:mod:`desktop.ui.status_window` shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UserFigures:
    total: int
    verified: int
    disabled: int
    admins: int
    online: int | None
    active_7d: int


@dataclass(frozen=True)
class DayCount:
    day: str
    messages: int


@dataclass(frozen=True)
class StorageUser:
    id: str
    display_name: str
    email: str
    bytes: int
    videos: int


@dataclass(frozen=True)
class StorageFigures:
    total_bytes: int
    videos: int
    uploading_bytes: int
    top_users: list[StorageUser] = field(default_factory=list)


@dataclass(frozen=True)
class QueueFigures:
    processing: int
    oldest_age_seconds: float | None
    failed_24h: int
    last_failure: str | None


@dataclass(frozen=True)
class MailFigures:
    sent_24h: int
    failed_24h: int
    last_error: str | None
    last_error_at: str | None


@dataclass(frozen=True)
class HealthCheck:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ServerStatus:
    generated_at: str
    version: str
    started_at: str | None
    uptime_seconds: float | None
    users: UserFigures
    messages_per_day: list[DayCount]
    storage: StorageFigures
    queue: QueueFigures
    mail: MailFigures
    health: list[HealthCheck]

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.health)


@dataclass(frozen=True)
class AccountState:
    """An account after an admin disabled or enabled it."""

    id: str
    email: str
    display_name: str
    disabled: bool
    sessions_ended: int = 0


def _int(v: Any) -> int:
    return int(v or 0)


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def _opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


def server_status(d: dict[str, Any]) -> ServerStatus:
    u, s, q, m = d.get("users") or {}, d.get("storage") or {}, d.get("queue") or {}, d.get("mail") or {}
    return ServerStatus(
        generated_at=str(d.get("generated_at") or ""), version=str(d.get("version") or ""),
        started_at=_opt_str(d.get("started_at")), uptime_seconds=_opt_float(d.get("uptime_seconds")),
        users=UserFigures(_int(u.get("total")), _int(u.get("verified")), _int(u.get("disabled")),
                          _int(u.get("admins")), None if u.get("online") is None else _int(u.get("online")),
                          _int(u.get("active_7d"))),
        messages_per_day=[DayCount(str(x.get("day", "")), _int(x.get("messages")))
                          for x in d.get("messages_per_day") or []],
        storage=StorageFigures(_int(s.get("total_bytes")), _int(s.get("videos")), _int(s.get("uploading_bytes")),
                               [StorageUser(str(t.get("id", "")), str(t.get("display_name", "")),
                                            str(t.get("email", "")), _int(t.get("bytes")), _int(t.get("videos")))
                                for t in s.get("top_users") or []]),
        queue=QueueFigures(_int(q.get("processing")), _opt_float(q.get("oldest_age_seconds")),
                           _int(q.get("failed_24h")), _opt_str(q.get("last_failure"))),
        mail=MailFigures(_int(m.get("sent_24h")), _int(m.get("failed_24h")), _opt_str(m.get("last_error")),
                         _opt_str(m.get("last_error_at"))),
        health=[HealthCheck(str(c.get("name", "")), bool(c.get("ok")), str(c.get("detail", "")))
                for c in d.get("health") or []],
    )


def account_state(d: dict[str, Any]) -> AccountState:
    return AccountState(str(d.get("id", "")), str(d.get("email", "")), str(d.get("display_name", "")),
                        bool(d.get("disabled")), _int(d.get("sessions_ended")))


def byte_size(n: float) -> str:
    """1536 -> "1.5 KiB"."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")
