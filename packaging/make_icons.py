"""Renders resources/icons/parley.svg to the PNG sizes a Linux desktop expects (and .ico/.icns sources).

Usage: python packaging/make_icons.py OUT_DIR
Writes OUT_DIR/hicolor/<N>x<N>/apps/org.parley.Parley.png and OUT_DIR/parley.ico.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSize  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent


def render(svg: Path, size: int) -> QImage:
    img = QImage(QSize(size, size), QImage.Format.Format_ARGB32)
    img.fill(0)
    painter = QPainter(img)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return img


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "icons")
    _app = QGuiApplication.instance() or QGuiApplication([])
    svg = ROOT / "resources" / "icons" / "parley.svg"
    for size in SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / "org.parley.Parley.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(svg, size).save(str(target)):
            raise SystemExit(f"could not write {target}")
    scalable = out / "hicolor" / "scalable" / "apps" / "org.parley.Parley.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(svg.read_bytes())
    render(svg, 256).save(str(out / "parley.ico"))
    print(f"icons written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
