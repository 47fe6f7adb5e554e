"""The contract's resumable video upload, media reads and resumable downloads (blocking).

Call only from worker threads. The same code serves both storage backends: the
server says where to PUT each part (a presigned S3 URL, or a URL on the server
itself), and :class:`Uploader` sends the bytes there with exactly the headers it
was given. The ``Authorization`` header goes only to the Parley server's own
origin, never to a presigned URL.
"""
from __future__ import annotations

import functools
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Protocol
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from desktop.core.errors import ApiError, NetworkError, from_problem
from desktop.core.media import MediaInfo, media_info
from desktop.core.uploads import FAILED, PROCESSING, UPLOADING, UploadState, VideoRefused
from desktop.net.part_senders import PartSenders, Spawn

log = logging.getLogger(__name__)

CHUNK = int(os.environ.get("PARLEY_UPLOAD_CHUNK", 1024 * 1024))
Progress = Callable[[int, int], None]  # bytes done (confirmed + in flight), total


class Interrupted(Exception):
    """The person paused or cancelled; not an error (deliberately not an OSError)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Control:
    """Pause / cancel flags shared between the GUI thread and an upload's workers."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.reason = ""

    def stop(self, reason: str) -> None:
        if not self._stop.is_set():
            self.reason = reason
            self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        if self._stop.is_set():
            raise Interrupted(self.reason)

    def sleep(self, seconds: float) -> None:
        """Wait, but wake up (and raise) at once when stopped."""
        if self._stop.wait(seconds):
            raise Interrupted(self.reason)


@dataclass(frozen=True)
class PartTarget:
    url: str
    method: str
    headers: dict[str, str]


class _PartReader:
    """File slice as a request body: counts bytes as they go and stops (raises Interrupted) when told to."""

    def __init__(self, path: str, offset: int, length: int, control: Control, abort: Control,
                 on_bytes: Callable[[int], None]) -> None:
        self._f: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._f.seek(offset)
        self._left = length
        self._length = length
        self._control = control
        self._abort = abort
        self._on_bytes = on_bytes

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        """Chunks of up to 1 MiB (an iterable body: urllib3 sends each chunk with one sendall)."""
        while self._left > 0:
            self._control.check()
            self._abort.check()
            data = self._f.read(min(CHUNK, self._left))
            if not data:
                raise NetworkError("The file got shorter while it was being sent.", kind="file")
            self._left -= len(data)
            self._on_bytes(len(data))
            yield data

    def close(self) -> None:
        self._f.close()


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


