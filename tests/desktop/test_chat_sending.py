"""OutboxSender alone: a stub realtime link, the real outbox and cache, no server."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core import protocol
from desktop.core.errors import ApiError, NetworkError
from desktop.qt.chat_sending import OutboxSender
from tests.desktop.chat_stubs import ME, PEER, Parts, StubRealtime, echo_server, make_parts, msg, wire


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    p = make_parts(tmp_path)
    yield p
    p.close()


def sender(parts: Parts, realtime: StubRealtime) -> OutboxSender:
    return OutboxSender(realtime, parts.cache, parts.outbox, parts.runner, parts.disk, parts.is_online,
                        ack_timeout=1.0, parent=parts.root)


def test_a_message_is_queued_on_disk_then_sent_and_cached(qtbot: Any, parts: Parts) -> None:
    rt = StubRealtime(answer=echo_server())
    s = sender(parts, rt)
    with qtbot.waitSignal(s.queued, timeout=5000) as queued:
        s.send(PEER, "  hello  ")
    pending, jump = queued.args
    assert pending.pending and pending.body == "hello" and jump is True
    with qtbot.waitSignal(s.sent, timeout=5000) as sent:
        pass
    stored = sent.args[0]
    assert stored.id == "1001" and stored.client_id == pending.client_id
    qtbot.waitUntil(lambda: len(parts.outbox) == 0 and parts.cache.get("1001") is not None, timeout=5000)
    assert rt.calls == [(protocol.SEND, {"to": PEER, "client_id": pending.client_id, "body": "hello"})]


def test_blank_text_is_not_sent(qtbot: Any, parts: Parts) -> None:
    s = sender(parts, StubRealtime(answer=echo_server()))
    s.send(PEER, "   \n ")
    qtbot.waitUntil(parts.idle, timeout=5000)
    assert len(parts.outbox) == 0


def test_offline_messages_wait_and_go_out_in_order_when_flushed(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    rt = StubRealtime(answer=echo_server())
    s = sender(parts, rt)
    for i in range(5):
        s.send(PEER, f"n{i}")
    qtbot.waitUntil(lambda: len(parts.outbox) == 5, timeout=5000)
    qtbot.waitUntil(parts.idle, timeout=5000)
    assert rt.calls == []
    parts.online[0] = True
    sent: list[Any] = []
    s.sent.connect(sent.append)
    s.flush()
    qtbot.waitUntil(lambda: len(sent) == 5, timeout=5000)
    assert [m.body for m in sent] == [f"n{i}" for i in range(5)]
    assert [d["body"] for _, d in rt.calls] == [f"n{i}" for i in range(5)]


def test_a_network_failure_stops_the_flush_and_keeps_the_rest(qtbot: Any, parts: Parts) -> None:
    parts.online[0] = False
    rt = StubRealtime(answer=None)  # every call: NetworkError
    s = sender(parts, rt)
    s.send(PEER, "a")
    s.send(PEER, "b")
    qtbot.waitUntil(lambda: len(parts.outbox) == 2, timeout=5000)
    parts.online[0] = True
    s.flush()
    qtbot.waitUntil(lambda: len(rt.calls) == 1 and parts.idle(), timeout=5000)
    assert len(parts.outbox) == 2  # kept, with their client ids, for the next connect
    rt.answer = echo_server()
    s.flush()
    qtbot.waitUntil(lambda: len(parts.outbox) == 0, timeout=5000)
    assert [d["client_id"] for _, d in rt.calls][0] == [d["client_id"] for _, d in rt.calls][1]


def test_a_refused_message_is_marked_and_the_next_one_still_goes(qtbot: Any, parts: Parts) -> None:
    good = echo_server()

    def answer(event: str, data: Any) -> dict[str, Any]:
        if data["body"] == "bad":
            raise ApiError(400, "validation_failed", "Too long.")
        return good(event, data)

    parts.online[0] = False
    rt = StubRealtime(answer=answer)
    s = sender(parts, rt)
    s.send(PEER, "bad")
    s.send(PEER, "good")
    qtbot.waitUntil(lambda: len(parts.outbox) == 2, timeout=5000)
    parts.online[0] = True
    refused: list[tuple[str, str]] = []
    s.refused.connect(lambda cid, why: refused.append((cid, why)))
    with qtbot.waitSignal(s.sent, timeout=5000) as sent:
        s.flush()
    assert sent.args[0].body == "good"
    qtbot.waitUntil(lambda: len(refused) == 1 and len(parts.outbox) == 1, timeout=5000)
    left = parts.outbox.pending()
    assert [(m.body, m.error) for m in left] == [("bad", "Too long.")]
    assert refused[0] == (left[0].client_id, "Too long.")
    s.retry_failed(left[0].client_id)  # tried again (and refused again) on request
    qtbot.waitUntil(lambda: len(refused) == 2, timeout=5000)


def test_a_video_message_keeps_its_upload_client_id(qtbot: Any, parts: Parts) -> None:
    from desktop.core.media import MediaInfo

    rt = StubRealtime(answer=echo_server())
    s = sender(parts, rt)
    media = MediaInfo(id="m7", status="ready")
    handed: list[bool] = []
    with qtbot.waitSignal(s.queued, timeout=5000) as queued:
        s.send_media(PEER, "upload-key", media, on_queued=lambda: handed.append(True))
    assert queued.args[0].client_id == "upload-key" and queued.args[1] is False
    qtbot.waitUntil(lambda: len(rt.calls) == 1, timeout=5000)
    assert handed == [True]
    assert rt.calls[0][1]["media_id"] == "m7" and rt.calls[0][1]["client_id"] == "upload-key"


def test_edit_and_delete_are_acked_then_cached(qtbot: Any, parts: Parts) -> None:
    parts.cache.put_messages([msg(5, sender=ME, body="old")])

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.EDIT:
            return {"ok": True, "message": wire(msg(5, sender=ME, body=data["body"]))}
        return {"ok": True}

    s = sender(parts, StubRealtime(answer=answer))
    edited: list[Any] = []
    s.edit("5", " new ", edited.append, pytest.fail)
    qtbot.waitUntil(lambda: len(edited) == 1, timeout=5000)
    assert edited[0].body == "new"
    qtbot.waitUntil(lambda: parts.cache.get("5").body == "new", timeout=5000)
    deleted: list[str] = []
    s.delete("5", deleted.append, pytest.fail)
    qtbot.waitUntil(lambda: deleted == ["5"] and parts.cache.get("5").deleted, timeout=5000)
    errors: list[Exception] = []
    s.realtime = StubRealtime(answer=None)
    s.delete("5", pytest.fail, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert isinstance(errors[0], NetworkError)
