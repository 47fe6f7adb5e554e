"""Reading videos from the server for the GUI: fresh media links, poster frames, "Save video as".

Every call runs on the app's :class:`TaskRunner`; callbacks run on the GUI thread. Poster
frames are kept in memory by media id so a scrolled history repaints at once.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.core.errors import ParleyError
from desktop.core.media import MediaInfo, Rendition
from desktop.net import hls
from desktop.net.uploads import Control, Interrupted, MediaClient, download
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

THROUGHPUT_FRESH_S = 600.0


class MediaReader(QObject):
    """Fresh metadata, posters and downloads of videos.

    Signals:
        thumbnailReady(str): the poster of this media id is now in :meth:`thumbnail`.
        _done(object, object): worker -> GUI thread (callback, value).
    """

    thumbnailReady = Signal(str)
    _done = Signal(object, object)

    def __init__(self, client: MediaClient, parent: QObject | None = None, *, runner: TaskRunner) -> None:
        """``runner``: the app's network runner (the app owns it and shuts it down)."""
        super().__init__(parent)
        self.client = client
        self.runner = runner
        self._thumbs: dict[str, QImage] = {}
        self._loading: set[str] = set()
        self._throughput: tuple[float, float] | None = None  # (bits/s, when measured), for the next player
        self._done.connect(lambda cb, value: cb(value))

    def _spawn(self, work: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[str], None] | None, name: str) -> None:
        """Run ``work`` on the task runner; errors reach ``on_error`` as a sentence to show."""
        def failed(exc: Exception) -> None:
            if isinstance(exc, Interrupted):
                return
            if isinstance(exc, ParleyError):
                message = exc.message
            else:  # shown to the person, never raised on a worker
                log.error("%s failed", name, exc_info=exc)
                message = f"Something went wrong: {exc}"
            if on_error is not None:
                on_error(message)

        self.runner.run(work, on_done, failed, guard=self)

    def url(self, info: MediaInfo) -> str:
        """The absolute playback URL (it carries its own token; a player adds no header)."""
        return self.client.absolute(info.playback_url or f"/api/media/{info.id}/stream")

    def rendition_url(self, rendition: Rendition) -> str:
        """The absolute URL of an HLS media playlist (signed like ``playback_url``)."""
        return self.client.absolute(rendition.url)

    @property
    def throughput_bps(self) -> float | None:
        """The last link measurement of this session, if recent (THROUGHPUT_FRESH_S): Auto starts from it."""
        if self._throughput is None or time.monotonic() - self._throughput[1] > THROUGHPUT_FRESH_S:
            return None
        return self._throughput[0]

    def measure(self, rendition: Rendition, at_seconds: float, on_done: Callable[[hls.Sample], None],
                *, max_seconds: float = 1.5) -> None:
        """Timed fetch of ``rendition``'s playlist and the segment at ``at_seconds`` (see desktop.net.hls)."""
        def done(sample: hls.Sample) -> None:
            if sample.bps is not None:
                self._throughput = (sample.bps, time.monotonic())
            on_done(sample)

        self._spawn(lambda: hls.measure(self.client, rendition.url, at_seconds=at_seconds,
                                        max_seconds=max_seconds), done,
                    lambda _message: on_done(hls.Sample(0, 0.0, 0)), "media-measure")

    def refresh(self, media_id: str, on_done: Callable[[MediaInfo], None],
                on_error: Callable[[str], None] | None = None) -> None:
        """``GET /api/media/{id}``: current state and fresh links."""
        self._spawn(lambda: self.client.media(media_id), on_done, on_error, "media-refresh")

    def link_status(self, url: str, on_done: Callable[[int], None],
                    on_error: Callable[[str], None] | None = None) -> None:
        """The HTTP status a player gets for ``url`` now (401/403: the link expired)."""
        self._spawn(lambda: self.client.probe(url), on_done, on_error, "media-probe")

    # posters -----------------------------------------------------------------------------------------
    def thumbnail(self, info: MediaInfo) -> QImage | None:
        """The poster if loaded; otherwise start loading it and emit thumbnailReady later."""
        image = self._thumbs.get(info.id)
        if image is not None or not info.ready or info.id in self._loading:
            return image
        self._loading.add(info.id)
        url = info.thumbnail_url or f"/api/media/{info.id}/thumbnail"

        def work() -> QImage:
            r = self.client.fetch(url)
            if r.status_code != 200:
                raise ParleyError(f"poster: HTTP {r.status_code}")
            img = QImage()
            if not img.loadFromData(r.content):
                raise ParleyError("poster: not an image")
            return img

        def done(img: QImage) -> None:
            self._loading.discard(info.id)
            self._thumbs[info.id] = img
            self.thumbnailReady.emit(info.id)

        def failed(message: str) -> None:
            self._loading.discard(info.id)
            log.info("poster of %s: %s", info.id, message)

        self._spawn(work, done, failed, "media-poster")
        return None

    # saving ---------------------------------------------------------------------------------------------
    def save_as(self, info: MediaInfo, dest: str | Path, on_progress: Callable[[int, int], None],
                on_done: Callable[[Path], None], on_error: Callable[[str], None]) -> Control:
        """Download to ``dest`` (resuming ``dest.part`` if an earlier try stopped); returns its Control."""
        control = Control()
        state = {"url": self.url(info), "fresh": True}

        def url() -> str:
            if not state["fresh"]:  # a retry: the link may have expired, ask for a new one
                state["url"] = self.url(self.client.media(info.id))
            state["fresh"] = False
            return str(state["url"])

        def progress(done: int, total: int) -> None:
            self._done.emit(lambda v: on_progress(*v), (done, total))

        self._spawn(lambda: download(self.client, url, dest, control, progress), on_done, on_error,
                    "media-save")
        return control
