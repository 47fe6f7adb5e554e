"""Deleting every window before Python exits, so PySide's exit clean-up has nothing left to delete.

When the interpreter exits, PySide deletes every Qt object that Python still owns, one wrapper at a
time in no particular order. A window that is only kept alive by a Python slot connected to one of
its own children (``child.clicked.connect(lambda: self...)``: a cycle through C++ that Python's
garbage collector cannot see) is then deleted twice: PySide deletes the child, the child's
``~QObject`` releases the slot, the slot held the last reference to the window, the window is
deleted and deletes its children, the half-destroyed child among them. That printed
``QObject: shared QObject was deleted directly`` and ``malloc_consolidate(): unaligned fastbin
chunk detected`` at the end of test runs, and crashed 7 of 20 exits of a script that left the
"Host a server" dialog open (docs/architecture.md, "The heap message at the end of a run").

Deleting through Qt instead (``deleteLater``, then the deferred deletes sent here) goes from the
window down: each wrapper is invalidated before its children are deleted, so nothing is deleted
twice. The app calls :func:`release_qt_objects` after its event loop ends; the test suite calls it
before each test process exits.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

MAX_ROUNDS = 5  # a window deleted in one round can free the last reference to another one


def release_qt_objects(*objects: QObject) -> int:
    """Closes and deletes every top-level widget and ``objects``; returns how many windows remain.

    Call it on the GUI thread once the event loop has ended. Deleting a window can free the last
    Python reference to another object, so it repeats (garbage collection, deferred deletes) until
    no top-level widget is left, at most ``MAX_ROUNDS`` times.
    """
    for obj in objects:
        obj.deleteLater()
    remaining = 0
    for _ in range(MAX_ROUNDS):
        widgets = QApplication.topLevelWidgets() if QApplication.instance() is not None else []
        for widget in widgets:
            widget.close()
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        remaining = len(QApplication.topLevelWidgets()) if QApplication.instance() is not None else 0
        if not remaining:
            break
    return remaining
