"""qt/: the task runner, the socket bridge and the list models (with fakes, no server)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QThread

from desktop.core import protocol
from desktop.core.models import Message, Presence, StatusUpdate
from desktop.qt.bridge import SocketBridge
from desktop.qt.conversation_model import ConversationListModel
from desktop.qt.message_model import DATE, MESSAGE, UNREAD, KindRole, MessageListModel
from desktop.qt.tasks import TaskRunner

ME, PEER = "me", "peer"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def msg(i: int, *, day: int = 0, sender: str = PEER, pending: bool = False) -> Message:
    return Message(id=None if pending else str(i), client_id=f"c{i}", sender_id=sender,
                   recipient_id=ME if sender == PEER else PEER, body=f"m{i}",
                   created_at=T0 + timedelta(days=day, minutes=i), pending=pending)


def kinds(model: MessageListModel) -> list[str]:
    return [model.index(r).data(KindRole) for r in range(model.rowCount())]


def test_task_results_arrive_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    gui = QThread.currentThread()
    worker_threads: list[threading.Thread] = []
    seen: dict[str, object] = {}

    def work() -> int:
        worker_threads.append(threading.current_thread())
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["thread"] = QThread.currentThread()

    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: not busy, timeout=5000):
        runner.run(work, done)
    assert seen == {"value": 42, "thread": gui}
    assert worker_threads[0] is not threading.main_thread()
    errors: list[Exception] = []
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: not busy, timeout=5000):
        runner.run(lambda: 1 / 0, on_error=errors.append)
    assert isinstance(errors[0], ZeroDivisionError)
    assert runner.shutdown(wait_ms=5000)  # its pool is deleted here, not by a collection on another thread


def test_bridge_turns_socket_thread_events_into_signals(qtbot):
    bridge = SocketBridge()
    wire = {"id": "5", "client_id": "c", "sender_id": PEER, "recipient_id": ME, "body": "hi",
            "created_at": "2026-11-25T04:20:00.123Z"}
    with qtbot.waitSignal(bridge.messageReceived, timeout=5000) as got:
        threading.Thread(target=bridge.on_event, args=(protocol.NEW, wire)).start()
    assert got.args[0].body == "hi"
    with qtbot.waitSignal(bridge.presenceChanged, timeout=5000) as got:
        threading.Thread(target=bridge.on_event,
                         args=(protocol.PRESENCE, {"user_id": PEER, "online": True, "last_seen": None})).start()
    assert got.args[0] == Presence(PEER, True, None)
    with qtbot.assertNotEmitted(bridge.messageReceived):
        bridge.on_event(protocol.NEW, {"nonsense": True})  # malformed: logged and dropped


def test_message_model_dates_unread_marker_pending_and_prepend(qtbot):
    model = MessageListModel(ME, PEER)
    model.reset([msg(11), msg(12, sender=ME), msg(13, day=1), msg(14, day=1)], unread_from="14")
    assert kinds(model) == [DATE, MESSAGE, MESSAGE, DATE, MESSAGE, UNREAD, MESSAGE]

    pending = msg(19, day=1, sender=ME, pending=True)
    model.upsert(pending)
    assert model.messages()[-1].pending
    model.upsert(msg(15, day=1))  # a stored message lands before the outbox copy
    assert [m.id for m in model.messages()] == ["11", "12", "13", "14", "15", None]
    stored = Message(id="16", client_id="c19", sender_id=ME, recipient_id=PEER, body="m19",
                     created_at=pending.created_at)
    model.upsert(stored)  # the outbox copy becomes the stored message, once
    assert [m.id for m in model.messages()] == ["11", "12", "13", "14", "15", "16"]

    added = model.prepend([msg(1, day=-1), msg(2)])  # day -1 is new, day 0 joins the top group
    assert added == 3 and kinds(model)[:5] == [DATE, MESSAGE, DATE, MESSAGE, MESSAGE]
    assert model.oldest_id() == "1"
    assert model.prepend([msg(2)]) == 0  # already shown

    model.apply_status(StatusUpdate(ids=("16",), status="read", at=T0))
    assert model.messages()[-1].read_at == T0
    model.mark_deleted("16")
    assert model.messages()[-1].deleted and model.messages()[-1].body == ""
    model.clear_unread_marker()
    assert UNREAD not in kinds(model)


def test_conversation_model_orders_by_activity_and_counts_unread(qtbot):
    model = ConversationListModel()
    counts: list[int] = []
    model.unreadChanged.connect(counts.append)
    model.add_message(msg(1), ME, unread=True, name="Binh")
    other = Message(id="2", client_id="x", sender_id="chi", recipient_id=ME, body="yo",
                    created_at=T0 + timedelta(hours=1))
    model.add_message(other, ME, unread=True, name="Chi")
    assert [c.peer.id for c in model.conversations()] == ["chi", PEER]
    model.add_message(msg(3, day=1), ME, unread=True)
    assert [c.peer.id for c in model.conversations()] == [PEER, "chi"]
    assert model.get(PEER).unread_count == 2 and counts[-1] == 3
    model.set_unread(PEER, 0)
    assert counts[-1] == 1
    model.set_presence(Presence("chi", True, None))
    assert model.get("chi").peer.online


def test_message_model_keeps_a_sliding_window(qtbot):
    model = MessageListModel(ME, PEER)
    model.window = 5
    model.reset([msg(i) for i in range(20, 24)])
    model.prepend([msg(i) for i in range(16, 20)])  # 8 messages: the newest 3 leave the window
    assert [m.id for m in model.messages()] == ["16", "17", "18", "19", "20"]
    assert model.has_newer and model.rowCount() == 6  # one date row
    model.upsert(msg(30))  # live, but beyond the window: stays in the cache only
    assert model.newest_id() == "20"
    model.upsert(msg(18).replace(body="edited"))  # inside the window: updated in place
    assert model.messages()[2].body == "edited"

    pending = msg(40, sender=ME, pending=True)
    model.append_newer([msg(21), msg(22)], at_end=False)
    assert [m.id for m in model.messages()] == ["18", "19", "20", "21", "22"]
    assert model.has_more and model.has_newer and kinds(model)[0] == DATE
    model.append_newer([msg(23), msg(30)], at_end=True, pending=[pending])
    assert [m.id for m in model.messages()] == ["21", "22", "23", "30", None]
    assert not model.has_newer
