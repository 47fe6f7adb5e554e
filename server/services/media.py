"""Resumable video uploads: create, send parts, resume, complete, abort, expire.

The rules, whatever the storage backend:

- The declared size is checked against ``PARLEY_MAX_UPLOAD_BYTES`` and the
  owner's quota when the upload is created, and again (as the real sum of the
  stored parts) when it is completed.
- The quota check and the write it guards are one transaction that first
  locks the owner's ``users`` row (:meth:`MediaService._lock_owner`), so
  parallel ``POST /uploads`` (or completions) of one person are serialised
  and cannot together exceed the quota. Uploads being completed still count.
- Every part but the last is exactly ``part_size`` bytes; the last is the
  remainder. Part numbers run from 1 to ``part_count``.
- A client may ask which parts arrived and send only the rest, until the
  upload expires (``PARLEY_UPLOAD_EXPIRY_SECONDS``, 24 h by default).
- Completing creates a :class:`~server.models.Media` row in ``processing``;
  that row is the processing job (see :mod:`server.services.processing`).
- Aborting, or expiring, deletes every byte (S3 ``AbortMultipartUpload``,
  the local upload file).
"""
from __future__ import annotations

import errno
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.config import Config
from server.errors import ApiError
from server.models import Media, Upload, UploadPart, User, utcnow
from server.services.media_links import PART_TTL, MediaLinks
from server.storage.base import PartSizeError, PartTarget, Storage, StorageError, StoredPart, new_video_key
from server.services import changed_rows

log = logging.getLogger(__name__)

#: S3's own limit on the number of parts of one multipart upload.
MAX_PARTS = 10_000


