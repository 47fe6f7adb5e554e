"""TaskRunner: callbacks of a deleted owner are dropped; closing at quit does not wait on the network."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from PySide6.QtCore import QObject, Qt, QThreadPool

from desktop.qt.tasks import TaskRunner, busy_pools
from tests.desktop.chat_stubs import dispose

_made: list[TaskRunner] = []


@pytest.fixture(autouse=True)
def _free_runners() -> Iterator[None]:
    """Runners are freed on the GUI thread at the end of each test, never by a collection elsewhere."""
    yield
    while _made:
        runner = _made.pop()
        runner.wait_idle(5000)
        dispose(runner)


def make(threads: int) -> TaskRunner:
    runner = TaskRunner(threads=threads)
    _made.append(runner)
    return runner


def test_callbacks_of_a_deleted_owner_are_dropped(qtbot: Any) -> None:
    runner = make(2)
    owner = QObject()
    release = threading.Event()
    seen: list[str] = []
    runner.run(lambda: release.wait(5), lambda _: seen.append("owner"), guard=owner)
    runner.run(lambda: release.wait(5), lambda _: seen.append("free"))
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _valid(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: runner.pending() == 0, timeout=5000)
    assert seen == ["free"]


def test_run_may_be_called_from_a_worker_and_keeps_fifo_order_on_one_thread(qtbot: Any) -> None:
    disk = make(1)
    net = make(4)
    order: list[int] = []
    threads: set[int] = set()

    def write(i: int) -> None:
        threads.add(threading.get_ident())
        order.append(i)

    def worker() -> None:
        for i in range(50):
            disk.run(lambda i=i: write(i))

    net.run(worker)
    qtbot.waitUntil(lambda: len(order) == 50 and disk.pending() == 0, timeout=5000)
    assert order == list(range(50)) and len(threads) == 1


def test_close_drops_queued_work_and_returns_without_waiting_for_a_stuck_call(qtbot: Any) -> None:
    runner = make(1)
    stuck = threading.Event()
    ran: list[int] = []
    runner.run(lambda: stuck.wait(10))
    for i in range(5):
        runner.run(lambda i=i: ran.append(i))
    start = time.monotonic()
    assert runner.close(wait_ms=200) is False
    assert time.monotonic() - start < 2.0
    stuck.set()
    runner.wait_idle(5000)
    assert ran == []  # never started


def _valid(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_a_task_outliving_its_runner_ends_quietly(qtbot: Any, capfd: Any) -> None:
    runner = TaskRunner(threads=1)
    started = threading.Event()
    runner.run(lambda: (started.set(), time.sleep(0.3)))
    assert started.wait(5)
    assert runner.shutdown() is False  # busy: the pool goes to the reaper
    dispose(runner)  # the task then reports to a deleted runner
    qtbot.waitUntil(lambda: busy_pools() == 0, timeout=5000)
    assert "Signal source has been deleted" not in capfd.readouterr().err


def _deleted_on(pool: QThreadPool) -> list[int]:
    """The thread ids ``pool`` is destroyed on (a direct call from ``destroyed``, wherever it is emitted)."""
    threads: list[int] = []
    pool.destroyed.connect(lambda *_: threads.append(threading.get_ident()), Qt.ConnectionType.DirectConnection)
    return threads


def test_shutdown_deletes_an_idle_pool_at_once_on_the_gui_thread(qtbot: Any) -> None:
    runner = make(2)
    done: list[int] = []
    runner.run(lambda: 1, done.append)
    qtbot.waitUntil(lambda: done == [1], timeout=5000)
    pool = runner.pool
    assert pool is not None
    deleted = _deleted_on(pool)
    assert runner.shutdown(wait_ms=1000) is True
    assert deleted == [threading.get_ident()] and not _valid(pool)
    assert runner.pool is None and runner.shutdown() is True  # idempotent
    assert runner.start(lambda: None) is False  # nothing runs after shutdown


def test_a_busy_pool_is_deleted_on_the_gui_thread_only_after_its_job_ends(qtbot: Any) -> None:
    """Issue 12: a third thread destroyed a Python-owned QThreadPool in waitForDone. A pool is only
    ever deleted by shutdown() or its reaper, here, and never while a job runs."""
    runner = make(1)
    release = threading.Event()
    started = threading.Event()
    runner.start(lambda: (started.set(), release.wait(10)) and None)
    assert started.wait(5)
    pool = runner.pool
    assert pool is not None
    deleted = _deleted_on(pool)
    assert runner.shutdown(wait_ms=50) is False
    dispose(runner)  # the runner goes; its busy pool does not go with it
    qtbot.wait(200)
    assert _valid(pool) and deleted == [] and busy_pools() == 1
    release.set()
    qtbot.waitUntil(lambda: not _valid(pool), timeout=5000)
    assert deleted == [threading.get_ident()]


def test_the_app_deletes_its_pools_at_shutdown_not_when_it_is_collected(qtbot: Any, make_app: Any) -> None:
    """Before, ParleyApp's pools lived until its Python wrapper was collected, on any thread."""
    app = make_app("http://127.0.0.1:9", start=False)
    runners = (app.runner, app.disk, app.upload_parts, app.socket)
    pools = [r.pool for r in runners]
    deleted = [_deleted_on(p) for p in pools]
    app.shutdown()
    assert all(r.pool is None for r in runners)
    assert [_valid(p) for p in pools] == [False] * 4
    assert deleted == [[threading.get_ident()]] * 4
