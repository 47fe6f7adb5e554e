"""Screenshot of the player on HLS with the quality menu open (a real one: QWidget.grab() shows video blank).

Usage, from the repository root (needs the Debian packages xvfb and imagemagick):

    xvfb-run -a -s "-screen 0 1100x800x24" .venv/bin/python tests/desktop/hls_player_shot.py \\
        screenshots/video-player-quality.png [en|vi]

The fake HLS server of the tests serves a 30 s 1280x720 clip; a "source" entry (1080p, pointing at the
720p playlist) is added to the renditions so the menu shows every kind of entry.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(out: str, lang: str) -> None:
    app = QApplication([])
    from desktop import i18n
    from desktop.core.media import media_info
    from desktop.net.uploads import MediaClient
    from desktop.qt.media import MediaReader
    from desktop.qt.tasks import TaskRunner
    from desktop.ui import theme
    from desktop.ui.player_window import PlayerWindow
    from tests.desktop.hls_fixtures import HlsRoutes, make_hls
    from tests.desktop.video_fixtures import FakeMediaServer, StaticApi, make_video

    work = Path(tempfile.gettempdir()) / "parley-hls-shot"
    work.mkdir(exist_ok=True)
    if lang == "vi":
        i18n.compile_translations(work / "qm")
        i18n.install(app, "vi", work / "qm")
    theme.apply(app, theme.resolve("light"))
    src = make_video(work / "src.mp4", seconds=30, size="1280x720", bitrate="3M")
    renditions = make_hls(src, work / "hls", renditions=(("360p", 640, 360, "700k"), ("720p", 1280, 720, "2500k")))
    fake = FakeMediaServer()
    routes = HlsRoutes(fake)
    info = fake.add_media(src.read_bytes(), duration=30.0, width=1280, height=720, filename="holiday.mp4")
    hls = routes.add(info["id"], work / "hls", renditions)
    hls["renditions"].append({**hls["renditions"][1], "name": "source", "height": 1080, "width": 1920,
                              "bandwidth": 6_000_000})
    info["hls"] = hls
    runner = TaskRunner(threads=4, name="network")
    w = PlayerWindow(media_info(info), MediaReader(MediaClient(StaticApi(fake.url)), runner=runner),
                     can_send_moment=True)  # the controls as a video of a message has them
    w.move(20, 20)
    w.show()
    started = time.monotonic()
    while time.monotonic() - started < 6:  # Auto measures and settles; a few seconds of picture
        wait(100)
    QTimer.singleShot(300, lambda: subprocess.run(["import", "-window", "root", out], check=True))
    QTimer.singleShot(600, w.quality.button.menu_.close)
    w.quality.button.click()  # an instant popup: returns when the menu closes
    wait(300)
    print("button:", w.quality.button.text(), "playing:", w.player.source().toString().split("?")[0])
    w.close()
    runner.shutdown()
    fake.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "en")
