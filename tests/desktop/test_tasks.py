"""TaskRunner: callbacks of a deleted owner are dropped; closing at quit does not wait on the network."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from PySide6.QtCore import QObject

from desktop.qt.tasks import TaskRunner
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
    dispose(runner)  # its pool waits for the task, which then reports to a deleted runner
    assert "Signal source has been deleted" not in capfd.readouterr().err
