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


CRASHING = {
    "test_a.py": "def test_a1():\n    pass\n\ndef test_a2():\n    pass\n",
    "test_b.py": "import os\n\ndef test_crash():\n    os._exit(1)\n\ndef test_after_the_crash():\n    pass\n",
    "test_c.py": "def test_c1():\n    pass\n",
    "test_d.py": "def test_d1():\n    pass\n\ndef test_d2():\n    pass\n",
    "test_e.py": "def test_e1():\n    pass\n",
}


def _run_crashing(tmp_path: Path, *plugin: str) -> tuple[subprocess.CompletedProcess, float]:
    for name, text in CRASHING.items():
        (tmp_path / name).write_text(text)
    # only xdist (and the scheduler under test) is loaded: the other plugins cost seconds per process
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "xdist.plugin", "-o", "addopts=",
         "--rootdir", str(tmp_path), "-n", "1", "--dist", "loadfile", *plugin, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90)
    return proc, time.monotonic() - started


def test_a_crashed_worker_under_loadfile_does_not_deadlock_the_run(tmp_path: Path) -> None:
    """xdist 3.8's file scheduler hangs after replacing a crashed worker (tests/xdist_recovery.py);
    ours ends the run: the crashed test fails once, every other test runs once."""
    proc, took = _run_crashing(tmp_path, "-p", "tests.xdist_recovery")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert "1 failed, 7 passed" in out, out[-3000:]
    assert "test_crash" in out and "crashed" in out
    assert took < 60
