"""The player stress run (issue 12), in its own process: tests/desktop/test_player_stress.py starts it.

It opens, plays, seeks (arrow keys) and closes the player ``--cycles`` times against local fake
servers, mixing in a slow server, a link that expires mid-play and a server that dies mid-stream, then
opens one more player and quits the application while it plays. Everything runs from the Qt event
loop (a small generator driver), so a GUI thread that blocks shows up as a late 50 ms timer tick.

The parent runs it under ``python -X dev`` (debug allocator hooks) with faulthandler and reads the
last stdout line, a JSON summary. ``faulthandler.dump_traceback_later`` ends a stalled run with every
thread's stack instead of hanging the suite.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QObject, Qt, QTimer  # noqa: E402
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.core.media import media_info  # noqa: E402
from desktop.net.uploads import MediaClient  # noqa: E402
from desktop.qt.lifetime import release_qt_objects  # noqa: E402
from desktop.qt.media import MediaReader  # noqa: E402
from desktop.qt.tasks import TaskRunner  # noqa: E402
from desktop.ui.player_window import PlayerWindow, settle_overrides  # noqa: E402
from tests.desktop.video_fixtures import FakeMediaServer, StaticApi  # noqa: E402

PLAYING = QMediaPlayer.PlaybackState.PlayingState
TICK_MS = 50
# What each cycle does, by cycle number modulo 10.
KINDS = ("normal", "normal", "slow", "normal", "expired", "normal", "normal", "killed", "normal", "slow")

Wait = tuple[Callable[[], bool], float, str]  # condition, timeout in seconds, what it waits for


class Ticker(QObject):
    """A 50 ms timer that records how late each tick came (the GUI thread's responsiveness)."""

    def __init__(self, label: Callable[[], str]) -> None:
        super().__init__()
        self.label = label
        self.last = time.monotonic()
        self.late: list[float] = []
        self.worst: list[tuple[float, str]] = []  # (late, what the run was waiting for), the worst few
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(TICK_MS)

    def _tick(self) -> None:
        now = time.monotonic()
        late = max(0.0, now - self.last - TICK_MS / 1000)
        self.late.append(late)
        self.last = now
        if late > 0.03:
            self.worst = sorted([*self.worst, (late, self.label())], reverse=True)[:5]


class Driver(QObject):
    """Steps a generator of waits from a 10 ms timer: never blocks the event loop."""

    def __init__(self, app: QApplication, steps: Iterator[Wait]) -> None:
        super().__init__()
        self.app = app
        self.steps = steps
        self.error: str | None = None
        self.current: Wait | None = None
        self.deadline = 0.0
        self.slowest: list[tuple[float, str]] = []  # (seconds, the step it led to): the longest synchronous steps
        self.describe: Callable[[], str] = lambda: ""  # the state of the player, for a timeout's message
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._poll)
        self.timer.start(10)

    def _poll(self) -> None:
        try:
            while self.current is None or self.current[0]():
                began = time.monotonic()
                self.current = next(self.steps)
                self.deadline = time.monotonic() + self.current[1]
                took = self.deadline - self.current[1] - began
                if took > 0.02:
                    self.slowest = sorted([*self.slowest, (took, self.current[2])], reverse=True)[:5]
            if time.monotonic() > self.deadline:
                self._stop(f"timed out waiting for {self.current[2]} ({self.describe()})")
        except StopIteration:
            self._stop(None)  # the generator finished
        except Exception as exc:  # noqa: BLE001 - reported in the summary, the run ends
            self._stop(f"{type(exc).__name__}: {exc}")

    def _stop(self, error: str | None) -> None:
        self.timer.stop()
        self.error = error
        self.app.quit()


def pause(seconds: float) -> Wait:
    end = time.monotonic() + seconds
    return (lambda: time.monotonic() >= end, seconds + 5, f"{seconds}s")


def describe(w: PlayerWindow) -> str:
    p = w.player
    return (f"state {p.playbackState().name}, status {p.mediaStatus().name}, position {p.position()}, "
            f"error {p.errorString()!r}, renewals {len(w.renewals)}, source {p.source().toString()[-12:]}, "
            f"message {w.message.text()!r}")


