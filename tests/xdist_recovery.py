"""``--dist loadfile`` that survives a crashed worker instead of deadlocking the run.

pytest-xdist 3.8's file scheduler can hang for good after it replaces a crashed worker; it did in a
fresh-clone ``make test`` here (2026-12-07): a worker segfaulted, and the controller and all four
workers then sat idle until the outer timeout. Two known faults, both in ``LoadScopeScheduling``:

- ``remove_node`` puts back every file the dead worker was ever given, the finished ones too. They
  go out again as empty work units, which never complete, so no worker is ever given more work or
  told to stop (pytest-xdist issue #1378). The crashed test is also left pending and runs again.
- A replacement worker given one file with a single test waits for a next test or a shutdown
  that never comes: a worker runs a test only once it knows what follows (issue #1327).

This scheduler requeues only unfinished files, counts the crashed test as done (it is reported as
crashed), and tells a worker to stop as soon as the queue is empty. ``tests/conftest.py`` installs
it; ``tests/test_hang_guard.py`` crashes a worker on purpose and requires the run to end.
"""
from __future__ import annotations

from xdist.scheduler import LoadFileScheduling
from xdist.workermanage import WorkerController

ENOUGH_PENDING = 2  # upstream's low-water mark: a worker with more pending tests needs no more work


class RecoveringLoadFileScheduling(LoadFileScheduling):
    def remove_node(self, node: WorkerController) -> str | None:
        workload = self.assigned_work.pop(node)
        pending = [(scope, nodeid) for scope, unit in workload.items()
                   for nodeid, done in unit.items() if not done]
        if not pending:
            return None
        crashed_scope, crashed = pending[0]  # a worker runs its tests in order: the first pending one
        workload[crashed_scope][crashed] = True
        for scope, unit in workload.items():
            if not all(unit.values()):
                self.workqueue[scope] = unit
        for other in self.assigned_work:
            self._reschedule(other)
        return crashed

    def _reschedule(self, node: WorkerController) -> None:
        if node.shutting_down:
            return
        while self.workqueue and self._pending_of(self.assigned_work.get(node, {})) <= ENOUGH_PENDING:
            self._assign_work_unit(node)
        if not self.workqueue:
            node.shutdown()  # it runs what it was given, then stops: its last test needs no successor


def pytest_xdist_make_scheduler(config, log):  # noqa: ANN001, ANN201 - xdist's hook
    if config.getvalue("dist") == "loadfile":
        return RecoveringLoadFileScheduling(config, log)
    return None
