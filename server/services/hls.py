"""The HLS encode job of a ready video: claimed, run in its own worker pool, stored, cancelled.

A :class:`~server.models.Media` row whose ``hls_status`` is ``pending`` or
``encoding`` *is* the job, claimed as the processing job is
(:mod:`server.services.processing`), with its own columns::

    hls_attempts = hls_attempts + 1, hls_claimed_at = now, hls_status = 'encoding'
    WHERE status = 'ready' AND hls_status IN ('pending', 'encoding')
      AND (hls_claimed_at IS NULL OR hls_claimed_at < now - lease)

so one process encodes it, and a killed process's job is claimed again once
its lease lapses. While the encode runs, a monitor thread moves
``hls_claimed_at`` forward, copies the worker's progress (a small file in
the job's scratch folder) into ``hls_progress`` and tells the owner with
``media:status`` at most every :data:`STATUS_EVERY` seconds. When its
heartbeat no longer matches the row (the encode was cancelled, by this
process or another), it kills the worker.

The encode (:func:`server.services.renditions.encode`) runs in a pool of
worker processes of its own (``PARLEY_HLS_WORKERS``, default 1, at nice 15),
on a thread pool of its own: it never holds a processing worker nor the
app's job pool. Its files are stored under ``h/<media id>/`` through the
storage interface; only then is the row set ``ready`` (conditionally on the
claim), so a viewer never sees a partial set. If the row was cancelled in
the meantime, whatever this job stored is deleted again.

Cancel: when a deleted message leaves a video carried by no message, its
encode is cancelled and its renditions deleted (:meth:`media_unlinked`). The
original stays, as before (its owner may still play it and send it again);
sending it again queues a new encode (:meth:`media_relinked`).
"""
from __future__ import annotations

import json
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
from server.models import Media, Message, utcnow
from server.services import changed_rows
from server.services.hls_playlists import MPEGURL
from server.services.media_view import active_session_ids, media_dict
from server.storage.base import check_key, hls_prefix

log = logging.getLogger(__name__)

ENCODE = "server.services.renditions:encode"
MAX_ATTEMPTS = 3
#: Seconds between two ``media:status`` progress events to the owner.
STATUS_EVERY = 2.0
GAVE_UP = "The renditions of this video could not be made (the server tried {n} times)."
ACTIVE = ("pending", "encoding")


def _content_type(rel: str) -> str:
    return MPEGURL if rel.endswith(".m3u8") else "video/mp2t"


class _Monitor:
    """Heartbeat, progress and cancellation of one running encode."""

    def __init__(self, enc: RenditionEncoder, media_id: str, attempt: int, scratch: Path,
                 cancel: threading.Event) -> None:
        self.enc, self.media_id, self.attempt, self.scratch, self.cancel = enc, media_id, attempt, scratch, cancel
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"hls-monitor-{media_id[:8]}", daemon=True)
        self._sent_at = time.monotonic()
        self._sent = 0.0

    def __enter__(self) -> _Monitor:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _progress(self) -> float | None:
        try:
            return float((self.scratch / "progress").read_text())
        except (OSError, ValueError):
            return None

    def _run(self) -> None:
        # one small write every 2 s (claim and progress): SQLite has one writer, messages come first
        interval = min(STATUS_EVERY, max(0.2, self.enc.lease / 3))
        while not self._stop.wait(interval):
            progress = self._progress()
            values: dict[str, Any] = {"hls_claimed_at": utcnow()}
            if progress is not None:
                values["hls_progress"] = progress
            try:
                with self.enc.svc.db.session() as s:
                    held = changed_rows(s.execute(sa.update(Media).where(
                        Media.id == self.media_id, Media.hls_attempts == self.attempt,
                        Media.hls_status == "encoding").values(**values)))
                    s.commit()
            except Exception:  # noqa: BLE001 - try again at the next beat
                log.warning("media %s: encode heartbeat failed", self.media_id, exc_info=True)
                continue
            if not held:  # cancelled, or another process took it over: stop the worker
                log.info("media %s: the encode was cancelled; stopping it", self.media_id)
                self.cancel.set()
                return
            now = time.monotonic()
            if progress is not None and progress != self._sent and now - self._sent_at >= STATUS_EVERY:
                self._sent, self._sent_at = progress, now
                self.enc.notify(self.media_id)


