"""Probing, posters, faststart and signed links, without a server."""
from __future__ import annotations

import io
import time
from pathlib import Path

import av
import pytest

from server.services import media_links, video
from server.services.media import clean_filename
from server.services.media_links import LinkExpired, LinkInvalid, MediaLinks


def _clip(path: Path, fmt: str, codec: str, *, audio_only: bool = False, faststart: bool = False) -> Path:
    opts = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format=fmt, options=opts) as out:
        if audio_only:
            src = av.open("sine=frequency=440:duration=1", format="lavfi")
            st = out.add_stream(codec, rate=44100)
            frames = src.decode(audio=0)
        else:
            src = av.open("testsrc2=size=320x240:rate=10:duration=2", format="lavfi")
            st = out.add_stream(codec, rate=10)
            st.width, st.height, st.pix_fmt = 320, 240, "yuv420p"
            if codec.startswith("libvpx"):
                st.options = {"deadline": "realtime", "cpu-used": "8"}
            frames = src.decode(video=0)
        for f in frames:
            f.pts = None
            out.mux(st.encode(f))
        out.mux(st.encode(None))
        src.close()
    return path


@pytest.mark.parametrize(("name", "fmt", "codec", "container", "ctype"), [
    ("a.webm", "webm", "libvpx", "webm", "video/webm"),
    ("a.mkv", "matroska", "mpeg4", "mkv", "video/x-matroska"),
    ("a.mov", "mov", "mpeg4", "mov", "video/quicktime"),
    ("a.mp4", "mp4", "mpeg4", "mp4", "video/mp4"),
])
def test_accepted_containers_are_found_by_their_bytes(tmp_path: Path, name: str, fmt: str, codec: str,
                                                      container: str, ctype: str) -> None:
    # A misleading name: the probe must not care.
    path = _clip(tmp_path / name, fmt, codec)
    disguised = path.rename(tmp_path / "holiday.txt")
    info = video.probe(disguised)
    assert (info.container, info.content_type) == (container, ctype)
    assert (info.width, info.height) == (320, 240) and abs(info.duration - 2.0) < 0.2
    jpeg = video.poster_jpeg(disguised, info)
    with av.open(io.BytesIO(jpeg)) as c:
        assert next(c.decode(video=0)).width == 320  # narrower than 640: not upscaled
    assert video.index_at_end(disguised) is (container in ("mp4", "mov"))


def test_faststart_moves_the_index_first(tmp_path: Path) -> None:
    src = _clip(tmp_path / "late.mov", "mov", "mpeg4")
    assert video.index_at_end(src)
    info = video.probe(src)
    dst = tmp_path / "early.mov"
    video.faststart(src, dst, info)
    assert not video.index_at_end(dst)
    again = video.probe(dst)
    assert (again.container, again.width, again.duration) == ("mov", 320, info.duration)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b"hello\n" * 1000), "This file is not a video we can play"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(5000)), "This file is not a video we can play"),
    (lambda p: p.write_bytes(b""), "This file is not a video we can play"),
    (lambda p: _clip(p, "mp4", "aac", audio_only=True), "This file has no video track (audio only)"),
    (lambda p: p.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(4000)),
     "The video file is incomplete or damaged."),
])
def test_what_is_refused(tmp_path: Path, make, message: str) -> None:  # noqa: ANN001
    path = tmp_path / "upload.mp4"
    make(path)
    with pytest.raises(video.VideoRejected) as err:
        video.probe(path)
    assert err.value.message.startswith(message), err.value.message


def test_truncated_files_are_damaged(tmp_path: Path) -> None:
    full = _clip(tmp_path / "full.mp4", "mp4", "mpeg4", faststart=True)
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(video.VideoRejected, match="incomplete or damaged"):
        video.probe(cut)


def test_links_are_bound_to_their_media_and_part(monkeypatch: pytest.MonkeyPatch) -> None:
    links = MediaLinks("k" * 40)
    tok = links.read_token("m1", "u1")
    grant = links.check_read(tok)
    assert (grant.media_id, grant.viewer_id) == ("m1", "u1")
    assert links.read_token("m1", "u1") == tok  # stable within a bucket: cacheable URLs
    assert links.check_read(links.read_token("m2", None)).viewer_id is None
    with pytest.raises(LinkInvalid):
        MediaLinks("x" * 40).check_read(tok)
    with pytest.raises(LinkInvalid):
        links.check_read(tok[:-2] + "xx")
    part = links.part_token("up", 3)
    links.check_part(part, "up", 3)
    for other in (("up", 4), ("up2", 3)):
        with pytest.raises(LinkInvalid):
            links.check_part(part, *other)
    with pytest.raises(LinkInvalid):
        links.check_part(tok, "m1", 1)  # a read token is not a part token
    later = time.time() + media_links.READ_TTL + 2 * media_links.READ_BUCKET
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(LinkExpired):
        links.check_read(tok)
    with pytest.raises(LinkExpired):
        links.check_part(part, "up", 3)


@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\clip.mp4", "clip.mp4"), ("a\x00b\nc.mp4", "abc.mp4"),
    ("   ", "video"), ("x" * 300 + ".mp4", "x" * 255),
])
def test_file_names_are_only_labels(raw: str, shown: str) -> None:
    assert clean_filename(raw) == shown
