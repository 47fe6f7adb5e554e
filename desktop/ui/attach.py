"""Videos in a chat view: attach (button, drag and drop, paste), the preview before sending, video bubbles.

:func:`install` plugs a :class:`VideoAttach` into a :class:`desktop.ui.chat_window.ChatView`
(through ``ChatService.view_extensions``), so the chat code needs no knowledge of uploads.
Before anything is sent the person sees the file's name and size; a file that is not a
video, or that the server will not take (size limit, quota), is refused there in plain words.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressDialog,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.media import PROCESSING, MediaInfo
from desktop.core.models import Message
from desktop.core.uploads import FAILED, PAUSED, QUEUED, UPLOADING, UploadState, human_duration, human_size
from desktop.qt.media import MediaReader
from desktop.qt.message_model import MessageRole
from desktop.qt.positions import PlaybackPositions
from desktop.qt.uploads import PreparedVideo, UploadManager
from desktop.ui import theme
from desktop.ui.texts import media_error_text
from desktop.ui.video_bubble import VideoBubbles
from desktop.ui.plain import plain

VIDEO_PATTERNS = "*.mp4 *.m4v *.mov *.webm *.mkv"


def video_filter() -> str:
    """The file dialog's filter in the current language (the patterns themselves stay as they are)."""
    return _t("Videos (%1)").replace("%1", VIDEO_PATTERNS) + ";;" + _t("All files (*)")


def _t(text: str) -> str:
    """Module-level wording; resources/translations/update_ts.py files ``_t`` strings under ``Errors``."""
    return QCoreApplication.translate("Errors", text)


def upload_message(state: UploadState, me: str) -> Message:
    """The "sending" row of an upload in the sender's history (same client id as the message to come)."""
    return Message(id=None, client_id=state.key, sender_id=me, recipient_id=state.peer_id, body="",
                   created_at=datetime.fromtimestamp(state.created_at, timezone.utc), pending=True,
                   media=MediaInfo(id="", status=PROCESSING, filename=state.filename, size=state.size,
                                   duration=state.duration))


def local_files(mime: Any) -> list[str]:
    """Local file paths carried by drag-and-drop or clipboard data."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls()
            if isinstance(u, QUrl) and u.isLocalFile() and u.toLocalFile()]


class AttachPanel(QFrame):
    """Above the composer: the chosen file's name and size, then Send or the reason it can't be sent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 12, 8)
        icon = QLabel()
        icon.setPixmap(theme.icon("video", theme.current().accent).pixmap(28, 28))
        layout.addWidget(icon)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.name_label = plain(QLabel())
        self.name_label.setObjectName("attachName")
        self.name_label.setAccessibleName(self.tr("Video to send"))
        self.detail_label = plain(QLabel())
        self.detail_label.setObjectName("muted")
        self.detail_label.setWordWrap(True)
        self.detail_label.setAccessibleName(self.tr("Video details"))
        texts.addWidget(self.name_label)
        texts.addWidget(self.detail_label)
        layout.addLayout(texts, 1)
        self.send_button = QPushButton(self.tr("Send video"))
        self.send_button.setObjectName("primary")
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        layout.addWidget(self.send_button)
        layout.addWidget(self.cancel_button)
        self.hide()

    def show_file(self, path: str) -> None:
        p = Path(path)
        try:
            size = human_size(p.stat().st_size)
        except OSError:
            size = ""
        self.name_label.setText(p.name)
        self.detail_label.setText(" · ".join(x for x in (size, self.tr("Checking…")) if x))
        self.detail_label.setProperty("error", False)
        self.send_button.setEnabled(False)
        self.show()

    def show_ready(self, prepared: PreparedVideo) -> None:
        v = prepared.video
        parts = [human_size(v.size)]
        if v.duration:
            parts.append(human_duration(v.duration))
        if v.width and v.height:
            parts.append(f"{v.width}×{v.height}")
        self.name_label.setText(v.name)
        self.detail_label.setText(" · ".join(parts))
        self.send_button.setEnabled(True)
        self.send_button.setFocus()

    def show_refused(self, message: str) -> None:
        self.detail_label.setText(message)
        self.detail_label.setStyleSheet(f"color: {theme.current().danger};")
        self.send_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Close"))

    def reset(self) -> None:
        self.detail_label.setStyleSheet("")
        self.cancel_button.setText(self.tr("Cancel"))
        self.hide()


class IconButton(QToolButton):
    """A tool button whose icon follows the theme (``theme.apply`` calls :meth:`refresh_icons`)."""

    def __init__(self, icon_name: str) -> None:
        super().__init__()
        self.icon_name = icon_name
        self.refresh_icons()

    def refresh_icons(self) -> None:
        self.setIcon(theme.icon(self.icon_name))


