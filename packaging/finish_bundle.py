"""After PyInstaller: adds the Linux desktop files and makes the tarball.

dist/Parley/ gets share/applications/org.parley.Parley.desktop,
share/metainfo/org.parley.Parley.metainfo.xml and share/icons/hicolor/...;
dist/parley-<version>-linux-<arch>.tar.gz holds the whole folder.
On Windows and macOS it only reports where the bundle is.
"""
from __future__ import annotations

import platform
import shutil
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def version() -> str:
    import tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def main() -> int:
    bundle = DIST / "Parley"
    if not bundle.is_dir():
        raise SystemExit(f"no bundle at {bundle}: run PyInstaller first")
    if not sys.platform.startswith("linux"):
        print(f"bundle ready: {bundle}")
        return 0
    share = bundle / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "packaging/linux/org.parley.Parley.desktop", share / "applications")
    shutil.copy(ROOT / "packaging/linux/org.parley.Parley.metainfo.xml", share / "metainfo")
    icons = ROOT / "build/icons/hicolor"
    if not icons.is_dir():
        raise SystemExit("icons missing: run packaging/make_icons.py build/icons first")
    shutil.copytree(icons, share / "icons" / "hicolor", dirs_exist_ok=True)
    tarball = DIST / f"parley-{version()}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(bundle, arcname="Parley")
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    print(f"bundle ready: {bundle} ({size / 1e6:.0f} MB), tarball {tarball} ({tarball.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
