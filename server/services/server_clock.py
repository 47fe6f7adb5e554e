"""When the serving process started, for the uptime ``parley-server status`` shows.

``parley-server serve`` writes its start time and process id to a small file
in the data directory; the command line (another process) reads it back, and
reports no uptime when that process is gone. With several hosts, each has its
own file: the command shows the uptime of the server on the host it runs on.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from server.models import utcnow

FILE = "server-started"


def write(data_dir: Path, started_at: datetime | None = None) -> None:
    (Path(data_dir) / FILE).write_text(f"{(started_at or utcnow()).isoformat()} {os.getpid()}\n")


def read(data_dir: Path) -> datetime | None:
    """The start time of the server running from ``data_dir``, or None if none runs."""
    try:
        stamp, pid = (Path(data_dir) / FILE).read_text().split()
        started = datetime.fromisoformat(stamp)
        os.kill(int(pid), 0)  # raises if no such process
    except PermissionError:  # it runs, as another user
        return started
    except (OSError, ValueError):
        return None
    return started
