"""A process that leaves windows for PySide's exit clean-up: run by ``test_lifetime.py``.

The window is kept alive only by a slot on one of its children that captures it (a cycle through
C++), its buttons sit in a layout made before the window's own, and it is closed, not deleted.
With ``release`` the process deletes its windows the way the app does before it returns.
"""
from __future__ import annotations

import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout  # noqa: E402

from desktop.qt.lifetime import release_qt_objects  # noqa: E402


def leave_windows(count: int) -> None:
    for n in range(count):
        dialog = QDialog()
        row = QHBoxLayout()
        label = QLabel(f"window {n}")
        buttons = [QPushButton(f"button {i}") for i in range(4)]
        for b in buttons:
            row.addWidget(b)
            b.clicked.connect(lambda d=dialog: d.setWindowTitle("clicked"))
        layout = QVBoxLayout(dialog)
        layout.addWidget(label)
        layout.addLayout(row)
        dialog.show()
        QApplication.processEvents()
        dialog.close()


if __name__ == "__main__":
    qapp = QApplication(sys.argv[:1])
    leave_windows(3)
    if "release" in sys.argv[1:]:
        remaining = release_qt_objects()
        print(f"remaining windows: {remaining}")
    print("exiting", flush=True)