class MediaClient:
    """The Media calls of the contract, over the signed-in :class:`ApiClient`'s tokens.

    Attributes:
        base_url: the Parley server address.
    """

    def __init__(self, api: Any, *, timeout: tuple[float, float] = (5.0, 30.0), connections: int = 4,
                 session_factory: Callable[[], requests.Session] | None = None) -> None:
        self.api = api
        self.base_url: str = api.base_url
        self.timeout = timeout
        self._connections = connections
        self._factory = session_factory or self._new_session
        self._local = threading.local()

    def _new_session(self) -> requests.Session:
        s = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=self._connections)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        return s

    @property
    def http(self) -> requests.Session:
        """One HTTP session per thread (a Session is not meant to be shared across threads)."""
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = self._factory()
        return s

    def absolute(self, url: str) -> str:
        """A URL from the server, made absolute against the server address."""
        return urljoin(self.base_url + "/", url)

    def auth_headers(self, url: str, force_refresh: bool = False) -> dict[str, str]:
        """``Authorization`` for the Parley server's own URLs; nothing for any other host."""
        if not same_origin(self.absolute(url), self.base_url):
            return {}
        return {"Authorization": f"Bearer {self.api.access_token(force_refresh=force_refresh)}"}

    # REST calls ----------------------------------------------------------------------------------
    def call(self, method: str, path: str, *, json: Any = None) -> Any:
        for attempt in (0, 1):
            headers = {"Accept": "application/json", **self.auth_headers(path, force_refresh=attempt == 1)}
            r = self._send(method, self.absolute(path), headers=headers, json=json)
            if r.status_code == 401 and attempt == 0:
                continue
            return self._decode(r)
        raise AssertionError("unreachable")

    def create_upload(self, filename: str, size: int, content_type: str) -> dict[str, Any]:
        return dict(self.call("POST", "/api/media/uploads",
                              json={"filename": filename, "size": size, "content_type": content_type}))

    def upload_status(self, upload_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/api/media/uploads/{upload_id}"))

    def part_target(self, upload_id: str, n: int) -> PartTarget:
        data = self.call("POST", f"/api/media/uploads/{upload_id}/parts/{n}")
        return PartTarget(url=self.absolute(str(data["url"])), method=str(data.get("method") or "PUT"),
                          headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()})

    def put_part(self, target: PartTarget, body: _PartReader) -> str:
        """Send one part where the server said; return its ETag."""
        headers = dict(target.headers)  # exactly what the server said: a part URL carries its own credentials
        headers["Content-Length"] = str(len(body))
        r = self._send(target.method, target.url, headers=headers, data=body)
        if r.status_code >= 300:
            self._decode(r)  # raises
        etag = r.headers.get("ETag")
        if not etag:
            raise NetworkError("The storage did not confirm a part (no ETag).", kind="server")
        return etag

    def complete(self, upload_id: str, parts: dict[int, str]) -> str:
        data = self.call("POST", f"/api/media/uploads/{upload_id}/complete",
                         json={"parts": [{"n": n, "etag": e} for n, e in sorted(parts.items())]})
        return str(data["media_id"])

    def abort(self, upload_id: str) -> None:
        try:
            self.call("DELETE", f"/api/media/uploads/{upload_id}")
        except ApiError as exc:
            if exc.status not in (404, 410):
                raise

    def media(self, media_id: str) -> MediaInfo:
        info = media_info(self.call("GET", f"/api/media/{media_id}"))
        if info is None:
            raise NetworkError("The server sent a video description Parley can't read.", kind="server")
        return info

    def save_position(self, media_id: str, seconds: float) -> None:
        """``PUT /api/media/{id}/position``: where I stopped (0 or near the end clears it)."""
        self.call("PUT", f"/api/media/{media_id}/position", json={"seconds": round(max(0.0, seconds), 3)})

    def fetch(self, url: str, *, headers: dict[str, str] | None = None,
              stream: bool = False) -> requests.Response:
        """GET a media URL (thumbnail, stream) with auth when it is the server's own."""
        h = {**self.auth_headers(url), **(headers or {})}
        return self._send("GET", self.absolute(url), headers=h, stream=stream)

    def probe(self, url: str) -> int:
        """HTTP status of a one-byte read of a playback link, sent as the player sends it: no
        ``Authorization`` (with one, the server would accept an expired link's request)."""
        r = self._send("GET", self.absolute(url), headers={"Range": "bytes=0-0"}, stream=True)
        with r:
            return r.status_code

    def fetch_signed(self, url: str) -> requests.Response:
        """GET a signed link (HLS playlist or segment) as the player does: no ``Authorization``, streamed."""
        return self._send("GET", self.absolute(url), stream=True)

    # plumbing -----------------------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.Timeout:
            raise NetworkError("The server took too long to answer.", kind="timeout") from None
        except requests.exceptions.RequestException as exc:
            if isinstance(exc.__context__, Interrupted):
                raise exc.__context__ from None
            raise NetworkError("Can't reach the server. Parley will keep trying.", kind="unreachable") from None

    def _decode(self, r: requests.Response) -> Any:
        ctype = r.headers.get("Content-Type", "")
        if r.status_code >= 400:
            body = None
            if "json" in ctype:
                try:
                    body = r.json()
                except ValueError:
                    body = None
            elif r.status_code >= 500 or r.status_code in (408, 429):
                raise NetworkError("The server had a problem. Parley will keep trying.", kind="server")
            err = from_problem(r.status_code, body, r.headers)
            if r.status_code >= 500:
                raise NetworkError(err.message, kind="server")
            raise err
        if r.status_code == 204 or not r.content:
            return {}
        try:
            return r.json()
        except ValueError:
            return {}


class UploadRecords(Protocol):
    """Where an upload's progress is recorded: an :class:`~desktop.core.uploads.UploadStore`, or (in
    the app) writes queued on its one disk thread (:class:`desktop.qt.uploads.QueuedWrites`)."""

    def save(self, state: UploadState) -> None: ...

    def add_part(self, key: str, n: int, etag: str) -> None: ...

    def remove(self, key: str) -> None: ...


