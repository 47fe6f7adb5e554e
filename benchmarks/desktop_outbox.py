"""Cost of flushing the desktop outbox per message, against the backlog size.

    .venv/bin/python benchmarks/desktop_outbox.py [--backlogs 100 1000 5000]

For each backlog size, fills a fresh on-disk store (``desktop.core.store.Store``)
with that many queued messages, then drains it the way ``OutboxSender.flush`` does
on the disk thread: ``next_unsent`` (read the next entry), then ``remove`` (its ack
stored). No network: it measures only the disk side. The same loop with the earlier
``next_unsent``, which read the whole outbox for every message, is measured next to
it. Prints microseconds per message; compare within one run (ratios), not across machines.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.core.models import Message  # noqa: E402
from desktop.core.outbox import Outbox  # noqa: E402
from desktop.core.store import Store  # noqa: E402


def whole_outbox_next(outbox: Outbox) -> Message | None:
    """The earlier implementation: every entry read back, the first unfailed one kept."""
    for m in outbox.pending():
        if not m.error:
            return m
    return None


def drain(backlog: int, next_unsent: str, folder: Path) -> float:
    store = Store(folder / f"{next_unsent}-{backlog}.sqlite3")
    outbox = Outbox(store, "me")
    for i in range(backlog):
        outbox.add("peer", f"message {i}")
    pick = outbox.next_unsent if next_unsent == "one row" else (lambda: whole_outbox_next(outbox))
    started = time.perf_counter()
    sent = 0
    while (item := pick()) is not None:
        outbox.remove(item.client_id)
        sent += 1
    elapsed = time.perf_counter() - started
    store.close()
    assert sent == backlog
    return elapsed / backlog * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlogs", type=int, nargs="+", default=[100, 1000, 5000])
    args = parser.parse_args()
    print(f"{'backlog':>8} {'one row (us/msg)':>18} {'whole outbox (us/msg)':>23} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.backlogs:
            new = drain(n, "one row", Path(tmp))
            old = drain(n, "whole outbox", Path(tmp))
            print(f"{n:>8} {new:>18.1f} {old:>23.1f} {old / new:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
