"""``/api/media``: resumable uploads, media state, poster and streaming.

Thin endpoints: they authenticate, validate and call
:class:`~server.services.media.MediaService`. Some endpoints also accept a
signed ``token`` query parameter instead of a Bearer header (a video player
cannot easily add headers): the stream, poster and HLS URLs of a media
object, and the local part-upload URL. See ``docs/media.md``.
"""
from __future__ import annotations

import time
from urllib.parse import urlparse

from flask import Response, redirect, request, send_file
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from server.api.schemas import Body
from server.auth import BEARER, current_session_id, require_user
from server.errors import ApiError, Problem, problem_response
from server.extensions import db_session, services
from server.models import Media, iso
from server.config import Config
from server.services.media import (MAX_PARTS, PART_NUMBER_PATTERN, MediaService, max_declared_size,
                                    parse_part_number)
from server.services.hls_playlists import (MPEGURL, NAME_PATTERN, SEGMENT_PATTERN, renditions_of,
                                           rewrite_master, rewrite_media)
from server.services import media_positions
from server.services.media_links import READ_TTL, LinkExpired, LinkInvalid, MediaLinks
from server.services.media_view import active_session_ids, can_read, media_dict
from server.services.tokens import TokenService

tag = Tag(name="Media", description="Resumable video uploads, processing state, poster frames and streaming")
bp = APIBlueprint("media", __name__, url_prefix="/api/media", abp_tags=[tag],
                  abp_responses={401: Problem, 404: Problem, 422: Problem})

#: Lifetime of a presigned S3 GET (stream or poster).
PRESIGNED_GET_TTL = 15 * 60
#: Segment URLs presigned between two yields to the event loop (S3 media playlists).
PRESIGN_BATCH = 25
#: Largest ``complete`` body: 10 000 parts with their ETags (S3's are 34 characters; 200 allowed).
COMPLETE_BODY_LIMIT = 4 << 20


@bp.before_request
def _complete_reads_big_bodies_only_for_the_signed_in() -> None:
    """``complete`` is the one JSON body above :data:`server.errors.JSON_BODY_LIMIT`: it may be read
    only once the caller is known (401 first, as every authenticated endpoint answers)."""
    if request.endpoint == "media.complete_upload":
        require_user()
        request.max_content_length = COMPLETE_BODY_LIMIT


# --- schemas ----------------------------------------------------------------------
class CreateUploadBody(Body):
    filename: str = Field(min_length=1, max_length=1024, examples=["holiday.mp4"],
                          description="Shown to people only; never used to store or identify the file")
    size: int = Field(ge=1, description="Total bytes of the file; the document's `maximum` is this server's "
                                        "limit (PARLEY_MAX_UPLOAD_BYTES, and at most 10 000 parts)",
                      examples=[31_457_280])
    content_type: str = Field(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$",
                              examples=["video/mp4"],
                              description="As claimed by the client; the server probes the bytes and "
                                          "replaces it")


class UploadCreated(BaseModel):
    upload_id: str
    part_size: int = Field(description="Bytes of every part but the last")
    part_count: int
    expires_at: str


class UploadPath(BaseModel):
    upload_id: str = Field(max_length=64)


class PartPath(BaseModel):
    upload_id: str = Field(max_length=64)
    n: str = Field(pattern=PART_NUMBER_PATTERN, description="Part number, 1 to the upload's part_count (404 "
                                                             "`part_out_of_range` above it)")


class ReceivedPart(BaseModel):
    n: int
    size: int
    etag: str


class UploadStatusOut(BaseModel):
    upload_id: str
    status: str = Field(description="open, completing (for a moment), completed, aborted or expired")
    parts_received: list[int] = Field(description="Part numbers stored so far (open uploads)")
    parts: list[ReceivedPart] = Field(description="The same parts with their size and ETag, so a client that "
                                                  "lost its own record can still complete")
    part_size: int
    part_count: int
    size: int
    expires_at: str
    media_id: str | None


class PartTargetOut(BaseModel):
    url: str = Field(description="PUT the part's bytes here (presigned S3 URL, or this server with a token)")
    method: str = "PUT"
    headers: dict[str, str] = Field(description="Headers to send with the PUT")


