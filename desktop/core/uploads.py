"""Video uploads without Qt or network: part planning, upload state, and its store on disk.

An :class:`UploadState` is everything needed to pick an upload up again after a
crash, a reboot or a dropped network: the server's ``upload_id``, the file (path,
size, mtime, so a changed file is never resumed), the part size, the parts that
arrived with their ETags, and the message it belongs to (peer, ``client_id``).
:class:`UploadStore` keeps those states in a small SQLite file in the profile's
data dir; each finished part is written at once, so at most the parts in flight
are sent again.
"""
from __future__ import annotations

import dataclasses
import json
import mimetypes
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.errors import ParleyError

DEFAULT_MAX_UPLOAD = 2 << 30  # the contract's default; the server may say less
VIDEO_EXTENSIONS = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
                    ".webm": "video/webm", ".mkv": "video/x-matroska"}
# PyAV format names of the containers the server accepts
_ACCEPTED_FORMATS = {"mov": "video/mp4", "mp4": "video/mp4", "matroska": "video/x-matroska",
                     "webm": "video/webm"}

# phases of an upload, in order
QUEUED = "queued"  # waiting for a free slot or for the network
UPLOADING = "uploading"
PAUSED = "paused"  # by the person; survives a restart
PROCESSING = "processing"  # all parts sent and completed; the server probes the video
FAILED = "failed"  # the server refused it (with its reason); retry starts again
DONE = "done"  # ready and handed to the outbox; the record is deleted
ACTIVE = (QUEUED, UPLOADING, PAUSED, PROCESSING)


class VideoRefused(ParleyError):
    """A file the app will not send, with the sentence to show the person."""


@dataclass(frozen=True)
class PartSpan:
    """Part ``n`` (1-based) covers ``length`` bytes from ``offset``."""

    n: int
    offset: int
    length: int


def plan_parts(size: int, part_size: int) -> list[PartSpan]:
    """Split ``size`` bytes into parts of ``part_size`` (the last one shorter)."""
    if part_size <= 0:
        raise ValueError("part_size must be positive")
    if size <= 0:
        return [PartSpan(1, 0, 0)]
    return [PartSpan(i + 1, off, min(part_size, size - off))
            for i, off in enumerate(range(0, size, part_size))]


def human_size(n: float) -> str:
    """``1536`` -> ``1.5 KB`` (decimal units, as file managers show)."""
    units = ["bytes", "KB", "MB", "GB", "TB"]
    value = float(n)
    for unit in units:
        if value < 1000 or unit == units[-1]:
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} bytes"


