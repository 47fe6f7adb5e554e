"""Media upload, processing and streaming against a live server on local storage."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.server.media_cases import *  # noqa: F403 - the shared test functions
from tests.server.media_helpers import big_mp4, index_last_mp4, video_dir  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def backend() -> str:
    return "local"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # PARLEY_HLS off: renditions are tested in test_hls_local_live.py
    server = LiveServer(tmp_path_factory.mktemp("media-local") / "server",
                        {"PARLEY_USER_QUOTA_BYTES": "1GiB", "PARLEY_HLS": "off"}).start(timeout=90)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stored(srv: LiveServer) -> Callable[[], list[str]]:
    """Every file under the media folder (videos, posters, uploads in progress, scratch files)."""
    root: Path = srv.data_dir / "media"
    return lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
