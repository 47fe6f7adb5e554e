"""The HLS rendition tests, run once per storage backend.

``test_hls_local_live.py`` and ``test_hls_s3_live.py`` import these and
provide the fixtures ``srv`` (a live server on that backend, encodes slowed
by ``PARLEY_TEST_HLS_FRAME_DELAY``), ``backend`` and ``stored`` (every
stored object). Clips are tiny: the point is the wiring, not the codec.
"""
from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import av
import pytest
import requests

from tests.server.media_helpers import T, Uploader, auth, make_video, wait_for
from tests.server.media_cases import _get, _problem
from tests.server.realtime_helpers import Device


@pytest.fixture(scope="session")
def clip_480p(video_dir: Path) -> bytes:
    """3 s, 854x480: renditions 360p and source (480p)."""
    return make_video(video_dir / "hls-480p.mp4", seconds=3, size="854x480", rate=12,
                      bit_rate=1_500_000).read_bytes()


@pytest.fixture(scope="session")
def clip_long_small(video_dir: Path) -> bytes:
    """20 s, 320x240 at 10 fps: long enough (with the frame delay) to be cancelled mid-way."""
    return make_video(video_dir / "hls-240p-20s.mp4", seconds=20, size="320x240", rate=10,
                      bit_rate=300_000).read_bytes()


def _send(srv, owner: dict, peer: dict, media_id: str) -> dict:  # noqa: ANN001
    r = requests.post(f"{srv.url}/api/conversations/{peer['user']['id']}/messages", headers=auth(owner),
                      timeout=T, json={"client_id": str(uuid.uuid4()), "media_id": media_id})
    assert r.status_code == 201, r.text
    return r.json()


def _hls(up: Uploader, media_id: str, status: str, timeout: float = 90) -> dict:
    def check() -> dict | None:
        m = up.media(media_id).json()
        assert m["hls"] is None or m["hls"]["status"] not in ("failed",), m["hls"]
        return m if m["hls"] and m["hls"]["status"] == status else None
    return wait_for(check, timeout, f"renditions of {media_id} {status}")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _playlist(srv, url: str) -> str:  # noqa: ANN001
    r = _get(srv, url)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/vnd.apple.mpegurl"), r.headers
    assert "no-store" in r.headers["Cache-Control"]
    return r.text


def _decode_segment(data: bytes) -> tuple[int, int, bool]:
    """(width, height, first frame is a keyframe) of an MPEG-TS segment, and that it has AAC audio."""
    with av.open(io.BytesIO(data), format="mpegts") as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert c.streams.audio and c.streams.audio[0].codec_context.name == "aac"
        frame = next(c.decode(video=0))
        return frame.width, frame.height, frame.key_frame


