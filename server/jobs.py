"""A small pool of background worker threads for work off the request path.

Mail sending and account side effects (so that register, resend and forgot
answer in the same time whatever the email) and media processing run here.
The server runs Flask-SocketIO in threading mode, so plain threads are right.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class Jobs:
    """Runs callables on a bounded thread pool and logs their failures."""

    def __init__(self, workers: int = 4, name: str = "parley-job") -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._closed = False
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any] | None:
        if self._closed:
            log.warning("job %s dropped: shutting down", getattr(fn, "__name__", fn))
            return None
        with self._idle:
            self._pending += 1
        fut = self._pool.submit(fn, *args, **kwargs)
        fut.add_done_callback(self._done)
        return fut

    def _done(self, fut: Future[Any]) -> None:
        exc = None if fut.cancelled() else fut.exception()
        if exc is not None:
            log.error("background job failed", exc_info=exc)
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Waits until no job is queued or running (tests, graceful shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
