"""The desktop speaks the server's protocol: the same event names and the same limits.

The desktop bundle does not ship the server package, so desktop/core/protocol.py
keeps its own copy of the names; this test fails the moment the two drift apart.
"""
from __future__ import annotations

from desktop.core import protocol as desk
from desktop.net.realtime import SERVER_EVENTS as LISTENED
from server import protocol as srv


def test_client_events_are_the_servers() -> None:
    sent = {desk.SEND: srv.MESSAGE_SEND, desk.EDIT: srv.MESSAGE_EDIT, desk.DELETE: srv.MESSAGE_DELETE,
            desk.DELIVERED: srv.MESSAGE_DELIVERED, desk.READ: srv.CONVERSATION_READ, desk.TYPING: srv.TYPING,
            desk.SYNC: srv.SYNC}
    for mine, theirs in sent.items():
        assert mine == theirs
    assert set(sent) <= set(srv.CLIENT_EVENTS)


def test_server_events_the_desktop_listens_to_are_the_servers() -> None:
    assert (desk.NEW, desk.UPDATED, desk.DELETED, desk.STATUS, desk.PRESENCE, desk.MEDIA_STATUS,
            desk.MEDIA_POSITION) == (
        srv.MESSAGE_NEW, srv.MESSAGE_UPDATED, srv.MESSAGE_DELETED, srv.MESSAGE_STATUS, srv.PRESENCE,
        srv.MEDIA_STATUS, srv.MEDIA_POSITION)
    assert set(LISTENED) <= set(srv.SERVER_EVENTS)


def test_limits_are_the_servers() -> None:
    for name in ("MAX_BODY", "MAX_CLIENT_ID", "MAX_IDS_PER_EVENT", "SYNC_PAGE", "HISTORY_DEFAULT", "HISTORY_MAX",
                 "TYPING_EXPIRY_S"):
        assert getattr(desk, name) == getattr(srv, name), name


def test_the_desktop_pages_within_the_servers_limits() -> None:
    from desktop.qt.chat_history import LATEST, PAGE

    assert 1 <= LATEST <= srv.HISTORY_MAX and 1 <= PAGE <= srv.HISTORY_MAX
