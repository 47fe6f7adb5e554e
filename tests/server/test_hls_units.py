"""The rendition ladder, playlist rewriting, storage keys and the encode itself, without a server."""
from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import av
import pytest

from server.services import renditions
from server.services.hls_playlists import hls_dict, rewrite_master, rewrite_media
from server.storage.base import check_key, check_prefix, hls_prefix
from server.storage.local import LocalStorage

MID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("size", "want"), [
    ((3840, 2160), [("360p", 640, 360), ("720p", 1280, 720), ("source", 1920, 1080)]),
    ((1920, 1080), [("360p", 640, 360), ("720p", 1280, 720), ("source", 1920, 1080)]),
    ((1280, 720), [("360p", 640, 360), ("source", 1280, 720)]),
    ((854, 480), [("360p", 640, 360), ("source", 854, 480)]),
    ((640, 360), [("source", 640, 360)]),
    ((320, 240), [("source", 320, 240)]),
    ((1080, 1920), [("360p", 360, 640), ("720p", 720, 1280), ("source", 1080, 1920)]),  # portrait
    ((2160, 3840), [("360p", 360, 640), ("720p", 720, 1280), ("source", 1080, 1920)]),
    ((1441, 1081), [("360p", 480, 360), ("720p", 960, 720), ("source", 1440, 1080)]),  # odd sizes become even
])
def test_ladder_keeps_the_aspect_and_skips_renditions_at_or_above_the_source_short_side(size, want) -> None:  # noqa: ANN001
    got = renditions.ladder(*size)
    assert [(r.name, r.width, r.height) for r in got] == want
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in got)


def test_master_playlist_rewritten_per_viewer_only_known_variants() -> None:
    stored = ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360\n360p.m3u8\n"
              "#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://evil.example/x.m3u8\n"
              "#EXT-X-STREAM-INF:BANDWIDTH=2\n../v/abc.m3u8\n")
    out = rewrite_master(stored, MID, "?token=T")
    uris = [line for line in out.splitlines() if line and not line.startswith("#")]
    assert uris == [f"/api/media/{MID}/hls/360p.m3u8?token=T"]


def test_media_playlist_rewritten_per_viewer() -> None:
    stored = ("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n360p/00000.ts\n#EXTINF:2.0,\n360p/00001.ts\n"
              "#EXTINF:1.0,\nsource/00000.ts\n#EXTINF:1.0,\n360p/../../v/x.ts\n#EXT-X-ENDLIST\n")
    out = rewrite_media(stored, "360p", lambda n: f"https://x/{n}?sig")
    assert [line for line in out.splitlines() if not line.startswith("#")] == ["https://x/00000?sig",
                                                                                "https://x/00001?sig"]
    assert out.endswith("#EXT-X-ENDLIST\n")


def test_hls_field() -> None:
    rends = json.dumps([{"name": "360p", "width": 640, "height": 360, "bandwidth": 900_000}])
    media = SimpleNamespace(id=MID, hls_status="ready", hls_progress=1.0, hls_renditions=rends, hls_error=None)
    got = hls_dict(media, "?token=T")
    assert got == {"status": "ready", "progress": 1.0, "master_url": f"/api/media/{MID}/hls/master.m3u8?token=T",
                   "renditions": [{"name": "360p", "height": 360, "width": 640, "bandwidth": 900_000,
                                   "url": f"/api/media/{MID}/hls/360p.m3u8?token=T"}], "error": None}
    assert hls_dict(media, None)["master_url"] is None  # no viewer: no link
    media.hls_status, media.hls_progress = "encoding", 0.4
    assert hls_dict(media, "?token=T") == {"status": "encoding", "progress": 0.4, "master_url": None,
                                           "renditions": [], "error": None}
    media.hls_status = None
    assert hls_dict(media, "?token=T") is None


