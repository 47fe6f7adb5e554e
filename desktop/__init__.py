"""Parley desktop client (PySide6)."""

__version__ = "0.1.0"

from desktop import _pyside_fix  # noqa: E402,F401 - PySide6 6.12.0 emit() refcount bug, see there