class VideoAttach(QObject):
    """The video side of one chat view: attach, preview, upload rows, bubble clicks and menu actions.

    Attributes:
        panel: the preview panel; prepared: the checked file waiting for "Send video".
        refusal: the last refusal shown (what the person read).
    """

    def __init__(self, view: Any, uploads: UploadManager, reader: MediaReader,
                 open_player: Callable[..., Any], positions: PlaybackPositions | None = None) -> None:
        super().__init__(view)
        self.chat = view
        self.uploads = uploads
        self.reader = reader
        self.open_player = open_player
        self.me = view.service.me.id
        self.peer_id = view.peer_id
        self.prepared: PreparedVideo | None = None
        self.refusal = ""
        self._pending_path = ""
        service = view.service
        self.bubbles = VideoBubbles(self.me, uploads, reader, online=lambda: bool(service.online),
                                    positions=positions)
        view.delegate.video = self.bubbles

        self.button = IconButton("attach")
        self.button.setIconSize(self.button.iconSize() * 1.2)
        self.button.setObjectName("attachButton")
        self.button.setAccessibleName(self.tr("Attach a video"))
        self.button.setToolTip(self.tr("Attach a video (or drop one here, or paste it)"))
        self.button.clicked.connect(self.choose_file)
        view.composer_row.insertWidget(0, self.button)
        self.panel = AttachPanel()
        layout = view.layout()
        layout.insertWidget(layout.count() - 1, self.panel)
        self.panel.send_button.clicked.connect(self.send)
        self.panel.cancel_button.clicked.connect(self.cancel)

        for w in (view, view.view.viewport(), view.composer, view.composer.viewport()):
            w.setAcceptDrops(True)
            w.installEventFilter(self)
        view.menu_extensions.append(self._menu)
        view.view.activated.connect(self._activated)
        view.model.modelReset.connect(self._show_uploads)
        uploads.changed.connect(self._upload_changed)
        uploads.progress.connect(self._progress)  # methods, not lambdas: Qt disconnects them with this object
        uploads.removed.connect(self._upload_removed)
        reader.thumbnailReady.connect(self._thumbnail)
        if positions is not None:  # a progress line moved (this device, or media:position from another)
            positions.changed.connect(self._thumbnail)
        service.stateChanged.connect(self._connection_changed)
        # While an upload runs, repaint its bubble now and then: when the bytes stop (the server
        # died), the status must stop quoting the last speed within a couple of seconds.
        self._stall_timer = QTimer(self, interval=500, timeout=self._check_stalled)
        self._show_uploads()

    # attaching ------------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.chat, self.tr("Send a video"), str(Path.home()),
                                              video_filter())
        if path:
            self.attach_files([path])

    def attach_files(self, paths: list[str]) -> bool:
        """Show the first file and check it; True if there was one."""
        if not paths:
            return False
        if self.prepared is not None:
            self.uploads.discard(self.prepared)
            self.prepared = None
        path = paths[0]
        self._pending_path = path
        self.refusal = ""
        self.panel.reset()
        self.panel.show_file(path)
        self.uploads.prepare(path, lambda p, path=path: self._prepared(path, p),
                             lambda msg, path=path: self._refused(path, msg))
        return True

    def _prepared(self, path: str, prepared: PreparedVideo) -> None:
        if path != self._pending_path:  # another file was chosen meanwhile
            self.uploads.discard(prepared)
            return
        self.prepared = prepared
        self.panel.show_ready(prepared)

    def _refused(self, path: str, message: str) -> None:
        if path != self._pending_path:
            return
        self.refusal = media_error_text(message)
        self.panel.show_refused(self.refusal)

    def send(self) -> None:
        if self.prepared is None:
            return
        prepared, self.prepared = self.prepared, None
        self._pending_path = ""
        self.panel.reset()
        self.chat.scroll.follow_bottom()  # as for text: what I send is what I see next
        self.uploads.start(prepared, self.peer_id)
        self.chat.composer.setFocus()

    def cancel(self) -> None:
        if self.prepared is not None:
            self.uploads.discard(self.prepared)
        self.prepared = None
        self._pending_path = ""
        self.panel.reset()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(event, (QDragEnterEvent,
                                                                                          QDropEvent)):
            if local_files(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            if self.attach_files(local_files(event.mimeData())):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.KeyPress and obj is self.chat.composer and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Paste):
                if self.attach_files(local_files(QGuiApplication.clipboard().mimeData())):
                    return True
        elif kind == QEvent.Type.MouseButtonRelease and obj is self.chat.view.viewport() and \
                isinstance(event, QMouseEvent) and event.button() == Qt.MouseButton.LeftButton:
            return self._clicked(event.position())
        return super().eventFilter(obj, event)

    # bubbles -------------------------------------------------------------------------------------------
    def _clicked(self, pos: QPointF) -> bool:
        view = self.chat.view
        index = view.indexAt(pos.toPoint())
        m: Message | None = index.data(MessageRole) if index.isValid() else None
        if m is None or not self.bubbles.handles(m):
            return False
        action = self.bubbles.hit(m, view.visualRect(index), pos)
        if action is None:
            return False
        self.act(m, action)
        return True

    def act(self, m: Message, action: str) -> None:
        """Do what a bubble button or menu item named ``action`` does for message ``m``."""
        key = m.client_id
        if action == "play" and m.media is not None and m.media.ready:
            self.open_player(m.media, m)
        elif action == "pause":
            self.uploads.pause(key)
        elif action == "resume":
            self.uploads.resume(key)
        elif action == "cancel":
            self.uploads.cancel(key)
        elif action == "retry":
            self.uploads.retry(key)
        elif action == "save" and m.media is not None and m.media.ready:
            save_video_as(self.chat, self.reader, m.media)

    def _activated(self, index: Any) -> None:
        m = index.data(MessageRole)
        if m is not None and m.media is not None and m.media.ready:
            self.open_player(m.media, m)

    def _menu(self, menu: QMenu, m: Message) -> None:
        up = self.bubbles.upload_of(m)
        if up is not None:
            if up.phase in (QUEUED, UPLOADING):
                menu.addAction(self.tr("Pause upload"), lambda: self.act(m, "pause"))
            if up.phase == PAUSED:
                menu.addAction(self.tr("Resume upload"), lambda: self.act(m, "resume"))
            if up.phase == FAILED:
                menu.addAction(self.tr("Try again"), lambda: self.act(m, "retry"))
            menu.addAction(self.tr("Cancel upload"), lambda: self.act(m, "cancel"))
        elif m.media is not None and m.media.ready:
            menu.addAction(self.tr("Play video"), lambda: self.act(m, "play"))
            menu.addAction(self.tr("Save video as…"), lambda: self.act(m, "save"))

    def _show_uploads(self) -> None:
        for state in self.uploads.uploads(self.peer_id):
            self._upload_changed(state)

    def _upload_changed(self, state: UploadState) -> None:
        if state.peer_id != self.peer_id:
            return
        model = self.chat.model
        row = model.row_of(client_id=state.key)
        current = model.message_at(row) if row >= 0 else None
        if current is not None and (current.id is not None or (current.media and current.media.id)):
            return  # already the real message
        model.upsert(upload_message(state, self.me))

    def _upload_removed(self, key: str) -> None:
        model = self.chat.model
        row = model.row_of(client_id=key)
        m = model.message_at(row) if row >= 0 else None
        if m is not None and m.id is None and m.media is not None and not m.media.id:
            model.remove_pending(key)

    def _progress(self, key: str, _progress: Any) -> None:
        self.bubbles.progressed(key)
        if not self._stall_timer.isActive():
            self._stall_timer.start()
        self._repaint(key)

    def _connection_changed(self, *_: object) -> None:
        for state in self.uploads.uploads(self.peer_id):
            self._repaint(state.key)

    def _check_stalled(self) -> None:
        moving = [s.key for s in self.uploads.uploads(self.peer_id) if s.phase == UPLOADING]
        if not moving:
            self._stall_timer.stop()
        for key in moving:
            progress = self.uploads.progress_of(key)
            if self.bubbles.stalled(key, progress.rate if progress is not None else 0.0):
                self._repaint(key)

    def _thumbnail(self, _media_id: str) -> None:
        self.chat.view.viewport().update()

    def _repaint(self, key: str) -> None:
        model = self.chat.model
        row = model.row_of(client_id=key)
        if row >= 0:
            idx = model.index(row)
            model.dataChanged.emit(idx, idx)


