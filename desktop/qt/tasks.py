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
* the upload-parts runner: the part senders of the uploads (:meth:`TaskRunner.start`
  from an upload's task on the network runner, which then waits for them; on a pool
  of their own, so waiting uploads can never fill the pool their parts need).
* the socket runner: the Socket.IO connection loop of :class:`desktop.net.realtime.RealtimeClient`,
  one long job per sign-in (python-socketio's own threads are the library's).

Each runner owns its ``QThreadPool``. :meth:`TaskRunner.shutdown` deletes it on the
GUI thread once no job runs, never while one does: ``~QThreadPool`` waits for its
jobs, and a pool deleted by Python's garbage collector is deleted on whatever thread
ran the collection, possibly one of its own workers, which then waits for itself
(issue 12's "third thread destroying a QThreadPool in waitForDone").
"""
from __future__ import annotations

import atexit
import ctypes
import itertools
import logging
import threading
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, QTimer, Signal, Slot

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


class _Detached(QRunnable):
    """A job with no result to hand back (:meth:`TaskRunner.start`): it reports its own outcome."""

    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            self.fn()
        except BaseException:  # never raised on a pool thread
            log.exception("background job failed")


class TaskRunner(QObject):
    """Owner of a QThreadPool with callbacks delivered on the GUI thread.

    Attributes:
        pool: its thread pool, None once :meth:`shutdown` deleted it (or handed it to the reaper).

    Signals:
        busyChanged(bool): True while at least one task is queued or running.
    """

    busyChanged = Signal(bool)
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None, *, threads: int | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name or "tasks")
        self.pool: QThreadPool | None = QThreadPool(self)
        self.pool.setObjectName(self.objectName())
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
        pool = self.pool
        try:
            if pool is None:  # shut down: nobody would take the result
                raise RuntimeError("shut down")
            pool.start(_Job(self, job_id, fn))
        except RuntimeError:  # shut down (here or, from a worker, just now on the GUI thread)
            with self._lock:
                self._callbacks.pop(job_id, None)
                idle = not self._callbacks
            if idle:
                self.busyChanged.emit(False)
        return job_id

    def start(self, fn: Callable[[], None]) -> bool:
        """Run ``fn`` on the pool with no callback (it reports its own outcome). Safe from any thread.

        For jobs another worker waits for (an upload's part senders). Returns False, and runs
        nothing, once the runner is shut down.
        """
        pool = self.pool
        if pool is None or self._closed:
            return False
        try:
            pool.start(_Detached(fn))
        except RuntimeError:  # its pool was deleted on the GUI thread just now
            return False
        return True

    def pending(self) -> int:
        with self._lock:
            return len(self._callbacks)

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until the pool is empty (only for shutdown and tests)."""
        pool = self.pool
        return True if pool is None else pool.waitForDone(msecs)

    def close(self, wait_ms: int = 0) -> bool:
        """At quit: drop tasks not started yet, deliver no more callbacks, wait up to ``wait_ms``.

        Tasks already running finish on their own (each network call has a timeout);
        their results are dropped. Returns True if the pool was idle within the wait.
        """
        self._closed = True
        pool = self.pool
        if pool is None:
            return True
        pool.clear()
        return pool.waitForDone(wait_ms)

    def shutdown(self, wait_ms: int = 0) -> bool:
        """:meth:`close`, then delete the pool here, on the GUI thread, once no job runs.

        A pool whose jobs are still running after ``wait_ms`` (a network call waits for its
        timeout) goes to the reaper, which deletes it on the GUI thread when they end. So no
        pool is ever deleted while a job runs, nor by a garbage collection on another thread.
        Returns True if the pool was idle within the wait. Idempotent.
        """
        if QThread.currentThread() is not self.thread():
            raise RuntimeError("TaskRunner.shutdown must run on the thread that owns the runner")
        idle = self.close(wait_ms)
        pool, self.pool = self.pool, None
        if pool is not None:
            if idle:
                shiboken6.delete(pool)
            else:
                _reaper.adopt(pool)
        return idle

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


class _Reaper:
    """Deletes pools that were still busy at their runner's shutdown, on the GUI thread, once idle.

    Each pool is held here (unparented, so no parent's deletion takes it along) and polled by a
    GUI-thread timer. A pool still busy when the interpreter exits is never deleted (an extra
    reference taken at exit): deleting it would wait for its job, and a job that ends while Python
    finalizes cannot take the GIL; its thread ends with the process instead.
    """

    POLL_MS = 50

    def __init__(self) -> None:
        self.pools: list[QThreadPool] = []
        self.timer: QTimer | None = None
        atexit.register(self._keep_busy_forever)

    def adopt(self, pool: QThreadPool) -> None:
        pool.setParent(None)
        self.pools.append(pool)
        if self.timer is None:
            self.timer = QTimer()
            self.timer.setInterval(self.POLL_MS)
            self.timer.timeout.connect(self.reap)
        self.timer.start()

    def reap(self) -> int:
        """Delete the adopted pools that are idle now; returns how many are still busy."""
        busy = []
        for pool in self.pools:
            if pool.activeThreadCount() == 0 and pool.waitForDone(0):
                shiboken6.delete(pool)
            else:
                busy.append(pool)
        self.pools = busy
        if not busy and self.timer is not None:
            self.timer.stop()
        return len(busy)

    def _keep_busy_forever(self) -> None:
        for pool in self.pools:
            if shiboken6.isValid(pool) and pool.activeThreadCount() > 0:
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(pool))
            elif shiboken6.isValid(pool):
                shiboken6.delete(pool)
        self.pools = []


_reaper = _Reaper()


def busy_pools() -> int:
    """How many shut-down runners' pools still run a job (each is deleted when its jobs end)."""
    return _reaper.reap()
