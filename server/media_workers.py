"""Video work in a small pool of separate worker processes, each job under a time and a memory limit.

Why processes: FFmpeg parses whatever bytes an uploader chose. A file can
make it read for minutes, allocate gigabytes or crash. In a worker process
that costs one job: the server kills the worker at the job's wall-clock
limit, the kernel refuses its allocations past the memory limit
(``RLIMIT_AS``, Linux), a crash ends only that process, and the job fails
with a message for its sender. A new worker takes the dead one's place.
Mail, account jobs and requests never wait for this pool.

The interface is one blocking call, :meth:`MediaWorkers.run`, which takes
the name of a function (``"module:function"``) and its keyword arguments
(plain JSON data, such as file paths) and returns its JSON result. It only
uses :mod:`subprocess` pipes and :mod:`threading` primitives, so it works
the same on threads and on gevent once gevent has patched those modules
(the caller's thread or greenlet waits; the event loop does not).

A worker (:func:`worker_main`, started as :func:`worker_command` says) reads
one JSON request per line on stdin and answers one JSON line on its own copy
of stdout, while FFmpeg's and Python's output goes to stderr (the server's
log). It exits when stdin closes (the server is gone) and, on POSIX, is
killed by ``SIGALRM`` if a job outlives its limit by :data:`GRACE` seconds
even when the server died without killing it.

This module imports only the standard library: the server and the worker
side both load it, and ``server.services.video`` subclasses
:class:`JobRejected`.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from typing import IO, Any

log = logging.getLogger(__name__)

#: Seconds a worker lets a job overrun its limit before killing itself (if the server could not).
GRACE = 5
#: Seconds a new worker has to import its libraries and say it is ready.
START_TIMEOUT = 60.0

TIMED_OUT = ("Processing this video took longer than the server allows ({seconds:.0f} s), so it was "
             "stopped. Send it again, or a shorter or re-encoded copy.")
OUT_OF_MEMORY = ("Processing this video needed more memory than the server allows ({memory}), so it "
                 "was stopped. Send a smaller or re-encoded copy.")
WORKER_DIED = ("The program processing this video stopped unexpectedly ({how}). Send it again, or a "
               "re-encoded copy.")
CANCELLED = "The job was cancelled."


class JobRejected(Exception):
    """Raised by a job for input it refuses; ``message`` is for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobStopped(Exception):
    """The job's worker was stopped or died: ``reason`` is timeout, memory, died or cancelled.

    ``message`` is for the person who sent the file. A job that ends this way
    is not retried: the same bytes would do the same again.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


#: A source install starts a worker with a stand-in ``server`` package (just its folder), so that
#: ``server/__init__.py`` and the web stack it imports (Flask, SQLAlchemy, Socket.IO) are not
#: loaded: a worker needs PyAV and two modules. Measured here: 0.4 s and 35 MB RSS to start,
#: against 1.7 s and 122 MB through ``python -m server media-worker``.
_BOOTSTRAP = ("import sys, types; pkg = types.ModuleType('server'); pkg.__path__ = [{path!r}]; "
              "sys.modules['server'] = pkg; from server.media_workers import worker_main; "
              "sys.exit(worker_main())")


def worker_command() -> list[str]:
    """How to start a worker process.

    The bundle runs itself as ``Parley server media-worker`` (its entry point
    hands ``server ...`` to ``parley-server``'s CLI); a source install runs
    this interpreter with :data:`_BOOTSTRAP`.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, "server", "media-worker"]
    return [sys.executable, "-c", _BOOTSTRAP.format(path=os.path.dirname(os.path.abspath(__file__)))]


def _size(n: int) -> str:
    return f"{n / (1 << 30):g} GiB" if n >= 1 << 30 else f"{n >> 20} MiB"


class _Unavailable(Exception):
    """A worker was gone before it had the request: the job itself did nothing wrong."""


