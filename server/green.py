"""gevent for the serving process: patching it early, and real threads for blocking C calls.

The server runs Flask-SocketIO in gevent mode: every connection and request is
a greenlet on one event loop, so an idle socket costs a few KiB instead of a
thread (see docs/architecture.md). That only works if nothing blocks the loop:

* network libraries (boto3/botocore, requests, smtplib, redis-py, psycopg 3)
  must use gevent's cooperative sockets. :func:`patch` monkey-patches the
  standard library, and must run **before** those libraries are imported:
  psycopg picks its wait function at import time (its C ``wait_c`` blocks the
  loop; under patched ``select`` it picks a cooperative one), and ssl warns
  when it was imported first. ``parley-server`` (``server.cli.main``) calls it
  as its first statement; ``server/__init__.py`` imports nothing heavy so
  that this is possible. gunicorn's gevent workers patch before loading the
  app, which is equivalent.
* CPU-bound C code that releases the GIL (argon2) goes to a gevent pool of
  real threads through :func:`offload`, so the loop keeps serving while a
  login hashes. The pool has one thread per CPU (more would only add
  threads competing with the loop for the cores; the hub's own pool, used
  for DNS lookups, stays free), and its threads run at a lower scheduling
  priority on Linux, so that 20 logins hashing at once do not starve the
  thread that routes messages: measured, a message round trip went from
  ~1.4 s to a few ms under 20 concurrent logins on a busy 2-core machine.

Code that is imported by tests or tools without the server (an in-process app
under the Flask test client, ``benchmarks/``) runs unpatched: :func:`offload`
then simply calls the function, since the caller is a real thread already.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Niceness of the offload threads (Linux: per thread); the event loop keeps its own.
OFFLOAD_NICE = 5
_pool: Any = None
_db_pool: Any = None

#: Modules whose import before :func:`patch` means something may hold an unpatched socket or lock.
_EARLY_IMPORTS = ("ssl", "psycopg", "redis", "botocore", "requests", "urllib3", "smtplib")


def patch() -> list[str]:
    """Monkey-patches the standard library for gevent (idempotent).

    Returns the names of network modules that were already imported (a
    programming error in the entry point; the caller logs it).
    """
    from gevent import monkey
    early = [m for m in _EARLY_IMPORTS if m in sys.modules] if not monkey.is_module_patched("socket") else []
    monkey.patch_all()
    return early


def patched() -> bool:
    """True in a process whose standard library gevent has patched (the server)."""
    mod = sys.modules.get("gevent.monkey")
    return mod is not None and mod.is_module_patched("threading")


def offload(fn: Callable[..., T], *args: Any) -> T:
    """Runs ``fn(*args)`` on gevent's pool of real threads and waits cooperatively.

    For C calls that release the GIL but would otherwise stop the event loop
    (argon2 hashing takes about 20-40 ms). Outside a patched process it calls
    ``fn`` directly.
    """
    global _pool
    if not patched():
        return fn(*args)
    if _pool is None:
        _pool = _new_pool(os.cpu_count() or 2)
    return _pool.apply(_lowered, (fn, args))


def offload_database(fn: Callable[..., T], *args: Any) -> T:
    """Like :func:`offload`, on a pool of its own with one thread: SQLite's background work (WAL
    checkpoints, the search index) must not queue behind logins hashing in :func:`offload`'s
    pool while the message writer waits for it."""
    global _db_pool
    if not patched():
        return fn(*args)
    if _db_pool is None:
        _db_pool = _new_pool(1)
    return _db_pool.apply(fn, args)


def _new_pool(size: int) -> Any:
    from gevent.threadpool import ThreadPool
    return ThreadPool(maxsize=size)


def _lowered(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    """Runs in an offload thread: lowers that thread's priority (once is enough; it is cheap)."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, OFFLOAD_NICE)  # 0: the calling thread, on Linux
    except (AttributeError, OSError):  # Windows has no setpriority; nothing else to do
        pass
    return fn(*args)