class RenditionEncoder:
    """Queues, claims and runs encodes on its own threads and worker processes."""

    def __init__(self, app: Flask, svc: Services) -> None:
        self.app, self.svc = app, svc
        cfg = svc.config
        self.enabled = cfg.hls_enabled
        self.lease = cfg.media_lease_seconds
        self.jobs = Jobs(workers=cfg.hls_workers, name="parley-hls")
        self.workers = MediaWorkers(cfg.hls_workers, cfg.hls_job_memory, nice=cfg.hls_worker_nice,
                                    idle_priority=cfg.hls_idle_priority)
        self._queued: set[str] = set()
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()

    def time_limit(self, duration: float | None) -> float:
        cfg = self.svc.config
        return cfg.hls_job_seconds + cfg.hls_job_seconds_per_minute * (duration or 0.0) / 60

    def close(self) -> None:
        """Stops the encodes; a job cut short keeps its claim, which lapses: the next start redoes it."""
        self._closing.set()
        with self._lock:
            for ev in self._running.values():
                ev.set()
        self.workers.close()
        self.jobs.shutdown(wait=True)

    # --- queueing ---------------------------------------------------------------
    def enqueue(self, media_id: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            if media_id in self._queued:
                return
            self._queued.add(media_id)
        if self.jobs.submit(self.run, media_id) is None:
            with self._lock:
                self._queued.discard(media_id)

    def requeue_pending(self) -> int:
        """Queues every encode whose claim is free or has lapsed; returns how many."""
        if not self.enabled:
            return 0
        cutoff = utcnow() - timedelta(seconds=self.lease)
        with self.svc.db.session() as s:
            ids = list(s.scalars(sa.select(Media.id).where(
                Media.status == "ready", Media.hls_status.in_(ACTIVE),
                sa.or_(Media.hls_claimed_at.is_(None), Media.hls_claimed_at < cutoff))
                .order_by(Media.created_at)))
        for media_id in ids:
            self.enqueue(media_id)
        return len(ids)

    def claim(self, media_id: str) -> int | None:
        now = utcnow()
        with self.svc.db.session() as s:
            attempt = s.scalar(sa.update(Media).where(
                Media.id == media_id, Media.status == "ready", Media.hls_status.in_(ACTIVE),
                sa.or_(Media.hls_claimed_at.is_(None),
                       Media.hls_claimed_at < now - timedelta(seconds=self.lease)))
                .values(hls_attempts=Media.hls_attempts + 1, hls_claimed_at=now, hls_status="encoding",
                        hls_progress=sa.func.coalesce(Media.hls_progress, 0.0))
                .returning(Media.hls_attempts))
            s.commit()
        return attempt

    # --- the job ------------------------------------------------------------------
    def run(self, media_id: str) -> None:
        try:
            if self._closing.is_set():
                return
            attempt = self.claim(media_id)
        finally:
            with self._lock:
                self._queued.discard(media_id)
        if attempt is None:
            return
        if attempt > MAX_ATTEMPTS:
            self._fail(media_id, attempt, GAVE_UP.format(n=MAX_ATTEMPTS))
            return
        cancel = threading.Event()
        with self._lock:
            self._running[media_id] = cancel
        try:
            self.notify(media_id)
            self._run(media_id, attempt, cancel)
        finally:
            with self._lock:
                self._running.pop(media_id, None)

    def _run(self, media_id: str, attempt: int, cancel: threading.Event) -> None:
        try:
            renditions = self._encode(media_id, attempt, cancel)
        except JobRejected as exc:
            self._fail(media_id, attempt, exc.message)
        except JobStopped as exc:
            if self._closing.is_set():
                log.info("media %s: encode stopped by the shutdown; the next start does it", media_id)
            elif exc.reason == "cancelled":
                self._discard(media_id)
            else:
                log.warning("media %s: encode stopped (%s)", media_id, exc.reason)
                self._fail(media_id, attempt, exc.message)
        except Exception:
            log.exception("media %s: encode attempt %d failed", media_id, attempt)
            self._discard(media_id)  # what this attempt stored; the next one starts afresh
            if attempt >= MAX_ATTEMPTS:
                self._fail(media_id, attempt, GAVE_UP.format(n=attempt))
        else:
            self._finish(media_id, attempt, renditions)

    def _encode(self, media_id: str, attempt: int, cancel: threading.Event) -> list[dict[str, Any]]:
        storage = self.svc.storage
        with self.svc.db.session() as s:
            media = s.get(Media, media_id)
            if media is None:
                raise JobStopped("cancelled", "gone")
            key, duration = media.storage_key, media.duration
        scratch_root = Path(storage.temp_dir() if hasattr(storage, "temp_dir") else tempfile.gettempdir())
        # A process killed mid-encode left its scratch folder; its claim has lapsed (we hold the job
        # now), so nobody uses that folder any more.
        for stale in scratch_root.glob(f"parley-hls-{media_id}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"parley-hls-{media_id}-", dir=scratch_root))
        try:
            with _Monitor(self, media_id, attempt, scratch, cancel):
                path = storage.local_path(key)
                if path is None:
                    path = scratch / "original"
                    storage.download(key, path)
                if cancel.is_set():
                    raise JobStopped("cancelled", "cancelled")
                done = self.workers.run(ENCODE, {"src": str(path), "scratch": str(scratch),
                                                 "frame_delay": self.svc.config.hls_test_frame_delay},
                                        self.time_limit(duration), cancel)
                self._store(media_id, Path(done["dir"]), done["files"], cancel)
            return list(done["renditions"])
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _store(self, media_id: str, folder: Path, files: list[str], cancel: threading.Event) -> None:
        """Segments first, then media playlists, the master last."""
        order = sorted(files, key=lambda rel: (rel.endswith(".m3u8"), rel == "master.m3u8", rel))
        prefix = hls_prefix(media_id)
        storage = self.svc.storage
        for rel in order:
            if cancel.is_set():
                raise JobStopped("cancelled", "cancelled")
            key = check_key(prefix + rel)
            if hasattr(storage, "replace_with"):
                storage.replace_with(key, folder / rel)
            else:
                storage.upload_file(key, folder / rel, _content_type(rel))

    def _finish(self, media_id: str, attempt: int, renditions: list[dict[str, Any]]) -> None:
        with self.svc.db.session() as s:
            done = changed_rows(s.execute(sa.update(Media).where(
                Media.id == media_id, Media.hls_attempts == attempt, Media.hls_status == "encoding")
                .values(hls_status="ready", hls_progress=1.0, hls_error=None, hls_claimed_at=utcnow(),
                        hls_renditions=json.dumps(renditions))))
            s.commit()
        if not done:  # cancelled while storing: take back what was stored
            log.info("media %s: encode finished after it was cancelled; its files are deleted", media_id)
            self._discard(media_id)
            return
        log.info("media %s: renditions ready (%s)", media_id, ", ".join(r["name"] for r in renditions))
        self.notify(media_id, peers=True)

    def _fail(self, media_id: str, attempt: int, error: str) -> None:
        self._discard(media_id)
        with self.svc.db.session() as s:
            done = changed_rows(s.execute(sa.update(Media).where(
                Media.id == media_id, Media.hls_attempts == attempt, Media.hls_status.in_(ACTIVE))
                .values(hls_status="failed", hls_error=error, hls_progress=None, hls_claimed_at=utcnow())))
            s.commit()
        if done:
            log.warning("media %s: renditions failed: %s", media_id, error)
            self.notify(media_id)

    def _discard(self, media_id: str) -> None:
        try:
            self.svc.storage.delete_prefix(hls_prefix(media_id))
        except Exception:  # noqa: BLE001 - logged
            log.warning("media %s: could not delete its renditions", media_id, exc_info=True)

    # --- cancel -------------------------------------------------------------------
    def media_unlinked(self, media_id: str) -> None:
        """A message carrying ``media_id`` was deleted: when no message carries it any more, its
        encode is cancelled (a running one is killed, here or in another process within a
        heartbeat) and its renditions are deleted. Never raises: the message is deleted already."""
        try:
            self._cancel_if_unlinked(media_id)
        except Exception:  # noqa: BLE001 - logged; the row stays as it was, an admin can look
            log.exception("media %s: could not cancel its renditions", media_id)

    def _cancel_if_unlinked(self, media_id: str) -> None:
        with self.svc.db.session() as s:
            carried = s.scalar(sa.select(Message.id).where(Message.media_id == media_id,
                                                           Message.deleted.is_(False)).limit(1))
            if carried is not None:
                return
            changed = changed_rows(s.execute(sa.update(Media).where(
                Media.id == media_id, Media.hls_status.in_((*ACTIVE, "ready", "failed")))
                .values(hls_status="cancelled", hls_progress=None, hls_renditions=None, hls_error=None)))
            s.commit()
        if not changed:
            return
        with self._lock:
            running = self._running.get(media_id)
        if running is not None:
            running.set()
        self._discard(media_id)
        log.info("media %s: no message carries it any more; renditions cancelled and deleted", media_id)
        self.notify(media_id)

    def media_relinked(self, media_id: str) -> None:
        """A cancelled video was sent again: queue its encode again. Never raises."""
        try:
            with self.svc.db.session() as s:
                queued = changed_rows(s.execute(sa.update(Media).where(
                    Media.id == media_id, Media.status == "ready", Media.hls_status == "cancelled")
                    .values(hls_status="pending", hls_progress=0.0, hls_error=None, hls_attempts=0,
                            hls_claimed_at=None, hls_renditions=None)))
                s.commit()
            if queued:
                self.enqueue(media_id)
                self.notify(media_id)
        except Exception:  # noqa: BLE001 - logged; `encode-renditions` can queue it
            log.exception("media %s: could not queue its renditions again", media_id)

    # --- events -------------------------------------------------------------------
    def notify(self, media_id: str, peers: bool = False) -> None:
        """``media:status`` to the owner's logins, and with ``peers`` to every other reader's."""
        try:
            with self.svc.db.session() as s:
                media = s.get(Media, media_id)
                if media is None:
                    return
                users = [media.owner_id] + (self._readers(s, media) if peers else [])
                payloads = {login: media_dict(media, viewer_id=uid, links=self.svc.media_links,
                                              session_id=login)
                            for uid in users for login in active_session_ids(s, uid)}
            self.svc.notifier.media_status(payloads)
        except Exception:  # noqa: BLE001 - the state is stored; clients also poll GET /api/media/{id}
            log.warning("media %s: could not emit media:status", media_id, exc_info=True)

    @staticmethod
    def _readers(s: Any, media: Media) -> list[str]:
        rows = s.execute(sa.select(Message.sender_id, Message.recipient_id, Message.withheld).where(
            Message.media_id == media.id, Message.deleted.is_(False))).all()
        out: set[str] = set()
        for sender, recipient, withheld in rows:
            out.add(sender)
            if not withheld:
                out.add(recipient)
        out.discard(media.owner_id)
        return sorted(out)

    # --- admin ----------------------------------------------------------------------
    def queue(self, s: Any, media_ids: list[str] | None) -> list[tuple[str, str]]:
        """Marks videos for encoding (``None``: every ready video that never had renditions);
        a serving process picks them up. Returns ``(media id, what happened)`` pairs."""
        if media_ids is None:
            media_ids = list(s.scalars(sa.select(Media.id).where(Media.status == "ready",
                                                                 Media.hls_status.is_(None))
                                       .order_by(Media.created_at)))
        out = []
        for media_id in media_ids:
            media = s.get(Media, media_id)
            if media is None:
                out.append((media_id, "no such video"))
            elif media.status != "ready":
                out.append((media_id, f"not ready ({media.status})"))
            elif media.hls_status in (*ACTIVE, "ready"):
                out.append((media_id, f"already {media.hls_status}"))
            else:
                s.execute(sa.update(Media).where(Media.id == media_id).values(
                    hls_status="pending", hls_progress=0.0, hls_error=None, hls_attempts=0,
                    hls_claimed_at=None, hls_renditions=None))
                out.append((media_id, "queued"))
        s.commit()
        return out
