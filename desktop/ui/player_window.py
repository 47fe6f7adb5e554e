"""The video player: a top-level window that streams a video from the server and seeks at once.

QMediaPlayer (Qt's FFmpeg backend) reads the stream URL with HTTP Range
requests, so playback starts after the first bytes and a seek fetches only the
bytes it needs. The URL carries a short-lived token (or redirects to a
presigned S3 URL); when it expires mid-play the player asks the server for a
fresh link and carries on at the same position. A file the backend cannot
decode is said so plainly, with "Save video as…" instead of a black box.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.media import MediaInfo
from desktop.core.uploads import human_duration, human_size
from desktop.qt.media import MediaReader
from desktop.ui import theme
from desktop.ui.plain import plain, tooltip

MAX_RENEWALS = 3  # fresh links asked for within RENEW_WINDOW_S before giving up
RENEW_WINDOW_S = 60.0
SEEK_STEP_MS = 5000


class PlayerWindow(QWidget):
    """Plays one video. Never parented to a chat window, so it keeps playing when that closes.

    Attributes:
        player, audio, video: the Qt multimedia objects (tests and the benchmark watch them).
        last_frame: the newest QVideoFrame shown (for tests and screenshots: grab() shows a video blank).
        first_frame_at: time.monotonic() of the first frame shown, None before.

    Signals:
        closed(str): the media id, when the window closes.
        frameShown(): a new frame reached the screen.
    """

    closed = Signal(str)
    frameShown = Signal()

    def __init__(self, media: MediaInfo, reader: MediaReader, *, autoplay: bool = True) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("PlayerWindow")
        self.media = media
        self.reader = reader
        self.last_frame: QVideoFrame | None = None
        self.first_frame_at: float | None = None
        self.opened_at = time.monotonic()
        self.renewals: list[float] = []
        self._resume_at: int | None = None
        self._want_play = autoplay
        self._seeking = False
        self._failed = False
        self._closed = False  # callbacks from workers may arrive after the window is gone
        self._download = None
        self.setWindowTitle(self.tr("%1 — Parley").replace("%1", media.filename or self.tr("Video")))

        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget()
        self.video.setAccessibleName(self.tr("Video"))
        self.video.setMinimumSize(320, 180)
        self.video.installEventFilter(self)
        self.player.setVideoOutput(self.video)
        self.video.videoSink().videoFrameChanged.connect(self._frame)

        # the picture, or a plain message when the video can't be shown
        self.message = plain(QLabel())
        self.message.setObjectName("playerMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.save_button = QPushButton(self.tr("Save video as…"))
        self.save_button.clicked.connect(self.save_as)
        msg_page = QWidget()
        ml = QVBoxLayout(msg_page)
        ml.addStretch(1)
        ml.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        row.addStretch(1)
        ml.addLayout(row)
        ml.addStretch(1)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.video)
        self.stack.addWidget(msg_page)

        # controls
        self.play_button = QToolButton()
        self.play_button.setAccessibleName(self.tr("Play or pause"))
        self.play_button.setToolTip(self.tr("Play / pause (Space)"))
        self.play_button.clicked.connect(self.toggle_play)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName(self.tr("Position"))
        self.slider.setRange(0, int((media.duration or 0) * 1000))
        self.slider.sliderPressed.connect(lambda: setattr(self, "_seeking", True))
        self.slider.sliderReleased.connect(self._slider_released)
        self.slider.sliderMoved.connect(self._slider_moved)
        self.slider.actionTriggered.connect(self._slider_action)
        self.time_label = QLabel()
        self.time_label.setObjectName("muted")
        self.time_label.setAccessibleName(self.tr("Time"))
        self.mute_button = QToolButton()
        self.mute_button.setAccessibleName(self.tr("Mute"))
        self.mute_button.setToolTip(self.tr("Mute (M)"))
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self.audio.setMuted)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setAccessibleName(self.tr("Volume"))
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setFixedWidth(90)
        self.volume.valueChanged.connect(lambda v: self.audio.setVolume(v / 100))
        self.audio.setVolume(0.8)
        self.full_button = QToolButton()
        self.full_button.setIcon(theme.icon("fullscreen"))
        self.full_button.setAccessibleName(self.tr("Full screen"))
        self.full_button.setToolTip(self.tr("Full screen (F, double click; Esc leaves)"))
        self.full_button.clicked.connect(self.toggle_fullscreen)
        self.more_button = QToolButton()
        self.more_button.setIcon(theme.icon("download"))
        self.more_button.setAccessibleName(self.tr("Save video as"))
        self.more_button.setToolTip(self.tr("Save video as…"))
        self.more_button.clicked.connect(self.save_as)
        self.download_bar = QProgressBar()
        self.download_bar.setAccessibleName(self.tr("Download progress"))
        self.download_bar.setMaximumWidth(140)
        self.download_bar.hide()

        controls = QHBoxLayout()
        controls.setContentsMargins(10, 6, 10, 8)
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        controls.addWidget(self.mute_button)
        controls.addWidget(self.volume)
        controls.addWidget(self.download_bar)
        controls.addWidget(self.more_button)
        controls.addWidget(self.full_button)
        self.controls = QWidget()
        self.controls.setObjectName("playerControls")
        self.controls.setLayout(controls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self.stack, 1)
        layout.addWidget(self.controls)

        self.player.positionChanged.connect(self._position)
        self.player.durationChanged.connect(self._duration)
        self.player.playbackStateChanged.connect(lambda *_: self._refresh_buttons())
        self.player.errorOccurred.connect(self._error)
        self.player.mediaStatusChanged.connect(self._status)
        self.audio.mutedChanged.connect(lambda *_: self._refresh_buttons())
        for key, fn in ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_F, self.toggle_fullscreen),
                        (Qt.Key.Key_M, lambda: self.mute_button.toggle()),
                        (Qt.Key.Key_Right, lambda: self.seek(self.player.position() + SEEK_STEP_MS)),
                        (Qt.Key.Key_Left, lambda: self.seek(self.player.position() - SEEK_STEP_MS))):
            QShortcut(QKeySequence(key), self, activated=fn)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, activated=self.close)
        w, h = media.width or 640, media.height or 360
        scale = min(1.0, 960 / w, 600 / h)
        self.resize(max(420, int(w * scale)), int(h * scale) + 48)
        self._refresh_buttons()
        self._position(0)
        self.player.setSource(QUrl(reader.url(media)))
        if autoplay:
            self.player.play()

    # playing ----------------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self._failed:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self._want_play = False
            self.player.pause()
        else:
            self._want_play = True
            if self.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia:
                self.player.setPosition(0)
            self.player.play()

    def seek(self, ms: int) -> None:
        duration = self.player.duration() or int((self.media.duration or 0) * 1000)
        self.player.setPosition(max(0, min(int(ms), max(0, duration - 1))))

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
            return
        super().keyPressEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.video and event.type() == QEvent.Type.MouseButtonDblClick:
            self.toggle_fullscreen()
            return True
        if obj is self.video and event.type() == QEvent.Type.MouseButtonRelease:
            self.toggle_play()
            return True
        return super().eventFilter(obj, event)

    def _slider_moved(self, value: int) -> None:
        self.time_label.setText(self._time_text(value))

    def _slider_released(self) -> None:
        self._seeking = False
        self.seek(self.slider.value())

    def _slider_action(self, action: int) -> None:
        if not self.slider.isSliderDown():  # page clicks and keys on the slider
            QTimer.singleShot(0, lambda: self.seek(self.slider.value()))

    def _position(self, ms: int) -> None:
        if not self._seeking:
            self.slider.blockSignals(True)
            self.slider.setValue(int(ms))
            self.slider.blockSignals(False)
            self.time_label.setText(self._time_text(ms))

    def _duration(self, ms: int) -> None:
        if ms > 0:
            self.slider.setRange(0, int(ms))
            self._position(self.player.position())

    def _time_text(self, ms: int) -> str:
        total = (self.player.duration() / 1000) if self.player.duration() > 0 else self.media.duration
        return f"{human_duration(ms / 1000)} / {human_duration(total)}"

    def _refresh_buttons(self) -> None:
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setIcon(theme.icon("pause" if playing else "play"))
        self.play_button.setAccessibleDescription(self.tr("Playing") if playing else self.tr("Paused"))
        self.mute_button.setIcon(theme.icon("mute" if self.audio.isMuted() else "volume"))

    def _frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self.last_frame = frame
        if self.first_frame_at is None:
            self.first_frame_at = time.monotonic()
        self.frameShown.emit()

    def frame_image(self):  # noqa: ANN201 - QImage
        """The last frame shown as a QImage (grab() shows a QVideoWidget blank)."""
        return self.last_frame.toImage() if self.last_frame is not None else None

    # trouble -----------------------------------------------------------------------------------------
    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia and not self._renewable():
            self._cannot_play()
        elif status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia) \
                and self._resume_at is not None:
            at, self._resume_at = self._resume_at, None
            self.player.setPosition(at)
            if self._want_play:
                self.player.play()

    def _error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError:
            return
        if error == QMediaPlayer.Error.FormatError and self.last_frame is None:
            self._cannot_play()
            return
        if self._renewable():  # most likely the link expired: ask for a fresh one
            self._renew()
            return
        undecodable = error in (QMediaPlayer.Error.FormatError, QMediaPlayer.Error.ResourceError)
        if undecodable and self.last_frame is None:
            self._cannot_play()
        else:
            self._show_message(self.tr("The video stopped: %1. Check your connection and open it again.")
                               .replace("%1", text or self.tr("network error")))

    def _renewable(self) -> bool:
        now = time.monotonic()
        self.renewals = [t for t in self.renewals if now - t < RENEW_WINDOW_S]
        return len(self.renewals) < MAX_RENEWALS

    def _renew(self) -> None:
        """Fetch a fresh playback link and continue at the same position."""
        self.renewals.append(time.monotonic())
        position = self.player.position()

        def fresh(info: MediaInfo) -> None:
            if self._closed:
                return
            self.media = info
            self._resume_at = position
            self.player.setSource(QUrl(self.reader.url(info)))
            if self._want_play:
                self.player.play()

        def failed(message: str) -> None:
            if not self._closed:
                self._show_message(message)

        self.reader.refresh(self.media.id, fresh, failed)

    def _cannot_play(self) -> None:
        self._failed = True
        self.player.stop()
        self._show_message(self.tr("Parley can't play “%1” on this computer: its format is not supported "
                                   "here. Save it and open it with another video player.")
                           .replace("%1", self.media.filename or self.tr("this video")))

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(1)

    # saving ------------------------------------------------------------------------------------------
    def save_as(self, dest: str | None = None) -> None:
        """Ask where (unless given), then download with a progress bar; an interrupted save resumes."""
        if not isinstance(dest, str) or not dest:
            default = str(Path.home() / (self.media.filename or "video.mp4"))
            dest, _ = QFileDialog.getSaveFileName(self, self.tr("Save video as"), default)
            if not dest:
                return
        self.download_bar.setRange(0, 100)
        self.download_bar.setValue(0)
        self.download_bar.setFormat(self.tr("Saving %p%"))
        self.download_bar.show()
        self.more_button.setEnabled(False)
        self.save_button.setEnabled(False)

        def progress(done: int, total: int) -> None:
            if self._closed:
                return
            self.download_bar.setValue(int(100 * done / total) if total else 0)
            self.download_bar.setToolTip(f"{human_size(done)} / {human_size(total)}")

        def done(path: Path) -> None:
            self.saved_to = path
            if self._closed:
                return
            self.download_bar.setFormat(self.tr("Saved"))
            self.download_bar.setValue(100)
            self.more_button.setEnabled(True)
            self.save_button.setEnabled(True)

        def failed(message: str) -> None:
            if self._closed:
                return
            self.download_bar.hide()
            self.more_button.setEnabled(True)
            self.save_button.setEnabled(True)
            self._show_message(self.tr("Saving stopped: %1 Try again to continue where it left off.")
                               .replace("%1", message)) if self._failed else self.setToolTip(tooltip(message))

        self._download = self.reader.save_as(self.media, dest, progress, done, failed)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        self.player.stop()
        if self._download is not None:
            self._download.stop("closed")
        self.closed.emit(self.media.id)
        super().closeEvent(event)
