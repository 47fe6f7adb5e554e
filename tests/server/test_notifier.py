"""The notifier decides who is told: each server -> client event, its rooms and the skipped socket."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from server import protocol as P
from server.realtime.notifier import Notifier

AT = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def recorder() -> tuple[Notifier, list[tuple[str, Any, Any, str | None]]]:
    sent: list[tuple[str, Any, Any, str | None]] = []
    return Notifier(lambda event, data, to, skip_sid=None: sent.append((event, data, to, skip_sid))), sent


def test_messages_go_to_the_recipient_and_the_senders_other_devices() -> None:
    n, sent = recorder()
    msg = {"id": "7", "sender_id": "a", "recipient_id": "b", "body": "hi"}
    n.message_created(msg, skip_sid="sid-a1")
    n.message_updated(msg)
    n.message_deleted(7, "a", "b", skip_sid="sid-a1")
    # one emit to both rooms (the packet is encoded once); the skipped socket is the sender's
    assert sent == [
        (P.MESSAGE_NEW, msg, ["user:b", "user:a"], "sid-a1"),
        (P.MESSAGE_UPDATED, msg, ["user:b", "user:a"], None),
        (P.MESSAGE_DELETED, {"id": "7"}, ["user:b", "user:a"], "sid-a1"),
    ]


def test_receipts_tell_each_sender_and_the_readers_other_devices() -> None:
    n, sent = recorder()
    n.receipts("read", AT, {"a": [1, 2], "c": [5]}, reader_id="b", reader_sid="sid-b")
    payload_a = {"ids": ["1", "2"], "status": "read", "at": "2026-11-27T12:00:00.000Z"}
    assert sent[0] == (P.MESSAGE_STATUS, payload_a, "user:a", None)
    assert sent[1] == (P.MESSAGE_STATUS, payload_a, "user:b", "sid-b")
    assert [(e, to) for e, _, to, _ in sent[2:]] == [(P.MESSAGE_STATUS, "user:c"), (P.MESSAGE_STATUS, "user:b")]
    n, sent = recorder()
    n.receipts("delivered", AT, {"a": [3]})  # a delivery has no reader devices to update
    assert [to for _, _, to, _ in sent] == ["user:a"]


def test_typing_presence_media_and_session_end() -> None:
    n, sent = recorder()
    n.typing("a", "b", True)
    n.presence("a", False, AT, ["b", "c"])
    n.media_status({"login-1": {"id": "m1", "status": "ready"}})
    n.session_ended("sid-9", "session_revoked", "Sign in again.")
    assert sent == [
        (P.TYPING, {"from": "a", "typing": True}, "user:b", None),
        (P.PRESENCE, {"user_id": "a", "online": False, "last_seen": "2026-11-27T12:00:00.000Z"}, "user:b", None),
        (P.PRESENCE, {"user_id": "a", "online": False, "last_seen": "2026-11-27T12:00:00.000Z"}, "user:c", None),
        (P.MEDIA_STATUS, {"id": "m1", "status": "ready"}, "login:login-1", None),
        (P.SESSION_ENDED, {"code": "session_revoked", "message": "Sign in again."}, "sid-9", None),
    ]
    assert P.user_room("x") == "user:x"


def test_blocks_withhold_messages_silence_receipts_and_tell_only_the_blocker() -> None:
    n, sent = recorder()
    msg = {"id": "7", "sender_id": "a", "recipient_id": "b", "body": "hi"}
    n.message_created(msg, skip_sid="sid-a1", to_recipient=False)  # b blocked a: withheld
    n.message_updated(msg, to_recipient=False)
    n.message_deleted(7, "a", "b", to_recipient=False)
    n.receipts("read", AT, {"a": [1]}, reader_id="b", reader_sid="sid-b", silent_for={"a"})
    n.blocks_changed("b", "a", True, skip_sid="sid-b")
    assert [(e, to, skip) for e, _, to, skip in sent] == [
        (P.MESSAGE_NEW, "user:a", "sid-a1"), (P.MESSAGE_UPDATED, "user:a", None),
        (P.MESSAGE_DELETED, "user:a", None), (P.MESSAGE_STATUS, "user:b", "sid-b"),
        (P.BLOCKS_CHANGED, "user:b", "sid-b"),
    ]
    assert sent[-1][1] == {"user_id": "a", "blocked": True}


def test_a_message_with_media_goes_to_each_login_with_its_own_links() -> None:
    n, sent = recorder()
    n.message_per_login(P.MESSAGE_NEW, "a", [("a", "la1", {"v": 1}), ("a", "la2", {"v": 2}), ("b", "lb", {"v": 3})],
                        skip_sid="sid-a1")
    assert sent == [(P.MESSAGE_NEW, {"v": 1}, "login:la1", "sid-a1"), (P.MESSAGE_NEW, {"v": 2}, "login:la2", "sid-a1"),
                    (P.MESSAGE_NEW, {"v": 3}, "login:lb", None)]
