"""HLS for the player tests, laid out and served as docs/media.md says the server does.

``make_hls`` encodes renditions with the ffmpeg CLI into the storage layout of the plan
(``master.m3u8``, ``<name>.m3u8``, ``<name>/<nnnnn>.ts``); :class:`HlsRoutes` adds the playlist and
segment routes to a :class:`FakeMediaServer`, rewriting every segment URI per viewer to
``/api/media/<id>/hls/<name>/<nnnnn>.ts?token=<token>`` and refusing a token that is not valid with
401 ``link_expired``, like ``/stream``. The live-server tests use the real server's encodes.
"""
from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.desktop.video_fixtures import FakeMediaServer

#: name, output width x height, video bitrate (tests use small pictures; the media object reports the
#: height the name says)
SMALL = (("360p", 320, 180, "300k"), ("720p", 640, 360, "900k"))


def make_hls(src: Path, out: Path, renditions: tuple[tuple[str, int, int, str], ...] = SMALL,
             segment_s: int = 4) -> list[dict[str, Any]]:
    """Encode ``src`` into ``out`` (skipped when already there); returns the renditions, lowest first."""
    found = []
    for name, width, height, rate in renditions:
        playlist = out / f"{name}.m3u8"
        if not playlist.exists():
            (out / name).mkdir(parents=True, exist_ok=True)
            tmp = out / f"{name}.tmp.m3u8"
            subprocess.run(
                ["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), "-vf", f"scale={width}:{height}",
                 "-c:v", "libx264", "-preset", "ultrafast", "-b:v", rate, "-maxrate", rate, "-bufsize", rate,
                 "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", str(segment_s),
                 "-hls_playlist_type", "vod", "-hls_segment_filename", str(out / name / "%05d.ts"), str(tmp)],
                check=True)
            tmp.rename(playlist)
        size = sum(p.stat().st_size for p in (out / name).glob("*.ts"))
        seconds = sum(float(x) for x in re.findall(r"#EXTINF:([\d.]+)", playlist.read_text()))
        nominal = int(name[:-1]) if name[:-1].isdigit() else height  # the label, as the server reports it
        found.append({"name": name, "width": width * nominal // height, "height": nominal,
                      "bandwidth": int(size * 8 / max(seconds, 0.1) * 1.2)})
    master = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for r in found:
        master += [f"#EXT-X-STREAM-INF:BANDWIDTH={r['bandwidth']},RESOLUTION={r['width']}x{r['height']}",
                   f"{r['name']}.m3u8"]
    (out / "master.m3u8").write_text("\n".join(master) + "\n")
    return found


class HlsRoutes:
    """The HLS routes on a fake server.

    Attributes:
        log: ``"<token> <path>"`` of every HLS request, in order.
        segment_rate: bytes/s segments are sent at (0: as fast as loopback goes).
        rendition_rates: rendition name -> bytes/s for its segments only (overrides segment_rate).
    """

    def __init__(self, fake: FakeMediaServer) -> None:
        self.fake = fake
        self.folders: dict[str, Path] = {}
        self.log: list[str] = []
        self.segment_rate = 0
        self.rendition_rates: dict[str, int] = {}
        self.lock = threading.Lock()
        fake.get_hooks.append(self._answer)

    def add(self, media_id: str, folder: Path, renditions: list[dict[str, Any]], token: str = "t") -> dict:
        """Serve ``folder`` as the renditions of ``media_id``; returns (and stores) its ``hls`` object."""
        self.folders[media_id] = folder
        base = f"/api/media/{media_id}/hls"
        hls = {"status": "ready", "progress": 1.0, "master_url": f"{base}/master.m3u8?token={token}",
               "renditions": [{**r, "url": f"{base}/{r['name']}.m3u8?token={token}"} for r in renditions],
               "error": None}
        self.fake.media[media_id]["hls"] = hls
        return hls

    def _answer(self, handler: Any) -> bool:
        m = re.fullmatch(r"/api/media/(\w+)/hls/([\w.]+?)(?:/(\d+)\.ts)?(\.m3u8)?\?token=(\w+)", handler.path)
        if m is None:
            return False
        media_id, name, segment, playlist, token = m.groups()
        with self.lock:
            self.log.append(f"{token} {handler.path.split('?')[0]}")
        folder = self.folders.get(media_id)
        if folder is None:
            handler._problem(404, "media_not_found", "No such video.")
            return True
        if token not in self.fake.valid_tokens:
            handler._problem(401, "link_expired", "This video link has expired.")
            return True
        if playlist:
            path = folder / f"{name}.m3u8"
            if not path.exists():
                handler._problem(404, "not_found", "No such rendition.")
                return True
            text = path.read_text()
            if name != "master":  # every segment line: the server's absolute path with the viewer's token
                text = re.sub(r"^(\d+)\.ts$",
                              lambda s: f"/api/media/{media_id}/hls/{name}/{s.group(1)}.ts?token={token}",
                              text, flags=re.M)
            else:
                text = re.sub(r"^(\w+)\.m3u8$", lambda s: f"/api/media/{media_id}/hls/{s.group(1)}.m3u8"
                              f"?token={token}", text, flags=re.M)
            self._send(handler, text.encode(), "application/vnd.apple.mpegurl", 0)
            return True
        path = folder / name / f"{segment}.ts"
        if segment is None or not path.exists():
            handler._problem(404, "not_found", "No such segment.")
            return True
        self._send(handler, path.read_bytes(), "video/mp2t", self.rendition_rates.get(name, self.segment_rate))
        return True

    @staticmethod
    def _send(handler: Any, body: bytes, ctype: str, rate: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        step = 8 * 1024
        try:
            for i in range(0, len(body), step):
                handler.wfile.write(body[i:i + step])
                if rate:
                    time.sleep(step / rate)
        except OSError:  # the player went away (a seek, a switch, a close): nothing left to send
            return
