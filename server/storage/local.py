"""Videos on the server's own disk, under ``<data dir>/media``.

Layout::

    media/incoming/<hex>   an upload being assembled (parts written at their offsets)
    media/v/<hex>          a completed video
    media/t/<media id>.jpg its poster frame
    media/h/<media id>/    its HLS renditions (master.m3u8, <name>.m3u8, <name>/<nnnnn>.ts)

Each part is written straight to its place in one sparse file
(``offset = (n - 1) * part_size``), so completing an upload is a rename, not
a second copy of every byte. Which parts arrived is the server's own record
(``upload_parts`` rows), written only after a part's bytes are all on disk.
"""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

from server.storage.base import PartSizeError, PartTarget, StorageError, StoredPart, check_key, check_prefix

CHUNK = 1 << 20


class LocalStorage:
    """Files under one directory; the server receives part bytes itself."""

    name = "local"
    direct_upload = False

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        for sub in ("incoming", "v", "t", "h"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    # paths --------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _incoming(self, key: str) -> Path:
        return self.root / "incoming" / check_key(key).split("/", 1)[1]

    def check(self) -> str:
        probe = self.root / f".check-{secrets.token_hex(8)}"
        payload = secrets.token_bytes(64)
        try:
            probe.write_bytes(payload)
            if probe.read_bytes() != payload:
                raise StorageError(f"{self.root}: read back different bytes")
        finally:
            probe.unlink(missing_ok=True)
        free = shutil.disk_usage(self.root).free
        return f"local {self.root} (writable, {free / (1 << 30):.1f} GiB free)"

    # uploads ------------------------------------------------------------------
    def create_upload(self, key: str, content_type: str, size: int) -> str | None:
        path = self._incoming(key)
        with open(path, "wb") as fh:
            fh.truncate(size)  # sparse: the parts fill it in any order
        return None

    def presign_part(self, key: str, backend_id: str | None, n: int, expires_in: int, size: int) -> PartTarget:
        raise NotImplementedError("local storage receives parts through the server")

    def write_part(self, key: str, backend_id: str | None, offset: int, stream: BinaryIO,
                   length: int) -> StoredPart:
        path = self._incoming(key)
        if not path.exists():
            raise StorageError(f"upload file {path} is gone")
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        written = 0
        fd = os.open(path, os.O_WRONLY)
        try:
            while True:
                got = stream.readinto(view)  # type: ignore[attr-defined]
                if not got:
                    break
                if written + got > length:
                    raise PartSizeError(f"more than {length} bytes")
                os.pwrite(fd, view[:got], offset + written)
                written += got
        finally:
            os.close(fd)
        if written != length:
            raise PartSizeError(f"{written} bytes instead of {length}")
        # The ETag names this copy of the part (a new one for every PUT), so `complete` can tell
        # whether the part the client lists is the one stored. No content hash: it would cost a
        # pass over every byte and S3-style MD5 is no stronger a guarantee to the client.
        return StoredPart(0, written, f'"{secrets.token_hex(16)}"')

    def list_parts(self, key: str, backend_id: str | None) -> list[StoredPart] | None:
        return None  # the server's upload_parts rows are the record

    def complete_upload(self, key: str, backend_id: str | None, parts: list[StoredPart]) -> None:
        os.replace(self._incoming(key), self._path(key))

    def abort_upload(self, key: str, backend_id: str | None) -> None:
        self._incoming(key).unlink(missing_ok=True)

    # objects ------------------------------------------------------------------
    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def download(self, key: str, dest: Path) -> None:
        shutil.copyfile(self._path(key), dest)

    def upload_file(self, key: str, src: Path, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)  # h/<id>/<name>/
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def replace_with(self, key: str, src: Path) -> None:
        """Moves ``src`` (on the same disk) over the object: no copy."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)  # h/<id>/<name>/
        os.replace(src, target)

    def temp_dir(self) -> Path:
        """A scratch folder on the same file system (for renames instead of copies)."""
        d = self.root / "incoming" / "tmp"
        d.mkdir(exist_ok=True)
        return d

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        folder = self.root / check_prefix(prefix)
        n = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
        shutil.rmtree(folder, ignore_errors=True)
        return n

    def read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def presign_get(self, key: str, expires_in: int, content_type: str | None = None) -> str | None:
        return None  # the server streams local files itself

    def keys(self) -> list[str]:
        out = [f"{sub}/{p.name}" for sub in ("v", "t") for p in (self.root / sub).iterdir() if p.is_file()]
        out += [str(p.relative_to(self.root)) for p in (self.root / "h").rglob("*") if p.is_file()]
        out += [f"incoming/{p.name}" for p in (self.root / "incoming").iterdir() if p.is_file()]
        return sorted(out)
