"""The processing job of an uploaded video, and the worker that keeps it alive.

A :class:`~server.models.Media` row in ``processing`` *is* the job. Any
server process may run it, after claiming it with one conditional UPDATE::

    attempts = attempts + 1, processed_at = now
    WHERE status = 'processing' AND (processed_at IS NULL OR processed_at < now - lease)

While it runs, a heartbeat moves ``processed_at`` forward every third of the
lease. If the process dies (even ``kill -9``), the heartbeat stops, the lease
runs out, and the :class:`MediaWorker` of any live process (this one after
a restart) claims the job again. Only the holder of the latest claim (its
``attempts`` number) may write the result. After :data:`MAX_ATTEMPTS` claims
the video is marked failed.

The job: fetch the bytes (a local path, or an S3 download to a temp file),
hand them to a worker process (:mod:`server.media_workers`) that probes them,
makes the poster JPEG and rewrites an MP4/MOV whose index is at the end
(faststart) (:func:`server.services.video.prepare`), store what it made, then
set ``ready``, or ``failed`` with a clear ``error`` and delete the bytes. The
owner gets ``media:status`` on Socket.IO either way.

Jobs run on their own small thread pool (as many threads as worker
processes), never on the app's job pool, so mail and account jobs do not
queue behind video. A job that hits its wall-clock or memory limit, or whose
worker dies, fails at once (the same bytes would do the same again); only
other errors (storage unreachable) are retried.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from server.extensions import Services
from server.jobs import Jobs
from server.media_workers import JobRejected, JobStopped, MediaWorkers
from server.models import Media, utcnow
from server.services.media_view import active_session_ids, media_dict
from server.storage.base import thumbnail_key
from server.services import changed_rows

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
GAVE_UP = "This video could not be processed (the server tried {n} times). Try sending it again."
PREPARE = "server.services.video:prepare"


class _Heartbeat:
    """Keeps a claim alive while the job runs."""

    def __init__(self, proc: MediaProcessor, media_id: str, attempt: int) -> None:
        self.proc, self.media_id, self.attempt = proc, media_id, attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"media-heartbeat-{media_id[:8]}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        interval = max(0.5, self.proc.lease / 3)
        while not self._stop.wait(interval):
            try:
                with self.proc.svc.db.session() as s:
                    s.execute(sa.update(Media)
                              .where(Media.id == self.media_id, Media.attempts == self.attempt,
                                     Media.status == "processing")
                              .values(processed_at=utcnow()))
                    s.commit()
            except Exception:  # noqa: BLE001 - try again at the next beat
                log.warning("media %s: heartbeat failed", self.media_id, exc_info=True)


class MediaProcessor:
    """Runs processing jobs on its own thread pool, the video work in worker processes."""

    def __init__(self, app: Flask, svc: Services) -> None:
        self.app = app
        self.svc = svc
        cfg = svc.config
        self.lease = cfg.media_lease_seconds
        self.jobs = Jobs(workers=cfg.media_workers, name="parley-media")
        self.workers = MediaWorkers(cfg.media_workers, cfg.media_job_memory, nice=cfg.media_worker_nice)
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()

    def time_limit(self, size: int) -> float:
        """A job's wall-clock limit for a file of ``size`` bytes."""
        cfg = self.svc.config
        return cfg.media_job_seconds + cfg.media_job_seconds_per_gib * size / (1 << 30)

    def close(self) -> None:
        """Stops the workers; a job cut short keeps its claim, which lapses, so the next start redoes it."""
        self._closing.set()
        self.workers.close()
        self.jobs.shutdown(wait=True)

    # --- queueing ---------------------------------------------------------------
    def enqueue(self, media_id: str) -> None:
        with self._lock:
            if media_id in self._queued:
                return
            self._queued.add(media_id)
        if self.jobs.submit(self.run, media_id) is None:
            with self._lock:
                self._queued.discard(media_id)

    def requeue_pending(self) -> int:
        """Queues every ``processing`` video whose claim is free or has lapsed; returns how many."""
        cutoff = utcnow() - timedelta(seconds=self.lease)
        with self.svc.db.session() as s:
            ids = list(s.scalars(sa.select(Media.id).where(
                Media.status == "processing",
                sa.or_(Media.processed_at.is_(None), Media.processed_at < cutoff))))
        for media_id in ids:
            self.enqueue(media_id)
        return len(ids)

    def claim(self, media_id: str) -> int | None:
        """Takes the job if nobody holds it; returns this claim's attempt number."""
        now = utcnow()
        with self.svc.db.session() as s:
            attempt = s.scalar(sa.update(Media).where(
                Media.id == media_id, Media.status == "processing",
                sa.or_(Media.processed_at.is_(None),
                       Media.processed_at < now - timedelta(seconds=self.lease)))
                .values(attempts=Media.attempts + 1, processed_at=now).returning(Media.attempts))
            s.commit()
        return attempt

    # --- the job --------------------------------------------------------------
    def run(self, media_id: str) -> None:
        try:
            if self._closing.is_set():
                return  # shutting down: the next start (or another process) takes it
            attempt = self.claim(media_id)
        finally:
            with self._lock:
                self._queued.discard(media_id)
        if attempt is None:
            return  # done already, or another worker holds it
        if attempt > MAX_ATTEMPTS:
            self._finish(media_id, attempt, error=GAVE_UP.format(n=MAX_ATTEMPTS))
            return
        with _Heartbeat(self, media_id, attempt):
            try:
                result = self._process(media_id)
            except JobRejected as exc:
                log.info("media %s rejected: %s", media_id, exc.message)
                self._finish(media_id, attempt, error=exc.message)
                return
            except JobStopped as exc:
                if self._closing.is_set():
                    log.info("media %s: stopped by the shutdown; the next start processes it", media_id)
                    return
                log.warning("media %s failed: its worker %s", media_id,
                            {"timeout": "hit the time limit", "memory": "ran out of memory"}.get(
                                exc.reason, "died"))
                self._finish(media_id, attempt, error=exc.message)
                return
            except Exception:
                # Perhaps transient (storage unreachable): leave the claim to lapse so the
                # worker tries again, up to MAX_ATTEMPTS.
                log.exception("media %s: processing attempt %d failed", media_id, attempt)
                if attempt >= MAX_ATTEMPTS:
                    self._finish(media_id, attempt, error=GAVE_UP.format(n=attempt))
                return
        self._finish(media_id, attempt, values=result)

    def _process(self, media_id: str) -> dict[str, Any]:
        storage = self.svc.storage
        with self.svc.db.session() as s:
            media = s.get(Media, media_id)
            if media is None:
                return {}
            key, thumb_key = media.storage_key, thumbnail_key(media.id)
        if self.svc.config.media_processing_delay:
            self._closing.wait(self.svc.config.media_processing_delay)
        if self._closing.is_set():
            raise JobStopped("died", "the server is shutting down")
        scratch_root = storage.temp_dir() if hasattr(storage, "temp_dir") else None
        scratch = Path(tempfile.mkdtemp(prefix="parley-media-", dir=scratch_root))
        try:
            path = storage.local_path(key)
            if path is None:
                path = scratch / "original"
                storage.download(key, path)
            size = path.stat().st_size
            done = self.workers.run(PREPARE, {"src": str(path), "scratch": str(scratch)},
                                    self.time_limit(size))
            if done["faststart"]:
                fixed = Path(done["faststart"])
                size = fixed.stat().st_size
                if hasattr(storage, "replace_with"):
                    storage.replace_with(key, fixed)
                else:
                    storage.upload_file(key, fixed, done["content_type"])
                log.info("media %s: moved the index to the front (faststart)", media_id)
            storage.upload_file(thumb_key, Path(done["poster"]), "image/jpeg")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        info = {k: done[k] for k in ("content_type", "container", "duration", "width", "height",
                                     "video_codec", "audio_codec")}
        # the HLS encode is queued with the result (one row is the job): PARLEY_HLS=off skips it
        hls = {"hls_status": "pending", "hls_progress": 0.0} if self.svc.config.hls_enabled else {}
        return {"status": "ready", "error": None, "size": size, "thumbnail_key": thumb_key, **info, **hls}

    def _finish(self, media_id: str, attempt: int, values: dict[str, Any] | None = None,
                error: str | None = None) -> None:
        """Writes the result if this claim still holds the job, then tells the owner."""
        if error is not None:
            values = {"status": "failed", "error": error, "thumbnail_key": None}
        if not values:
            return
        with self.svc.db.session() as s:
            media = s.get(Media, media_id)
            if media is None:
                return
            if error is not None:
                self._delete_bytes(media)
            done = changed_rows(s.execute(sa.update(Media).where(Media.id == media_id, Media.attempts == attempt,
                                                    Media.status == "processing")
                             .values(processed_at=utcnow(), **values)))
            s.commit()
            if not done:
                log.warning("media %s: attempt %d lost its claim; result dropped", media_id, attempt)
                return
            s.refresh(media)
            # one payload per login of the owner: media links name the viewer's login
            payloads = {login: media_dict(media, viewer_id=media.owner_id, links=self.svc.media_links,
                                          session_id=login)
                        for login in active_session_ids(s, media.owner_id)}
        try:
            self.svc.notifier.media_status(payloads)
        except Exception:  # noqa: BLE001 - the state is stored; a client also polls GET /api/media/{id}
            log.warning("media %s: could not emit media:status", media_id, exc_info=True)
        if values.get("hls_status") == "pending":
            self.svc.renditions.enqueue(media_id)

    def _delete_bytes(self, media: Media) -> None:
        for key in (media.storage_key, media.thumbnail_key, thumbnail_key(media.id)):
            if key:
                try:
                    self.svc.storage.delete(key)
                except Exception:  # noqa: BLE001 - logged; the purge can retry
                    log.warning("media %s: could not delete %s", media.id, key, exc_info=True)


class MediaWorker:
    """Background thread of a serving process: re-queues lapsed jobs, purges expired uploads."""

    def __init__(self, app: Flask, svc: Services, processor: MediaProcessor,
                 purge_every: float = 300.0) -> None:
        self.app, self.svc, self.processor = app, svc, processor
        self.interval = min(30.0, max(1.0, processor.lease / 2))
        self.purge_every = purge_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.processor.workers.warm()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="media-worker", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        last_purge = 0.0
        while True:
            try:
                self.processor.requeue_pending()
                self.svc.renditions.requeue_pending()
                if time.monotonic() - last_purge >= self.purge_every:
                    last_purge = time.monotonic()
                    with self.svc.db.session() as s:
                        n = self.svc.media.purge_expired(s)
                    if n:
                        log.info("purged %d expired uploads", n)
            except Exception:  # noqa: BLE001 - keep the worker alive
                log.exception("media worker pass failed")
            if self._stop.wait(self.interval):
                return