def _human(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def clean_filename(name: str) -> str:
    """The name shown to people: no folders, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "video"


def _norm_etag(etag: str) -> str:
    return etag.strip().removeprefix("W/").strip('"')


@dataclass(frozen=True)
class UploadState:
    """An upload and the parts stored so far (open uploads; a completed one received them all)."""

    upload: Upload
    parts: list[StoredPart]
    completed_parts: list[int] | None = None

    @property
    def parts_received(self) -> list[int]:
        return self.completed_parts if self.completed_parts is not None else [p.n for p in self.parts]


class MediaService:
    """Upload lifecycle. ``enqueue`` is called with a media id once it is ready to process."""

    def __init__(self, config: Config, storage: Storage, links: MediaLinks,
                 enqueue: Callable[[str], None]) -> None:
        self.config = config
        self.storage = storage
        self.links = links
        self.enqueue = enqueue

    # --- creating -------------------------------------------------------------
    def used_bytes(self, s: Session, owner_id: str, except_upload: str | None = None) -> int:
        """Bytes counted against the quota: videos not failed, and uploads open or being completed."""
        media = s.scalar(sa.select(sa.func.coalesce(sa.func.sum(Media.size), 0))
                         .where(Media.owner_id == owner_id, Media.status != "failed")) or 0
        q = sa.select(sa.func.coalesce(sa.func.sum(Upload.size), 0)).where(
            Upload.owner_id == owner_id,
            sa.or_(Upload.status == "completing", sa.and_(Upload.status == "open", Upload.expires_at > utcnow())))
        if except_upload is not None:
            q = q.where(Upload.id != except_upload)
        return int(media) + int(s.scalar(q) or 0)

    @staticmethod
    def _lock_owner(s: Session, owner_id: str) -> None:
        """Starts a transaction holding a lock on the owner's row until commit or rollback.

        ``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; on SQLite a no-op UPDATE,
        which takes the database's write lock (taken by the transaction's first statement, so the reads that
        follow see every committed upload). Either way, two quota checks of
        one person cannot interleave.
        """
        s.commit()  # no earlier snapshot: the lock must be the transaction's first statement
        if s.get_bind().dialect.name == "postgresql":
            # NO KEY UPDATE: does not conflict with the key-share locks of inserts referencing the user
            s.execute(sa.select(User.id).where(User.id == owner_id).with_for_update(key_share=True))
        else:
            s.execute(sa.update(User).where(User.id == owner_id).values(locale=User.locale))

    def _check_quota(self, s: Session, owner_id: str, size: int, except_upload: str | None = None) -> None:
        used, quota = self.used_bytes(s, owner_id, except_upload), self.config.user_quota_bytes
        if used + size > quota:
            left = max(0, quota - used)
            raise ApiError(409, "quota_exceeded",
                           f"Not enough room: you use {_human(used)} of your {_human(quota)} and this video "
                           f"is {_human(size)} ({_human(left)} left). Delete videos or ask the admin for "
                           f"more.",
                           errors={"size": [f"At most {left} bytes are left in your quota."]})

    def check_size(self, size: int) -> None:
        """422 ``file_too_large`` above :func:`max_declared_size`, the ``maximum`` the OpenAPI document states.

        422, not 413: the request is small; it is its ``size`` field that breaks the published schema.
        """
        limit, parts_limit = max_declared_size(self.config), self.config.upload_part_size * MAX_PARTS
        if size > limit:
            why = (f"this server accepts videos up to {_human(limit)}" if limit < parts_limit else
                   f"more than {MAX_PARTS} parts of {_human(self.config.upload_part_size)} are not possible; "
                   f"ask the admin to raise PARLEY_UPLOAD_PART_SIZE")
            raise ApiError(422, "file_too_large", f"This video is {_human(size)}; {why}.",
                           errors={"size": [f"Must be at most {limit} bytes."]})

    def create_upload(self, s: Session, owner_id: str, filename: str, size: int, content_type: str) -> Upload:
        if size < 1:
            raise ApiError(422, "validation_failed", "The file is empty.",
                           errors={"size": ["Must be at least 1."]})
        self.check_size(size)
        part_size = self.config.upload_part_size
        part_count = math.ceil(size / part_size)
        self._check_quota(s, owner_id, size)  # early and unlocked: no storage call for a hopeless request
        key = new_video_key()
        with storage_errors():
            backend_id = self.storage.create_upload(key, content_type, size)
        up = Upload(owner_id=owner_id, filename=clean_filename(filename), content_type=content_type,
                    size=size, part_size=part_size, part_count=part_count, storage_key=key,
                    backend_upload_id=backend_id, status="open", created_at=utcnow(),
                    expires_at=utcnow() + timedelta(seconds=self.config.upload_expiry_seconds))
        try:
            self._lock_owner(s, owner_id)
            self._check_quota(s, owner_id, size)  # again, under the lock: this one counts
            s.add(up)
            s.commit()
        except BaseException:
            s.rollback()
            self.storage.abort_upload(key, backend_id)
            raise
        return up

    # --- state ----------------------------------------------------------------
    def get_upload(self, s: Session, owner_id: str, upload_id: str) -> Upload:
        up = s.get(Upload, upload_id)
        if up is None or up.owner_id != owner_id:
            raise ApiError(404, "upload_not_found", "There is no such upload among yours.")
        return up

    @staticmethod
    def is_expired(up: Upload, now: datetime | None = None) -> bool:
        return up.status == "expired" or (up.status == "open" and up.expires_at <= (now or utcnow()))

    def status(self, s: Session, owner_id: str, upload_id: str) -> UploadState:
        up = self.get_upload(s, owner_id, upload_id)
        if up.status == "completed":
            return UploadState(up, [], list(range(1, up.part_count + 1)))
        if up.status != "open" or self.is_expired(up):
            return UploadState(up, [])
        return UploadState(up, sorted(self._received(s, up).values(), key=lambda p: p.n))

    def _received(self, s: Session, up: Upload) -> dict[int, StoredPart]:
        try:
            with storage_errors():
                listed = self.storage.list_parts(up.storage_key, up.backend_upload_id)
        except StorageError as exc:
            raise ApiError(410, "upload_expired",
                           "This upload is no longer on the storage; start again.") from exc
        if listed is None:
            rows = s.scalars(sa.select(UploadPart).where(UploadPart.upload_id == up.id))
            listed = [StoredPart(r.n, r.size, r.etag) for r in rows]
        return {p.n: p for p in listed if 1 <= p.n <= up.part_count}

    def expected_part_size(self, up: Upload, n: int) -> int:
        return up.part_size if n < up.part_count else up.size - up.part_size * (up.part_count - 1)

    def _open(self, up: Upload) -> None:
        if self.is_expired(up):
            raise ApiError(410, "upload_expired",
                           "This upload has expired and its parts were deleted; start again.")
        if up.status in ("completed", "completing"):
            raise ApiError(409, "upload_completed", "This upload is already complete.")
        if up.status != "open":  # cancelled by its owner: gone, like any deleted resource
            raise ApiError(404, "upload_aborted", "This upload was cancelled; start again.")

    def _part_number(self, up: Upload, n: int, status: int = 404) -> None:
        """404 for a part number in the URL (no such part), 409 for one listed in ``complete``'s body."""
        if not 1 <= n <= up.part_count:
            raise ApiError(status, "part_out_of_range",
                           f"Part numbers of this upload run from 1 to {up.part_count}; {n} is not one of "
                           f"them.",
                           errors={"n": [f"Must be between 1 and {up.part_count}."]})

    # --- parts ----------------------------------------------------------------
    def part_target(self, s: Session, owner_id: str, upload_id: str, n: int, base_url: str) -> PartTarget:
        """Where the client PUTs part ``n``: the bucket (presigned) or this server (signed token)."""
        up = self.get_upload(s, owner_id, upload_id)
        self._open(up)
        self._part_number(up, n)
        if self.storage.direct_upload:
            return self.storage.presign_part(up.storage_key, up.backend_upload_id, n, PART_TTL,
                                             self.expected_part_size(up, n))
        token = self.links.part_token(up.id, n)
        url = f"{base_url.rstrip('/')}/api/media/uploads/{up.id}/parts/{n}/data?token={token}"
        return PartTarget(url=url, method="PUT", headers={"Content-Type": "application/octet-stream"})

    def receive_part(self, s: Session, upload_id: str, n: int, stream: BinaryIO,
                     content_length: int | None) -> str:
        """Stores a part sent to this server (local storage); returns its ETag."""
        up = s.get(Upload, upload_id)
        if up is None:
            raise ApiError(404, "upload_not_found", "There is no such upload.")
        self._open(up)
        self._part_number(up, n)
        want = self.expected_part_size(up, n)
        if content_length is not None and content_length != want:
            raise self._size_error(up, n, want, content_length)
        key, backend_id, offset = up.storage_key, up.backend_upload_id, (n - 1) * up.part_size
        size_error = self._size_error(up, n, want, None)
        # Forget any earlier copy first: if this one breaks off, the part counts as missing.
        # (The commit also ends the transaction: no lock is held while the bytes arrive.)
        s.execute(sa.delete(UploadPart).where(UploadPart.upload_id == upload_id, UploadPart.n == n))
        s.commit()
        try:
            stored = self.storage.write_part(key, backend_id, offset, stream, want)
        except PartSizeError as exc:
            raise size_error from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                log.error("media disk full while receiving part %d of upload %s", n, upload_id)
                raise ApiError(507, "storage_full", "The server has no room left for videos right now. "
                                                    "Try again later, or tell the server's admin.") from exc
            raise
        # An upsert: a concurrent PUT of the same part may have stored its row meanwhile.
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        row = {"upload_id": upload_id, "n": n, "size": stored.size, "etag": stored.etag,
               "created_at": utcnow()}
        s.execute(insert(UploadPart).values(**row).on_conflict_do_update(
            index_elements=["upload_id", "n"], set_={k: row[k] for k in ("size", "etag", "created_at")}))
        s.commit()
        return stored.etag

    @staticmethod
    def _size_error(up: Upload, n: int, want: int, got: int | None) -> ApiError:
        which = "the last part" if n == up.part_count else f"part {n}"
        sent = f"; {got} were sent" if got is not None else ""
        return ApiError(400, "part_size_mismatch",
                        f"{which.capitalize()} must be exactly {want} bytes{sent}. Every part but the last "
                        f"is part_size ({up.part_size}) bytes.")

    # --- completing -----------------------------------------------------------
    def complete(self, s: Session, owner_id: str, upload_id: str, parts: list[tuple[int, str]]) -> Media:
        """Joins the parts and queues processing. A repeated call returns the same media."""
        up = self.get_upload(s, owner_id, upload_id)
        if up.status == "completed" and up.media_id:
            media = s.get(Media, up.media_id)
            if media is not None:
                return media
        if up.status == "completing":
            raise ApiError(409, "upload_completing", "This upload is being completed; ask again in a moment.")
        self._open(up)
        for n, _ in parts:
            self._part_number(up, n, 409)
        received = self._received(s, up)
        listed = {n: etag for n, etag in parts}
        missing = [n for n in range(1, up.part_count + 1) if n not in received or n not in listed]
        if missing:
            # A racing call may have completed it meanwhile (its parts are then gone): answer as for it.
            now = s.execute(sa.select(Upload.status, Upload.media_id).where(Upload.id == upload_id)).first()
            if now is not None and now.status == "completing":
                raise ApiError(409, "upload_completing", "This upload is being completed; ask again in a moment.")
            if now is not None and now.status == "completed" and now.media_id:
                media = s.get(Media, now.media_id)
                if media is not None:
                    return media
            shown = ", ".join(map(str, missing[:50])) + (" ..." if len(missing) > 50 else "")
            raise ApiError(409, "missing_parts",
                           f"These parts have not arrived (or are not in your list): {shown}. "
                           f"Send them, then complete again.",
                           errors={"parts": [f"Part {n} is missing." for n in missing[:50]]})
        wrong = [n for n, etag in listed.items() if _norm_etag(etag) != _norm_etag(received[n].etag)]
        if wrong:
            raise ApiError(409, "etag_mismatch",
                           f"The server holds other bytes for parts {', '.join(map(str, wrong))} than the "
                           f"ones you list (ETags differ). Send those parts again.",
                           errors={"parts": [f"Part {n}: ETag differs." for n in wrong]})
        bad = [n for n, p in received.items() if p.size != self.expected_part_size(up, n)]
        if bad:
            raise ApiError(409, "part_size_mismatch",
                           f"Parts {', '.join(map(str, bad))} do not have the right size (every part but the "
                           f"last is {up.part_size} bytes). Send them again.",
                           errors={"parts": [f"Part {n} has the wrong size." for n in bad]})
        total = sum(p.size for p in received.values())
        if total != up.size:  # pragma: no cover - implied by the per-part sizes
            raise ApiError(409, "size_mismatch",
                           f"The parts add up to {total} bytes, not the declared {up.size}.")
        self.check_size(total)
        # Claim the completion, so a retry racing this call cannot join the parts a second time;
        # and check the quota again under the owner's lock (it may have shrunk since the upload began).
        key, backend_id = up.storage_key, up.backend_upload_id
        filename, content_type = up.filename, up.content_type
        try:
            self._lock_owner(s, owner_id)
            self._check_quota(s, owner_id, total, except_upload=upload_id)
            claimed = changed_rows(s.execute(sa.update(Upload).where(Upload.id == upload_id, Upload.status == "open")
                                .values(status="completing")))
            s.commit()
        except BaseException:
            s.rollback()
            raise
        if not claimed:
            raise ApiError(409, "upload_completing", "This upload is being completed; ask again in a moment.")
        try:
            with storage_errors():
                self.storage.complete_upload(key, backend_id,
                                             [received[n] for n in range(1, up.part_count + 1)])
        except Exception:
            s.rollback()
            s.execute(sa.update(Upload).where(Upload.id == upload_id).values(status="open"))
            s.commit()
            raise
        up = s.get(Upload, upload_id) or up
        media = Media(owner_id=owner_id, status="processing", filename=filename, content_type=content_type,
                      size=total, storage_key=key, created_at=utcnow())
        s.add(media)
        s.flush()
        up.status, up.media_id = "completed", media.id
        s.execute(sa.delete(UploadPart).where(UploadPart.upload_id == up.id))
        s.commit()
        self.enqueue(media.id)
        return media

    # --- cancelling -----------------------------------------------------------
    def abort(self, s: Session, owner_id: str, upload_id: str) -> None:
        up = self.get_upload(s, owner_id, upload_id)
        if up.status in ("completed", "completing"):
            raise ApiError(409, "upload_completed",
                           "This upload is already complete; it cannot be cancelled.")
        self._discard(s, up, "aborted" if up.status == "open" else up.status)

    def _discard(self, s: Session, up: Upload, status: str) -> None:
        with storage_errors():
            self.storage.abort_upload(up.storage_key, up.backend_upload_id)
        s.execute(sa.delete(UploadPart).where(UploadPart.upload_id == up.id))
        up.status = status
        s.commit()

    def purge_expired(self, s: Session, now: datetime | None = None) -> int:
        """Aborts every open upload past its expiry and deletes its bytes; returns how many."""
        now = now or utcnow()
        ids = list(s.scalars(sa.select(Upload.id).where(Upload.status == "open", Upload.expires_at <= now)))
        done = 0
        for upload_id in ids:
            up = s.get(Upload, upload_id)
            if up is None or up.status != "open":
                continue
            try:
                self._discard(s, up, "expired")
                done += 1
            except Exception:  # noqa: BLE001 - one broken upload must not stop the sweep
                s.rollback()
                log.exception("could not purge expired upload %s", upload_id)
        return done


@contextmanager
def storage_errors() -> Iterator[None]:
    """An unreachable or failing store becomes 503 ``storage_unavailable`` (logged), not a bare 500."""
    try:
        yield
    except (ApiError, StorageError):
        raise
    except Exception as exc:
        log.exception("storage call failed")
        raise ApiError(503, "storage_unavailable", "The video storage cannot be reached right now. "
                                                   "Try again in a few minutes.") from exc


def max_declared_size(config: Config) -> int:
    """The largest ``size`` an upload may declare: the configured maximum, and at most ``MAX_PARTS`` parts."""
    return min(config.max_upload_bytes, config.upload_part_size * MAX_PARTS)


#: A part number in a URL, as the OpenAPI document states it; 1 to ``part_count`` of the upload (else 404).
PART_NUMBER_PATTERN = r"^[0-9]{1,6}$"


def parse_part_number(raw: str) -> int:
    if not re.fullmatch(PART_NUMBER_PATTERN, raw):
        raise ApiError(422, "part_out_of_range", "A part number is a whole number starting at 1.",
                       errors={"n": ["Must be a whole number starting at 1."]})
    return int(raw)
