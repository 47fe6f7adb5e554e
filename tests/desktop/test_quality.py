"""Auto quality's rule (desktop/core/quality.py) and the hls field of the media object: pure, no Qt."""
from __future__ import annotations

import json

import pytest

from desktop.core.media import Rendition, media_from_json, media_info, media_to_json
from desktop.core.quality import (
    HOLD_AFTER_STALL_S,
    PROBE_EVERY_S,
    STEADY_S,
    AutoQuality,
    fitting,
    segment_uris,
    throughput,
)
from desktop.net.hls import segment_index

R360 = Rendition("360p", 360, 640, 900_000, "/a/360p.m3u8?token=t")
R720 = Rendition("720p", 720, 1280, 2_800_000, "/a/720p.m3u8?token=t")
SRC = Rendition("source", 1080, 1920, 5_500_000, "/a/source.m3u8?token=t")
ALL = (R360, R720, SRC)


def test_fitting_takes_the_highest_rendition_within_the_safety_share() -> None:
    assert fitting(ALL, None) is R360  # unknown: the lowest
    assert fitting(ALL, 1_500_000) is R360  # the slow link of the issue: 0.7 * 1.5 M = 1.05 M
    assert fitting(ALL, 500_000) is R360  # nothing fits: still the lowest
    assert fitting(ALL, 4_000_000) is R720
    assert fitting(ALL, 100_000_000) is SRC
    with pytest.raises(ValueError):
        fitting((), 1.0)


def test_start_uses_a_known_throughput_and_the_first_measurement_jumps() -> None:
    assert AutoQuality.start(ALL, 4_000_000, now=0).current is R720
    auto = AutoQuality.start(ALL, None, now=0)
    assert auto.current is R360
    assert auto.measured(50_000_000, now=1) is SRC  # rule 2: straight to what fits
    assert auto.measured(50_000_000, now=2) is None


def test_a_stall_steps_down_once_and_holds_off_steps_up() -> None:
    auto = AutoQuality.start(ALL, 50_000_000, now=0)
    assert auto.current is SRC
    assert auto.stalled(now=100) is R720
    assert auto.stalled(now=101) is R360
    assert auto.stalled(now=102) is None  # the lowest already
    # a fast measurement right after the stall does not step up
    assert auto.measured(50_000_000, now=110) is None
    assert auto.probe_target(now=110) is None
    # after the hold and a steady run: one step at a time
    later = 102 + HOLD_AFTER_STALL_S + 1
    assert auto.probe_target(now=later) is R720
    assert auto.measured(50_000_000, now=later) is R720
    assert auto.measured(50_000_000, now=later + 1) is None  # a new steady run first
    assert auto.measured(50_000_000, now=later + STEADY_S + 1) is SRC


def test_a_measurement_below_the_current_rendition_steps_down_at_once() -> None:
    auto = AutoQuality.start(ALL, 50_000_000, now=0)
    auto.measured(50_000_000, now=1)
    assert auto.measured(1_500_000, now=2) is R360


def test_probes_are_spaced_and_pause_restarts_the_steady_run() -> None:
    auto = AutoQuality.start(ALL, None, now=0)
    auto.measured(1_500_000, now=0.5)  # the slow link: stays at 360p
    assert auto.probe_target(now=STEADY_S - 1) is None
    assert auto.probe_target(now=STEADY_S + 1) is R720
    assert auto.probe_target(now=STEADY_S + 2) is None  # one per PROBE_EVERY_S
    assert auto.measured(1_400_000, now=STEADY_S + 3) is None  # 720p does not fit: stay
    auto.paused(now=STEADY_S + PROBE_EVERY_S)
    assert auto.probe_target(now=STEADY_S + PROBE_EVERY_S + 1) is None  # the steady run restarted


def test_renewed_links_keep_the_current_rendition() -> None:
    auto = AutoQuality.start(ALL, 4_000_000, now=0)
    fresh = tuple(r.__class__(r.name, r.height, r.width, r.bandwidth, r.url + "2") for r in ALL)
    auto.renew(fresh)
    assert auto.current == fresh[1] and auto.renditions == fresh


def test_playlist_helpers() -> None:
    text = "#EXTM3U\n#EXTINF:4.0,\n/a/360p/00000.ts?token=t\n#EXTINF:4.0,\n/a/360p/00001.ts?token=t\n" \
           "#EXTINF:2.5,\n/a/360p/00002.ts?token=t\n#EXT-X-ENDLIST\n"
    assert segment_uris(text) == ["/a/360p/00000.ts?token=t", "/a/360p/00001.ts?token=t", "/a/360p/00002.ts?token=t"]
    assert [segment_index(text, s) for s in (0, 3.9, 4.0, 9.0, 99)] == [0, 0, 1, 2, 2]
    assert throughput(1000, 1.0) is None  # too small to mean anything
    assert throughput(187_500, 1.0) == 1_500_000


def test_the_hls_field_decodes_and_survives_the_cache() -> None:
    data = {"id": "m1", "status": "ready", "playback_url": "/api/media/m1/stream?token=t",
            "hls": {"status": "ready", "progress": 1.0, "master_url": "/api/media/m1/hls/master.m3u8?token=t",
                    "renditions": [{"name": "720p", "height": 720, "width": 1280, "bandwidth": 2800000,
                                    "url": "/api/media/m1/hls/720p.m3u8?token=t"},
                                   {"name": "360p", "height": 360, "width": 640, "bandwidth": 900000,
                                    "url": "/api/media/m1/hls/360p.m3u8?token=t"},
                                   {"name": "broken"}],
                    "error": None}}
    info = media_info(data)
    assert info is not None and info.hls_ready and info.hls is not None
    assert [r.name for r in info.hls.renditions] == ["360p", "720p"]  # lowest first, junk dropped
    assert info.hls.rendition("720p") is not None and info.hls.rendition("source") is None
    again = media_from_json(media_to_json(info))
    assert again == info
    assert json.loads(media_to_json(info) or "")["hls"]["renditions"][0]["name"] == "360p"
    for hls in (None, {"status": "encoding", "progress": 0.4}, {"status": "ready", "renditions": []}, "junk"):
        assert not media_info({**data, "hls": hls}).hls_ready  # type: ignore[union-attr]


def test_a_portrait_video_counts_its_short_side() -> None:
    data = {"id": "m2", "status": "ready",
            "hls": {"status": "ready", "renditions": [
                {"name": "source", "width": 1080, "height": 1920, "bandwidth": 5_000_000, "url": "/s"},
                {"name": "360p", "width": 360, "height": 640, "bandwidth": 900_000, "url": "/a"},
                {"name": "720p", "width": 720, "height": 1280, "bandwidth": 2_800_000, "url": "/b"}]}}
    info = media_info(data)
    assert info is not None and info.hls is not None
    assert [(r.name, r.lines) for r in info.hls.renditions] == [("360p", 360), ("720p", 720), ("source", 1080)]