class Uploader:
    """Runs one :class:`UploadState` through the resumable protocol.

    Up to ``connections`` parts go at once: the part senders are jobs started with
    ``spawn`` (the app's upload-parts runner), while :meth:`run`'s own thread waits for
    them. Without ``spawn`` the parts go one after another on the caller's thread.
    Each confirmed part is written to the :class:`UploadStore` immediately, so a crash
    loses only the parts in flight. A resumed upload asks the server which parts
    arrived and sends only the rest.

    Attributes:
        sent_parts: part numbers PUT by this uploader (tests check a resume sends only the missing ones).
    """

    def __init__(self, client: MediaClient, store: UploadRecords, *, spawn: Spawn | None = None,
                 connections: int = 3, retries: int = 4, backoff: float = 0.5) -> None:
        self.client = client
        self.store = store
        self.spawn = spawn
        self.connections = max(1, connections) if spawn is not None else 1
        self.retries = retries
        self.backoff = backoff
        self.sent_parts: list[int] = []
        self._lock = threading.Lock()

    def run(self, state: UploadState, control: Control, on_progress: Progress | None = None) -> UploadState:
        """Upload what is missing and complete; returns the state in phase ``processing`` with its media id.

        Raises:
            Interrupted: paused or cancelled (the state on disk stays resumable).
            VideoRefused / ApiError: the file or the server refused it for good.
            NetworkError: still failing after the retries (the caller tries again later).
        """
        progress = on_progress or (lambda done, total: None)
        if not state.file_unchanged():
            raise VideoRefused(f"“{state.filename}” was changed or moved since the upload began. "
                               "Attach it again to send it.")
        for _ in range(3):  # more rounds only if the server forgot or already completed the upload
            control.check()
            self._reconcile(state)
            if state.media_id:
                break
            if state.upload_id is None:
                created = self.client.create_upload(state.filename, state.size, state.content_type)
                state.upload_id = str(created["upload_id"])
                state.part_size = int(created["part_size"])
                state.part_count = int(created.get("part_count") or len(state.spans()))
                state.parts = {}
            state.phase = UPLOADING
            state.error = None
            self.store.save(state)
            progress(state.bytes_done(), state.size)
            try:
                self._send_missing(state, control, progress)
                control.check()
                media_id = self.client.complete(state.upload_id, state.parts)
            except ApiError as exc:
                if exc.status in (404, 410):  # expired or aborted on the server: start over
                    log.info("upload %s is gone on the server; starting again", state.upload_id)
                    state.restart()
                    continue
                if exc.status == 409 and exc.code == "upload_completed":  # completed before a crash
                    continue  # the next reconcile reads its media id
                if exc.status == 409 and exc.code == "upload_completing":  # an earlier try is joining parts
                    control.sleep(1.0)
                    continue
                raise
            state.media_id = media_id
            break
        else:
            raise NetworkError("The server keeps losing this upload. Try again later.", kind="server")
        state.phase = PROCESSING
        self.store.save(state)
        progress(state.size, state.size)
        return state

    def _reconcile(self, state: UploadState) -> None:
        """Keep only the parts the server says it has (and whose ETag we know)."""
        if state.upload_id is None:
            return
        try:
            status = self.client.upload_status(state.upload_id)
        except ApiError as exc:
            if exc.status in (404, 410):
                state.restart()
                return
            raise
        phase = str(status.get("status") or "open")
        if phase == "completing":  # another try of ours is joining the parts right now
            raise NetworkError("The server is still joining the parts.", kind="busy")
        if phase != "open":
            if status.get("media_id"):  # completed before a crash: nothing left to send
                state.media_id = str(status["media_id"])
            else:  # expired or aborted: start over
                state.restart()
            return
        received = {int(n) for n in status.get("parts_received") or []}
        theirs = {int(p["n"]): str(p["etag"]) for p in status.get("parts") or [] if p.get("etag")}
        # the server's own ETags fill in parts whose answer was lost in a crash
        state.parts = {n: state.parts.get(n) or theirs[n]
                       for n in received if n in state.parts or n in theirs}

    def _send_missing(self, state: UploadState, control: Control, progress: Progress) -> None:
        spans = [s for s in state.spans() if s.n not in state.parts]
        if not spans:
            return
        abort = Control()  # one failing part stops its siblings at once
        base = state.bytes_done()
        in_flight: dict[int, int] = {}
        lock = threading.Lock()

        def moved(n: int, count: int) -> None:
            with lock:
                in_flight[n] = in_flight.get(n, 0) + count
                total = base + sum(in_flight.values())
            progress(min(total, state.size), state.size)

        def lost(n: int) -> None:
            """A part failed: its bytes in flight no longer count, and the bar says so at once."""
            with lock:
                in_flight[n] = 0
                total = base + sum(in_flight.values())
            progress(min(total, state.size), state.size)

        def one(span: Any) -> None:
            assert state.upload_id is not None
            for attempt in range(self.retries + 1):
                control.check()
                abort.check()
                with lock:
                    in_flight[span.n] = 0
                reader = None
                try:
                    target = self.client.part_target(state.upload_id, span.n)
                    reader = _PartReader(state.path, span.offset, span.length, control, abort,
                                         functools.partial(moved, span.n))
                    with self._lock:
                        self.sent_parts.append(span.n)
                    etag = self.client.put_part(target, reader)
                except NetworkError:
                    lost(span.n)
                    if attempt == self.retries:
                        raise
                    control.sleep(self.backoff * (2 ** attempt) * (0.5 + random.random()))
                    continue
                except Interrupted:
                    lost(span.n)
                    raise
                finally:
                    if reader is not None:
                        reader.close()
                with lock:
                    state.parts[span.n] = etag
                self.store.add_part(state.key, span.n, etag)
                return

        if self.spawn is None:
            for span in spans:
                one(span)
            return
        PartSenders(spans, one, abort, control, min(self.connections, len(spans))).run(self.spawn)


