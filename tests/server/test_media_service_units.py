"""MediaService rules with a fake store and an in-memory database (no server)."""
from __future__ import annotations

import errno
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from server.config import Config
from server.errors import ApiError
from server.models import Base, Media, User
from server.services.media import MediaService
from server.services.media_links import MediaLinks
from server.storage.local import LocalStorage


class BrokenStore(LocalStorage):
    """A local store whose remote calls fail the way an unreachable S3 does."""

    def create_upload(self, key: str, content_type: str, size: int) -> str | None:
        raise ConnectionError("Could not connect to the endpoint URL")


class FullDisk(LocalStorage):
    def write_part(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with sessionmaker(engine)() as s:
        s.add(User(id="u1", email="a@example.com", password_hash="x", display_name="A"))
        s.commit()
        yield s


def _service(tmp_path: Path, store_cls: type[LocalStorage] = LocalStorage, **cfg: object) -> MediaService:
    config = Config(data_dir=tmp_path, database_url="sqlite://", secret_key="k" * 40, **cfg)  # type: ignore[arg-type]
    queued: list[str] = []
    return MediaService(config, store_cls(tmp_path / "media"), MediaLinks(config.secret_key), queued.append)


def test_an_unreachable_store_is_a_clear_503(tmp_path: Path, session: Session) -> None:
    svc = _service(tmp_path, BrokenStore)
    with pytest.raises(ApiError) as err:
        svc.create_upload(session, "u1", "a.mp4", 1000, "video/mp4")
    assert (err.value.status, err.value.code) == (503, "storage_unavailable")


def test_a_full_disk_is_a_clear_507(tmp_path: Path, session: Session) -> None:
    svc = _service(tmp_path, FullDisk)
    up = svc.create_upload(session, "u1", "a.mp4", 1000, "video/mp4")
    with pytest.raises(ApiError) as err:
        svc.receive_part(session, up.id, 1, io.BytesIO(b"x" * 1000), 1000)
    assert (err.value.status, err.value.code) == (507, "storage_full")
    assert svc.status(session, "u1", up.id).parts_received == []


def test_quota_counts_videos_and_open_uploads(tmp_path: Path, session: Session) -> None:
    svc = _service(tmp_path, user_quota_bytes=10_000)
    session.add(Media(owner_id="u1", status="ready", filename="v", content_type="video/mp4", size=4000,
                      storage_key="v/" + "0" * 32))
    session.add(Media(owner_id="u1", status="failed", filename="f", content_type="video/mp4", size=9000,
                      storage_key="v/" + "1" * 32))
    session.commit()
    svc.create_upload(session, "u1", "a.mp4", 5000, "video/mp4")  # 4000 + 5000 fits; failed ones do not count
    with pytest.raises(ApiError) as err:
        svc.create_upload(session, "u1", "b.mp4", 1001, "video/mp4")
    assert (err.value.status, err.value.code) == (409, "quota_exceeded")
    assert err.value.errors == {"size": ["At most 1000 bytes are left in your quota."]}


def test_parts_must_have_their_exact_size(tmp_path: Path, session: Session) -> None:
    svc = _service(tmp_path, upload_part_size=64 * 1024)
    up = svc.create_upload(session, "u1", "a.mp4", 64 * 1024 + 10, "video/mp4")
    assert up.part_count == 2
    for n, body in ((1, b"x" * 100), (2, b"x" * 11), (2, b"x" * 9)):
        with pytest.raises(ApiError) as err:
            svc.receive_part(session, up.id, n, io.BytesIO(body), None)  # no Content-Length: counted
        assert err.value.code == "part_size_mismatch"
    assert svc.receive_part(session, up.id, 2, io.BytesIO(b"y" * 10), 10).startswith('"')
    assert svc.status(session, "u1", up.id).parts_received == [2]