class PartRef(BaseModel):
    n: int = Field(ge=1, le=MAX_PARTS, description="1 to the upload's part_count (409 `part_out_of_range` above it)")
    etag: str = Field(max_length=200)


class CompleteBody(Body):
    parts: list[PartRef] = Field(max_length=10_000, description="Every part with the ETag its PUT answered")


class Completed(BaseModel):
    media_id: str
    status: str


class LinkQuery(BaseModel):
    token: str | None = Field(default=None, max_length=2048,
                              description="Signed token from `playback_url` / `thumbnail_url` (instead of a "
                                          "Bearer header)")


class PartQuery(BaseModel):
    token: str = Field(max_length=2048, description="Signed token from the part endpoint's `url`")


class MediaPath(BaseModel):
    media_id: str = Field(max_length=64)


class RenditionOut(BaseModel):
    name: str = Field(description="360p, 720p or source (the source height, at most 1080)")
    height: int
    width: int
    bandwidth: int = Field(description="Peak bits per second, as in the master playlist")
    url: str | None = Field(description="Server-relative URL of its media playlist (signed token)")


class HlsOut(BaseModel):
    status: str = Field(description="pending, encoding, ready, failed or cancelled")
    progress: float | None = Field(description="0 to 1 while pending or encoding")
    master_url: str | None = Field(description="Server-relative URL of the master playlist (signed token); "
                                               "set only when ready")
    renditions: list[RenditionOut] = Field(description="Lowest first; set only when ready")
    error: str | None


class HlsPath(BaseModel):
    media_id: str = Field(max_length=64)
    name: str = Field(pattern=NAME_PATTERN, description="360p, 720p or source")


class SegmentPath(BaseModel):
    media_id: str = Field(max_length=64)
    name: str = Field(pattern=NAME_PATTERN, description="360p, 720p or source")
    n: str = Field(pattern=SEGMENT_PATTERN, description="Segment number, five digits")
#: Largest position accepted (a week of video): a finite bound, so no client or fuzzer sends 1e308.
MAX_POSITION_SECONDS = 7 * 24 * 3600.0


class PositionBody(Body):
    seconds: float = Field(ge=0, le=MAX_POSITION_SECONDS, allow_inf_nan=False, examples=[37.5],
                           description="Where you stopped, in seconds. Clamped to the duration; 0, or within "
                                       f"{media_positions.FINISHED_MARGIN:g} s of the end, clears it (nothing to "
                                       "resume)")


class PositionOut(BaseModel):
    seconds: float | None = Field(description="Your saved position in seconds; null: none (not started, or "
                                              "watched to the end)")
    updated_at: str | None = Field(description="When it was saved (by any of your devices)")


class MediaPositionOut(BaseModel):
    seconds: float
    updated_at: str


class MediaOut(BaseModel):
    id: str
    status: str = Field(description="processing, ready or failed")
    filename: str
    content_type: str = Field(description="Found by probing the bytes once processed")
    size: int
    duration: float | None = Field(description="Seconds")
    width: int | None
    height: int | None
    thumbnail_url: str | None = Field(description="Server-relative URL of the JPEG poster (signed token)")
    playback_url: str | None = Field(description="Server-relative URL of the stream, Range (signed token)")
    error: str | None = Field(description="Why processing failed, for a person")
    hls: HlsOut | None = Field(description="HLS renditions (adaptive playback); null when this video has no "
                                           "encode (sent before renditions existed, or encoding is off)")
    position: MediaPositionOut | None = Field(default=None,
                                              description="Your own saved position in this video (resume "
                                                          "anywhere), or null")


def document_limits(spec: dict, config: Config) -> None:
    """Writes this server's upload size limit into the OpenAPI document, as ``maximum`` of ``size``.

    The limit is configuration, so the pydantic model cannot carry it; :meth:`MediaService.check_size`
    enforces the same number (422 `file_too_large`), so the document and the server agree.
    """
    schema = spec.get("components", {}).get("schemas", {}).get(CreateUploadBody.__name__)
    if schema is not None:
        schema["properties"]["size"]["maximum"] = max_declared_size(config)