def save_video_as(parent: QWidget, reader: MediaReader, media: MediaInfo, dest: str | None = None) -> Any:
    """Ask where, then download with a progress dialog (Cancel stops; saving again resumes)."""
    if not dest:
        dest, _ = QFileDialog.getSaveFileName(parent, _t("Save video as"),
                                              str(Path.home() / (media.filename or "video.mp4")))
        if not dest:
            return None
    dialog = QProgressDialog(_t("Saving “%1”…").replace("%1", Path(dest).name),
                             _t("Cancel"), 0, 100, parent)
    dialog.setWindowTitle(_t("Save video — Parley"))
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def progress(done: int, total: int) -> None:
        if not shiboken6.isValid(dialog):  # its chat window was closed meanwhile
            return
        dialog.setValue(int(100 * done / total) if total else 0)
        dialog.setLabelText(f"{Path(dest).name}: {human_size(done)} / {human_size(total)}")

    def done(_path: Path) -> None:
        if not shiboken6.isValid(dialog):
            return
        dialog.setValue(100)
        dialog.setLabelText(_t("Saved to %1").replace("%1", str(dest)))
        dialog.setCancelButtonText(_t("Close"))

    def failed(message: str) -> None:
        if not shiboken6.isValid(dialog):
            return
        dialog.setLabelText(_t("Saving stopped: %1 Save again to continue where it left off.")
                            .replace("%1", message))
        dialog.setCancelButtonText(_t("Close"))

    control = reader.save_as(media, dest, progress, done, failed)
    dialog.canceled.connect(lambda: control.stop("cancelled"))
    dialog.show()
    return dialog


def install(uploads: UploadManager, reader: MediaReader, open_player: Callable[..., Any],
            positions: PlaybackPositions | None = None) -> Callable[[Any], None]:
    """The ``ChatService.view_extensions`` entry that gives every chat view its video features."""
    def extend(view: Any) -> None:
        view.video_attach = VideoAttach(view, uploads, reader, open_player, positions)

    return extend
