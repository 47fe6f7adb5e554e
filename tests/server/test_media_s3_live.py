"""Media upload, processing and streaming against a live server on S3 (moto's standalone server)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.config import Config as BotoConfig

from tests.conftest import LiveServer, free_port
from tests.server.media_cases import *  # noqa: F403 - the shared test functions
from tests.server.media_helpers import big_mp4, index_last_mp4, video_dir  # noqa: F401 - fixtures

BUCKET = "parley-media-test"


@pytest.fixture(scope="module")
def backend() -> str:
    return "s3"


@pytest.fixture(scope="module")
def moto_env() -> Iterator[dict[str, str]]:
    from moto.server import ThreadedMotoServer
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        yield {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{port}"}
    finally:
        moto.stop()


@pytest.fixture(scope="module")
def s3(moto_env: dict[str, str]):  # noqa: ANN201 - a boto3 S3 client
    client = boto3.client("s3", endpoint_url=moto_env["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing",
                          config=BotoConfig(signature_version="s3v4"))
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, moto_env: dict[str, str], s3) -> Iterator[LiveServer]:  # noqa: ANN001
    env = {**moto_env, "PARLEY_STORAGE_BACKEND": "s3", "PARLEY_S3_BUCKET": BUCKET,
           "PARLEY_USER_QUOTA_BYTES": "1GiB",
           "PARLEY_HLS": "off"}  # renditions: test_hls_s3_live.py
    server = LiveServer(tmp_path_factory.mktemp("media-s3") / "server", env).start(timeout=90)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stored(s3) -> Callable[[], list[str]]:  # noqa: ANN001
    """Every object in the bucket and every multipart upload still open."""
    def keys() -> list[str]:
        objs = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        ups = [f"multipart:{u['Key']}" for u in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])]
        return sorted(objs + ups)
    return keys


def test_check_reports_the_bucket(srv: LiveServer) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT
    cmd = [sys.executable, "-m", "server", "check"]
    good = subprocess.Popen(cmd, cwd=ROOT, env=srv.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    bad = subprocess.Popen(cmd, cwd=ROOT, env={**srv.env, "PARLEY_S3_BUCKET": "no-such-bucket"},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = good.communicate(timeout=60)
    assert f"s3 bucket {BUCKET}" in out and "reachable, writable" in out, out + err
    out, _ = bad.communicate(timeout=60)
    assert bad.returncode == 1 and "storage   FAIL" in out, out


def test_part_urls_are_signed_for_the_exact_part_size(srv: LiveServer) -> None:
    """A part URL's signature covers its Content-Length: it cannot store more (or less) than the part."""
    from urllib.parse import parse_qs, urlparse

    import requests

    from tests.server.media_helpers import Uploader
    user = srv.register_verified("Sized")
    client = Uploader(srv, user)
    up = client.create((8 << 20) + 1000).json()
    part = up["part_size"]
    assert up["part_count"] == 2, up
    first, last = (client.target(up["upload_id"], n).json() for n in (1, 2))
    for target, size in ((first, part), (last, 1000)):
        assert target["headers"]["Content-Length"] == str(size)
        assert "content-length" in parse_qs(urlparse(target["url"]).query)["X-Amz-SignedHeaders"][0].split(";")
    # the signature differs with the size, so a URL for 1000 bytes is no URL for 5 GiB
    sig = {parse_qs(urlparse(t["url"]).query)["X-Amz-Signature"][0] for t in (first, last)}
    assert len(sig) == 2
    ok = requests.put(last["url"], data=b"x" * 1000, headers=last["headers"], timeout=30)
    assert ok.status_code == 200, ok.text
    # (moto does not check presigned signatures, so the refusal of another size is S3's, not shown here)
