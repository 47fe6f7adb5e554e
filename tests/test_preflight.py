"""`.ci/preflight.py`: a fresh machine gets what `make test` needs, or a clear list of what is missing."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PG, REDIS = "postgresql://postgres@127.0.0.1:5432", "redis://127.0.0.1:6379/0"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("preflight", ROOT / ".ci" / "preflight.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["preflight"] = module
    spec.loader.exec_module(module)
    return module


class Fake:
    """A machine: which libraries, commands, modules and ports it has; what it ran."""

    def __init__(self, *, libs: set[str], commands: set[str], modules: set[str], ports: set[int], root: bool,
                 installs: dict[str, tuple[str, str]] | None = None) -> None:
        self.libs, self.commands, self.modules, self.ports = libs, commands, modules, ports
        self.root = root
        self.installs = installs or {}  # package -> ("lib"|"cmd"|"mod", name) it brings
        self.ran: list[list[str]] = []

    def machine(self, pre: ModuleType) -> object:
        return pre.Machine(find_library=lambda n: f"lib{n}.so" if n in self.libs else None,
                           which=lambda n: f"/usr/bin/{n}" if n in self.commands else None,
                           has_module=lambda n: n in self.modules,
                           reachable=lambda host, port: port in self.ports,
                           is_root=self.root, run=self.run)

    def run(self, cmd: list[str]) -> int:
        self.ran.append(cmd)
        if cmd[:2] == ["apt-get", "install"]:
            for pkg in cmd[2:]:
                kind, name = self.installs.get(pkg, ("", ""))
                {"lib": self.libs, "cmd": self.commands, "mod": self.modules}.get(kind, set()).add(name)
        return 0


ALL_LIBS = {"EGL", "GL", "fontconfig", "freetype", "xkbcommon", "dbus-1", "glib-2.0"}


def test_a_ready_machine_passes_without_running_anything() -> None:
    pre = load()
    fake = Fake(libs=set(ALL_LIBS), commands={"ffmpeg", "nginx", "apt-get"}, modules={"ensurepip", "venv"},
                ports={5432, 6379}, root=True)
    report = pre.check(fake.machine(pre), PG, REDIS)
    assert report.ok and fake.ran == []


def test_without_root_it_stops_at_once_naming_every_package_and_service() -> None:
    pre = load()
    fake = Fake(libs=ALL_LIBS - {"EGL", "xkbcommon"}, commands={"nginx", "apt-get"}, modules={"venv"},
                ports=set(), root=False)
    started = time.monotonic()
    report = pre.check(fake.machine(pre), PG, REDIS)
    assert time.monotonic() - started < 1.0
    assert fake.ran == []  # nothing installed or started without root
    minor = sys.version_info.minor
    assert report.packages == [f"python3.{minor}-venv", "libegl1", "libxkbcommon0", "ffmpeg"]
    text = pre.explain(report, is_root=False)
    assert f"sudo apt-get install -y python3.{minor}-venv libegl1 libxkbcommon0 ffmpeg" in text
    assert "PostgreSQL on 127.0.0.1:5432" in text and "Redis on 127.0.0.1:6379" in text


def test_as_root_it_installs_the_missing_packages_with_apt() -> None:
    pre = load()
    fake = Fake(libs=ALL_LIBS - {"GL"}, commands={"apt-get", "nginx"}, modules={"ensurepip", "venv"},
                ports={5432, 6379}, root=True, installs={"libgl1": ("lib", "GL"), "ffmpeg": ("cmd", "ffmpeg")})
    report = pre.check(fake.machine(pre), PG, REDIS)
    assert report.ok
    assert ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libgl1", "ffmpeg"] in fake.ran


def test_the_services_are_looked_for_where_the_tests_look() -> None:
    pre = load()
    fake = Fake(libs=set(ALL_LIBS), commands={"ffmpeg", "nginx"}, modules={"ensurepip", "venv"},
                ports={5433, 6379}, root=False)
    assert pre.check(fake.machine(pre), "postgresql://postgres@127.0.0.1:5433", REDIS).ok


def test_this_machine_is_ready() -> None:
    """The script itself, as `make test` runs it, with the system Python."""
    proc = subprocess.run([sys.executable, str(ROOT / ".ci" / "preflight.py")], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
