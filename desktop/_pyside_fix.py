"""Work around a PySide6 6.12.0 bug on Python < 3.12: ``SignalInstance.emit()`` returns ``True``
(and model/index ``data()`` calls return ``None``)
without taking a reference, so every emit drops one reference to ``True`` and after a few
hundred emits the interpreter aborts with ``Fatal Python error: bool_dealloc``.

Python 3.12 made ``True``/``False`` immortal, which hides the bug; on 3.11 we give both a
huge reference count once at start-up so they can never reach zero. Harmless where the bug
is absent (it only keeps two objects that live forever anyway alive).
"""
from __future__ import annotations

import ctypes
import sys

_EXTRA = 1 << 48


def apply() -> None:
    if sys.version_info >= (3, 12) or getattr(sys, "_parley_bool_refs", False):
        return
    for obj in (True, False, None):  # None: QModelIndex.data()/model calls returning None leak the same way
        ctypes.c_ssize_t.from_address(id(obj)).value += _EXTRA
    sys._parley_bool_refs = True  # type: ignore[attr-defined]


apply()