def abort_upload(client: MediaClient, store: UploadRecords, state: UploadState) -> None:
    """Cancel: tell the server to clean up, forget the state (even when the server is down)."""
    try:
        if state.upload_id and state.phase != PROCESSING and state.phase != FAILED:
            client.abort(state.upload_id)
    except (NetworkError, ApiError) as exc:
        log.info("abort of %s not confirmed: %s (it expires on the server)", state.upload_id, exc)
    store.remove(state.key)


def wait_processed(client: MediaClient, media_id: str, control: Control, *, timeout: float = 600.0,
                   interval: float = 0.5) -> MediaInfo:
    """Poll ``GET /api/media/{id}`` until it is ready or failed (media:status usually arrives first)."""
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        control.check()
        info = client.media(media_id)
        if info.status != PROCESSING:
            return info
        if time.monotonic() > deadline:
            raise NetworkError("The server is still processing this video. Parley will check again later.",
                               kind="timeout")
        control.sleep(delay)
        delay = min(delay * 1.5, 5.0)


# downloads ("Save video as") ----------------------------------------------------------------------------
def download(client: MediaClient, url: Callable[[], str], dest: str | Path, control: Control,
             on_progress: Progress | None = None, *, retries: int = 3) -> Path:
    """Save a video to ``dest``, resuming a ``dest.part`` left by an earlier try with a Range request.

    ``url`` is called before every request, so an expired presigned URL is replaced by a fresh one.
    """
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    progress = on_progress or (lambda done, total: None)
    attempt = 0
    while True:
        control.check()
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            r = client.fetch(url(), headers=headers, stream=True)
            with r:
                if r.status_code == 416 and have:  # already complete
                    break
                if r.status_code >= 400:
                    client._decode(r)
                if r.status_code == 200:
                    have = 0  # the server sent the whole file: start over
                total = have + int(r.headers.get("Content-Length") or 0)
                rng = r.headers.get("Content-Range", "")
                if r.status_code == 206 and "/" in rng and rng.rsplit("/", 1)[1].isdigit():
                    total = int(rng.rsplit("/", 1)[1])
                with open(part, "ab" if have else "wb") as f:
                    for chunk in r.iter_content(256 * 1024):
                        control.check()
                        f.write(chunk)
                        have += len(chunk)
                        progress(have, total)
            if total and have < total:
                raise NetworkError("The download stopped early.", kind="unreachable")
            break
        except (NetworkError, requests.exceptions.RequestException) as exc:
            attempt += 1
            if attempt > retries:
                raise exc if isinstance(exc, NetworkError) else NetworkError(
                    "The download stopped. Try again to continue where it left off.") from None
            control.sleep(0.5 * attempt)
    os.replace(part, dest)
    return dest


__all__ = ["Control", "Interrupted", "MediaClient", "PartTarget", "Uploader", "abort_upload", "download",
           "wait_processed", "FAILED", "PROCESSING", "UPLOADING"]