# --- helpers ------------------------------------------------------------------------
def _media() -> MediaService:
    return services().media


def _links() -> MediaLinks:
    return services().media_links


def _base_url() -> str:
    """The URL the client reached us at (PARLEY_PUBLIC_URL when it names the same host: TLS proxy)."""
    public = services().config.public_url
    if urlparse(public).netloc == request.host:
        return public
    return request.host_url.rstrip("/")


def _readable(media_id: str) -> Media:
    """The media if the caller may read it: Bearer header, or a signed ``token`` from a media URL."""
    s = db_session()
    token = request.args.get("token")
    if token:
        try:
            grant = _links().check_read(token)
        except LinkExpired:
            if "Authorization" not in request.headers:
                raise ApiError(401, "link_expired", "This video link has expired. Open the message again "
                                                    "(GET /api/media/{id}) for a fresh link.") from None
            grant = None
        except LinkInvalid:
            if "Authorization" not in request.headers:
                raise ApiError(404, "media_not_found", "There is no such video.") from None
            grant = None
        if grant is not None:
            # Checked on every use, not only when minted: the message may be gone, the viewer signed
            # out or disabled since. A token without viewer and session is not accepted at all.
            if grant.media_id != media_id or not grant.viewer_id or not grant.session_id:
                raise ApiError(404, "media_not_found", "There is no such video.")
            if not TokenService.session_active(s, grant.viewer_id, grant.session_id):
                raise ApiError(401, "link_expired", "This video link belongs to a login that has ended. "
                                                    "Sign in and open the message again.")
            media = s.get(Media, media_id)
            if media is None or not can_read(s, media, grant.viewer_id):
                raise ApiError(404, "media_not_found", "There is no such video.")
            return media
    viewer = require_user().id
    media = s.get(Media, media_id)
    if media is None or not can_read(s, media, viewer):
        raise ApiError(404, "media_not_found", "There is no such video.")
    return media


def _ready(media: Media) -> None:
    if media.status == "processing":
        raise ApiError(409, "media_not_ready", "This video is still being processed; try again in a moment.")
    if media.status == "failed":
        raise ApiError(409, "media_failed", media.error or "This video could not be processed.")


def _serve(key: str, content_type: str, download_name: str | None) -> Response:
    storage = services().storage
    url = storage.presign_get(key, PRESIGNED_GET_TTL, content_type)
    if url is not None:
        resp = redirect(url, code=302)
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    path = storage.local_path(key)
    if path is None or not path.exists():
        raise ApiError(404, "media_not_found", "The bytes of this video are gone.")
    try:
        resp = send_file(path, mimetype=content_type, conditional=True, etag=True, max_age=3600,
                         download_name=download_name)
    except RequestedRangeNotSatisfiable:
        size = path.stat().st_size
        return problem_response(ApiError(
            416, "range_not_satisfiable", f"The requested range is outside the file ({size} bytes).",
            headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}))
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers.pop("Date", None)  # the HTTP server adds its own
    return resp


# --- uploads ------------------------------------------------------------------------
@bp.post("/uploads", security=BEARER, responses={201: UploadCreated, 409: Problem},
         summary="Start a resumable upload",
         description="Checks the size against the server's maximum, stated as `maximum` of `size` (422 "
                     "`file_too_large`), and your quota, which depends on what you store (409 "
                     "`quota_exceeded`). Send the parts, then `complete`.")
def create_upload(body: CreateUploadBody):  # noqa: ANN201
    me = require_user()
    up = _media().create_upload(db_session(), me.id, body.filename, body.size, body.content_type)
    return {"upload_id": up.id, "part_size": up.part_size, "part_count": up.part_count,
            "expires_at": iso(up.expires_at)}, 201


@bp.get("/uploads/<upload_id>", security=BEARER, responses={200: UploadStatusOut},
        summary="An upload's state: which parts arrived (to resume)")
