"""What `make test` needs from the machine, checked before anything else runs.

On a fresh Debian/Ubuntu machine the suite would otherwise fail halfway with a
confusing error (a venv without pip, a Qt plugin that cannot load libEGL, a
connection refused by PostgreSQL ten minutes in). This script runs first, with
the system Python and the standard library only:

* as root with apt, it installs the missing system packages (as .ci/run does) and
  starts PostgreSQL and Redis if they are installed but stopped;
* otherwise it stops at once, naming every missing package and service and the
  command that installs it.

Exit status 0: ready. 1: something is missing (the message says what).
"""
from __future__ import annotations

import ctypes.util
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Shared libraries the Qt runtime of PySide6 loads (offscreen platform), with the Debian package of each.
QT_LIBS = {
    "EGL": "libegl1",
    "GL": "libgl1",
    "fontconfig": "libfontconfig1",
    "freetype": "libfreetype6",
    "xkbcommon": "libxkbcommon0",
    "dbus-1": "libdbus-1-3",
    "glib-2.0": "libglib2.0-0",
}
# Commands the tests run: test clips are made by ffmpeg; the scale-out test runs a real nginx.
COMMANDS = {"ffmpeg": "ffmpeg", "nginx": "nginx-light"}
SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


@dataclass
class Machine:
    """How the checks look at the machine (tests replace these)."""

    find_library: Callable[[str], str | None] = ctypes.util.find_library
    which: Callable[[str], str | None] = lambda name: shutil.which(name) or next(
        (f"{d}/{name}" for d in SBIN if os.access(f"{d}/{name}", os.X_OK)), None)
    has_module: Callable[[str], bool] = lambda name: _importable(name)
    reachable: Callable[[str, int], bool] = lambda host, port: _reachable(host, port)
    is_root: bool = field(default_factory=lambda: hasattr(os, "geteuid") and os.geteuid() == 0)
    run: Callable[[list[str]], int] = lambda cmd: subprocess.call(cmd)


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _endpoint(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


@dataclass
class Report:
    packages: list[str] = field(default_factory=list)  # Debian packages to install
    services: list[str] = field(default_factory=list)  # services to start, in words

    @property
    def ok(self) -> bool:
        return not self.packages and not self.services


def missing_packages(m: Machine) -> list[str]:
    """Debian packages whose library, module or command is not on this machine."""
    need = []
    if not (m.has_module("ensurepip") and m.has_module("venv")):
        need.append(f"python3.{sys.version_info.minor}-venv")
    need += [pkg for lib, pkg in QT_LIBS.items() if m.find_library(lib) is None]
    need += [pkg for cmd, pkg in COMMANDS.items() if m.which(cmd) is None]
    return need


def missing_services(m: Machine, pg_url: str, redis_url: str) -> list[str]:
    gone = []
    pg = _endpoint(pg_url, 5432)
    if not m.reachable(*pg):
        gone.append(f"PostgreSQL on {pg[0]}:{pg[1]}, user postgres without a password (trust) "
                    "(Debian: apt install postgresql, then trust for 127.0.0.1 in pg_hba.conf; "
                    "or set PARLEY_TEST_PG)")
    redis = _endpoint(redis_url, 6379)
    if not m.reachable(*redis):
        gone.append(f"Redis on {redis[0]}:{redis[1]} (Debian: apt install redis-server; or set PARLEY_TEST_REDIS)")
    return gone


def start_services(m: Machine) -> None:
    """As root, start PostgreSQL and Redis if they are installed but not running (as .ci/run does)."""
    if m.which("pg_ctlcluster") and os.path.isdir("/etc/postgresql"):
        for version in sorted(os.listdir("/etc/postgresql")):
            m.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    if m.which("redis-server") and not m.reachable("127.0.0.1", 6379):
        m.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
               "--appendonly", "no"])


def check(m: Machine, pg_url: str, redis_url: str, *, wait: Callable[[], None] = lambda: None) -> Report:
    packages = missing_packages(m)
    if packages and m.is_root and m.which("apt-get"):
        print(f"preflight: installing {' '.join(packages)}", flush=True)
        env_ok = m.run(["apt-get", "update", "-qq"]) == 0 and m.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]) == 0
        packages = missing_packages(m) if env_ok else packages
    services = missing_services(m, pg_url, redis_url)
    if services and m.is_root:
        start_services(m)
        wait()
        services = missing_services(m, pg_url, redis_url)
    return Report(packages, services)


def explain(report: Report, is_root: bool) -> str:
    lines = ["make test can't run on this machine yet:"]
    if report.packages:
        sudo = "" if is_root else "sudo "
        lines.append(f"  missing packages: {' '.join(report.packages)}")
        lines.append(f"    install them with: {sudo}apt-get install -y {' '.join(report.packages)}")
    lines += [f"  not reachable: {s}" for s in report.services]
    return "\n".join(lines)


def _wait_for_services(m: Machine, pg_url: str, redis_url: str, tries: int = 50) -> Callable[[], None]:
    def wait() -> None:
        import time

        for _ in range(tries):
            if not missing_services(m, pg_url, redis_url):
                return
            time.sleep(0.2)

    return wait


def main(argv: Iterable[str] = ()) -> int:
    pg_url = os.environ.get("PARLEY_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("PARLEY_TEST_REDIS", "redis://127.0.0.1:6379/0")
    m = Machine()
    report = check(m, pg_url, redis_url, wait=_wait_for_services(m, pg_url, redis_url))
    if report.ok:
        return 0
    print(explain(report, m.is_root), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