def human_duration(seconds: float | None) -> str:
    """``75.4`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    if seconds is None or seconds < 0:
        return "--:--"
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass
class UploadState:
    """One upload of one video for one message.

    Attributes:
        key: the message's ``client_id``; also the upload's local name.
        owner: ``server_url|user_id`` whose upload this is (other accounts never resume it).
        parts: part number -> ETag of every part the server confirmed.
    """

    key: str
    owner: str
    peer_id: str
    path: str
    filename: str
    size: int
    mtime: float
    content_type: str
    duration: float | None = None
    upload_id: str | None = None
    part_size: int = 0
    part_count: int = 0
    parts: dict[int, str] = field(default_factory=dict)
    phase: str = QUEUED
    media_id: str | None = None
    error: str | None = None
    created_at: float = field(default_factory=time.time)

    def spans(self) -> list[PartSpan]:
        return plan_parts(self.size, self.part_size) if self.part_size else []

    def missing(self) -> list[int]:
        """Part numbers still to send."""
        return [s.n for s in self.spans() if s.n not in self.parts]

    def bytes_done(self) -> int:
        return sum(s.length for s in self.spans() if s.n in self.parts)

    def file_unchanged(self) -> bool:
        """The file is still there with the size and mtime it had when the upload began."""
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return st.st_size == self.size and abs(st.st_mtime - self.mtime) < 1e-3

    def restart(self) -> None:
        """Forget the server side (expired, aborted or refused): start again from part 1."""
        self.upload_id = None
        self.part_size = 0
        self.part_count = 0
        self.parts = {}
        self.media_id = None
        self.error = None

    def copy(self) -> UploadState:
        return dataclasses.replace(self, parts=dict(self.parts))

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data.pop("parts")
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str, parts: dict[int, str]) -> UploadState:
        data: dict[str, Any] = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names}, parts=parts)


class UploadStore:
    """Upload states in ``uploads.sqlite3`` of the profile's data dir; safe from any thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None  # opened on first use, on a worker thread

    @property
    def _db(self) -> sqlite3.Connection:
        with self._lock:
            if self._conn is None:
                if str(self.path) != ":memory:":
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(
                    "CREATE TABLE IF NOT EXISTS uploads (key TEXT PRIMARY KEY, owner TEXT NOT NULL,"
                    " state TEXT NOT NULL, created_at REAL NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS upload_parts (key TEXT NOT NULL, n INTEGER NOT NULL,"
                    " etag TEXT NOT NULL, PRIMARY KEY (key, n));")
                self._conn = db
            return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def save(self, state: UploadState) -> None:
        """Write the whole state (its parts replace the stored ones)."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO uploads (key, owner, state, created_at) VALUES (?,?,?,?) "
                             "ON CONFLICT(key) DO UPDATE SET state=excluded.state",
                             (state.key, state.owner, state.to_json(), state.created_at))
            self._db.execute("DELETE FROM upload_parts WHERE key=?", (state.key,))
            self._db.executemany("INSERT INTO upload_parts (key, n, etag) VALUES (?,?,?)",
                                 [(state.key, n, e) for n, e in state.parts.items()])
            self._db.execute("COMMIT")

    def add_part(self, key: str, n: int, etag: str) -> None:
        """Record one confirmed part (called as soon as its PUT answered)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO upload_parts (key, n, etag) VALUES (?,?,?)",
                             (key, n, etag))

    def get(self, key: str) -> UploadState | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM uploads WHERE key=?", (key,)).fetchone()
            if row is None:
                return None
            return UploadState.from_json(row[0], self._parts(key))

    def load(self, owner: str) -> list[UploadState]:
        """Every unfinished upload of one account, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT key, state FROM uploads WHERE owner=? ORDER BY created_at",
                                    (owner,)).fetchall()
            return [UploadState.from_json(text, self._parts(key)) for key, text in rows]

    def remove(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM uploads WHERE key=?", (key,))
            self._db.execute("DELETE FROM upload_parts WHERE key=?", (key,))

    def _parts(self, key: str) -> dict[int, str]:
        rows = self._db.execute("SELECT n, etag FROM upload_parts WHERE key=?", (key,))
        return {int(n): e for n, e in rows}


# local checks before an upload -------------------------------------------------------------------
@dataclass(frozen=True)
class VideoFile:
    """A local file that passed the checks, with what the person is shown before sending."""

    path: str
    name: str
    size: int
    mtime: float
    content_type: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None


def inspect_video(path: str | Path, max_bytes: int = DEFAULT_MAX_UPLOAD) -> VideoFile:
    """Check that ``path`` is a video the server accepts, by its bytes when PyAV is there.

    Raises:
        VideoRefused: with a sentence naming the file and what is wrong.
    """
    p = Path(path)
    name = p.name
    try:
        st = p.stat()
    except OSError:
        raise VideoRefused(f"“{name}” can't be read. Check that the file still exists.") from None
    if not p.is_file():
        raise VideoRefused(f"“{name}” is not a file.")
    if st.st_size == 0:
        raise VideoRefused(f"“{name}” is empty.")
    if st.st_size > max_bytes:
        raise VideoRefused(f"“{name}” is {human_size(st.st_size)}; this server accepts videos up to "
                           f"{human_size(max_bytes)}.")
    not_video = VideoRefused(f"“{name}” is not a video Parley can send. "
                             "Choose an MP4, MOV, WebM or MKV video.")
    try:
        import av  # heavy; only imported when a file is attached
    except ImportError:  # no PyAV: judge by the name only (the server still probes the bytes)
        ctype = VIDEO_EXTENSIONS.get(p.suffix.lower()) or mimetypes.guess_type(name)[0] or ""
        if p.suffix.lower() not in VIDEO_EXTENSIONS:
            raise not_video from None
        return VideoFile(str(p), name, st.st_size, st.st_mtime, ctype)
    try:
        with av.open(str(p), metadata_errors="ignore") as container:
            formats = set(container.format.name.split(","))
            video = next(iter(container.streams.video), None)
            if video is None or not formats & set(_ACCEPTED_FORMATS):
                raise not_video
            duration = container.duration / 1_000_000 if container.duration else None
            if duration is None and video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            known = VIDEO_EXTENSIONS.get(p.suffix.lower())
            ctype = known if known is not None else next(
                _ACCEPTED_FORMATS[f] for f in ("webm", "matroska", "mp4", "mov") if f in formats)
            return VideoFile(str(p), name, st.st_size, st.st_mtime, ctype, duration,
                             video.codec_context.width or None, video.codec_context.height or None)
    except VideoRefused:
        raise
    except Exception:  # noqa: BLE001 - PyAV raises many kinds for "not a video"
        raise not_video from None


class RateMeter:
    """Upload speed over a sliding window, and the time left at that speed."""

    def __init__(self, window: float = 4.0) -> None:
        self.window = window
        self._samples: list[tuple[float, int]] = []

    def reset(self) -> None:
        self._samples.clear()

    def add(self, done: int, now: float | None = None) -> None:
        t = time.monotonic() if now is None else now
        self._samples.append((t, done))
        while len(self._samples) > 2 and t - self._samples[0][0] > self.window:
            self._samples.pop(0)

    def rate(self) -> float:
        """Bytes per second (0 until two samples are apart in time)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return max(0.0, (d1 - d0) / (t1 - t0)) if t1 > t0 else 0.0

    def eta(self, done: int, total: int) -> float | None:
        r = self.rate()
        return (total - done) / r if r > 0 else None
