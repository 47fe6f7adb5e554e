"""Paints video messages in the history: poster, duration, play button; upload progress; processing; failure.

:class:`VideoBubbles` is plugged into :class:`desktop.ui.message_delegate.MessageDelegate`
(its ``video`` attribute). A video message is either

- an upload of mine still on its way (the :class:`UploadManager` knows its ``client_id``):
  a progress bar with percent, speed and time left, and Pause / Resume / Cancel; then
  "Processing…" until ``media:status`` says ready; a failure shows the server's reason
  and Retry;
- a message carrying ``media``: the poster frame (loaded in the background), the
  duration and a play button; a thin line along the poster's bottom edge shows how far I
  watched it, on any of my devices (resume anywhere: :mod:`desktop.qt.positions`).

Buttons are painted; :meth:`VideoBubbles.hit` says which one is under a click.
"""
from __future__ import annotations

import math
import time
from typing import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPolygonF
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from desktop.core.media import MediaInfo
from desktop.core.models import Message
from desktop.core.moments import Span, plain_text
from desktop.core.uploads import FAILED, PAUSED, PROCESSING, QUEUED, UploadState, human_duration, human_size
from desktop.net.uploads import CHUNK
from desktop.qt.media import MediaReader
from desktop.qt.positions import PlaybackPositions
from desktop.qt.uploads import Progress, UploadManager
from desktop.ui import theme
from desktop.ui.text_layout import char_at, draw_wrapped, normalised, wrapped_size
from desktop.ui.texts import media_error_text
from desktop.ui.widgets import clock_time, tr

PAD = 8
SIDE = 14
GAP = 3
MAX_W = 320
INFO_H = 44  # status strip under the poster while the server processes the video
UPLOAD_INFO_H = 78  # while uploading: bar, up to two lines of status, then the buttons' row
STALLED_S = 2.5  # no byte moved for this long (and two chunks' time at the last speed): stop quoting it
META_H = 18
BUTTON_H = 24
PROGRESS_H = 5  # the watched-so-far line along the bottom of the poster
#: on a dark track, the red video sites use: it reads on any poster (the theme's blue vanished on blue frames)
PROGRESS_COLOR = "#ff3b30"


def _fit(media: MediaInfo | None, width: int) -> int:
    """Poster height for a bubble ``width`` wide, keeping the video's shape within sane bounds."""
    w = (media.width if media and media.width else 16) or 16
    h = (media.height if media and media.height else 9) or 9
    return int(max(0.45, min(1.25, h / w)) * width)


