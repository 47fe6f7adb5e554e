"""The player stress test (issue 12): 100 open/play/seek/close cycles under a debug allocator.

The run happens in a child process (tests/desktop/player_stress_child.py) started with ``-X dev``,
which installs CPython's debug hooks on every allocator (PYTHONMALLOC=debug) and faulthandler. The
child mixes in a slow server, a link that expires mid-play (an MKV and an MP4 in turn), a server that dies mid-stream, and ends
by quitting the application while a video plays. This test fails on a crash, a stall, any heap
message, or an event loop that stalls: every 50 ms timer tick must come less than 100 ms late.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.video_fixtures import make_video, video_dir  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
CYCLES = 100
MAX_LATE_MS = 100.0  # the bound for a 50 ms tick
# What glibc, CPython's debug allocator and the fault handler print when memory goes wrong.
HEAP_TROUBLE = re.compile(r"malloc|free\(\)|corrupt|double free|Debug memory block|Fatal Python error|"
                          r"Segmentation fault|Aborted|unaligned|AddressSanitizer|Current thread|Thread 0x",
                          re.IGNORECASE)
# FFmpeg's own log lines ("[mov,mp4,... @ 0x...] Packet corrupt ...") describe the stream, not our heap:
# a refused read (the expired link) hands the demuxer an error page instead of video bytes.
FFMPEG_LOG = re.compile(r"^\[[^\]]+ @ 0x[0-9a-f]+\]")


def _ahead_of_other_load() -> None:
    """Run the child ahead of the other processes on a busy machine (CI runs the suite 4-wide on 2 cores).

    The bound is about the app's own event loop: a tick that is late because other processes had the
    CPUs says nothing about it. Raising the priority needs root (CI and these machines are); elsewhere
    the child runs at the normal priority and the bound still holds on an idle machine.
    """
    try:
        os.nice(-10)
    except OSError:
        pass


@pytest.mark.serial  # alone, so other tests on the 2 cores do not make its ticks late
def test_player_survives_100_cycles_with_a_responsive_event_loop(video_dir: Path) -> None:
    clip = make_video(video_dir / "clip720.mkv", seconds=8, size="1280x720", bitrate="3M", faststart=False)
    mp4 = make_video(video_dir / "clip720.mp4", seconds=8, size="1280x720", bitrate="3M")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONMALLOC": "debug", "PYTHONFAULTHANDLER": "1"}
    proc = subprocess.run(
        [sys.executable, "-X", "dev", "-X", "faulthandler", str(ROOT / "tests/desktop/player_stress_child.py"),
         "--clip", str(clip), "--mp4", str(mp4), "--cycles", str(CYCLES), "--watchdog", "240"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=280, preexec_fn=_ahead_of_other_load)
    lines = proc.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    trouble = [line for line in proc.stderr.splitlines()
               if HEAP_TROUBLE.search(line) and not FFMPEG_LOG.match(line)]
    context = f"exit {proc.returncode}; summary {summary}; stderr tail:\n" + "\n".join(proc.stderr.splitlines()[-40:])
    assert proc.returncode == 0, context
    assert not trouble, "heap or crash messages:\n" + "\n".join(trouble[:20])
    assert summary.get("error") is None, context
    assert summary["cycles"] == CYCLES and summary["quit_while_playing"], context
    assert summary["slow"] >= 10 and summary["renewed"] == summary["expired"] >= 5, context
    assert summary["renewed_mkv"] >= summary["expired"] // 2, context  # MKV and MP4 in turn
    assert summary["server_died"] == summary["killed"] >= 5, context
    assert summary["max_late_ms"] < MAX_LATE_MS, f"the event loop stalled: {summary['worst_late']}"
