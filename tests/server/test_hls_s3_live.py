"""HLS renditions against a live server on S3 (moto's standalone server)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import HLS_ON, LiveServer
from tests.server.hls_cases import *  # noqa: F403 - the shared test functions
from tests.server.hls_cases import clip_480p, clip_long_small  # noqa: F401 - fixtures
from tests.server.media_helpers import video_dir  # noqa: F401 - fixture
from tests.server.test_media_s3_live import BUCKET, moto_env, s3  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def backend() -> str:
    return "s3"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, moto_env: dict[str, str], s3) -> Iterator[LiveServer]:  # noqa: ANN001, F811
    env = {**moto_env, **HLS_ON, "PARLEY_STORAGE_BACKEND": "s3", "PARLEY_S3_BUCKET": BUCKET,
           "PARLEY_TEST_HLS_FRAME_DELAY": "0.1"}
    server = LiveServer(tmp_path_factory.mktemp("hls-s3") / "server", env).start(timeout=90)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stored(s3) -> Callable[[], list[str]]:  # noqa: ANN001, F811
    def keys() -> list[str]:
        out: list[str] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            out += [o["Key"] for o in page.get("Contents", [])]
        return sorted(out)
    return keys