class VideoBubbles:
    """Knows how to size, paint and click video bubbles of one chat view."""

    def __init__(self, me: str, uploads: UploadManager | None, reader: MediaReader | None,
                 online: Callable[[], bool] | None = None, positions: PlaybackPositions | None = None) -> None:
        self.me = me
        self.positions = positions
        #: the moment links of a caption (desktop/ui/moment_links.py sets it), None: captions are text
        self.moment_spans: Callable[[Message], list[Span]] | None = None
        self.uploads = uploads
        self.reader = reader
        self.online = online or (lambda: True)  # the chat connection: down means the upload is too
        self.last_progress: dict[str, float] = {}  # upload key -> monotonic time of its last progress

    def progressed(self, key: str) -> None:
        """Note that upload ``key`` moved (its bubble shows speed only while it keeps moving)."""
        self.last_progress[key] = time.monotonic()

    def stalled(self, key: str, rate: float = 0.0, now: float | None = None) -> bool:
        """True when an upload that was moving has had no progress for a while.

        Progress comes once per chunk sent (:data:`desktop.net.uploads.CHUNK`), so on a slow
        uplink a quiet gap is normal: the wait allowed is two chunks' time at the last ``rate``,
        and at least :data:`STALLED_S`.
        """
        seen = self.last_progress.get(key)
        if seen is None:
            return False
        allowed = max(STALLED_S, 2 * CHUNK / rate) if rate > 0 else STALLED_S
        return (time.monotonic() if now is None else now) - seen > allowed

    # which messages ------------------------------------------------------------------------------
    def upload_of(self, m: Message) -> UploadState | None:
        if self.uploads is None or m.id is not None or m.sender_id != self.me:
            return None
        return self.uploads.get(m.client_id)

    def handles(self, m: Message) -> bool:
        return not m.deleted and (m.media is not None or self.upload_of(m) is not None)

    # geometry ----------------------------------------------------------------------------------------
    def _width(self, view_width: int) -> int:
        return max(200, min(MAX_W, int(view_width * 0.72)))

    def _body_h(self, m: Message, width: int, font: QFont) -> int:
        if not m.body:
            return 0
        return math.ceil(wrapped_size(self._caption(m), font, width - 2 * PAD).height()) + PAD

    @staticmethod
    def _caption(m: Message) -> str:
        """The caption as shown: explicit moments shortened to "▶ 0:45" (desktop/core/moments.py)."""
        return plain_text(normalised(m.body))

    def _caption_origin(self, m: Message, bubble: QRectF, poster: QRectF) -> QPointF:
        return QPointF(bubble.left() + PAD, poster.bottom() + 8 + self._info_h(m, self.upload_of(m)))

    def link_at(self, m: Message, rect: QRect, pos: QPointF, font: QFont) -> Span | None:
        """The moment link under ``pos`` in the caption of the bubble painted in ``rect``, if any."""
        spans = self.moment_spans(m) if self.moment_spans is not None and m.body else []
        if not spans:
            return None
        bubble = self._bubble(m, rect)
        origin = self._caption_origin(m, bubble, self._poster(m, bubble))
        at = char_at(self._caption(m), font, bubble.width() - 2 * PAD, pos - origin)
        return next((s for s in spans if s.start <= at < s.end), None)

    def _info_h(self, m: Message, up: UploadState | None) -> int:
        if up is not None and up.phase != PROCESSING:
            return UPLOAD_INFO_H
        return INFO_H if (up is not None or (m.media is not None and not m.media.ready)) else 0

    def size(self, m: Message, option: QStyleOptionViewItem, view_width: int) -> QSize:
        width = self._width(view_width)
        h = _fit(m.media, width) + self._info_h(m, self.upload_of(m))
        return QSize(view_width, h + self._body_h(m, width, option.font) + META_H + 2 * PAD + 2 * GAP)

    def _bubble(self, m: Message, rect: QRect) -> QRectF:
        width = self._width(rect.width())
        x = rect.right() - SIDE - width if m.sender_id == self.me else rect.left() + SIDE
        return QRectF(x, rect.top() + GAP, width, rect.height() - 2 * GAP)

    def _poster(self, m: Message, bubble: QRectF) -> QRectF:
        return QRectF(bubble.left() + PAD, bubble.top() + PAD, bubble.width() - 2 * PAD,
                      _fit(m.media, int(bubble.width())) - PAD)

    def _buttons(self, m: Message, bubble: QRectF, poster: QRectF) -> dict[str, QRectF]:
        """The clickable areas of this bubble now: name -> rect."""
        up = self.upload_of(m)
        strip_y = poster.bottom() + 8
        right = bubble.right() - PAD
        if up is not None:
            names = {QUEUED: ["pause", "cancel"], PAUSED: ["resume", "cancel"], FAILED: ["retry", "cancel"],
                     PROCESSING: []}.get(up.phase, ["pause", "cancel"])
            out: dict[str, QRectF] = {}
            for name in reversed(names):
                w = 66.0
                out[name] = QRectF(right - w, strip_y + self._info_h(m, up) - BUTTON_H - 6, w, BUTTON_H)
                right -= w + 6
            return out
        if m.media is not None and m.media.ready:
            c = poster.center()
            return {"play": QRectF(c.x() - 28, c.y() - 28, 56, 56), "poster": poster}
        return {}

    def hit(self, m: Message, rect: QRect, pos: QPointF) -> str | None:
        """The button under ``pos`` (view coordinates) in the bubble painted in ``rect``, if any."""
        bubble = self._bubble(m, rect)
        poster = self._poster(m, bubble)
        for name, r in self._buttons(m, bubble, poster).items():
            if r.contains(pos):
                return "play" if name == "poster" else name
        return None

    # painting -------------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, m: Message) -> QRectF | None:
        """Paint the bubble; return the box for the delivery ticks of my own message (None otherwise)."""
        t = theme.current()
        own = m.sender_id == self.me
        bubble = self._bubble(m, option.rect)
        theme.paint_bubble(painter, bubble, own, bool(option.state & QStyle.StateFlag.State_Selected))

        poster = self._poster(m, bubble)
        clip = QPainterPath()
        clip.addRoundedRect(poster, 8, 8)
        painter.save()
        painter.setClipPath(clip)
        image = self.reader.thumbnail(m.media) if self.reader is not None and m.media is not None else None
        if image is not None and not image.isNull():
            scaled = image.scaled(poster.size().toSize(), Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                  Qt.TransformationMode.SmoothTransformation)
            dx = (scaled.width() - poster.width()) / 2
            dy = (scaled.height() - poster.height()) / 2
            painter.drawImage(poster, scaled, QRectF(dx, dy, poster.width(), poster.height()))
        else:
            painter.fillRect(poster, QColor("#1f2430"))
            icon = theme.icon("video", "#c9cfdb", 32)
            icon.paint(painter, QRect(int(poster.center().x()) - 16, int(poster.center().y()) - 30, 32, 32))
            painter.setPen(QColor("#c9cfdb"))
            name = (m.media.filename if m.media else "") or tr("Video")
            painter.drawText(poster.adjusted(10, poster.height() / 2 + 8, -10, -10),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), name)
        watched = self.watched(m)
        if watched is not None:
            track = QRectF(poster.left(), poster.bottom() - PROGRESS_H, poster.width(), PROGRESS_H)
            painter.fillRect(track, QColor(0, 0, 0, 150))
            painter.fillRect(QRectF(track.left(), track.top(), track.width() * watched, PROGRESS_H),
                             QColor(PROGRESS_COLOR))
        painter.restore()

        up = self.upload_of(m)
        base = QFont(option.font)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        text_color = QColor(t.ownText if own else t.peerText)
        meta_color = QColor(t.ownMeta if own else t.peerMeta)
        buttons = self._buttons(m, bubble, poster)
        y = poster.bottom() + 8
        if up is not None:
            self._paint_upload(painter, up, QRectF(bubble.left() + PAD, y, bubble.width() - 2 * PAD,
                                                   self._info_h(m, up)), small, text_color, meta_color)
        elif m.media is not None and not m.media.ready:
            status = QRectF(bubble.left() + PAD, y, bubble.width() - 2 * PAD, INFO_H - 6)
            painter.setFont(small)
            if m.media.failed:
                painter.setPen(QColor(t.danger))
                painter.drawText(status, int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                                 tr("Couldn't process this video: %1").replace("%1", media_error_text(m.media.error or "")))
            else:
                painter.setPen(meta_color)
                painter.drawText(status, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                                 tr("Processing…"))
        if "play" in buttons:
            r = buttons["play"]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawEllipse(r)
            painter.setBrush(QColor("#ffffff"))
            c = r.center()
            painter.drawPolygon(QPolygonF([QPointF(c.x() - 8, c.y() - 12), QPointF(c.x() - 8, c.y() + 12),
                                           QPointF(c.x() + 13, c.y())]))
        if m.media is not None and m.media.duration:
            label = human_duration(m.media.duration)
            painter.setFont(small)
            fm = QFontMetrics(small)
            badge = QRectF(poster.left() + 6, poster.bottom() - 24, fm.horizontalAdvance(label) + 12, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 160))
            painter.drawRoundedRect(badge, 9, 9)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        for name in ("pause", "resume", "cancel", "retry"):
            if name in buttons:
                self._paint_button(painter, buttons[name], name, small, t)

        if m.body:
            painter.setPen(text_color)
            origin = self._caption_origin(m, bubble, poster)
            links = [(x.start, x.end) for x in self.moment_spans(m)] if self.moment_spans is not None else []
            draw_wrapped(painter, self._caption(m), base, origin.x(), origin.y(), bubble.width() - 2 * PAD,
                         links, QColor(t.ownText if own else t.accent))
        painter.setFont(small)
        painter.setPen(meta_color)
        meta = clock_time(m.created_at)
        if m.media is not None and m.media.size:
            meta = f"{human_size(m.media.size)}  ·  {meta}"
        elif up is not None:
            meta = f"{human_size(up.size)}  ·  {meta}"
        tick_w = 22 if own and up is None else 0
        meta_box = QRectF(bubble.left() + PAD, bubble.bottom() - META_H - 2, bubble.width() - 2 * PAD - tick_w,
                          META_H)
        painter.drawText(meta_box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), meta)
        if tick_w:
            return QRectF(meta_box.right() + 4, meta_box.top(), 18, META_H)
        return None

    def watched(self, m: Message) -> float | None:
        """The part of ``m``'s video I watched (0..1) when partly watched, else None (no line)."""
        media = m.media
        if media is None or not media.ready or not media.duration:
            return None
        seconds = self.positions.of(media) if self.positions is not None else media.position
        if not seconds:
            return None
        return max(0.0, min(1.0, seconds / media.duration))

    def status_line(self, up: UploadState, progress: Progress | None) -> str:
        """The words under the progress bar: phase, speed and time left only while bytes really move."""
        done, total = (progress.done, progress.total) if progress is not None else (up.bytes_done(), up.size)
        pct = str(int(100 * done / total) if total else 0)
        if up.phase == FAILED:
            return tr("Not sent: %1").replace("%1", media_error_text(up.error or ""))
        if up.phase == PROCESSING:
            return tr("Uploaded. Processing…")
        if up.phase == PAUSED:
            return tr("Paused at %1%").replace("%1", pct)
        if (up.phase == QUEUED and up.error) or not self.online():
            return tr("%1% · offline, will resume").replace("%1", pct)
        if self.stalled(up.key, progress.rate if progress is not None else 0.0):
            return tr("%1% · waiting for the network…").replace("%1", pct)
        if progress is not None and progress.rate > 0:
            left = tr("%1 left").replace("%1", human_duration(progress.eta)) if progress.eta is not None else ""
            return f"{pct}% · {human_size(progress.rate)}/s" + (f" · {left}" if left else "")
        return tr("%1% · starting…").replace("%1", pct)

    @staticmethod
    def status_rect(box: QRectF) -> QRectF:
        """Where the status words go in the strip ``box``: full width, between the bar and the buttons."""
        top = box.top() + 5 + 4
        return QRectF(box.left(), top, box.width(), box.bottom() - BUTTON_H - 8 - top)

    def _paint_upload(self, painter: QPainter, up: UploadState, box: QRectF, font: QFont, text: QColor,
                      muted: QColor) -> None:
        t = theme.current()
        p = self.uploads.progress_of(up.key) if self.uploads is not None else None
        done, total = (p.done, p.total) if p is not None else (up.bytes_done(), up.size)
        pct = int(100 * done / total) if total else 0
        line = self.status_line(up, p)
        painter.setFont(font)
        if up.phase == PROCESSING:
            painter.setPen(muted)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
            return
        if up.phase == FAILED:
            painter.setPen(QColor(t.danger if not t.dark else t.ownCancelText))
            painter.drawText(box.adjusted(0, 0, 0, -BUTTON_H - 8),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), line)
            return
        bar = QRectF(box.left(), box.top(), box.width(), 5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(muted.red(), muted.green(), muted.blue(), 70))
        painter.drawRoundedRect(bar, 2.5, 2.5)
        painter.setBrush(QColor(t.accent if not t.dark else t.ownButtonText) if up.phase != PAUSED else muted)
        filled = QRectF(bar.left(), bar.top(), bar.width() * pct / 100, bar.height())
        painter.drawRoundedRect(filled, 2.5, 2.5)
        painter.setPen(text)
        room = self.status_rect(box)
        painter.drawText(room, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                         fit_text(line, font, room))

    def _paint_button(self, painter: QPainter, r: QRectF, name: str, font: QFont, t: theme.Theme) -> None:
        """A filled pill: an outline on the bubble colour was unreadable in dark mode (under 2:1)."""
        labels = {"pause": tr("Pause"), "resume": tr("Resume"), "cancel": tr("Cancel"), "retry": tr("Retry")}
        fill, label = button_colors(t, name)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(r, 6, 6)
        painter.setPen(label)
        painter.setFont(font)
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, labels[name])


def fit_text(text: str, font: QFont, room: QRectF) -> str:
    """``text`` if it fits ``room`` wrapped; otherwise cut with an ellipsis (a last resort, never expected)."""
    fm = QFontMetrics(font)
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
    if fm.boundingRect(room.toRect(), flags, text).height() <= room.height() + 0.5:
        return text
    return fm.elidedText(text, Qt.TextElideMode.ElideRight, int(room.width()))


def button_colors(t: theme.Theme, name: str) -> tuple[QColor, QColor]:
    """(fill, label) of a button in my bubble; Cancel's label is the warning colour."""
    return QColor(t.ownButton), QColor(t.ownCancelText if name == "cancel" else t.ownButtonText)
