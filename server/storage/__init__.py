"""Where video bytes live: :mod:`.local` (data dir) or :mod:`.s3` (any S3-compatible store)."""
from __future__ import annotations

from server.config import Config
from server.storage.base import PartSizeError, PartTarget, Storage, StorageError, StoredPart

__all__ = ["PartSizeError", "PartTarget", "Storage", "StorageError", "StoredPart", "build_storage"]


def build_storage(config: Config) -> Storage:
    """The backend named by ``PARLEY_STORAGE_BACKEND``."""
    if config.storage_backend == "s3":
        from server.storage.s3 import S3Storage
        assert config.s3_bucket  # Config.from_env refuses s3 without a bucket
        return S3Storage(config.s3_bucket)
    from server.storage.local import LocalStorage
    return LocalStorage(config.media_dir)
