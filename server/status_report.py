"""``parley-server status`` as text: the admin status (a dict from :mod:`server.services.admin_status`)
laid out for a terminal."""
from __future__ import annotations

from typing import Any


def size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover - the loop always returns


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{d}d {h}h {m}m" if d else f"{h}h {m}m" if h else f"{m}m {s}s"


def lines(st: dict[str, Any]) -> list[str]:
    u, q, m, sto = st["users"], st["queue"], st["mail"], st["storage"]
    online = "unknown here (only the serving process knows; see /api/admin/status)" \
        if u["online"] is None else str(u["online"])
    out = [f"Parley {st['version']}, up {duration(st['uptime_seconds'])} (since {st['started_at']})"
           if st["started_at"] else f"Parley {st['version']}; no server process found on this host (uptime unknown)",
           "",
           "Users",
           f"  total {u['total']}, verified {u['verified']}, disabled {u['disabled']}, admins {u['admins']}",
           f"  online now {online}, active in the last 7 days {u['active_7d']}",
           "",
           "Messages per day (UTC)"]
    peak = max([d["messages"] for d in st["messages_per_day"]] + [1])
    for d in st["messages_per_day"]:
        out.append(f"  {d['day']}  {d['messages']:>7}  {'#' * round(30 * d['messages'] / peak)}".rstrip())
    out += ["",
            "Storage",
            f"  {size(sto['total_bytes'])} in {sto['videos']} video(s), {size(sto['uploading_bytes'])} uploading"]
    for t in sto["top_users"]:
        out.append(f"  {size(t['bytes']):>10}  {t['videos']:>4} video(s)  {t['display_name']} <{t['email']}>")
    out += ["",
            "Video processing",
            f"  {q['processing']} in the queue, oldest {duration(q['oldest_age_seconds'])}; "
            f"{q['failed_24h']} failed in the last 24 h",
            ]
    if q["last_failure"]:
        out.append(f"  last failure: {q['last_failure']}")
    out += ["",
            "Mail (last 24 h)",
            f"  sent {m['sent_24h']}, failed {m['failed_24h']}"]
    if m["last_error"]:
        out.append(f"  last error ({m['last_error_at']}): {m['last_error']}")
    out += ["", "Health"]
    for c in st["health"]:
        out.append(f"  {c['name']:<9} {'ok  ' if c['ok'] else 'FAIL'}  {c['detail']}")
    return out
