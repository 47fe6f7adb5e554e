"""The part senders of one upload round: jobs on another thread, and the wait for them (blocking).

:class:`desktop.net.uploads.Uploader` sends up to ``connections`` parts of a video at once. It
makes no thread or executor of its own: the senders are jobs started through a :data:`Spawn`
(in the app, the upload-parts TaskRunner's ``start``), and the upload's own thread waits here
for them, as ``concurrent.futures.wait(FIRST_EXCEPTION)`` would.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

from desktop.core.errors import NetworkError

if TYPE_CHECKING:
    from desktop.net.uploads import Control

# Starts a job on another thread and says whether it will run.
Spawn = Callable[[Callable[[], None]], bool]


class PartSenders:
    """Sends a round's parts with ``senders`` jobs started through a :data:`Spawn`, and waits for them.

    Each sender takes the next part until none is left or one failed; the first failure
    stops the others (``abort``) and is raised once every sender that started has ended.
    A sender that never started (its runner was shut down) is written off when the upload
    stops, so the wait always ends.
    """

    def __init__(self, spans: list[Any], send: Callable[[Any], None], abort: Control, control: Control,
                 senders: int) -> None:
        self.todo = list(reversed(spans))
        self.send = send
        self.abort = abort
        self.control = control
        self.senders = senders
        self.cond = threading.Condition()
        self.waiting = 0  # senders spawned but not started yet
        self.running = 0
        self.failure: BaseException | None = None

    def run(self, spawn: Spawn) -> None:
        for _ in range(self.senders):
            with self.cond:
                self.waiting += 1
            if not spawn(self._sender):
                with self.cond:
                    self.waiting -= 1
        with self.cond:
            while self.running or self.waiting:
                if self.control.stopped or self.abort.stopped:
                    self.waiting = 0  # not started yet: they will find nothing to do
                    self.todo.clear()
                    if not self.running:
                        break
                self.cond.wait(0.1)
            if self.failure is None and self.todo:  # no sender could start
                self.control.check()
                raise NetworkError("Parley is closing; the upload goes on at the next start.", kind="busy")
            if self.failure is not None:
                raise self.failure
        self.control.check()

    def _sender(self) -> None:
        with self.cond:
            if self.waiting == 0:  # written off: the upload stopped before this sender started
                return
            self.waiting -= 1
            self.running += 1
        try:
            while True:
                with self.cond:
                    if not self.todo or self.failure is not None:
                        return
                    span = self.todo.pop()
                try:
                    self.send(span)
                except BaseException as exc:  # handed to the waiting upload thread
                    with self.cond:
                        if self.failure is None:
                            self.failure = exc
                    self.abort.stop("aborted")
                    return
        finally:
            with self.cond:
                self.running -= 1
                self.cond.notify_all()