def run(app: QApplication, clip: bytes, mp4: bytes, cycles: int, stats: dict[str, Any],
        driver: Driver, network: TaskRunner) -> Generator[Wait, None, None]:
    fast = FakeMediaServer()
    slow = FakeMediaServer()
    slow.stream_rate = 250_000  # bytes/s, below the clip's bitrate: it buffers while playing
    medium = FakeMediaServer()
    medium.stream_rate = 300_000  # the 3 MB MP4 takes 10 s: a far seek needs bytes not read yet
    stats["_servers"] = [fast, slow, medium]  # main() closes them once the event loop has returned
    readers: dict[str, MediaReader] = {}  # by URL: id() of a dead server may come back for a new one

    def open_player(fake: FakeMediaServer, token: str = "t", mp4_clip: bool = False) -> PlayerWindow:
        info = fake.add_media(mp4 if mp4_clip else clip, duration=8.0, width=1280, height=720,
                              filename="clip720.mp4" if mp4_clip else "clip720.mkv")
        info["playback_url"] = info["playback_url"].replace("token=t", f"token={token}")
        reader = readers.setdefault(fake.url, MediaReader(MediaClient(StaticApi(fake.url)),
                                                                 runner=network))
        w = PlayerWindow(media_info(info), reader)
        w.show()
        driver.describe = lambda: describe(w) + f"; stream log {fake.stream_log[-3:]}"
        return w

    def playing(w: PlayerWindow, after_ms: int = 150) -> Callable[[], bool]:
        return lambda: w.player.playbackState() == PLAYING and w.player.position() > after_ms

    def close(w: PlayerWindow, what: str) -> Generator[Wait, None, None]:
        gone: list[bool] = []
        w.destroyed.connect(lambda *_: gone.append(True))
        w.close()
        yield (lambda: bool(gone), 10, f"{what}: the closed player to be deleted")

    for i in range(cycles):
        kind = KINDS[i % len(KINDS)]
        if kind == "normal":
            w = open_player(fast)
            yield (playing(w), 15, f"cycle {i}: playing")
            for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Left):
                QTest.keyClick(w, key)
                yield pause(0.08)
        elif kind == "slow":
            w = open_player(slow)
            yield (playing(w), 20, f"cycle {i}: playing from the slow server")
            QTest.keyClick(w, Qt.Key.Key_Right)
            yield pause(0.2)
        elif kind == "expired":
            medium.valid_tokens = {"old", "t"}
            # MKV and MP4 in turn: an MP4 reports the refused read as an error the player renews on;
            # FFmpeg's Matroska reader takes it for the end of the file and reports nothing, so the
            # player notices the picture standing still and asks whether the link still works
            mkv = (i // len(KINDS)) % 2 == 0
            w = open_player(medium, token="old", mp4_clip=not mkv)
            yield (playing(w), 15, f"cycle {i}: playing before the link expires")
            medium.valid_tokens = {"t"}  # the link expires mid-play
            w.seek(6000)  # needs bytes not read yet: the player reads again and is refused
            yield (lambda: len(w.renewals) >= 1 and "token=t" in w.player.source().toString()
                   and w.player.playbackState() == PLAYING and w.player.position() >= 5500,
                   20, f"cycle {i}: playing the {'MKV' if mkv else 'MP4'} again on a fresh link")
            stats["renewed"] += 1
            stats["renewed_mkv"] += int(mkv)
        elif kind == "killed":
            dying = FakeMediaServer()
            dying.stream_rate = 400_000
            w = open_player(dying)
            yield (playing(w), 15, f"cycle {i}: playing before the server dies")
            threading.Thread(target=dying.kill, daemon=True).start()  # shutdown() polls for 0.5 s
            QTest.keyClick(w, Qt.Key.Key_Right)  # a seek that needs the dead server
            yield (lambda: w.stack.currentIndex() == 1 or w.player.playbackState() != PLAYING,
                   20, f"cycle {i}: the player noticing the server is gone")
            stats["server_died"] += 1
        yield from close(w, f"cycle {i} ({kind})")
        stats["cycles"] += 1
        stats[kind] += 1

    # the application quits while a video plays: main() checks the process then ends cleanly
    w = open_player(fast)
    yield (playing(w), 15, "the last player: playing")
    stats["quit_while_playing"] = True
    app.quit()
    yield (lambda: False, 1e9, "nothing")  # the event loop is gone


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", required=True)
    parser.add_argument("--mp4", required=True)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--watchdog", type=float, default=240.0)
    args = parser.parse_args()
    faulthandler.enable()
    faulthandler.dump_traceback_later(args.watchdog, exit=True)  # a stall dumps every stack and ends
    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)  # players open and close one after another
    clip = Path(args.clip).read_bytes()
    stats: dict[str, Any] = {"cycles": 0, "normal": 0, "slow": 0, "expired": 0, "killed": 0, "renewed": 0,
                             "renewed_mkv": 0, "server_died": 0, "quit_while_playing": False}
    # Loading Qt's FFmpeg plugin and the audio backend blocks the GUI thread once (~100-150 ms here), at
    # the first QMediaPlayer of the process: measured and reported, but before the ticks are.
    began = time.monotonic()
    warm = QMediaPlayer()
    warm.setAudioOutput(QAudioOutput(warm))
    settle_overrides(warm)
    warm.deleteLater()
    stats["first_player_ms"] = round(1000 * (time.monotonic() - began), 1)
    driver = Driver(app, iter(()))
    network = TaskRunner(threads=8, name="network")  # the players' media links, as the app's network runner
    driver.steps = run(app, clip, Path(args.mp4).read_bytes(), args.cycles, stats, driver, network)
    ticker = Ticker(lambda: driver.current[2] if driver.current else "start")
    started = time.monotonic()
    app.exec()
    ticker.timer.stop()
    network.shutdown(wait_ms=5000)  # its pool is deleted here, on the GUI thread, once idle
    for server in stats.pop("_servers", []):  # here, not in the generator: a generator finalized at
        server.close()  # interpreter exit would wait for serve_forever threads that are gone by then
    late = sorted(ticker.late)
    stats.update(error=driver.error, seconds=round(time.monotonic() - started, 1), ticks=len(late),
                 max_late_ms=round(1000 * late[-1], 1) if late else None,
                 p99_late_ms=round(1000 * late[int(0.99 * (len(late) - 1))], 1) if late else None,
                 worst_late=[(round(1000 * x, 1), what) for x, what in ticker.worst],
                 slowest_steps=[(round(1000 * x, 1), what) for x, what in driver.slowest])
    print(json.dumps(stats), flush=True)
    # the last player is still open: deleted here, as python -m desktop deletes its windows after its
    # event loop, not left to PySide's exit clean-up (desktop/qt/lifetime.py)
    release_qt_objects()
    return 0 if driver.error is None else 1


if __name__ == "__main__":
    sys.exit(main())
