"""The video player: a top-level window that streams a video from the server and seeks at once.

QMediaPlayer (Qt's FFmpeg backend) reads the stream URL with HTTP Range
requests, so playback starts after the first bytes and a seek fetches only the
bytes it needs. The URL carries a short-lived token (or redirects to a
presigned S3 URL); when it expires mid-play the player asks the server for a
fresh link and carries on at the same position. Once the video's HLS encode is ready it plays a
rendition's playlist instead, picked by the quality menu (:mod:`desktop.ui.player_quality`). A file the backend cannot
decode is said so plainly, with "Save video as…" instead of a black box.

Threading rule (issue 12, the close freeze; evidence in docs/architecture.md): Qt's FFmpeg backend
destroys its renderers on its own threads, and ``~QObject`` there calls ``disconnectNotify`` on every
sender still connected, here our QAudioOutput, while it holds a Qt signal-slot mutex. For an object
made from Python that virtual is PySide's override lookup, which takes the GIL; the GUI thread,
holding the GIL inside ``QMediaPlayer.stop()`` (PySide releases the GIL only for ``setSource``),
waited for the same mutex: a deadlock. So (1) :func:`settle_overrides` makes PySide resolve those
lookups once, here, so no multimedia thread ever needs the GIL; (2) the pipeline is torn down with
``setSource(QUrl())``, the one call that runs without the GIL.
"""
from __future__ import annotations

import time
from pathlib import Path

import shiboken6

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QMouseEvent, QShortcut
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
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.media import MediaInfo
from desktop.core.uploads import human_duration, human_size
from desktop.qt.media import MediaReader
from desktop.qt.playback_watch import StallWatch
from desktop.qt.positions import PlaybackPositions, PositionSaver
from desktop.ui import theme
from desktop.ui.player_quality import PlayerQuality
from desktop.ui.plain import plain, tooltip
from desktop.ui.resume_offer import ResumeOffer
from desktop.ui.shortcuts_dialog import SEND_MOMENT_KEYS

MAX_RENEWALS = 3  # fresh links asked for within RENEW_WINDOW_S before giving up
RENEW_WINDOW_S = 60.0
SEEK_STEP_MS = 5000
EARLY_END_MS = 3000  # HLS: an end this far before the duration is segments refused (an expired link)
LINK_GONE = (401, 403, 404, 410)  # what a playback link answers once it expired (S3: 403)


def _noop(*_: object) -> None:
    pass


def settle_overrides(*objects: QObject) -> None:
    """Make PySide look up (and cache as absent) the Python overrides of ``connectNotify`` and
    ``disconnectNotify`` of these Python-made objects now, on the GUI thread.

    Shiboken caches a failed override lookup per object (``Sbk_GetPyOverride`` then returns before
    taking the GIL). Until the first lookup, every call of those virtuals takes the GIL, including the
    one a Qt multimedia thread makes from ``~QObject`` while it holds a signal-slot mutex: the inversion
    that froze the app when a player closed. Connecting and disconnecting a no-op slot runs both lookups.
    """
    for obj in objects:
        obj.destroyed.connect(_noop)
        obj.destroyed.disconnect(_noop)


class SeekSlider(QSlider):
    """The position slider: a click on the groove jumps there, as in every video player.

    A plain QSlider only moves one page towards the click. After the jump the handle is under the
    pointer, so the same press goes on as a drag.

    Signals:
        jumped(int): the value clicked, in ms.
    """

    jumped = Signal(int)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
            style = self.style()
            handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                          QStyle.SubControl.SC_SliderHandle, self)
            point = event.position().toPoint()
            if not handle.contains(point):
                groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                              QStyle.SubControl.SC_SliderGroove, self)
                span = max(1, groove.width() - handle.width())
                x = point.x() - groove.x() - handle.width() // 2
                value = QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), max(0, min(x, span)),
                                                       span, opt.upsideDown)
                self.setValue(value)
                self.jumped.emit(value)
        super().mousePressEvent(event)


