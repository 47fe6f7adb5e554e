"""Blocks and presence privacy, for the chat windows, the conversation list and the settings.

Every server call runs on the task runner (never on the GUI thread); results
come back as signals. The set of blocked people is kept here so menus can say
"Block" or "Unblock" at once, and it follows ``blocks:changed`` from my other
devices.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.core.models import UserSummary
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)


class PrivacyApi(Protocol):
    def blocked_people(self) -> list[UserSummary]: ...
    def block(self, user_id: str) -> None: ...
    def unblock(self, user_id: str) -> None: ...
    def presence_visibility(self) -> str: ...
    def set_presence_visibility(self, value: str) -> None: ...


class PrivacyService(QObject):
    """Who I blocked, and who sees when I am online.

    Signals:
        blocksChanged(): the blocked list changed (here or on another device).
        failed(str): a call failed; the text is for a person.
    """

    blocksChanged = Signal()
    failed = Signal(str)

    def __init__(self, api: PrivacyApi, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.blocked: dict[str, UserSummary] = {}
        self.loaded = False
        self._changes = 0  # blocks and unblocks confirmed here; a list read before one is stale

    def connect_bridge(self, bridge: Any) -> None:
        bridge.blocksChanged.connect(lambda _uid, _blocked: self.refresh())

    # blocks ---------------------------------------------------------------------------
    def is_blocked(self, user_id: str) -> bool:
        return user_id in self.blocked

    def refresh(self) -> None:
        started = self._changes

        def done(people: list[UserSummary]) -> None:
            if self._changes != started:  # a block or unblock landed meanwhile: this list may predate it
                return
            self.blocked = {p.id: p for p in people}
            self.loaded = True
            self.blocksChanged.emit()

        self.runner.run(self.api.blocked_people, done, self._failed)

    def set_blocked(self, person: UserSummary, blocked: bool,
                    on_done: Callable[[], None] | None = None) -> None:
        """Blocks or unblocks; the list is updated when the server has answered."""
        call = self.api.block if blocked else self.api.unblock

        def done(_result: object) -> None:
            self._changes += 1
            if blocked:
                self.blocked[person.id] = person
            else:
                self.blocked.pop(person.id, None)
            self.blocksChanged.emit()
            if on_done is not None:
                on_done()

        self.runner.run(lambda: call(person.id), done, self._failed)

    # presence -------------------------------------------------------------------------
    def load_presence_visibility(self, on_done: Callable[[str], None]) -> None:
        self.runner.run(self.api.presence_visibility, on_done, self._failed)

    def set_presence_visibility(self, value: str, on_done: Callable[[], None] | None = None) -> None:
        self.runner.run(lambda: self.api.set_presence_visibility(value),
                        lambda _r: on_done() if on_done else None, self._failed)

    def _failed(self, exc: Exception) -> None:
        log.warning("privacy call failed: %s", exc)
        self.failed.emit(str(exc))
