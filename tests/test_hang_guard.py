"""The suite cannot hang: a test stuck in C while holding the GIL is dumped and ended."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STUCK = '''
import ctypes

def test_stuck_in_c_holding_the_gil():
    # PyDLL keeps the GIL during the call, like a PySide call blocked on a Qt mutex
    ctypes.PyDLL(None).sleep(600)

def test_after_the_stuck_one():
    assert True
'''


def _run(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    (tmp_path / "test_stuck.py").write_text(STUCK)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
         "-o", "timeout=2", "-o", "faulthandler_timeout=3", "--rootdir", str(tmp_path), *extra,
         str(tmp_path / "test_stuck.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return proc, time.monotonic() - started


def test_a_test_holding_the_gil_in_c_is_dumped_and_ended(tmp_path: Path) -> None:
    proc, took = _run(tmp_path)
    assert proc.returncode != 0
    assert took < 60
    assert "test_stuck_in_c_holding_the_gil" in proc.stderr  # faulthandler's stack names the test
    assert "Timeout" in proc.stderr


def test_under_xdist_the_stuck_test_fails_and_the_rest_still_run(tmp_path: Path) -> None:
    proc, took = _run(tmp_path, "-n", "1")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert took < 60
    assert "crashed" in out and "test_stuck_in_c_holding_the_gil" in out
    assert "1 passed" in out  # the worker was replaced and the next test ran