class PlayerWindow(QWidget):
    """Plays one video. Never parented to a chat window, so it keeps playing when that closes.

    Attributes:
        player, audio, video: the Qt multimedia objects (tests and the benchmark watch them).
        last_frame: the newest QVideoFrame shown (for tests and screenshots: grab() shows a video blank).
        first_frame_at: time.monotonic() of the first frame shown, None before.

    Signals:
        closed(str): the media id, when the window closes.
        frameShown(): a new frame reached the screen.
        momentRequested(float): "Send this moment" at these seconds (the app writes it into the chat).
    """

    closed = Signal(str)
    frameShown = Signal()
    momentRequested = Signal(float)

    def __init__(self, media: MediaInfo, reader: MediaReader, *, autoplay: bool = True,
                 return_focus: QWidget | None = None, positions: PlaybackPositions | None = None,
                 start_at: float | None = None, can_send_moment: bool = False) -> None:
        """``return_focus``: the widget that gets the focus back when the player closes (the composer of
        the chat it was opened from), instead of whatever last had it in that window (the message list
        that was clicked). ``positions``: where I stopped videos (the resume offer, and saving where I
        stop this one). ``start_at``: open at these seconds (a moment link). ``can_send_moment``: the
        video belongs to a stored message, so "Send this moment" can point at it."""
        super().__init__()
        self._return_focus = return_focus
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
        self.closed_ = False  # the same, for the quality control
        self._checking_link = False
        self._download = None
        self.setWindowTitle(self.tr("%1 — Parley").replace("%1", media.filename or self.tr("Video")))

        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.video = QVideoWidget()
        settle_overrides(self, self.player, self.audio, self.video)  # before any multimedia thread exists
        self.player.setAudioOutput(self.audio)
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
        self.slider = SeekSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName(self.tr("Position"))
        self.slider.setMinimumWidth(140)  # a small video's window must not squeeze it away
        self.slider.setSingleStep(SEEK_STEP_MS)  # arrow keys on the slider, like the window's arrows
        self._set_range(int((media.duration or 0) * 1000))
        self.slider.jumped.connect(self.seek)
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
        self.quality = PlayerQuality(self, reader)
        self.download_bar = QProgressBar()
        self.download_bar.setAccessibleName(self.tr("Download progress"))
        self.download_bar.setMaximumWidth(140)
        self.download_bar.hide()
        self.moment_button = QToolButton()
        self.moment_button.setText(self.tr("Send this moment"))
        self.moment_button.setAccessibleName(self.tr("Send this moment"))
        self.moment_button.setToolTip(self.tr("Put a link to this moment in the chat (%1)").replace(
            "%1", QKeySequence(SEND_MOMENT_KEYS).toString(QKeySequence.SequenceFormat.NativeText)))
        self.moment_button.clicked.connect(self.send_moment)
        self.moment_button.setVisible(can_send_moment)
        self.resume_offer = ResumeOffer()
        self.resume_offer.accepted.connect(self._resume_from)

        controls = QHBoxLayout()
        controls.setContentsMargins(10, 6, 10, 8)
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        controls.addWidget(self.mute_button)
        controls.addWidget(self.volume)
        controls.addWidget(self.download_bar)
        controls.addWidget(self.moment_button)
        controls.addWidget(self.quality.button)
        controls.addWidget(self.more_button)
        controls.addWidget(self.full_button)
        self.controls = QWidget()
        self.controls.setObjectName("playerControls")
        self.controls.setLayout(controls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self.stack, 1)
        layout.addWidget(self.resume_offer)
        layout.addWidget(self.controls)

        self.player.positionChanged.connect(self._position)
        self.player.durationChanged.connect(self._duration)
        self.player.playbackStateChanged.connect(self._state_changed)
        self.player.errorOccurred.connect(self._error)
        self.player.mediaStatusChanged.connect(self._status)
        # an MKV on an expired link stops without an error: notice it, then ask whether the link died
        self.stall_watch = StallWatch(self.player, lambda: self._want_play and not self._failed, self)
        self.stall_watch.stalled.connect(self._stalled)
        self.audio.mutedChanged.connect(lambda *_: self._refresh_buttons())
        for key, fn in ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_F, self.toggle_fullscreen),
                        (Qt.Key.Key_M, lambda: self.mute_button.toggle()),
                        (Qt.Key.Key_Right, lambda: self.seek(self.player.position() + SEEK_STEP_MS)),
                        (Qt.Key.Key_Left, lambda: self.seek(self.player.position() - SEEK_STEP_MS)),
                        (Qt.Key.Key_Up, lambda: self.volume.setValue(self.volume.value() + 10)),
                        (Qt.Key.Key_Down, lambda: self.volume.setValue(self.volume.value() - 10))):
            QShortcut(QKeySequence(key), self, activated=fn)
        QShortcut(QKeySequence.StandardKey.Close, self, activated=self.close)  # every binding: Ctrl+W and Ctrl+F4
        QShortcut(QKeySequence(Qt.Key.Key_R), self, activated=self.resume_offer.take)
        if can_send_moment:
            QShortcut(QKeySequence(SEND_MOMENT_KEYS), self, activated=self.send_moment)
        # resume anywhere: save where I stop; offer where I stopped (here or on another device)
        self.positions = positions
        self.position_saver: PositionSaver | None = None
        if positions is not None:
            self.position_saver = PositionSaver(self.player, lambda seconds: positions.save(self.media, seconds),
                                                self)
            positions.changed.connect(self._position_known)
            if start_at is None:
                self.resume_offer.offer(positions.of(media))
        w, h = media.width or 640, media.height or 360
        scale = min(1.0, 960 / w, 600 / h)
        offer_h = 0 if self.resume_offer.isHidden() else self.resume_offer.sizeHint().height()
        self.resize(max(420, int(w * scale)), int(h * scale) + 48 + offer_h)  # the offer takes no picture
        self._refresh_buttons()
        self._position(0)
        if start_at is not None and start_at > 0:  # a moment: seek once the media is loaded
            self._resume_at = int(start_at * 1000)
            if self.position_saver is not None:
                self.position_saver.seeked()
        self.player.setSource(QUrl(self.quality.source_url(media)))
        if autoplay:
            self.player.play()
        if not media.hls_ready:  # the cached media object may predate the encode: ask once
            reader.refresh(media.id, self.media_updated)

    # playing ----------------------------------------------------------------------------------------
    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def switch_source(self, url: str, position: int | None = None) -> None:
        """Play ``url`` (another rendition, a fresh link) from the same position, playing or paused as
        before; the last picture stays on screen while the new stream opens."""
        if position is None:
            position = self._resume_at if self._resume_at is not None else self.player.position()
        frame = self.last_frame
        self._resume_at = position
        self.player.setSource(QUrl(url))
        if frame is not None:
            self.video.videoSink().setVideoFrame(frame)
        self.stall_watch.rearm()
        if self._want_play:
            self.player.play()  # paused: _status seeks, then pauses, which shows the frame there

    def media_updated(self, info: MediaInfo) -> None:
        """A newer media object (``media:status``, or the refresh at open). When the HLS encode became
        ready while the original plays: switch now only if the person is not watching (paused, or no
        picture yet); otherwise the menu offers the renditions and the next open plays them."""
        if self._closed or info.id != self.media.id or not info.hls_ready or self.quality.playing is not None:
            return
        self.media = info
        watching = self._want_play and self.last_frame is not None
        if watching or self._failed:
            self.quality.offer(info)
        else:
            self.switch_source(self.quality.source_url(info))

    def _state_changed(self, *_: object) -> None:
        self._refresh_buttons()
        if not self.is_playing():
            self.quality.paused()

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
        """Go to ``ms``; the picture shows that frame even when paused or after the end."""
        if self.position_saver is not None:
            self.position_saver.seeked()
        duration = self.player.duration() or int((self.media.duration or 0) * 1000)
        if self.player.playbackState() == QMediaPlayer.PlaybackState.StoppedState and not self._failed:
            self._want_play = False
            self.player.pause()  # a stopped player (the end reached) decodes nothing: paused, it does
        self.player.setPosition(max(0, min(int(ms), max(0, duration - 1))))

    # resume and moments ----------------------------------------------------------------------------------
    def _resume_from(self, seconds: float) -> None:
        self._want_play = True
        self.seek(int(seconds * 1000))
        self.player.play()

    def _position_known(self, media_id: str) -> None:
        """Another device of mine saved where it stopped this video: a fresher offer (not once this
        player saves: then the change is its own, and the offer would chase the playhead)."""
        if media_id == self.media.id and self.positions is not None and not self._closed \
                and not (self.position_saver is not None and self.position_saver.has_saved):
            self.resume_offer.offer(self.positions.of(self.media))

    def send_moment(self) -> None:
        """Put a link to the current time into the chat this video came from (the app does the writing)."""
        if not self.moment_button.isHidden():  # only for a video of a stored message
            self.momentRequested.emit(self.player.position() / 1000)

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
            self._set_range(int(ms))
            self._position(self.player.position())

    def _set_range(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.slider.setPageStep(max(SEEK_STEP_MS, ms // 10))  # Page Up/Down: a tenth of the video

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
        self.stall_watch.frame_shown()
        self.frameShown.emit()

    def frame_image(self):  # noqa: ANN201 - QImage
        """The last frame shown as a QImage (grab() shows a QVideoWidget blank)."""
        return self.last_frame.toImage() if self.last_frame is not None else None

    # trouble -----------------------------------------------------------------------------------------
    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia and not self._renewable():
            self._cannot_play()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia and self.last_frame is not None:
            # the backend blanks the picture at the end: keep showing the last frame instead
            self.video.videoSink().setVideoFrame(self.last_frame)
            shown = self.last_frame.startTime() // 1000
            if self.quality.playing is not None and shown < self.player.duration() - EARLY_END_MS:
                # FFmpeg's HLS reader skips segments it is refused (an expired link answers 401) and
                # then ends: ask whether the link died, and go on from the last picture shown
                self._stalled(int(shown))
        elif status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia) \
                and self._resume_at is not None:
            at, self._resume_at = self._resume_at, None
            self.player.setPosition(at)
            if self._want_play:
                self.player.play()
            elif not self._failed:
                self.player.pause()  # a paused switch: decode and show the frame at the position

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

    def _stalled(self, position: int) -> None:
        """Playing, but the picture stands still: renew the link if the server no longer honours it;
        on a working link it is the network: Auto steps down a rendition."""
        if self._closed or self._failed or self._checking_link:
            return
        self._checking_link = True
        url = self.player.source().toString()
        ended = self.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia

        def answered(status: int) -> None:
            self._checking_link = False
            if self._closed or url != self.player.source().toString():
                return
            if status not in LINK_GONE:  # a slow network: the link works, keep waiting
                self.stall_watch.rearm()
                if not ended and self.stall_watch.position_stuck:  # a frozen clock: the network
                    self.quality.stalled()
            elif self._renewable():
                self._renew(position if ended else None)
            else:
                self._show_message(self.tr("The video stopped: %1. Check your connection and open it again.")
                                   .replace("%1", self.tr("the link expired")))

        def unreachable(_message: str) -> None:
            self._checking_link = False
            if not self._closed:
                self.stall_watch.rearm()

        self.reader.link_status(url, answered, unreachable)

    def _renewable(self) -> bool:
        now = time.monotonic()
        self.renewals = [t for t in self.renewals if now - t < RENEW_WINDOW_S]
        return len(self.renewals) < MAX_RENEWALS

    def _renew(self, position: int | None = None) -> None:
        """Fetch a fresh playback link (or rendition playlist) and continue at the same position."""
        self.renewals.append(time.monotonic())
        if position is None:
            position = self._resume_at if self._resume_at is not None else self.player.position()

        def fresh(info: MediaInfo) -> None:
            if self._closed:
                return
            self.media = info
            self.switch_source(self.quality.source_url(info), position)

        def failed(message: str) -> None:
            if not self._closed:
                self._show_message(message)

        self.reader.refresh(self.media.id, fresh, failed)

    def _teardown(self) -> None:
        """Stop and release the decoding pipeline without holding the GIL (see the module docstring)."""
        self.player.setSource(QUrl())  # PySide runs setSource with the GIL released; stop() holds it
        self.last_frame = None

    def _cannot_play(self) -> None:
        self._failed = True
        self._teardown()
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
        self._closed = self.closed_ = True
        if self.position_saver is not None:
            self.position_saver.finish()  # before the teardown, which zeroes the position
        self.stall_watch.stop()
        self.quality.stop()
        self._teardown()
        if self._download is not None:
            self._download.stop("closed")
        self.closed.emit(self.media.id)
        super().closeEvent(event)
        self._give_back_focus()

    def _give_back_focus(self) -> None:
        target = self._return_focus
        self._return_focus = None
        if target is None or not shiboken6.isValid(target) or not target.window().isVisible():
            return
        window = target.window()
        window.raise_()
        window.activateWindow()
        target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
