"""Videos in an S3 bucket (AWS or any S3-compatible store).

The bucket comes from ``PARLEY_S3_BUCKET``; region, credentials and endpoint
from boto3's standard chain (``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL_S3``,
...). Uploads are S3 multipart uploads: the client PUTs each part to a
presigned URL, so video bytes never pass through the server. Playback is a
redirect to a presigned GET (S3 serves Range requests itself).
"""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from server.storage.base import PartTarget, StorageError, StoredPart, check_key, check_prefix

CHECK_TTL = 30.0


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Storage:
    """One bucket; presigned part PUTs and GETs (SigV4)."""

    name = "s3"
    direct_upload = True

    def __init__(self, bucket: str, client=None) -> None:  # noqa: ANN001 - a boto3 S3 client
        self.bucket = bucket
        self._checked, self._checked_at = "", -CHECK_TTL
        self.client = client or boto3.client(
            "s3", config=BotoConfig(signature_version="s3v4", retries={"max_attempts": 5, "mode": "standard"},
                                    connect_timeout=10, read_timeout=60))

    def check(self) -> str:
        """A real write/read/delete round trip; a success is reused for 30 s (``/readyz`` is polled)."""
        if time.monotonic() - self._checked_at < CHECK_TTL:
            return self._checked
        self._checked = self._check()
        self._checked_at = time.monotonic()
        return self._checked

    def _check(self) -> str:
        key = f"parley-check/{secrets.token_hex(8)}"
        payload = secrets.token_bytes(64)
        try:
            self.client.head_bucket(Bucket=self.bucket)
            self.client.put_object(Bucket=self.bucket, Key=key, Body=payload)
            got = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            if got != payload:
                raise StorageError("read back different bytes")
        finally:
            try:
                self.client.delete_object(Bucket=self.bucket, Key=key)
            except ClientError:
                pass
        return f"s3 bucket {self.bucket} at {self.client.meta.endpoint_url} (reachable, writable)"

    # uploads ------------------------------------------------------------------
    def create_upload(self, key: str, content_type: str, size: int) -> str | None:
        r = self.client.create_multipart_upload(Bucket=self.bucket, Key=check_key(key),
                                                ContentType=content_type)
        return str(r["UploadId"])

    def presign_part(self, key: str, backend_id: str | None, n: int, expires_in: int, size: int) -> PartTarget:
        """A presigned ``UploadPart`` whose signature covers ``Content-Length: size``.

        Without it one URL could store up to 5 GiB whatever the declared size:
        S3 refuses a PUT whose Content-Length differs from the signed one, so
        the part can only be exactly the size the server expects.
        """
        url = self.client.generate_presigned_url(
            "upload_part", HttpMethod="PUT", ExpiresIn=expires_in,
            Params={"Bucket": self.bucket, "Key": check_key(key), "UploadId": backend_id, "PartNumber": n,
                    "ContentLength": size})
        return PartTarget(url=url, method="PUT", headers={"Content-Length": str(size)})

    def write_part(self, key: str, backend_id: str | None, offset: int, stream: BinaryIO,
                   length: int) -> StoredPart:
        raise NotImplementedError("with S3 the client sends parts straight to the bucket")

    def list_parts(self, key: str, backend_id: str | None) -> list[StoredPart] | None:
        parts: list[StoredPart] = []
        try:
            pages = self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=check_key(key), UploadId=backend_id)
            for page in pages:
                for p in page.get("Parts", []):
                    parts.append(StoredPart(int(p["PartNumber"]), int(p["Size"]), str(p["ETag"])))
        except ClientError as exc:
            if _code(exc) == "NoSuchUpload":
                raise StorageError("the multipart upload no longer exists") from exc
            raise
        return parts

    def complete_upload(self, key: str, backend_id: str | None, parts: list[StoredPart]) -> None:
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=check_key(key), UploadId=backend_id,
            MultipartUpload={"Parts": [{"PartNumber": p.n, "ETag": p.etag}
                                       for p in sorted(parts, key=lambda p: p.n)]})

    def abort_upload(self, key: str, backend_id: str | None) -> None:
        if not backend_id:
            return
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=check_key(key), UploadId=backend_id)
        except ClientError as exc:
            if _code(exc) not in ("NoSuchUpload", "404"):
                raise

    # objects ------------------------------------------------------------------
    def size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"])
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def local_path(self, key: str) -> Path | None:
        return None

    def download(self, key: str, dest: Path) -> None:
        self.client.download_file(self.bucket, check_key(key), str(dest))

    def upload_file(self, key: str, src: Path, content_type: str) -> None:
        self.client.upload_file(str(src), self.bucket, check_key(key),
                                ExtraArgs={"ContentType": content_type})

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def delete_prefix(self, prefix: str) -> int:
        n = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=check_prefix(prefix))
        for page in pages:  # at most 1000 keys a page, as DeleteObjects takes
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                n += len(keys)
        return n

    def read(self, key: str) -> bytes | None:
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read())
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def presign_get(self, key: str, expires_in: int, content_type: str | None = None) -> str | None:
        params = {"Bucket": self.bucket, "Key": check_key(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def keys(self) -> list[str]:
        out: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            out += [o["Key"] for o in page.get("Contents", [])]
        r = self.client.list_multipart_uploads(Bucket=self.bucket)
        out += [f"multipart:{u['Key']}" for u in r.get("Uploads", [])]
        return sorted(out)
