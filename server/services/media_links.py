"""Signed, short-lived URLs for media: playback/poster links and local part uploads.

A video player (QMediaPlayer, a browser ``<video>``) fetches a URL and cannot
easily add an ``Authorization`` header, and a client should PUT a part to the
URL it was given with no knowledge of the backend. So the server hands out
URLs carrying an HMAC-signed ``token`` query parameter (itsdangerous, keyed
by the server's secret):

- read tokens name one media item, the viewer and the viewer's login
  session; every use checks again that this viewer, on this login, may still
  read it (:func:`server.api.media._readable`), so a link stops working when
  the message is deleted, the viewer signs out or is disabled. They are valid for :data:`READ_TTL` plus up to one
  :data:`READ_BUCKET` (timestamps are rounded down to the bucket, so the
  URL of a media item stays the same for a while and clients can cache the
  poster);
- part tokens name one upload and one part number, valid for :data:`PART_TTL`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

READ_TTL = 3600
READ_BUCKET = 600
PART_TTL = 3600


class _BucketSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        now = int(time.time())
        return now - now % READ_BUCKET


class LinkExpired(Exception):
    """A token was genuine but is too old."""


class LinkInvalid(Exception):
    """A token was not made by this server for this purpose."""


@dataclass(frozen=True)
class ReadGrant:
    media_id: str
    viewer_id: str | None
    session_id: str | None = None
    #: Unix time at which the token stops being accepted (presigned HLS segments last as long).
    expires_at: float | None = None


class MediaLinks:
    """Mints and checks the ``token`` query parameter of media URLs."""

    def __init__(self, secret_key: str) -> None:
        self._read = URLSafeTimedSerializer(secret_key, salt="parley.media.read", signer=_BucketSigner)
        self._part = URLSafeTimedSerializer(secret_key, salt="parley.media.part")

    # reading ------------------------------------------------------------------
    def read_token(self, media_id: str, viewer_id: str | None, session_id: str | None = None) -> str:
        payload: dict[str, Any] = {"m": media_id}
        if viewer_id:
            payload["u"] = viewer_id
        if session_id:
            payload["s"] = session_id
        return self._read.dumps(payload)

    def check_read(self, token: str) -> ReadGrant:
        data, signed_at = self._loads(self._read, token, READ_TTL + READ_BUCKET, timestamp=True)
        if not isinstance(data, dict) or not isinstance(data.get("m"), str):
            raise LinkInvalid("malformed read token")
        return ReadGrant(data["m"], data.get("u"), data.get("s"),
                         signed_at.timestamp() + READ_TTL + READ_BUCKET)

    # part uploads ----------------------------------------------------------------
    def part_token(self, upload_id: str, n: int) -> str:
        return self._part.dumps({"u": upload_id, "n": n})

    def check_part(self, token: str, upload_id: str, n: int) -> None:
        data = self._loads(self._part, token, PART_TTL)
        if not isinstance(data, dict) or data.get("u") != upload_id or data.get("n") != n:
            raise LinkInvalid("token for another part")

    @staticmethod
    def _loads(serializer: URLSafeTimedSerializer, token: str, max_age: int, timestamp: bool = False) -> Any:
        try:
            return serializer.loads(token, max_age=max_age, return_timestamp=timestamp)
        except SignatureExpired as exc:
            raise LinkExpired(str(exc)) from exc
        except BadSignature as exc:
            raise LinkInvalid(str(exc)) from exc