def upload_status(path: UploadPath):  # noqa: ANN201
    me = require_user()
    st = _media().status(db_session(), me.id, path.upload_id)
    up = st.upload
    if up.status == "aborted":  # deleted by its owner: gone, like any deleted resource
        raise ApiError(404, "not_found", "There is no such upload.")
    status = "expired" if _media().is_expired(up) else up.status
    return {"upload_id": up.id, "status": status, "parts_received": st.parts_received,
            "parts": [{"n": p.n, "size": p.size, "etag": p.etag} for p in st.parts],
            "part_size": up.part_size,
            "part_count": up.part_count, "size": up.size, "expires_at": iso(up.expires_at),
            "media_id": up.media_id}


@bp.post("/uploads/<upload_id>/parts/<n>", security=BEARER, responses={200: PartTargetOut, 409: Problem,
                                                                      410: Problem},
         summary="Where to PUT part n",
         description="With S3 a presigned URL straight to the bucket; with local storage a URL on this "
                     "server carrying a signed token. PUT exactly the part's bytes there with the given "
                     "headers; the answer's `ETag` header goes into `complete`. 404 `part_out_of_range` "
                     "above the upload's part_count (or 0); 404 `upload_aborted` for a cancelled upload; "
                     "409 `upload_completed`; 410 `upload_expired`.")
def part_url(path: PartPath):  # noqa: ANN201
    me = require_user()
    n = parse_part_number(path.n)
    t = _media().part_target(db_session(), me.id, path.upload_id, n, _base_url())
    return {"url": t.url, "method": t.method, "headers": t.headers}


