"""The app's one way to run blocking work: thread pools whose results come back on the GUI thread.

Never touch a widget inside a task: a task gets plain arguments and returns
plain data (dataclasses). ``on_done``/``on_error`` run on the thread that owns
the runner (the GUI thread), through a queued signal.

The app has two runners (like Anki's TaskManager, one mechanism for everything):

* the network runner, several threads: HTTP and socket calls, uploads, downloads,
  posters. Its tasks may block for a network timeout; nothing waits for them at quit.
* the disk runner, one thread: every write to the local stores (the message cache,
  the outbox, the upload records) in the order it was asked, so a later write
  never lands before an earlier one. :meth:`TaskRunner.run` is thread safe, so a
  worker queues its writes here too instead of writing from its own thread.
"""
from __future__ import annotations

import itertools
import logging
import threading
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Callbacks = tuple[Callable[[Any], None] | None, Callable[[Exception], None] | None, QObject | None]


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, job_id: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.runner = runner
        self.job_id = job_id
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            outcome = (self.job_id, True, self.fn())
        except BaseException as exc:  # handed back, never raised on a pool thread
            outcome = (self.job_id, False, exc)
        try:
            self.runner._finished.emit(outcome)
        except RuntimeError:  # the runner was deleted meanwhile (quit): nobody waits for this result
            pass


class TaskRunner(QObject):
    """Thin owner of a QThreadPool with callbacks delivered on the GUI thread.

    Signals:
        busyChanged(bool): True while at least one task is queued or running.
    """

    busyChanged = Signal(bool)
    _finished = Signal(object)

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None, *,
                 threads: int | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool(self)
        if threads is not None:
            self.pool.setMaxThreadCount(threads)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, Callbacks] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._finished.connect(self._deliver)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None, *, guard: QObject | None = None) -> int:
        """Queue ``fn``; return a task id. Safe to call from any thread.

        ``guard``: the object the callbacks belong to; once it is deleted (a signed-out
        service, a closed window) the callbacks are dropped instead of touching it.
        """
        job_id = next(self._ids)
        with self._lock:
            self._callbacks[job_id] = (on_done, on_error, guard)
            first = len(self._callbacks) == 1
        if first:
            self.busyChanged.emit(True)
        self.pool.start(_Job(self, job_id, fn))
        return job_id

    def pending(self) -> int:
        with self._lock:
            return len(self._callbacks)

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until the pool is empty (only for shutdown and tests)."""
        return self.pool.waitForDone(msecs)

    def close(self, wait_ms: int = 0) -> bool:
        """At quit: drop tasks not started yet, deliver no more callbacks, wait up to ``wait_ms``.

        Tasks already running finish on their own (each network call has a timeout);
        their results are dropped. Returns True if the pool was idle within the wait.
        """
        self._closed = True
        self.pool.clear()
        return self.pool.waitForDone(wait_ms)

    @Slot(object)
    def _deliver(self, outcome: tuple[int, bool, Any]) -> None:
        job_id, ok, value = outcome
        with self._lock:
            on_done, on_error, guard = self._callbacks.pop(job_id, (None, None, None))
            idle = not self._callbacks
        try:
            if self._closed or (guard is not None and not shiboken6.isValid(guard)):
                return
            if ok:
                if on_done is not None:
                    on_done(value)
            elif on_error is not None:
                on_error(value)
            else:
                log.error("background task failed", exc_info=value)
        finally:
            if idle:
                self.busyChanged.emit(False)
