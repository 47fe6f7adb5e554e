"""core/moments.py: which times in a message are moments, the explicit form, what is shown."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from desktop.core.media import MediaInfo
from desktop.core.models import Message
from desktop.core.moments import display, find_moments, format_time, moment_token, plain_text, resolve_implicit


def times(body: str) -> list[tuple[str, float, str | None]]:
    return [(body[m.start:m.end], m.seconds, m.message_id) for m in find_moments(body)]


@pytest.mark.parametrize(("body", "expected"), [
    ("look at 0:45", [("0:45", 45.0, None)]),
    ("1:02:03 is the best part", [("1:02:03", 3723.0, None)]),
    ("from 0:05 to 12:30, then (1:00:00).", [("0:05", 5.0, None), ("12:30", 750.0, None),
                                             ("1:00:00", 3600.0, None)]),
    ("0:45-1:02", [("0:45", 45.0, None), ("1:02", 62.0, None)]),
    ("at 90:15 it ends", [("90:15", 5415.0, None)]),  # minutes beyond an hour in m:ss
    ("lunch at 12:30pm", []),
    ("lunch at 12:30 pm or 9:15 A.M.", []),
    ("99:99", []),
    ("1:60", []),
    ("1:75:00", []),  # minutes must be 00-59 when hours are given
    ("1:02:03:04", []),  # not a time at all
    ("0:45.5", []),
    ("10:5", []),
    ("ratio 16:9", []),
    ("abc1:23", []),
    ("see https://example.com/v?t=1:30 and www.x.org/0:45", []),
    ("mail bob@host.io:0:45 later", []),
    ("server 127.0.0.1:8000", []),
    ("no time here", []),
    ("", []),
])
def test_implicit_times(body: str, expected: list) -> None:
    assert times(body) == expected


def test_the_explicit_form_round_trips_and_shows_as_its_label() -> None:
    token = moment_token("4821", 45.9)
    assert token == "▶ 0:45 parley:moment/4821?t=45"
    body = f"this: {token} and also 1:10"
    assert times(body) == [(token, 45.0, "4821"), ("1:10", 70.0, None)]
    text, spans = display(body)
    assert text == "this: ▶ 0:45 and also 1:10"
    assert [text[s.start:s.end] for s in spans] == ["▶ 0:45", "1:10"]
    assert spans[0].moment.message_id == "4821" and spans[1].moment.message_id is None
    assert plain_text(body) == text
    # the reference alone (someone cut the label) still works; the label never overrides t
    assert times("parley:moment/7?t=3723") == [("parley:moment/7?t=3723", 3723.0, "7")]
    assert display("▶ 9:99 parley:moment/7?t=5")[0] == "▶ 0:05"
    # pasted after a copy: the very same text, so the very same moment
    assert find_moments(body) == find_moments(str(body))


def test_format_time() -> None:
    assert [format_time(s) for s in (0, 5, 45.9, 600, 3723, -3)] == ["0:00", "0:05", "0:45", "10:00", "1:02:03",
                                                                     "0:00"]


def test_an_implicit_moment_points_at_the_latest_video_at_or_before_it() -> None:
    t = datetime(2026, 12, 7, tzinfo=timezone.utc)
    video = MediaInfo(id="v", status="ready")

    def msg(i: int, media: MediaInfo | None = None, **kw: object) -> Message:
        return Message(id=str(i), client_id=f"c{i}", sender_id="a", recipient_id="b", body="", created_at=t,
                       media=media, **kw)

    history = [msg(1), msg(2, video), msg(3), msg(4, video.replace(id="w")), msg(5), msg(6, video, deleted=True)]
    assert resolve_implicit(history, 0) is None
    assert resolve_implicit(history, 2).id == "2"
    assert resolve_implicit(history, 3).id == "4"  # its own video
    assert resolve_implicit(history, 5).id == "4"  # a deleted video is no target


def test_the_media_position_is_decoded_and_kept_in_the_cache_form() -> None:
    from desktop.core import protocol
    from desktop.core.media import media_from_json, media_info, media_to_json

    info = media_info({"id": "v", "status": "ready", "position": {"seconds": 37.5,
                                                                  "updated_at": "2026-12-07T19:00:00.000Z"}})
    assert info is not None and (info.position, info.position_at) == (37.5, "2026-12-07T19:00:00.000Z")
    assert media_from_json(media_to_json(info)) == info
    assert media_info({"id": "v", "position": None}).position is None
    update = protocol.media_position({"media_id": "v", "seconds": None, "updated_at": "2026-12-07T19:00:01.000Z"})
    assert update.seconds is None and update.media_id == "v"
    with pytest.raises(protocol.ProtocolError):
        protocol.media_position({"media_id": "v", "seconds": "soon"})
