"""ProgressTicks: workers' progress reaches the GUI thread coalesced, and the last value is never lost."""
from __future__ import annotations

from desktop.qt.upload_progress import ProgressTicks


def test_one_tick_at_a_time_carries_the_newest_value() -> None:
    ticks = ProgressTicks()
    assert ticks.put(100, 1000) is True  # the first change sends a tick
    assert ticks.put(200, 1000) is False  # one is on its way: it will carry this
    assert ticks.put(300, 1000) is False
    newest = ticks.take()
    assert newest is not None and newest[:2] == (300, 1000)
    assert ticks.take() is None  # a tick that finds nothing new shows nothing
    assert ticks.put(250, 1000) is True  # a failed part: the lower value goes out too
    newest = ticks.take()
    assert newest is not None and newest[:2] == (250, 1000)
