"""HLS renditions against a live server on local storage."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.server.hls_cases import *  # noqa: F403 - the shared test functions
from tests.server.hls_cases import clip_480p, clip_long_small  # noqa: F401 - fixtures
from tests.server.media_helpers import video_dir  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def backend() -> str:
    return "local"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("hls-local") / "server",
                        {"PARLEY_TEST_HLS_FRAME_DELAY": "0.1"}).start(timeout=90)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stored(srv: LiveServer) -> Callable[[], list[str]]:
    root: Path = srv.data_dir / "media"
    return lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
