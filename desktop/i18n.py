"""English and Vietnamese: ``.ts`` sources in ``resources/translations``, compiled to ``.qm``.

The ``.qm`` files are build products (gitignored). :func:`compile_translations`
runs ``pyside6-lrelease`` on every ``.ts`` into a folder; the app calls it on
first start (or when a ``.ts`` is newer) into ``<PARLEY_DESKTOP_HOME>/translations``,
and packaging can call it once at build time (``python -m desktop.i18n DIR``).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop.ui.theme import resources_dir

LANGUAGES = ("en", "vi")


def choose_language(setting: str, system: QLocale | None = None) -> str:
    """"en" or "vi" from the saved setting ("system" follows the OS locale)."""
    if setting in LANGUAGES:
        return setting
    locale = system or QLocale.system()
    return "vi" if locale.language() == QLocale.Language.Vietnamese else "en"


def find_lrelease() -> str | None:
    candidates = [Path(sys.executable).parent / "pyside6-lrelease", shutil.which("pyside6-lrelease")]
    try:
        import PySide6

        candidates.append(Path(PySide6.__file__).parent / "lrelease")
    except ImportError:  # pragma: no cover
        pass
    for c in candidates:
        if c and Path(c).exists():
            return str(c)
    return None


def compile_translations(out_dir: Path, ts_dir: Path | None = None) -> list[Path]:
    """Compile every stale ``parley_*.ts`` into ``out_dir``; return the ``.qm`` files present."""
    ts_dir = ts_dir or resources_dir() / "translations"
    out_dir.mkdir(parents=True, exist_ok=True)
    tool = find_lrelease()
    result = []
    for ts in sorted([*ts_dir.glob("parley_*.ts"), *ts_dir.glob("qt_*.ts")]):
        qm = out_dir / (ts.stem + ".qm")
        if tool and (not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime):
            subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], check=False, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if qm.exists():
            result.append(qm)
    return result


def install(app: QCoreApplication, language: str, qm_dir: Path) -> list[QTranslator]:
    """Load Parley's and Qt's own translations for ``language`` (nothing for English).

    Qt ships no Vietnamese for its own widgets (the file dialog, OK and Cancel), so
    ``qt_<language>.qm`` from our ``resources/translations`` fills in; a ``qtbase_<language>.qm``
    from Qt, when there is one, is installed after it and so is asked first. The default
    QLocale follows too, so the file dialog's sizes, dates and file types read the same way.
    """
    if language == "en":
        return []
    if not (qm_dir / f"parley_{language}.qm").exists() or not (qm_dir / f"qt_{language}.qm").exists():
        compile_translations(qm_dir)
    installed = []
    shipped = resources_dir() / "translations"  # a bundle built with `python -m desktop.i18n` has them here
    for name in (f"qt_{language}.qm", f"parley_{language}.qm"):
        ours = QTranslator(app)
        if ours.load(str(qm_dir / name)) or ours.load(str(shipped / name)):
            app.installTranslator(ours)
            installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    QLocale.setDefault(QLocale(language))
    return installed


def uninstall(app: QCoreApplication, installed: list[QTranslator]) -> None:
    """Undo :func:`install` (tests switch languages inside one process)."""
    for translator in installed:
        app.removeTranslator(translator)
    QLocale.setDefault(QLocale.system())


if __name__ == "__main__":  # python -m desktop.i18n OUT_DIR
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else resources_dir() / "translations"
    for path in compile_translations(target):
        print(path)
