"""Video uploads in the background: progress signals, pause/resume/cancel, resume at start-up.

Each upload runs as a task of the app's network :class:`TaskRunner` through
:class:`desktop.net.uploads.Uploader`, which sends up to ``connections`` parts at
once as jobs of the upload-parts runner (a pool of their own, so uploads waiting
for their parts never fill the pool the parts need), and then waits for the
server's processing. Signals reach the GUI thread queued. The upload's state is
kept in the profile's :class:`UploadStore`, written only on the app's disk runner
(one thread, in order, shared with the message cache), so a crash or a reboot
loses nothing: :meth:`UploadManager.resume_unfinished` picks every upload up
where it stopped. When a video is ready, :attr:`UploadManager.readyToSend` hands it to
the chat layer, which queues the message in its outbox and then calls
:meth:`UploadManager.handed_over`; only then is the upload's record deleted.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.errors import ApiError, NetworkError, NotSignedIn, ParleyError
from desktop.core.media import MediaInfo
from desktop.core.uploads import (
    DEFAULT_MAX_UPLOAD,
    FAILED,
    PAUSED,
    PROCESSING,
    QUEUED,
    UPLOADING,
    RateMeter,
    UploadState,
    UploadStore,
    VideoFile,
    VideoRefused,
    human_size,
    inspect_video,
)
from desktop.net.uploads import Control, Interrupted, MediaClient, Uploader, abort_upload, wait_processed
from desktop.qt.tasks import TaskRunner
from desktop.qt.upload_progress import PROGRESS_EVERY_S, Progress, ProgressTicks

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class PreparedVideo:
    """A checked file and the upload the server already accepted for it (its size was within the limit)."""

    video: VideoFile
    created: dict[str, Any]


class _Job:
    def __init__(self, state: UploadState) -> None:
        self.state = state  # the GUI thread's copy
        self.control: Control | None = None
        self.started = threading.Event()  # its task began on a worker
        self.finished = threading.Event()  # ... and ended (shutdown waits for this)
        self.meter = RateMeter()
        self.progress = Progress(state.bytes_done(), state.size, 0.0, None)
        self.retry_delay = 1.0
        self.ticks = ProgressTicks()
        self.announced_at = 0.0  # monotonic time of the last progress signal
        self.announce_due = False  # a trailing progress signal is scheduled


class UploadManager(QObject):
    """All video uploads of the signed-in account.

    Signals:
        changed(UploadState): an upload was added or its phase / error changed.
        progress(str, Progress): upload key (the message's client id) and its progress.
        readyToSend(UploadState, MediaInfo): processed and ready; queue the message, then call handed_over.
        removed(str): an upload was cancelled or handed over.
        _event(str, str, object): worker -> GUI thread (key, kind, payload).
    """

    part_retries = 4  # tries of one part before the upload waits for the network

    changed = Signal(object)
    progress = Signal(str, object)
    readyToSend = Signal(object, object)
    removed = Signal(str)
    _event = Signal(str, str, object)

    def __init__(self, client: MediaClient, store: UploadStore, owner: str, *, runner: TaskRunner,
                 disk: TaskRunner, parts: TaskRunner, connections: int = 3, max_running: int = 2,
                 parent: QObject | None = None) -> None:
        """``runner``: the network runner (each upload's task); ``disk``: the one disk thread (the
        upload records); ``parts``: the upload-parts runner, with ``connections * max_running``
        threads. The app owns all three and shuts them down (desktop/qt/tasks.py)."""
        super().__init__(parent)
        self.client = client
        self.store = store
        self.runner = runner
        self.disk = disk
        self.parts = parts
        self._writes = QueuedWrites(store, self.disk)
        self.owner = owner
        self.connections = connections
        self.max_running = max_running
        self.max_bytes = DEFAULT_MAX_UPLOAD
        self.uploaders: list[Uploader] = []  # every uploader made (tests read which parts were sent)
        self._jobs: dict[str, _Job] = {}
        self._handing: set[str] = set()
        self._closed = False
        self._event.connect(self._on_event)

    # reading ------------------------------------------------------------------------------------
    def uploads(self, peer_id: str | None = None) -> list[UploadState]:
        return [j.state.copy() for j in self._jobs.values() if peer_id is None or j.state.peer_id == peer_id]

    def get(self, key: str) -> UploadState | None:
        job = self._jobs.get(key)
        return job.state.copy() if job else None

    def progress_of(self, key: str) -> Progress | None:
        job = self._jobs.get(key)
        return job.progress if job else None

    def sent_parts(self) -> list[int]:
        """Part numbers PUT by this manager, in order (for tests and diagnostics)."""
        return [n for u in self.uploaders for n in u.sent_parts]

    # checking a file -------------------------------------------------------------------------------
    def prepare(self, path: str, on_ok: Callable[[PreparedVideo], None],
                on_refused: Callable[[str], None]) -> None:
        """Check a file on a worker thread: it must be a video, and the server must accept its size.

        The server's answer to creating the upload is the size check (its limit, its quota), so a
        refusal comes before a single byte is sent. ``on_refused`` gets the sentence to show.
        """
        def work() -> None:
            try:
                video = inspect_video(path, self.max_bytes)
                created = self.client.create_upload(video.name, video.size, video.content_type)
            except VideoRefused as exc:
                self._event.emit("", "refused", (on_refused, exc.message))
            except ApiError as exc:
                message = exc.message
                if exc.status == 413 or exc.code in ("file_too_large", "quota_exceeded"):
                    message = f"“{_name(path)}” can't be sent. {exc.message}"
                self._event.emit("", "refused", (on_refused, message))
            except (NetworkError, NotSignedIn) as exc:
                self._event.emit("", "refused", (on_refused, f"Can't check the video with the server: {exc}"))
            except Exception as exc:  # noqa: BLE001 - shown, never raised on a worker
                log.exception("checking %s failed", path)
                self._event.emit("", "refused", (on_refused, f"“{_name(path)}” can't be sent: {exc}"))
            else:
                self._event.emit("", "prepared", (on_ok, PreparedVideo(video, created)))

        self.runner.run(work)

    def discard(self, prepared: PreparedVideo) -> None:
        """The person changed their mind: cancel the upload the check created."""
        upload_id = str(prepared.created.get("upload_id") or "")

        def work() -> None:
            try:
                self.client.abort(upload_id)
            except ParleyError as exc:
                log.info("discarding upload %s: %s (it expires on the server)", upload_id, exc)

        if upload_id:
            self.runner.run(work)

    # starting and steering ---------------------------------------------------------------------------
    def start(self, prepared: PreparedVideo, peer_id: str) -> UploadState:
        """Begin uploading a checked video for a message to ``peer_id``; returns its state (key = client id)."""
        v, created = prepared.video, prepared.created
        state = UploadState(key=str(uuid.uuid4()), owner=self.owner, peer_id=peer_id, path=v.path,
                            filename=v.name, size=v.size, mtime=v.mtime, content_type=v.content_type,
                            duration=v.duration)
        if created.get("upload_id"):
            state.upload_id = str(created["upload_id"])
            state.part_size = int(created["part_size"])
            state.part_count = int(created.get("part_count") or 0)
        job = _Job(state)
        self._jobs[state.key] = job
        self._save(state)  # on disk before anything else: a crash from here on resumes it
        self.changed.emit(state.copy())
        self._pump()
        return state.copy()

    def pause(self, key: str) -> None:
        job = self._jobs.get(key)
        if job is None or job.state.phase not in (QUEUED, UPLOADING):
            return
        if job.control is not None:
            job.control.stop("paused")  # the worker saves PAUSED when it stops
        else:
            self._set_phase(job, PAUSED)
            self._save(job.state)

    def resume(self, key: str) -> None:
        job = self._jobs.get(key)
        if job is None or job.state.phase not in (PAUSED, QUEUED) or job.control is not None:
            return
        job.retry_delay = 1.0
        self._set_phase(job, QUEUED)
        self._pump()

    def retry(self, key: str) -> None:
        """Send a failed video again from the start."""
        job = self._jobs.get(key)
        if job is None or job.state.phase != FAILED or job.control is not None:
            return
        job.state.restart()
        self._set_phase(job, QUEUED)
        self._pump()

    def cancel(self, key: str) -> None:
        job = self._jobs.get(key)
        if job is None:
            return
        if job.control is not None:
            job.control.stop("cancelled")  # the worker aborts on the server when it stops
            return
        state = job.state.copy()
        self._forget(key)
        self.runner.run(lambda: abort_upload(self.client, self._writes, state))

    def resume_unfinished(self, on_done: Callable[[int], None] | None = None) -> None:
        """Load this account's unfinished uploads from disk and carry on with them (start-up)."""
        def work() -> None:
            try:
                states = self.store.load(self.owner)
            except Exception as exc:  # noqa: BLE001
                log.error("reading unfinished uploads: %s", exc)
                states = []
            self._event.emit("", "loaded", (states, on_done))

        self.disk.run(work)

    def network_back(self) -> None:
        """The connection returned: try waiting uploads now instead of at their next retry."""
        for job in self._jobs.values():
            if job.state.phase == QUEUED:
                job.retry_delay = 1.0
        self._pump()

    def media_status(self, info: MediaInfo) -> None:
        """``media:status`` from the socket: the server finished processing one of my videos."""
        for job in self._jobs.values():
            if job.state.media_id == info.id and job.state.phase == PROCESSING:
                if job.control is not None:
                    job.control.stop("processed")
                self._processed(job, info)
                return

    def handed_over(self, key: str) -> None:
        """The chat layer's outbox holds the message now: the upload's record can go."""
        self._handing.discard(key)
        self._forget(key)
        self._writes.remove(key)

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop every worker (their state stays on disk, resumed at the next start)."""
        self._closed = True
        for job in self._jobs.values():
            if job.control is not None:
                job.control.stop("shutdown")
        deadline = time.monotonic() + timeout
        for job in list(self._jobs.values()):
            if job.started.is_set():
                job.finished.wait(max(0.0, deadline - time.monotonic()))
        self.disk.wait_idle(max(500, int(1000 * (deadline - time.monotonic()))))  # the writes land

    # internals -------------------------------------------------------------------------------
    def _pump(self) -> None:
        if self._closed:
            return
        running = sum(1 for j in self._jobs.values() if j.control is not None)
        for job in self._jobs.values():
            if running >= self.max_running:
                break
            if job.control is not None:
                continue
            waiting_for_server = job.state.phase == PROCESSING and job.state.key not in self._handing
            if job.state.phase in (QUEUED, UPLOADING) or waiting_for_server:
                self._run(job)
                running += 1

    def _run(self, job: _Job) -> None:
        control = Control()
        job.control = control
        state = job.state.copy()  # the worker's own copy
        if state.phase != PROCESSING:
            self._set_phase(job, UPLOADING)
            state.phase = UPLOADING
        uploader = Uploader(self.client, self._writes, spawn=self.parts.start, connections=self.connections,
                            retries=self.part_retries)
        self.uploaders.append(uploader)
        job.meter.reset()
        key = state.key
        ticks = job.ticks

        def on_progress(done: int, total: int) -> None:
            if ticks.put(done, total):
                self._event.emit(key, "progress", ticks)

        job.started.clear()
        job.finished.clear()

        def after_writes(kind: str, payload: Any) -> None:
            """Announce an outcome once the upload's records written so far are on disk (FIFO)."""
            self.disk.run(functools.partial(self._event.emit, key, kind, payload))

        def work() -> None:
            job.started.set()
            try:
                if state.phase != PROCESSING or not state.media_id:
                    uploader.run(state, control, on_progress)
                    after_writes("uploaded", state.copy())
                assert state.media_id is not None
                info = wait_processed(self.client, state.media_id, control)
                after_writes("processed", info)
            except Interrupted as exc:
                if exc.reason == "cancelled":
                    abort_upload(self.client, self._writes, state)
                elif exc.reason == "paused":
                    state.phase = PAUSED
                    self._writes.save(state)
                after_writes("stopped", (exc.reason, state.copy()))
            except (VideoRefused, ApiError) as exc:
                if isinstance(exc, ApiError) and exc.is_session_error:
                    after_writes("offline", (str(exc), state.copy()))
                    return
                state.phase = FAILED
                state.error = exc.message
                self._writes.save(state)
                after_writes("stopped", ("failed", state.copy()))
            except (NetworkError, NotSignedIn) as exc:
                after_writes("offline", (str(exc), state.copy()))
            except Exception as exc:  # noqa: BLE001 - never lost on a worker thread
                log.exception("upload %s failed", key)
                state.phase = FAILED
                state.error = f"The upload stopped: {exc}"
                self._writes.save(state)
                after_writes("stopped", ("failed", state.copy()))
            finally:
                job.finished.set()

        # FIFO: the saves of this upload queued so far land before its worker starts
        def start(_: object) -> None:
            self.runner.run(work)

        self.disk.run(lambda: None, start, guard=self)

    def _on_event(self, key: str, kind: str, payload: Any) -> None:
        if kind == "refused":
            callback, message = payload
            callback(message)
            return
        if kind == "prepared":
            callback, prepared = payload
            callback(prepared)
            return
        if kind == "loaded":
            states, on_done = payload
            for st in states:
                if st.key not in self._jobs:
                    self._jobs[st.key] = _Job(st)
                    self.changed.emit(st.copy())
            self._pump()
            if on_done is not None:
                on_done(len(states))
            return
        job = self._jobs.get(key)
        if job is None:
            return
        if kind == "progress":
            newest = payload.take() if payload is job.ticks else None
            if newest is None:
                return
            done, total, now = newest
            job.meter.add(done, now)
            job.progress = Progress(done, total, job.meter.rate(), job.meter.eta(done, total))
            self._announce(job)
        elif kind == "uploaded":
            job.state = payload
            job.progress = Progress(job.state.size, job.state.size, job.progress.rate, 0.0)
            self.progress.emit(key, job.progress)
            self.changed.emit(job.state.copy())
        elif kind == "processed":
            job.control = None
            self._processed(job, payload)
            self._pump()
        elif kind == "stopped":
            reason, state = payload
            job.control = None
            if reason == "cancelled":
                self._forget(key)
            elif reason in ("paused", "failed"):
                job.state = state
                job.progress = Progress(state.bytes_done(), state.size, 0.0, None)
                self.changed.emit(state.copy())
            self._pump()
        elif kind == "offline":
            message, state = payload
            job.control = None
            job.state = state
            job.state.phase = QUEUED if state.phase != PROCESSING else PROCESSING
            job.state.error = message
            job.progress = Progress(state.bytes_done(), state.size, 0.0, None)
            self.changed.emit(job.state.copy())
            delay = job.retry_delay
            job.retry_delay = min(job.retry_delay * 2, 30.0)
            QTimer.singleShot(int(delay * 1000), self._pump)

    def _announce(self, job: _Job) -> None:
        """Emit ``progress`` at most every PROGRESS_EVERY_S, and always the last value (a trailing signal)."""
        wait = job.announced_at + PROGRESS_EVERY_S - time.monotonic()
        if wait <= 0 or job.progress.done >= job.progress.total:
            self._announce_now(job)
        elif not job.announce_due:
            job.announce_due = True
            QTimer.singleShot(int(wait * 1000) + 1, self, functools.partial(self._announce_due, job.state.key))

    def _announce_due(self, key: str) -> None:
        job = self._jobs.get(key)
        if job is not None and job.announce_due:
            self._announce_now(job)

    def _announce_now(self, job: _Job) -> None:
        job.announce_due = False
        job.announced_at = time.monotonic()
        self.progress.emit(job.state.key, job.progress)

    def _processed(self, job: _Job, info: MediaInfo) -> None:
        if job.state.key in self._handing or job.state.key not in self._jobs:
            return
        if info.failed:
            job.state.phase = FAILED
            job.state.error = info.error or "The server could not process this video."
            self._save(job.state)
            self.changed.emit(job.state.copy())
            return
        if info.ready:
            self._handing.add(job.state.key)
            self.readyToSend.emit(job.state.copy(), info)

    def _set_phase(self, job: _Job, phase: str) -> None:
        if job.state.phase != phase or job.state.error:
            job.state.phase = phase
            job.state.error = None
            self.changed.emit(job.state.copy())

    def _save(self, state: UploadState) -> None:
        self._writes.save(state)

    def _forget(self, key: str) -> None:
        if self._jobs.pop(key, None) is not None:
            self.removed.emit(key)


class QueuedWrites:
    """The writes of :class:`UploadStore`, queued on the disk runner instead of made by the caller.

    Upload workers (and their part senders) record progress through this, from any
    thread; each write runs on the one disk thread, after every write asked before it.
    """

    def __init__(self, store: UploadStore, disk: TaskRunner) -> None:
        self.store = store
        self.disk = disk

    def save(self, state: UploadState) -> None:
        snapshot = state.copy()  # the caller goes on changing its state
        self.disk.run(lambda: self.store.save(snapshot))

    def add_part(self, key: str, n: int, etag: str) -> None:
        self.disk.run(lambda: self.store.add_part(key, n, etag))

    def remove(self, key: str) -> None:
        self.disk.run(lambda: self.store.remove(key))


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


__all__ = ["PreparedVideo", "Progress", "UploadManager", "human_size"]
