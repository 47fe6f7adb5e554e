"""Every write to the local stores (cache, outbox, upload records) runs on the one disk thread, in order."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from desktop.core import protocol
from desktop.core.cache import MessageCache
from desktop.core.models import StatusUpdate, User
from desktop.core.outbox import Outbox
from desktop.core.uploads import UploadStore
from desktop.net.uploads import MediaClient
from desktop.qt.bridge import SocketBridge
from desktop.qt.chat import ChatService
from desktop.qt.uploads import UploadManager
from tests.desktop.chat_stubs import (
    ME,
    dispose,
    NEWCOMER,
    PEER,
    T0,
    StubApi,
    StubRealtime,
    echo_server,
    make_parts,
    msg,
    wire,
)
from tests.desktop.video_fixtures import FakeMediaServer, StaticApi, fake_media, small_video, \
    video_dir  # noqa: F401


def recording(cls: type, methods: tuple[str, ...], threads: list[int]) -> type:
    """A subclass of ``cls`` noting the thread of every call to ``methods``."""
    def wrap(name: str) -> Any:
        original = getattr(cls, name)

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            threads.append(threading.get_ident())
            return original(self, *args, **kwargs)
        return method

    return type(f"Recording{cls.__name__}", (cls,), {name: wrap(name) for name in methods})


CACHE_WRITES = ("put_messages", "mark_deleted", "apply_status", "set_last_id", "put_conversations", "set_draft")
OUTBOX_WRITES = ("add", "remove", "mark_failed", "retry")


def test_chat_writes_come_from_the_disk_thread_only(qtbot: Any, tmp_path: Path) -> None:
    writes: list[int] = []
    parts = make_parts(tmp_path)
    cache = recording(MessageCache, CACHE_WRITES, writes)(parts.store, ME)
    outbox = recording(Outbox, OUTBOX_WRITES, writes)(parts.store, ME)
    cache.set_last_id("5")
    writes.clear()
    base = echo_server()

    def answer(event: str, data: Any) -> dict[str, Any]:
        if event == protocol.SYNC:
            return {"ok": True, "messages": [wire(msg(6))] if data["after"] == "5" else [], "has_more": False}
        if event == protocol.EDIT:
            return {"ok": True, "message": wire(msg(6, body=data["body"], edited_at=T0 + timedelta(hours=3)))}
        return base(event, data)

    api = StubApi(pages={PEER: [msg(i) for i in range(1, 7)]})
    bridge = SocketBridge(parts.root)
    s = ChatService(User(ME, "me@example.com", "Me"), api, StubRealtime(answer=answer), bridge, cache, outbox,
                    parts.runner, parts.disk, ack_timeout=1.0, parent=parts.root)
    s.start()
    with qtbot.waitSignal(s.synced, timeout=5000):
        bridge.stateChanged.emit("online", "", 0.0)
    s.open(PEER)
    for i in range(3):
        s.send(PEER, f"n{i}")
    bridge.messageReceived.emit(msg(20, sender=NEWCOMER))  # someone new: looked up, then stored
    bridge.statusChanged.emit(StatusUpdate(("6",), "read", T0))
    s.edit("6", "changed", lambda exc: None)
    s.save_draft(PEER, "draft")
    s.mark_read(PEER)
    qtbot.waitUntil(lambda: len(outbox) == 0 and cache.get("20") is not None and parts.idle(), timeout=5000)
    s.delete("6", lambda exc: None)
    qtbot.waitUntil(lambda: cache.get("6").deleted and parts.idle(), timeout=5000)
    assert len(writes) > 15
    assert threading.main_thread().ident not in writes
    assert len(set(writes)) == 1, "cache and outbox writes came from more than one thread"
    parts.close()


def test_upload_records_are_written_on_the_disk_thread_only(qtbot: Any, tmp_path: Path, small_video: Path,
                                                            fake_media: FakeMediaServer, runners: Any) -> None:
    writes: list[int] = []
    store = recording(UploadStore, ("save", "add_part", "remove"), writes)(tmp_path / "u.sqlite3")
    m = UploadManager(MediaClient(StaticApi(fake_media.url)), store, "srv|me", **runners.upload_kwargs())
    try:
        got: list[Any] = []
        m.prepare(str(small_video), got.append, got.append)
        qtbot.waitUntil(lambda: bool(got), timeout=10000)
        with qtbot.waitSignal(m.readyToSend, timeout=15000) as ready:
            m.start(got[0], "peer-1")
        m.handed_over(ready.args[0].key)
        qtbot.waitUntil(lambda: store.get(ready.args[0].key) is None, timeout=5000)
        assert len(writes) >= 4  # start, progress, each part, processing, removal
        assert threading.main_thread().ident not in writes
        assert len(set(writes)) == 1, "upload records were written from more than one thread"
    finally:
        m.shutdown()
        store.close()
        dispose(m)
