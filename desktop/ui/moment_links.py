"""Moments in a chat view: times in messages drawn as links that open the video at that second.

:func:`install` is a ``ChatService.view_extensions`` entry, like the video attach. For each chat
view a :class:`MomentLinks` tells the message delegate which parts of a body are links
(:mod:`desktop.core.moments` finds them; an implicit time points at the most recent video at or
before its message, so it is a link only when there is one), and opens the player when one is
clicked. Keyboard: Enter on a selected message opens its first moment, and the message's menu
lists every moment ("Play the video at 0:45").

An explicit moment names its video message by id. When that message is not in the loaded history,
it is read from the local cache (disk thread), else from the server (``?around=``, network runner).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QMenu, QStyleOptionViewItem

from desktop.core.models import Message
from desktop.core.moments import Span, display, format_time, resolve_implicit
from desktop.qt.message_model import MessageRole
from desktop.ui.text_layout import normalised
from desktop.ui.widgets import tr

log = logging.getLogger(__name__)

#: ``open_player(media, message, at=seconds)`` (``ParleyApp.open_player``)
OpenPlayer = Callable[..., Any]


class MomentLinks(QObject):
    """The moments of one chat view: link spans for the delegate, clicks, keys and menu entries."""

    def __init__(self, view: Any, open_player: OpenPlayer) -> None:
        super().__init__(view)
        self.chat = view
        self.open_player = open_player
        view.delegate.moments = self
        if view.delegate.video is not None:  # a video's caption may hold moments too (its own video's)
            view.delegate.video.moment_spans = self.spans
        viewport = view.view.viewport()
        viewport.setMouseTracking(True)  # the hand cursor over a link
        viewport.installEventFilter(self)
        view.view.activated.connect(self._activated)
        view.menu_extensions.append(self._menu)

    # what is a link --------------------------------------------------------------------------------
    def spans(self, m: Message) -> list[Span]:
        """The links of ``m``'s displayed text: explicit moments, and implicit ones that have a video."""
        _, spans = display(normalised(m.body))
        if not spans or all(s.moment.message_id for s in spans):
            return spans
        return spans if self._video_before(m) is not None else [s for s in spans if s.moment.message_id]

    def _video_before(self, m: Message) -> Message | None:
        messages = self.chat.model.messages()
        for i in range(len(messages) - 1, -1, -1):
            if messages[i] is m or (m.id is not None and messages[i].id == m.id) or \
                    (m.id is None and messages[i].client_id == m.client_id):
                return resolve_implicit(messages, i)
        return None

    # opening ---------------------------------------------------------------------------------------
    def open(self, m: Message, span: Span) -> None:
        """Open the video ``span`` points at, at its second."""
        seconds = span.moment.seconds
        if span.moment.message_id is None:
            video = self._video_before(m)
            if video is not None and video.media is not None:
                self.open_player(video.media, video, at=seconds)
            return
        self._open_by_id(span.moment.message_id, seconds)

    def _open_by_id(self, message_id: str, seconds: float) -> None:
        model = self.chat.model
        row = model.row_of(message_id=message_id)
        loaded = model.message_at(row) if row >= 0 else None
        if loaded is not None:
            self._play(loaded, seconds)
            return
        service = self.chat.service
        peer_id = self.chat.peer_id

        def from_server() -> Message | None:
            found, _, _ = service.api.messages_around(peer_id, message_id, limit=1)
            return next((x for x in found if x.id == message_id), None)

        def cached(found: Message | None) -> None:
            if found is not None:
                self._play(found, seconds)
            elif service.online:
                service.runner.run(from_server, lambda msg: msg is not None and self._play(msg, seconds),
                                   lambda exc: log.info("moment %s: %s", message_id, exc), guard=self)

        service.disk.run(lambda: service.cache.get(message_id), cached,
                         lambda exc: log.info("moment %s: %s", message_id, exc), guard=self)

    def _play(self, video: Message, seconds: float) -> None:
        if video.media is not None and video.media.ready and not video.deleted:
            self.open_player(video.media, video, at=seconds)

    # mouse, keys, menu -----------------------------------------------------------------------------
    def _span_at(self, pos: QPointF) -> tuple[Message, Span] | None:
        view = self.chat.view
        index = view.indexAt(pos.toPoint())
        m: Message | None = index.data(MessageRole) if index.isValid() else None
        delegate = self.chat.delegate
        if m is None or m.deleted:
            return None
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.rect = view.visualRect(index)
        if delegate.video is not None and delegate.video.handles(m):
            span = delegate.video.link_at(m, option.rect, pos, option.font)
        else:
            span = delegate.link_at(m, option, pos)
        return (m, span) if span is not None else None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            over = self._span_at(event.position()) is not None
            viewport = self.chat.view.viewport()
            if over:
                viewport.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                viewport.unsetCursor()
        elif kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent) and \
                event.button() == Qt.MouseButton.LeftButton:
            hit = self._span_at(event.position())
            if hit is not None:
                self.open(*hit)
                return True
        return super().eventFilter(obj, event)

    def _activated(self, index: Any) -> None:
        m = index.data(MessageRole)
        if m is None or m.media is not None:
            return  # a video message opens its own video (desktop/ui/attach.py)
        spans = self.chat.delegate.links(m)
        if spans:
            self.open(m, spans[0])

    def _menu(self, menu: QMenu, m: Message) -> None:
        if m.deleted:
            return
        for span in self.spans(m) if ":" in m.body else []:
            menu.addAction(tr("Play the video at %1").replace("%1", format_time(span.moment.seconds)),
                           lambda s=span: self.open(m, s))


def install(open_player: OpenPlayer) -> Callable[[Any], None]:
    """The ``ChatService.view_extensions`` entry that makes moments in every chat view links."""
    def extend(view: Any) -> None:
        view.moment_links = MomentLinks(view, open_player)

    return extend