@bp.put("/uploads/<upload_id>/parts/<n>/data",
        responses={200: None, 400: Problem, 409: Problem, 410: Problem, 507: Problem},
        summary="Receive part n (local storage; the URL comes from the part endpoint)",
        description="Authorised by the signed `token` in the URL, not a Bearer header. The body is the "
                    "part's raw bytes: exactly `part_size` bytes, or the remainder for the last part "
                    "(400 `part_size_mismatch`). Answers 200 with an `ETag` header.",
        openapi_extensions={"requestBody": {"required": True, "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}}})
def put_part(path: PartPath, query: PartQuery):  # noqa: ANN201
    n = parse_part_number(path.n)
    try:
        _links().check_part(query.token, path.upload_id, n)
    except LinkExpired:
        raise ApiError(401, "link_expired", "This part URL has expired; ask for a new one.") from None
    except LinkInvalid:
        raise ApiError(401, "unauthorized",
                       "This part URL is not valid; ask the server for a new one.") from None
    etag = _media().receive_part(db_session(), path.upload_id, n, request.stream, request.content_length)
    resp = Response(status=200)
    resp.headers["ETag"] = etag
    return resp


@bp.post("/uploads/<upload_id>/complete", security=BEARER,
         responses={202: Completed, 409: Problem, 410: Problem},
         summary="Join the parts and start processing",
         description="409 when the parts stored do not match the upload: `missing_parts` (listed in the "
                     "message and in `errors.parts`), `etag_mismatch`, `part_size_mismatch`, "
                     "`part_out_of_range` (a listed part above part_count), or `quota_exceeded`; also 409 "
                     "`upload_completing`. 404 `upload_aborted` for a cancelled upload. A repeated call "
                     "answers the same media id.")
def complete_upload(path: UploadPath, body: CompleteBody):  # noqa: ANN201
    me = require_user()
    media = _media().complete(db_session(), me.id, path.upload_id, [(p.n, p.etag) for p in body.parts])
    return {"media_id": media.id, "status": media.status}, 202


@bp.delete("/uploads/<upload_id>", security=BEARER, responses={204: None, 409: Problem},
           summary="Cancel an upload and delete its parts")
def abort_upload(path: UploadPath):  # noqa: ANN201
    me = require_user()
    _media().abort(db_session(), me.id, path.upload_id)
    return Response(status=204)


# --- media ---------------------------------------------------------------------------
@bp.get("/<string(length=32):media_id>", security=BEARER, responses={200: MediaOut},
        summary="A video's state and metadata",
        description="Only the owner and the participants of a conversation where it was sent; anyone else "
                    "gets 404.")
def get_media(path: MediaPath):  # noqa: ANN201
    me = require_user()
    s = db_session()
    media = _readable_by(s, path.media_id, me.id)
    return media_dict(media, viewer_id=me.id, links=_links(), session_id=current_session_id(),
                      position=media_positions.get(s, me.id, media.id))


def _readable_by(s: Session, media_id: str, user_id: str) -> Media:
    media = s.get(Media, media_id)
    if media is None or not can_read(s, media, user_id):
        raise ApiError(404, "media_not_found", "There is no such video.")
    return media


# --- resume anywhere --------------------------------------------------------------------
@bp.put("/<string(length=32):media_id>/position", security=BEARER, responses={204: None, 429: Problem},
        summary="Save where you stopped watching (resume on your other devices)",
        description="Only someone who may read the video (else 404 `media_not_found`). Your other logins get "
                    "Socket.IO `media:position` `{media_id, seconds, updated_at}`. Clamped to the duration; 0 "
                    "or a position near the end clears it (`seconds` null in the event). Rate limited per "
                    "person (`position`): a player saves every few seconds while playing.")
def put_position(path: MediaPath, body: PositionBody):  # noqa: ANN201
    me = require_user()
    services().user_limits.take("position", me.id)
    s = db_session()
    media = _readable_by(s, path.media_id, me.id)
    saved = media_positions.save(s, me.id, media, body.seconds)
    mine = current_session_id()
    others = [login for login in active_session_ids(s, me.id) if login != mine]
    services().notifier.media_position(saved.payload(), others)
    return Response(status=204)


@bp.get("/<string(length=32):media_id>/position", security=BEARER, responses={200: PositionOut},
        summary="Where you stopped watching this video",
        description="`seconds` null when there is nothing to resume. The `media` object carries the same as "
                    "`position`.")
def get_position(path: MediaPath):  # noqa: ANN201
    me = require_user()
    s = db_session()
    media = _readable_by(s, path.media_id, me.id)
    row = media_positions.get(s, me.id, media.id)
    return {"seconds": row.seconds if row else None, "updated_at": iso(row.updated_at) if row else None}


@bp.get("/<string(length=32):media_id>/thumbnail", security=BEARER, responses={200: None, 302: None, 409: Problem},
        summary="The JPEG poster frame (or a redirect to it)")
def thumbnail(path: MediaPath, query: LinkQuery):  # noqa: ANN201
    media = _readable(path.media_id)
    _ready(media)
    if not media.thumbnail_key:
        raise ApiError(404, "thumbnail_not_found", "This video has no poster frame.")
    return _serve(media.thumbnail_key, "image/jpeg", None)


@bp.get("/<string(length=32):media_id>/stream", security=BEARER, responses={200: None, 206: None, 302: None, 409: Problem,
                                                           416: Problem},
        summary="The video bytes, with Range support (or a redirect to a presigned URL)",
        description="Local storage: 200, or 206 for a `Range` request, with `Accept-Ranges`, "
                    "`Content-Range`, `ETag`, `If-Range`; 416 with `Content-Range: bytes */size` outside the "
                    "file. S3: 302 to a presigned GET valid for 15 minutes, which supports Range itself.")
def stream(path: MediaPath, query: LinkQuery):  # noqa: ANN201
    media = _readable(path.media_id)
    _ready(media)
    return _serve(media.storage_key, media.content_type, media.filename)


# --- HLS renditions --------------------------------------------------------------------
def _hls_ready(media: Media) -> None:
    _ready(media)
    if media.hls_status in ("pending", "encoding"):
        raise ApiError(409, "renditions_not_ready", "The renditions of this video are still being made; "
                                                    "play the progressive stream meanwhile.")
    if media.hls_status != "ready":
        raise ApiError(404, "renditions_not_found", "This video has no renditions; play the progressive stream.")


def _viewer_query(media_id: str) -> tuple[str, float]:
    """The ``?token=`` the rewritten playlist carries, and when it stops working.

    The caller's own token when it came with one (already checked by :func:`_readable`), else one
    minted for the Bearer caller on this login: every URL in a playlist names the same viewer.
    """
    token = request.args.get("token")
    if token:
        try:
            grant = _links().check_read(token)
            if grant.media_id == media_id and grant.expires_at:
                return f"?token={token}", grant.expires_at
        except (LinkExpired, LinkInvalid):
            pass
    me = require_user()
    return f"?token={_links().read_token(media_id, me.id, current_session_id())}", time.time() + READ_TTL


def _playlist(text: str) -> Response:
    resp = Response(text, mimetype=MPEGURL)
    resp.headers["Cache-Control"] = "private, no-store"  # per viewer, and it carries their token
    return resp


@bp.get("/<string(length=32):media_id>/hls/master.m3u8", security=BEARER, responses={200: None, 409: Problem},
        summary="The HLS master playlist, written for the caller",
        description="`application/vnd.apple.mpegurl`. Authorised like `/stream` (the signed `token` of "
                    "`hls.master_url`, or a Bearer header). Each variant URI is this server's media "
                    "playlist URL with the caller's token. 409 `renditions_not_ready` while encoding; "
                    "404 `renditions_not_found` when the video has none.")
def hls_master(path: MediaPath, query: LinkQuery):  # noqa: ANN201
    media = _readable(path.media_id)
    _hls_ready(media)
    stored = services().storage.read(f"h/{media.id}/master.m3u8")
    if stored is None:
        raise ApiError(404, "renditions_not_found", "The renditions of this video are gone.")
    q, _expires = _viewer_query(media.id)
    return _playlist(rewrite_master(stored.decode(), media.id, q))


@bp.get("/<string(length=32):media_id>/hls/<name>.m3u8", security=BEARER, responses={200: None, 409: Problem},
        summary="An HLS media playlist (one rendition), written for the caller",
        description="`application/vnd.apple.mpegurl`, authorised like `/stream`. Each segment URI is, on "
                    "local storage, this server's segment URL with the caller's token; on S3 a presigned "
                    "GET of the segment, valid as long as the token (at least 1 hour). 404 "
                    "`rendition_not_found` for a rendition this video does not have (one above its "
                    "height).")
def hls_media_playlist(path: HlsPath, query: LinkQuery):  # noqa: ANN201
    media = _readable(path.media_id)
    _hls_ready(media)
    if path.name not in {r["name"] for r in renditions_of(media)}:
        raise ApiError(404, "rendition_not_found", "This video has no such rendition.")
    storage = services().storage
    stored = storage.read(f"h/{media.id}/{path.name}.m3u8")
    if stored is None:
        raise ApiError(404, "renditions_not_found", "The renditions of this video are gone.")
    q, expires = _viewer_query(media.id)
    ttl = max(3600, int(expires - time.time()))
    signed = 0

    def segment_url(n: str) -> str:
        nonlocal signed
        presigned = storage.presign_get(f"h/{media.id}/{path.name}/{n}.ts", ttl, "video/mp2t")
        if presigned is None:
            return f"/api/media/{media.id}/hls/{path.name}/{n}.ts{q}"
        signed += 1
        if signed % PRESIGN_BATCH == 0:
            time.sleep(0)  # let the event loop run: an hour of video is 900 signatures (~0.4 ms each)
        return presigned
    return _playlist(rewrite_media(stored.decode(), path.name, segment_url))


@bp.get("/<string(length=32):media_id>/hls/<name>/<n>.ts", security=BEARER,
        responses={200: None, 302: None, 409: Problem},
        summary="One HLS segment (MPEG-TS)",
        description="`video/mp2t`, authorised like `/stream`. Local storage serves it; on S3 the media "
                    "playlist lists presigned URLs instead, and this answers 302 to one.")
def hls_segment(path: SegmentPath, query: LinkQuery):  # noqa: ANN201
    media = _readable(path.media_id)
    _hls_ready(media)
    if path.name not in {r["name"] for r in renditions_of(media)}:
        raise ApiError(404, "rendition_not_found", "This video has no such rendition.")
    key = f"h/{media.id}/{path.name}/{path.n}.ts"
    local = services().storage.local_path(key)
    if local is not None and not local.exists():
        raise ApiError(404, "segment_not_found", "There is no such segment.")
    return _serve(key, "video/mp2t", None)
