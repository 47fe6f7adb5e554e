"""The built bundle (dist/Parley) runs with no Python and signs in against a live server.

Run by ``make package-test`` after ``make package`` (not by ``make test``).
The bundle runs with an empty environment: no PATH to a Python, no
PYTHONPATH, no virtualenv. Under Xvfb the test types into the real sign-in
window with xdotool, as a person would, and takes a screenshot.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, LiveServer, wait_until

BUNDLE = ROOT / "dist" / "Parley"
EXE = BUNDLE / ("Parley.exe" if sys.platform == "win32" else "Parley")
SHOTS = ROOT / "screenshots"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a fresh desktop session has: no Python anywhere."""
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": str(home),
            **extra}


def test_bundle_has_no_python_dependency_and_linux_files() -> None:
    assert EXE.exists(), "run `make package` first"
    internal = BUNDLE / "_internal"
    assert list(internal.glob("libpython3*.so*")) or sys.platform != "linux"
    share = BUNDLE / "share"
    assert (share / "applications/org.parley.Parley.desktop").read_text().count("Exec=Parley") == 1
    assert "<id>org.parley.Parley</id>" in (share / "metainfo/org.parley.Parley.metainfo.xml").read_text()
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert (share / f"icons/hicolor/{size}x{size}/apps/org.parley.Parley.png").stat().st_size > 0
    assert list((internal / "PySide6/Qt/plugins/multimedia").glob("*ffmpeg*")), "Qt multimedia plugin missing"
    tarballs = list((ROOT / "dist").glob("parley-*-linux-*.tar.gz"))
    assert tarballs and "Parley/Parley" in tarfile.open(tarballs[0]).getnames()


def test_bundled_server_runs_from_the_bundle(tmp_path: Path) -> None:
    """The bundle carries the server too ("Host a server on this computer")."""
    env = clean_env(tmp_path, PARLEY_DATA_DIR=str(tmp_path / "data"), PARLEY_RATE_LIMITS="off")
    out = subprocess.run([str(EXE), "server", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert "database" in out.stdout, out.stdout + out.stderr  # no schema yet: check says so, per line
    up = subprocess.run([str(EXE), "server", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    ok = subprocess.run([str(EXE), "server", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.count(" ok ") == 3, ok.stdout + ok.stderr


def test_bundle_hosts_a_server_like_the_menu_does(tmp_path: Path) -> None:
    """What "Host a server on this computer" runs in a bundle: ``Parley server serve``."""
    import signal

    from tests.conftest import free_port
    port = free_port()
    env = clean_env(tmp_path, PARLEY_DATA_DIR=str(tmp_path / "hosted"), PARLEY_LOG_FORMAT="text")
    proc = subprocess.Popen([str(EXE), "server", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{base}/healthz", timeout=2).status_code == 200, 60, 0.2,
                   "the bundled server")
        r = requests.post(f"{base}/api/auth/register", timeout=10,
                          json={"email": "team@example.com", "password": "harbor lights 42", "display_name": "Team"})
        assert r.status_code == 202
        from tests.conftest import read_outbox_code
        assert read_outbox_code(tmp_path / "hosted", "team@example.com").isdigit()  # console mail, offline
        assert requests.get(f"{base}/docs/assets/js/swagger-ui-bundle.js", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0, out[-2000:]
    assert "Traceback" not in out, out[-2000:]


def test_offscreen_start_reaches_the_event_loop(tmp_path: Path, live_server: LiveServer) -> None:
    proc = subprocess.Popen([str(EXE), "--server", live_server.url, "--home", str(tmp_path / "home")],
                            env=clean_env(tmp_path, QT_QPA_PLATFORM="offscreen"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(5)  # still running after 5 s: it started Qt and sits in its event loop
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    assert "Traceback" not in out and "ModuleNotFoundError" not in out, out


@pytest.fixture
def xvfb(tmp_path: Path):  # noqa: ANN201
    display = f":{90 + os.getpid() % 100}"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: subprocess.run(["xdotool", "getdisplaygeometry"], env={**os.environ, "DISPLAY": display},
                                          capture_output=True).returncode == 0, 15, 0.1, "Xvfb")
        yield display
    finally:
        proc.terminate()
        proc.wait(10)


def xdo(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=30).stdout.strip()


def test_sign_in_through_the_bundle_window(tmp_path: Path, live_server: LiveServer, xvfb: str) -> None:
    person = live_server.register_verified("Binh")
    proc = subprocess.Popen([str(EXE), "--server", live_server.url, "--home", str(tmp_path / "home")],
                            env=clean_env(tmp_path, DISPLAY=xvfb, QT_QPA_PLATFORM="xcb"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        win = wait_until(lambda: xdo(xvfb, "search", "--onlyvisible", "--name", "Sign in — Parley"), 30, 0.2,
                         "the sign-in window")
        win = win.splitlines()[0]
        xdo(xvfb, "windowactivate", "--sync", win)
        # the window opens with the focus in the email field; Tab reaches the password; Enter signs in
        xdo(xvfb, "type", "--delay", "5", person["email"])
        xdo(xvfb, "key", "Tab")
        xdo(xvfb, "type", "--delay", "5", person["password"])
        xdo(xvfb, "key", "Return")
        wait_until(lambda: xdo(xvfb, "search", "--onlyvisible", "--name", "^Parley$"), 30, 0.2, "the main window")
        SHOTS.mkdir(exist_ok=True)
        subprocess.run(["import", "-display", xvfb, "-window", "root", str(SHOTS / "bundle-main-window.png")],
                       check=False, timeout=30)
        me = requests.get(f"{live_server.url}/api/me", timeout=5,
                          headers={"Authorization": f"Bearer {person['tokens']['access_token']}"})
        assert me.status_code == 200
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
    assert "Traceback" not in out, out
