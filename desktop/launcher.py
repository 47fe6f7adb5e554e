"""``make run``: start the bundled server on its embedded defaults, then the app pointed at it.

On a machine with no display the server keeps running (until Ctrl+C) so the
box still does its job; the app's sign-in codes land in the console outbox.

SIGTERM and SIGHUP (a closed terminal, ``kill``, a service manager) stop the
launcher the way Ctrl+C does: the app quits and the server child is stopped, so
it never keeps the port. On Linux the launcher also asks for SIGTERM when its
parent dies (``make run`` killed), and the server child for SIGTERM when the
launcher dies, so not even a SIGKILL leaves a server behind.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

DEFAULT_PORT = 8000
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(Exception):
    """SIGTERM or SIGHUP arrived: end like Ctrl+C."""


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


def die_with_parent() -> None:
    """Linux: get SIGTERM when the parent process dies (``make run`` killed). Elsewhere: nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not glibc/musl: the signal handlers still cover a plain kill
        pass


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))


def server_data_dir() -> Path:
    """The data dir the server will use: ``$PARLEY_DATA_DIR`` or its platform default."""
    raw = os.environ.get("PARLEY_DATA_DIR")
    if raw:
        return Path(raw).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("parley-server", "Parley")).resolve()


def healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def start_server(host: str, port: int, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    """Start ``python -m server serve`` and wait for /healthz; raise RuntimeError if it does not come up."""
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--host", host, "--port", str(port)],
                            start_new_session=True,  # Ctrl+C reaches us; we stop it in order
                            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None)
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    try:
        while not healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped at start (exit code {proc.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer on {url} within {int(timeout)} s")
            time.sleep(0.1)
    except BaseException:  # including Ctrl+C, SIGTERM or SIGHUP while it starts
        stop_server(proc)
        raise
    return proc


def stop_server(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.launcher",
                                     description="Start the bundled Parley server and the desktop app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PARLEY_PORT", DEFAULT_PORT)))
    parser.add_argument("--profile", default="default", help="desktop profile to open")
    args = parser.parse_args(argv)
    url = f"http://{args.host}:{args.port}"
    die_with_parent()
    previous = {sig: signal.signal(sig, _stop) for sig in STOP_SIGNALS}
    try:
        return _run(args, url)
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(args: argparse.Namespace, url: str) -> int:

    if healthy(url):
        print(f"A Parley server is already running at {url}; using it.", flush=True)
        proc = None
    else:
        print(f"Starting the Parley server at {url} …", flush=True)
        try:
            proc = start_server(args.host, args.port)
        except RuntimeError as exc:
            print(f"Could not start the server: {exc}. Is port {args.port} taken? Try --port.", file=sys.stderr)
            return 1
    outbox = server_data_dir() / "outbox"
    print(f"Server running at {url}\n"
          f"Verification and password codes are written as .eml files to: {outbox}", flush=True)
    try:
        if not has_display():
            print("No display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop app can't open "
                  f"here.\nThe server keeps running at {url} — press Ctrl+C to stop it.", flush=True)
            if proc is None:
                return 0
            while proc.poll() is None:
                time.sleep(0.5)
            return proc.returncode or 0
        print("Opening Parley …", flush=True)
        from desktop.__main__ import main as app_main

        return app_main(["--server", url, "--profile", args.profile])
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        if proc is not None:
            print("Stopping the server …", flush=True)
            stop_server(proc)


if __name__ == "__main__":
    sys.exit(main())
