"""The upload quota holds under parallel requests (SQLite file in WAL mode, and PostgreSQL),
and is checked again at ``complete``.

The store's ``create_upload`` waits at a barrier, the way a slow S3 call keeps
requests in flight together: every request has passed the early quota check
before any has stored its row, which is exactly the race to close.
"""
from __future__ import annotations

import dataclasses
import io
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.config import Config
from server.db import Database
from server.errors import ApiError
from server.models import Base, Upload, User
from server.services.media import MediaService
from server.services.media_links import MediaLinks
from server.storage.local import LocalStorage

PARALLEL = 6
QUOTA = 10_000
SIZE = 4_000  # two fit, a third does not


class SlowStore(LocalStorage):
    """``create_upload`` returns only once every request is inside it (or after 5 s)."""

    barrier = threading.Barrier(PARALLEL)

    def create_upload(self, key: str, content_type: str, size: int) -> str | None:
        try:
            self.barrier.wait(5)
        except threading.BrokenBarrierError:
            pass
        return super().create_upload(key, content_type, size)


def _race(db: Database, tmp_path: Path) -> tuple[list[int], int]:
    config = Config(data_dir=tmp_path, database_url=db.url, secret_key="k" * 40, user_quota_bytes=QUOTA)
    SlowStore.barrier = threading.Barrier(PARALLEL)
    svc = MediaService(config, SlowStore(tmp_path / "media"), MediaLinks(config.secret_key), lambda _m: None)
    with db.session() as s:
        s.add(User(id="u1", email="a@example.com", password_hash="x", display_name="A"))
        s.commit()
    outcomes: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        with db.session() as s:
            try:
                svc.create_upload(s, "u1", "a.mp4", SIZE, "video/mp4")
                status = 201
            except ApiError as exc:
                status = exc.status
        with lock:
            outcomes.append(status)

    threads = [threading.Thread(target=one) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with db.session() as s:
        total = s.scalar(sa.select(sa.func.sum(Upload.size)).where(Upload.owner_id == "u1"))
    return sorted(outcomes), int(total or 0)


def test_parallel_uploads_cannot_exceed_the_quota_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'q.db'}")
    Base.metadata.create_all(db.engine)
    try:
        outcomes, total = _race(db, tmp_path)
    finally:
        db.dispose()
    assert outcomes == [201, 201] + [409] * (PARALLEL - 2)
    assert total == 2 * SIZE <= QUOTA


@pytest.mark.postgres
def test_parallel_uploads_cannot_exceed_the_quota_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    db = Database(postgres_url)
    Base.metadata.create_all(db.engine)
    try:
        outcomes, total = _race(db, tmp_path)
    finally:
        db.dispose()
    assert outcomes == [201, 201] + [409] * (PARALLEL - 2)
    assert total == 2 * SIZE <= QUOTA


def test_complete_checks_the_quota_again(tmp_path: Path) -> None:
    """The quota shrank while the upload was open: completing it would exceed it, so it is refused."""
    db = Database(f"sqlite:///{tmp_path / 'q.db'}")
    Base.metadata.create_all(db.engine)
    config = Config(data_dir=tmp_path, database_url=db.url, secret_key="k" * 40, user_quota_bytes=QUOTA,
                    upload_part_size=64 * 1024)
    store = LocalStorage(tmp_path / "media")
    svc = MediaService(config, store, MediaLinks(config.secret_key), lambda _m: None)
    try:
        with db.session() as s:
            s.add(User(id="u1", email="a@example.com", password_hash="x", display_name="A"))
            s.commit()
            up = svc.create_upload(s, "u1", "a.mp4", SIZE, "video/mp4")
            etag = svc.receive_part(s, up.id, 1, io.BytesIO(b"v" * SIZE), SIZE)
            svc.config = dataclasses.replace(config, user_quota_bytes=SIZE - 1)
            with pytest.raises(ApiError) as err:
                svc.complete(s, "u1", up.id, [(1, etag)])
            assert (err.value.status, err.value.code) == (409, "quota_exceeded")
            assert s.get(Upload, up.id).status == "open"  # nothing half-done: it can still be aborted
            svc.config = config
            media = svc.complete(s, "u1", up.id, [(1, etag)])
            assert media.size == SIZE
    finally:
        db.dispose()