class _Worker:
    """One worker process and the pipes to it; used by one job at a time."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        flags = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)  # Windows; POSIX uses nice
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, close_fds=True, creationflags=flags)
        self.pid = self.proc.pid
        self.ready = False
        self.expired = False
        self.cancelled = False

    def _line(self) -> bytes:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline()

    def call(self, request: dict[str, Any], timeout: float,
             cancel: threading.Event | None = None) -> dict[str, Any]:
        """Sends one request and waits for its answer; the worker is killed at ``timeout``, or as soon
        as ``cancel`` is set.

        Raises :class:`_Unavailable` if the worker is gone before it has the
        request (another worker can take the job), :class:`JobStopped` if it
        dies or is killed while it has it.
        """
        if not self.ready:  # a fresh worker first says it has started; that is not the job's time
            hello = self._until(START_TIMEOUT, self._line)
            if not hello.startswith(b"{"):
                self.kill()
                raise _Unavailable(f"media worker {self.pid} did not start ({_how(self.proc.returncode)})")
            self.ready = True
        try:
            self._send(request)
        except (OSError, ValueError):
            self.kill()
            raise _Unavailable(f"media worker {self.pid} was gone ({_how(self.proc.returncode)})") from None
        try:
            reply = self._until(timeout, self._line, cancel)
        except (OSError, ValueError):  # the pipe broke: the worker is gone
            reply = b""
        if not reply:
            self.kill()
            if self.cancelled:
                raise JobStopped("cancelled", CANCELLED)
            if self.expired:
                raise JobStopped("timeout", TIMED_OUT.format(seconds=timeout))
            raise JobStopped("died", WORKER_DIED.format(how=_how(self.proc.returncode)))
        return json.loads(reply)

    def _send(self, request: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()

    def _until(self, seconds: float, fn: Callable[[], bytes], cancel: threading.Event | None = None) -> bytes:
        """Runs ``fn`` (which blocks on the worker's pipe); kills the worker at ``seconds``, or when
        ``cancel`` is set, ending it."""
        timer = threading.Timer(seconds, self._expire)
        timer.daemon = True
        timer.start()
        done = threading.Event()
        if cancel is not None:
            threading.Thread(target=self._watch, args=(cancel, done), daemon=True,
                             name=f"media-worker-cancel-{self.pid}").start()
        try:
            return fn()
        finally:
            done.set()
            timer.cancel()

    def _watch(self, cancel: threading.Event, done: threading.Event) -> None:
        while not done.is_set():
            if cancel.wait(0.2):
                if not done.is_set():
                    self.cancelled = True
                    self.kill(wait=False)
                return

    def _expire(self) -> None:
        self.expired = True
        self.kill(wait=False)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, wait: bool = True) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        if wait:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                log.warning("media worker %d did not exit after SIGKILL", self.pid)
            for pipe in (self.proc.stdin, self.proc.stdout):
                try:
                    if pipe is not None:
                        pipe.close()
                except OSError:
                    pass

    def close(self) -> None:
        """Lets an idle worker go: it exits when its stdin closes."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


def _how(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


class MediaWorkers:
    """A pool of ``size`` worker processes; :meth:`run` runs one job on one of them."""

    def __init__(self, size: int, memory_bytes: int, command: list[str] | None = None,
                 env: dict[str, str] | None = None, nice: int = 10, idle_priority: bool = False) -> None:
        self.size = size
        self.memory_bytes = memory_bytes
        self.command = command or worker_command()
        base = dict(os.environ if env is None else env)
        base["PARLEY_MEDIA_WORKER_MEMORY"] = str(memory_bytes)
        base["PARLEY_MEDIA_WORKER_NICE"] = str(nice)
        # Linux SCHED_IDLE: the worker runs only on CPU time nothing else wants (long HLS encodes)
        base["PARLEY_MEDIA_WORKER_IDLE"] = "1" if idle_priority else "0"
        base.setdefault("MALLOC_ARENA_MAX", "2")  # glibc: fewer 64 MiB arenas reserved per thread
        self.env = base
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._closed = False
        #: Processes started so far (a replaced worker counts again).
        self.started = 0

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in [*self._idle, *self._busy]]

    def warm(self) -> None:
        """Starts the workers now, so the first jobs do not wait for Python and FFmpeg to load."""
        with self._lock:
            try:
                while not self._closed and len(self._idle) + len(self._busy) < self.size:
                    self._idle.append(self._spawn())
            except OSError:  # each job tries again, and fails (to be retried) if it still cannot
                log.exception("could not start a media worker: %s", self.command)

    def _spawn(self) -> _Worker:
        w = _Worker(self.command, self.env)
        self.started += 1
        log.info("media worker %d started", w.pid)
        return w

    def run(self, task: str, args: dict[str, Any], timeout: float,
            cancel: threading.Event | None = None) -> Any:
        """Runs ``task(**args)`` in a worker; returns its result.

        Raises :class:`JobRejected` (the task refused its input),
        :class:`JobStopped` (over a limit, the worker died, or ``cancel`` was
        set: the worker is killed then) or :class:`RuntimeError` (the task
        failed some other way).
        """
        with self._slots:
            for tries_left in (1, 0):
                worker = self._take()
                why = "it died"
                try:
                    reply = worker.call({"task": task, "args": args, "seconds": timeout}, timeout, cancel)
                    why = "it ran out of memory" if "memory" in reply else "" if worker.alive() else why
                    break
                except _Unavailable as exc:
                    # Killed while idle (or it could not start): the job goes to a fresh worker once.
                    why = str(exc)
                    if not tries_left:
                        raise RuntimeError(f"{exc}; see the log") from None
                except JobStopped as exc:
                    why = f"{exc.reason}: {_how(worker.proc.returncode)}"
                    raise
                finally:
                    self._give_back(worker, why)
        if "result" in reply:
            return reply["result"]
        if "rejected" in reply:
            raise JobRejected(reply["rejected"])
        if "memory" in reply:
            raise JobStopped("memory", OUT_OF_MEMORY.format(memory=_size(self.memory_bytes)))
        raise RuntimeError(f"media worker: {reply.get('error', reply)}")

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise JobStopped("died", WORKER_DIED.format(how="the server is shutting down"))
            while self._idle:
                w = self._idle.pop()
                if w.alive():
                    break
                log.warning("media worker %d had exited (%s); replacing it", w.pid, _how(w.proc.returncode))
                w.kill()
            else:
                w = self._spawn()
            self._busy.add(w)
            return w

    def _give_back(self, worker: _Worker, why: str) -> None:
        """Returns a healthy worker to the pool; replaces one that is not (``why`` says why not)."""
        keep = not why
        if not keep:
            worker.kill()
        with self._lock:
            self._busy.discard(worker)
            if keep and not self._closed:
                self._idle.append(worker)
            elif not self._closed:
                log.warning("media worker %d replaced (%s)", worker.pid, why)
                self._idle.append(self._spawn())
        if keep and self._closed:
            worker.close()

    def close(self) -> None:
        """Stops every worker: idle ones exit, busy ones are killed (their jobs stop)."""
        with self._lock:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
        for w in busy:
            w.kill(wait=False)
        for w in idle:
            w.close()


# --- the worker process --------------------------------------------------------------------------

def _limit_memory(limit: int) -> bool:
    """``RLIMIT_AS`` on Linux; elsewhere nothing (see docs/media.md). Returns whether it applies."""
    if limit <= 0 or not sys.platform.startswith("linux"):
        return False
    import resource
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and hard < limit:
        limit = hard
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return True


def _resolve(task: str) -> Callable[..., Any]:
    module, _, name = task.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_main(preload: tuple[str, ...] = ("server.services.video:prepare",)) -> int:
    """The worker's loop (``parley-server media-worker``); returns when stdin closes."""
    out: IO[bytes] = os.fdopen(os.dup(1), "wb")
    try:
        os.dup2(2, 1)  # FFmpeg and stray prints write to fd 1: send them to the log, not the pipe
    except OSError:  # no stderr (a windowed app on Windows): drop them
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    if hasattr(os, "nice"):  # requests and mail come first when the CPU is short
        os.nice(int(os.environ.get("PARLEY_MEDIA_WORKER_NICE", "10")))
    if os.environ.get("PARLEY_MEDIA_WORKER_IDLE") == "1" and hasattr(os, "SCHED_IDLE"):
        try:  # every thread FFmpeg starts later inherits it
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as exc:  # refused (a container's seccomp profile): nice alone still applies
            print(f"media worker {os.getpid()}: idle CPU class refused ({exc}); running at nice only",
                  file=sys.stderr, flush=True)
    for task in preload:
        _resolve(task)
    limited = _limit_memory(int(os.environ.get("PARLEY_MEDIA_WORKER_MEMORY", "0")))
    alarm = getattr(signal, "alarm", None)

    def send(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj).encode() + b"\n")
        out.flush()

    send({"ready": os.getpid(), "memory_limited": limited})
    for line in sys.stdin.buffer:
        req = json.loads(line)
        if alarm:  # default action: the process ends, even inside FFmpeg holding the GIL
            alarm(int(req.get("seconds", 0)) + GRACE)
        stop = False
        try:
            reply: dict[str, Any] = {"result": _resolve(req["task"])(**req.get("args", {}))}
        except JobRejected as exc:
            reply = {"rejected": exc.message}
        except MemoryError:
            reply, stop = {"memory": True}, True
        except Exception as exc:  # noqa: BLE001 - reported to the server, which logs it
            reply = {"error": "".join(traceback.format_exception_only(exc)).strip()}
            traceback.print_exc()
        if alarm:
            alarm(0)
        send(reply)
        if stop:  # after running out of memory this process is not trusted with another job
            return 0
    return 0
