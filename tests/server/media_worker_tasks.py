"""Jobs the worker-pool tests run in a worker process (``tests.server.media_worker_tasks:<name>``)."""
from __future__ import annotations

import os
import signal
import time

from server.media_workers import JobRejected


def pid() -> int:
    return os.getpid()


def echo(value: object) -> object:
    return value


def sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def allocate(mib: int) -> int:
    """Touches ``mib`` MiB, as a demuxer building a huge index would."""
    blocks = [bytearray(1 << 20) for _ in range(mib)]
    return len(blocks)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def reject(message: str) -> None:
    raise JobRejected(message)


def fail() -> None:
    raise ValueError("not a transient problem")
