"""``parley`` / ``python -m desktop``: parse options, create the QApplication, start."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from desktop.config import DEFAULT_SERVER, HOME_ENV, AppConfig, default_home


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="parley", description="Parley desktop chat.")
    parser.add_argument("--server", metavar="URL", help=f"server address (default: remembered, else {DEFAULT_SERVER})")
    parser.add_argument("--profile", metavar="NAME", default="default",
                        help="separate settings, keyring entries and local data (default: %(default)s)")
    parser.add_argument("--home", metavar="DIR", type=Path,
                        help=f"folder holding the profiles (default: ${HOME_ENV} or the user data folder)")
    parser.add_argument("--theme", choices=("system", "light", "dark"), help="override the appearance setting")
    parser.add_argument("--language", choices=("system", "en", "vi"), help="override the language setting")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = AppConfig(profile=args.profile, home=args.home or default_home(), server_url=args.server,
                           theme=args.theme, language=args.language)
    except ValueError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import ParleyApp
    from desktop.qt.lifetime import release_qt_objects

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM")):
        print("parley: no display found (DISPLAY / WAYLAND_DISPLAY unset); "
              "set QT_QPA_PLATFORM=offscreen to run without one.", file=sys.stderr)
        return 1
    # Ctrl+C quits cleanly, whenever it comes: before the event loop it only sets a flag.
    state: dict[str, object] = {"interrupted": False, "app": None}

    def interrupt(*_: object) -> None:
        state["interrupted"] = True
        running = state["app"]
        if running is not None:
            running.quit()  # type: ignore[attr-defined]

    # SIGTERM and SIGHUP (a closed terminal, kill, a service manager) quit the same way.
    quit_signals = [signal.SIGINT] + [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {sig: signal.signal(sig, interrupt) for sig in quit_signals}
    try:
        qapp = QApplication.instance() or QApplication(sys.argv[:1])
        qapp.setApplicationName("Parley")
        qapp.setOrganizationName("Parley")
        app = ParleyApp(config, qapp)  # type: ignore[arg-type]
        app.install_translations()
        app.start()
        state["app"] = app
        if state["interrupted"]:
            app.shutdown()
            release_qt_objects(app)
            return 0
        wake = QTimer(interval=250, timeout=lambda: None)  # Python only sees signals when it runs
        wake.start()
        code = qapp.exec()
        app.shutdown()
        release_qt_objects(app)  # not left to PySide's exit clean-up, which can delete a window twice
        return code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

if __name__ == "__main__":
    sys.exit(main())
