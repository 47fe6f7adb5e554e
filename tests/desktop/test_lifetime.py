"""Windows are deleted before Python exits, so a process never crashes on its way out.

``exit_child.py`` leaves three closed dialogs that only a slot on their own children keeps alive.
Left to PySide's exit clean-up, such a dialog is deleted twice (``desktop/qt/lifetime.py``); with
glibc's heap checks on (``MALLOC_CHECK_=3``) that aborted or segfaulted 6 of 10 exits here.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("exit_child.py")
HEAP_MESSAGES = ("shared QObject was deleted directly", "malloc", "free(): ", "corrupted", "double free")


def no_core_dump() -> None:
    """The canary's crashes are expected: they must not leave core files where the suite runs."""
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_child(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MALLOC_CHECK_": "3", "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(CHILD), *args], env=env, capture_output=True, text=True,
                          timeout=60, cwd=ROOT, preexec_fn=no_core_dump if os.name == "posix" else None)


def test_released_windows_exit_cleanly_every_time() -> None:
    for attempt in range(8):
        done = run_child("release")
        assert done.returncode == 0, f"exit {attempt}: code {done.returncode}\n{done.stderr[-2000:]}"
        assert "remaining windows: 0" in done.stdout
        assert not any(m in done.stderr for m in HEAP_MESSAGES), done.stderr[-2000:]


def test_the_child_reproduces_the_double_delete_without_the_release() -> None:
    """The canary: without ``release_qt_objects`` the same process crashes at exit (so the test above
    tests something). If a PySide release fixes its exit clean-up, this fails: then say so in
    docs/architecture.md and keep the release anyway (it also frees the windows' memory)."""
    outcomes = []
    for _ in range(16):
        done = run_child()
        outcomes.append(done.returncode)
        if done.returncode != 0 or any(m in done.stderr for m in HEAP_MESSAGES):
            return
    raise AssertionError(f"16 exits without the release were all clean: {outcomes}")