def test_storage_keys_for_renditions_stay_server_shaped(tmp_path: Path) -> None:
    for ok in (f"h/{MID}/master.m3u8", f"h/{MID}/source.m3u8", f"h/{MID}/720p/00042.ts"):
        assert check_key(ok) == ok
    for bad in (f"h/{MID}/../v/{MID}", f"h/{MID}/1080p.m3u8", f"h/{MID}/360p/0042.ts", f"h/{MID}/x/00000.ts",
                f"h/{MID[:-1]}/master.m3u8", f"h/{MID}/360p/00000.ts/..", "h/../../etc/passwd", f"h/{MID}/master.m3u8\n", f"v/{MID}\n"):
        with pytest.raises(ValueError):
            check_key(bad)
    assert hls_prefix(MID) == f"h/{MID}/"
    for bad in ("h/", "v/", f"h/{MID}", f"h/{MID}/360p/", "/", f"h/{MID}/\n"):
        with pytest.raises(ValueError):
            check_prefix(bad)
    store = LocalStorage(tmp_path / "media")
    src = tmp_path / "seg"
    src.write_bytes(b"x")
    store.upload_file(f"h/{MID}/360p/00000.ts", src, "video/mp2t")
    store.upload_file(f"h/{MID}/360p.m3u8", src, "application/vnd.apple.mpegurl")
    assert store.read(f"h/{MID}/360p.m3u8") == b"x" and store.read(f"h/{MID}/master.m3u8") is None
    assert store.delete_prefix(hls_prefix(MID)) == 2
    assert store.keys() == [] and store.delete_prefix(hls_prefix(MID)) == 0


def test_encode_makes_decodable_segments_keyframes_every_2_s_and_progress(tmp_path: Path) -> None:
    """A 5 s 480x270 clip (under 360p: one rendition) encoded in-process."""
    src = tmp_path / "in.mp4"
    with av.open("testsrc2=size=480x270:rate=10:duration=5", format="lavfi") as vin, \
            av.open("sine=frequency=440:duration=5", format="lavfi") as ain, \
            av.open(str(src), "w", format="mp4") as out:
        vs = out.add_stream("mpeg4", rate=10)
        vs.width, vs.height, vs.pix_fmt = 480, 270, "yuv420p"
        aus = out.add_stream("aac", rate=44100)
        for f in vin.decode(video=0):
            f.pts = None
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))
        for f in ain.decode(audio=0):
            f.pts = None
            out.mux(aus.encode(f))
        out.mux(aus.encode(None))
    done = renditions.encode(str(src), str(tmp_path / "scratch"), threads=1)
    assert [r["name"] for r in done["renditions"]] == ["source"]
    assert done["files"] == ["master.m3u8", "source.m3u8", "source/00000.ts", "source/00001.ts"]
    assert (tmp_path / "scratch" / "progress").read_text() == "1.0000"
    hls = Path(done["dir"])
    assert "#EXT-X-TARGETDURATION:4" in (hls / "source.m3u8").read_text()
    keys = []
    for seg in ("00000", "00001"):
        with av.open(io.BytesIO((hls / "source" / f"{seg}.ts").read_bytes()), format="mpegts") as c:
            assert c.streams.audio[0].codec_context.name == "aac"
            keys += [round(float(p.pts * p.time_base), 1) for p in c.demux(video=0) if p.is_keyframe]
    first = keys[0]
    assert [round(k - first, 1) for k in keys] == [0.0, 2.0, 4.0]


def test_a_rotated_phone_video_is_encoded_upright(tmp_path: Path) -> None:
    """Landscape frames with a 90° display matrix (how phones store portrait video) become portrait
    renditions: the segments carry no matrix, so the frames themselves are turned."""
    src = tmp_path / "rotated.mp4"
    with av.open("testsrc2=size=320x240:rate=10:duration=1", format="lavfi") as vin, \
            av.open(str(src), "w", format="mp4") as out:
        vs = out.add_stream("mpeg4", rate=10)
        vs.width, vs.height, vs.pix_fmt = 320, 240, "yuv420p"
        vs.set_display_rotation(90)
        for f in vin.decode(video=0):
            f.pts = None
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))
    done = renditions.encode(str(src), str(tmp_path / "scratch"), threads=1)
    assert [(r["name"], r["width"], r["height"]) for r in done["renditions"]] == [("source", 240, 320)]
    with av.open(str(Path(done["dir"]) / "source" / "00000.ts")) as c:
        frame = next(c.decode(video=0))
        assert (frame.width, frame.height) == (240, 320)
    assert "source.m3u8" in (Path(done["dir"]) / "master.m3u8").read_text()