def test_renditions_are_made_valid_and_authorised(srv, backend, stored, clip_480p) -> None:  # noqa: ANN001
    owner, peer, stranger = (srv.register_verified(n) for n in ("Encoder", "Watcher", "Outsider"))
    up = Uploader(srv, owner)
    owner_dev = Device(srv.url, owner["tokens"]["access_token"]).connect()
    peer_dev = Device(srv.url, peer["tokens"]["access_token"]).connect()
    try:
        media_id = up.upload(clip_480p)
        assert up.wait_done(media_id)["status"] == "ready"
        # sent while the encode runs (the frame delay makes it take a few seconds): the peer is told too
        _send(srv, owner, peer, media_id)
        m = _hls(up, media_id, "ready")

        def hls_event(dev: Device, status: str) -> dict:
            return dev.wait_for("media:status", lambda d: d["id"] == media_id and d["hls"]
                                and d["hls"]["status"] == status, timeout=30)
        assert hls_event(owner_dev, "encoding")["hls"]["master_url"] is None
        for dev in (owner_dev, peer_dev):
            assert hls_event(dev, "ready")["hls"]["master_url"].startswith(f"/api/media/{media_id}/hls/master")
    finally:
        owner_dev.close()
        peer_dev.close()
    hls = m["hls"]
    assert [(r["name"], r["width"], r["height"]) for r in hls["renditions"]] == [
        ("360p", 640, 360), ("source", 854, 480)]
    assert hls["progress"] == 1.0 and hls["error"] is None and all(r["bandwidth"] > 0 for r in hls["renditions"])
    assert sorted(k.split("/", 2)[2] for k in stored() if k.startswith(f"h/{media_id}/")) == [
        "360p.m3u8", "360p/00000.ts", "master.m3u8", "source.m3u8", "source/00000.ts"]

    master = _playlist(srv, hls["master_url"])
    assert "BANDWIDTH=" in master and "RESOLUTION=640x360" in master and 'CODECS="avc1.' in master
    variants = _lines(master)
    assert [v.split("?")[0] for v in variants] == [f"/api/media/{media_id}/hls/360p.m3u8",
                                                   f"/api/media/{media_id}/hls/source.m3u8"]
    token = hls["master_url"].split("?token=")[1]
    assert all(v.endswith(f"?token={token}") for v in variants)
    segments: dict[str, str] = {}
    for r, variant in zip(hls["renditions"], variants, strict=True):
        assert variant == r["url"]
        text = _playlist(srv, variant)
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text
        segs = _lines(text)
        assert len(segs) == 1
        if backend == "local":
            assert segs[0] == f"/api/media/{media_id}/hls/{r['name']}/00000.ts?token={token}"
        else:
            assert segs[0].startswith("http") and "X-Amz-Signature" in segs[0]
        got = _get(srv, segs[0])
        assert got.status_code == 200
        assert _decode_segment(got.content) == (r["width"], r["height"], True)
        segments[r["name"]] = segs[0]

    # The peer reads them (a message carries the video); a stranger gets nothing.
    peer_view = Uploader(srv, peer).media(media_id).json()
    assert peer_view["hls"]["master_url"] and peer_view["hls"]["master_url"] != hls["master_url"]
    assert _lines(_playlist(srv, peer_view["hls"]["master_url"]))
    base = f"/api/media/{media_id}/hls"
    for path in ("/master.m3u8", "/360p.m3u8", "/360p/00000.ts"):
        assert _get(srv, base + path, auth(owner)).status_code == 200
        assert _get(srv, base + path, auth(peer)).status_code == 200
        _problem(_get(srv, base + path, auth(stranger)), 404, "media_not_found")
        _problem(_get(srv, base + path + "?token=forged"), 404, "media_not_found")
        _problem(_get(srv, base + path), 401, "unauthorized")
    _problem(_get(srv, f"{base}/720p.m3u8", auth(owner)), 404, "rendition_not_found")
    assert _get(srv, f"{base}/1080p.m3u8", auth(owner)).status_code == 422
    assert _get(srv, f"{base}/360p/0.ts", auth(owner)).status_code == 422
    assert _get(srv, f"{base}/..%2F..%2Fv.m3u8", auth(owner)).status_code in (404, 422)

    # A login that ended: its playlist links stop at once.
    second = requests.post(f"{srv.url}/api/auth/login", timeout=T,
                           json={"email": peer["email"], "password": peer["password"]}).json()
    mine = Uploader(srv, {"tokens": second}).media(media_id).json()["hls"]
    media_url = _lines(_playlist(srv, mine["master_url"]))[0]
    seg_url = _lines(_playlist(srv, media_url))[0]
    out = requests.post(f"{srv.url}/api/auth/logout", timeout=T, json={"refresh_token": second["refresh_token"]})
    assert out.status_code == 204
    _problem(_get(srv, mine["master_url"]), 401, "link_expired")
    _problem(_get(srv, media_url), 401, "link_expired")
    if backend == "local":
        _problem(_get(srv, seg_url), 401, "link_expired")


def test_deleting_the_message_stops_the_encode_and_deletes_its_files(srv, backend, stored,  # noqa: ANN001
                                                                      clip_long_small) -> None:
    owner, peer = (srv.register_verified(n) for n in ("Canceller", "Recipient"))
    up = Uploader(srv, owner)
    media_id = up.upload(clip_long_small)
    assert up.wait_done(media_id)["status"] == "ready"
    sent = _send(srv, owner, peer, media_id)
    # mid-way: the worker has written progress (the frame delay makes this clip take ~20 s)
    wait_for(lambda: (up.media(media_id).json()["hls"] or {}).get("progress", 0) > 0.05, 60,
             "the encode to make progress")
    scratch = list((srv.data_dir / "media" / "incoming" / "tmp").glob("parley-hls-*")) \
        if backend == "local" else []
    dev = Device(srv.url, owner["tokens"]["access_token"]).connect()
    try:
        assert dev.call("message:delete", {"id": sent["id"]})["ok"]
    finally:
        dev.close()
    m = up.media(media_id).json()
    assert m["hls"]["status"] == "cancelled" and m["playback_url"], m["hls"]  # the original stays
    t0 = time.monotonic()
    if backend == "local":
        assert scratch, "the encode's scratch folder"
        # the worker is killed (not left to finish): its job ends and removes its scratch folder
        wait_for(lambda: not any(p.exists() for p in scratch), 5, "the encode to stop")
        assert time.monotonic() - t0 < 5
    wait_for(lambda: f"media {media_id}: the encode was cancelled" in srv.log()
             or f"media {media_id}: no message carries it" in srv.log(), 10, "the cancel in the log")
    assert not [k for k in stored() if k.startswith(f"h/{media_id}/")]
    _problem(_get(srv, f"/api/media/{media_id}/hls/master.m3u8", auth(owner)), 404, "renditions_not_found")

    # Sent again: a new encode is queued; deleting that message cancels it again.
    again = _send(srv, owner, peer, media_id)
    wait_for(lambda: up.media(media_id).json()["hls"]["status"] in ("pending", "encoding"), 10, "a new encode")
    dev = Device(srv.url, owner["tokens"]["access_token"]).connect()
    try:
        assert dev.call("message:delete", {"id": again["id"]})["ok"]
    finally:
        dev.close()
    assert up.media(media_id).json()["hls"]["status"] == "cancelled"
    assert not [k for k in stored() if k.startswith(f"h/{media_id}/")]
