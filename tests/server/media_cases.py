"""The media tests, run once per storage backend.

``test_media_local_live.py`` and ``test_media_s3_live.py`` import these
functions and provide the fixtures ``srv`` (a live server on that backend),
``backend`` ("local" or "s3") and ``stored`` (a callable listing every stored
object and pending upload).
"""
from __future__ import annotations

import io
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import av
import requests

from server.services import video
from tests.conftest import ROOT
from tests.server.media_helpers import T, Uploader, auth, wait_for
from tests.server.realtime_helpers import Device

MiB = 1 << 20


def _get(srv, path_or_url: str, headers: dict[str, str] | None = None, **kw) -> requests.Response:  # noqa: ANN001
    url = path_or_url if path_or_url.startswith("http") else srv.url + path_or_url
    return requests.get(url, headers=headers or {}, timeout=60, **kw)


def _problem(r: requests.Response, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers["Content-Type"]
    body = r.json()
    assert body["code"] == code, body
    assert body["detail"], body
    return body


def _jpeg_size(data: bytes) -> tuple[int, int]:
    assert data[:2] == b"\xff\xd8", data[:16]
    with av.open(io.BytesIO(data)) as c:
        frame = next(c.decode(video=0))
        return frame.width, frame.height


def test_resumable_upload_then_stream_with_seek(srv, backend, stored, big_mp4) -> None:  # noqa: ANN001
    owner = srv.register_verified("Owner")
    before = stored()
    device = Device(srv.url, owner["tokens"]["access_token"]).connect()
    try:
        first = Uploader(srv, owner)
        up = first.start(big_mp4, filename="../../etc/Holiday clip.mp4")
        n = up["part_count"]
        assert n == -(-len(big_mp4) // up["part_size"]) and n >= 4
        target = first.target(up["upload_id"], 1).json()
        if backend == "s3":  # straight to the bucket, never through the server
            assert not target["url"].startswith(srv.url)
            assert parse_qs(urlparse(target["url"]).query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        else:
            local_url = f"{srv.url}/api/media/uploads/{up['upload_id']}/parts/1/data?token="
            assert target["url"].startswith(local_url)
        # The connection drops after two parts...
        for i in (1, 2):
            assert first.put(up, big_mp4, i).status_code == 200
        # ...and a new client (the app restarted, its memory is gone) resumes from the server's record.
        resumed = Uploader(srv, owner)
        st = resumed.status(up["upload_id"])
        assert st["status"] == "open" and st["parts_received"] == [1, 2], st
        resumed.etags = {p["n"]: p["etag"] for p in st["parts"]}
        assert resumed.etags == first.etags
        missing = [i for i in range(1, n + 1) if i not in st["parts_received"]]
        for i in missing:
            assert resumed.put(up, big_mp4, i).status_code == 200
        assert resumed.status(up["upload_id"])["parts_received"] == list(range(1, n + 1))
        r = resumed.complete(up["upload_id"])
        assert r.status_code == 202 and r.json()["status"] == "processing", r.text
        media_id = r.json()["media_id"]
        again = resumed.complete(up["upload_id"])  # a retried complete answers the same media
        assert again.status_code == 202 and again.json()["media_id"] == media_id

        m = resumed.wait_done(media_id)
        assert m["status"] == "ready", m
        assert abs(m["duration"] - 20.0) < 0.5 and (m["width"], m["height"]) == (1280, 720), m
        assert m["filename"] == "Holiday clip.mp4" and m["content_type"] == "video/mp4" and m["error"] is None
        assert m["size"] == len(big_mp4)  # its index was already first: stored as sent
        event = wait_for(lambda: next((d for e, d in device.events if e == "media:status"), None),
                         10, "media:status")
        assert event["id"] == media_id and event["status"] == "ready"
    finally:
        device.close()

    h = auth(owner)
    thumb = _get(srv, f"/api/media/{media_id}/thumbnail", h)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert _jpeg_size(thumb.content) == (640, 360)
    assert _get(srv, m["thumbnail_url"]).content == thumb.content  # the signed URL needs no header

    # Streaming: the whole file, then ranges, with and without the header.
    whole = _get(srv, f"/api/media/{media_id}/stream", h)
    assert whole.status_code == 200 and whole.content == big_mp4
    if backend == "s3":
        r = _get(srv, f"/api/media/{media_id}/stream", h, allow_redirects=False)
        assert r.status_code == 302, r.status_code
        q = parse_qs(urlparse(r.headers["Location"]).query)
        assert q["X-Amz-Expires"] == ["900"] and "X-Amz-Signature" in q
    size = len(big_mp4)
    rng = random.Random(4)
    spans = [(0, 0), (0, 1023), (size // 2, size // 2 + 65535), (size - 1000, size - 1)]
    starts = [rng.randrange(size) for _ in range(4)]
    spans += [(a, min(size - 1, a + rng.randrange(1, 3 * MiB))) for a in starts]
    for a, b in spans:
        r = _get(srv, m["playback_url"], {"Range": f"bytes={a}-{b}"})
        assert r.status_code == 206, (a, b, r.status_code)
        assert r.content == big_mp4[a:b + 1], (a, b)
        assert r.headers["Content-Range"] == f"bytes {a}-{b}/{size}"
        assert r.headers.get("Accept-Ranges") == "bytes" and r.headers.get("ETag")
    # A seek to the last 1% (suffix and open-ended forms).
    r = _get(srv, f"/api/media/{media_id}/stream", {**h, "Range": "bytes=-2000"})
    assert r.status_code == 206 and r.content == big_mp4[-2000:]
    tail = size * 99 // 100
    r = _get(srv, f"/api/media/{media_id}/stream", {**h, "Range": f"bytes={tail}-"})
    assert r.status_code == 206 and r.content == big_mp4[tail:]
    r = _get(srv, f"/api/media/{media_id}/stream", {**h, "Range": f"bytes={size + 10}-"})
    assert r.status_code == 416
    if backend == "local":
        _problem(r, 416, "range_not_satisfiable")
        assert r.headers["Content-Range"] == f"bytes */{size}"
        etag = whole.headers["ETag"]
        r = _get(srv, f"/api/media/{media_id}/stream", {**h, "Range": "bytes=10-19", "If-Range": etag})
        assert r.status_code == 206 and r.content == big_mp4[10:20]
        r = _get(srv, f"/api/media/{media_id}/stream", {**h, "Range": "bytes=10-19", "If-Range": '"stale"'})
        assert r.status_code == 200 and len(r.content) == size  # changed since: the whole file
    # Only the video and its poster are stored; no part or temp file is left behind.
    added = sorted(set(stored()) - set(before))
    assert len(added) == 2 and all(not k.startswith(("incoming", "multipart")) for k in added), added


def test_index_at_the_end_is_moved_to_the_front(srv, index_last_mp4) -> None:  # noqa: ANN001
    owner = srv.register_verified("Recorder")
    with tempfile.TemporaryDirectory() as d:
        original = Path(d) / "original.mp4"
        original.write_bytes(index_last_mp4)
        assert video.index_at_end(original)
        up = Uploader(srv, owner)
        m = up.wait_done(up.upload(index_last_mp4, filename="screen.mp4"))
        assert m["status"] == "ready", m
        assert abs(m["duration"] - 8.0) < 0.5 and (m["width"], m["height"]) == (640, 360)
        streamed = _get(srv, m["playback_url"])
        assert streamed.status_code == 200 and len(streamed.content) == m["size"]
        assert streamed.content[:4096].find(b"moov") != -1, "the index now comes first"
        fixed = Path(d) / "streamed.mp4"
        fixed.write_bytes(streamed.content)
        assert not video.index_at_end(fixed)
        info = video.probe(fixed)
        assert abs(info.duration - 8.0) < 0.5 and info.audio_codec == "aac"
        r = _get(srv, m["playback_url"], {"Range": f"bytes={m['size'] - 100}-"})
        assert r.status_code == 206 and r.content == streamed.content[-100:]


def test_text_file_named_mp4_fails_and_its_bytes_go(srv, stored) -> None:  # noqa: ANN001
    owner = srv.register_verified("Trickster")
    before = stored()
    up = Uploader(srv, owner)
    m = up.wait_done(up.upload(b"this is not a video at all\n" * 40_000, filename="movie.mp4"))
    assert m["status"] == "failed", m
    assert m["error"].startswith("This file is not a video we can play"), m
    assert m["playback_url"] is None and m["thumbnail_url"] is None
    r = _get(srv, f"/api/media/{m['id']}/stream", auth(owner))
    _problem(r, 409, "media_failed")
    assert stored() == before


def test_truncated_mp4_fails_and_its_bytes_go(srv, stored, big_mp4, index_last_mp4) -> None:  # noqa: ANN001
    owner = srv.register_verified("Cutter")
    before = stored()
    up = Uploader(srv, owner)
    # Index first, half the media data missing; and index last, cut before the index.
    for data in (big_mp4[: len(big_mp4) // 2], index_last_mp4[: len(index_last_mp4) * 3 // 4]):
        m = up.wait_done(up.upload(data, filename="cut.mp4"))
        assert m["status"] == "failed" and m["error"] == "The video file is incomplete or damaged.", m
    assert stored() == before


def test_declared_size_over_the_limit_or_quota(srv) -> None:  # noqa: ANN001
    owner = srv.register_verified("Hoarder")
    up = Uploader(srv, owner)
    body = _problem(up.create(1 << 50), 422, "file_too_large")  # the document's maximum (issue 11)
    assert "2 GiB" in body["detail"] and body["errors"]["size"]
    _problem(up.create(2 << 30), 409, "quota_exceeded")  # this server's quota is 1 GiB
    _problem(up.create((2 << 30) + 1), 422, "file_too_large")
    doc = requests.get(f"{srv.url}/api/openapi.json", timeout=T).json()
    assert doc["components"]["schemas"]["CreateUploadBody"]["properties"]["size"]["maximum"] == 2 << 30
    _problem(up.create(0), 422, "validation_failed")
    r = requests.post(f"{srv.url}/api/media/uploads", headers=up.h, timeout=T,
                      json={"filename": "x.mp4", "size": 10, "content_type": "not a type"})
    _problem(r, 422, "validation_failed")
    r = requests.post(f"{srv.url}/api/media/uploads", timeout=T,
                      json={"filename": "x.mp4", "size": 10, "content_type": "video/mp4"})
    _problem(r, 401, "unauthorized")


def test_part_out_of_range_missing_part_and_abort(srv, backend, stored) -> None:  # noqa: ANN001
    owner = srv.register_verified("Partial")
    before = stored()
    up = Uploader(srv, owner)
    data = os.urandom(3 * (8 << 20) + 1000)
    u = up.start(data)
    assert u["part_count"] == 4
    for n in (0, 5, 99999):  # schema-valid part numbers this upload does not have: no such part
        _problem(up.target(u["upload_id"], n), 404, "part_out_of_range")
    for bad_n in ("x", "1234567"):  # outside the documented pattern
        assert _problem(up.target(u["upload_id"], bad_n), 422, "validation_failed")["errors"]["n"]  # type: ignore[arg-type]
    for n in (1, 3):
        assert up.put(u, data, n).status_code == 200
    if backend == "local":  # the server checks each part's size as it arrives
        r = up.put(u, data, 4, body=b"short")
        _problem(r, 400, "part_size_mismatch")
        r = requests.put(up.target(u["upload_id"], 2).json()["url"] + "x", data=b"1", timeout=T)
        _problem(r, 401, "unauthorized")
    r = up.complete(u["upload_id"])
    body = _problem(r, 409, "missing_parts")
    assert "2, 4" in body["detail"] and len(body["errors"]["parts"]) == 2
    assert up.status(u["upload_id"])["parts_received"] == [1, 3]
    bad = dict(up.etags)
    bad[1] = '"0000"'
    assert up.put(u, data, 2).status_code == 200 and up.put(u, data, 4).status_code == 200
    _problem(up.complete(u["upload_id"], {**bad, 2: up.etags[2], 4: up.etags[4]}), 409, "etag_mismatch")
    _problem(up.complete(u["upload_id"], {**up.etags, 5: '"00"'}), 409, "part_out_of_range")
    # Somebody else cannot see, complete or cancel it.
    other = Uploader(srv, srv.register_verified("Other"))
    _problem(requests.get(f"{srv.url}/api/media/uploads/{u['upload_id']}", headers=other.h, timeout=T),
             404, "upload_not_found")
    _problem(other.complete(u["upload_id"], up.etags), 404, "upload_not_found")
    assert stored() != before
    r = requests.delete(f"{srv.url}/api/media/uploads/{u['upload_id']}", headers=up.h, timeout=T)
    assert r.status_code == 204
    # a cancelled upload is gone: its status is 404 like any deleted resource (issue 11)
    _problem(requests.get(f"{srv.url}/api/media/uploads/{u['upload_id']}", headers=up.h, timeout=T), 404,
             "not_found")
    _problem(up.target(u["upload_id"], 1), 404, "upload_aborted")
    assert stored() == before


def test_only_owner_and_participants_read(srv, index_last_mp4) -> None:  # noqa: ANN001
    owner, peer, stranger = (srv.register_verified(n) for n in ("Sender", "Peer", "Stranger"))
    up = Uploader(srv, owner)
    media_id = up.upload(index_last_mp4)
    r = _get(srv, f"/api/media/{media_id}/stream", auth(owner))
    assert r.status_code in (409, 200)  # processing, or already done
    m = up.wait_done(media_id)
    assert m["status"] == "ready"
    for who in (stranger, peer):
        h = auth(who)
        for path in ("", "/thumbnail", "/stream"):
            _problem(_get(srv, f"/api/media/{media_id}{path}", h), 404, "media_not_found")
    _problem(_get(srv, f"/api/media/{media_id}/stream?token=forged"), 404, "media_not_found")
    _problem(_get(srv, f"/api/media/{media_id}/stream"), 401, "unauthorized")
    # Another video's token does not open this one.
    other_id = Uploader(srv, stranger).upload(index_last_mp4)
    other = Uploader(srv, stranger).wait_done(other_id)
    assert other["status"] == "ready"
    stolen = other["playback_url"].replace(other_id, media_id)
    _problem(_get(srv, stolen), 404, "media_not_found")

    r = requests.post(f"{srv.url}/api/conversations/{peer['user']['id']}/messages", headers=auth(owner),
                      timeout=T, json={"client_id": str(uuid.uuid4()), "media_id": media_id})
    assert r.status_code == 201, r.text
    sent = r.json()["media"]
    assert sent["id"] == media_id and sent["status"] == "ready" and sent["playback_url"]
    h = auth(peer)
    got = _get(srv, f"/api/media/{media_id}", h)
    assert got.status_code == 200 and got.json()["duration"] == m["duration"]
    assert _get(srv, f"/api/media/{media_id}/thumbnail", h).content[:2] == b"\xff\xd8"
    whole = _get(srv, f"/api/media/{media_id}/stream", h)
    assert whole.status_code == 200 and len(whole.content) == m["size"]
    r = _get(srv, sent["playback_url"], {"Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == whole.content[100:200]
    # The stranger still gets nothing.
    _problem(_get(srv, f"/api/media/{media_id}", auth(stranger)), 404, "media_not_found")


def test_media_links_follow_the_viewer_the_login_and_the_message(srv, index_last_mp4) -> None:  # noqa: ANN001
    """A link is minted per viewer and login, and checked on every use: it stops working when the
    viewer signs out, when the message is deleted, and when the viewer is disabled."""
    owner, peer = (srv.register_verified(n) for n in ("Linker", "Viewer"))
    media_id = Uploader(srv, owner).upload(index_last_mp4)
    assert Uploader(srv, owner).wait_done(media_id)["status"] == "ready"
    second = requests.post(f"{srv.url}/api/auth/login", timeout=T,
                           json={"email": peer["email"], "password": peer["password"]}).json()
    d1 = Device(srv.url, peer["tokens"]["access_token"]).connect()
    d2 = Device(srv.url, second["access_token"]).connect()
    try:
        r = requests.post(f"{srv.url}/api/conversations/{peer['user']['id']}/messages", headers=auth(owner),
                          timeout=T, json={"client_id": str(uuid.uuid4()), "media_id": media_id})
        assert r.status_code == 201, r.text
        mine = r.json()["media"]["playback_url"]
        got = [d.wait_for("message:new", lambda m: m["media"] and m["media"]["id"] == media_id)
               for d in (d1, d2)]
        links = [m["media"]["playback_url"] for m in got]
        assert len({mine, *links}) == 3  # one link per viewer and login
        rng = {"Range": "bytes=0-9"}
        assert [_get(srv, u, rng).status_code for u in (mine, *links)] == [206] * 3

        # the second login signs out: its link ends, the first login's still works
        out = requests.post(f"{srv.url}/api/auth/logout", timeout=T, json={"refresh_token": second["refresh_token"]})
        assert out.status_code == 204
        _problem(_get(srv, links[1], rng), 401, "link_expired")
        assert _get(srv, links[0], rng).status_code == 206

        # the message is deleted: the viewer's link ends; the owner's (their own video) does not
        owner_dev = Device(srv.url, owner["tokens"]["access_token"]).connect()
        try:
            assert owner_dev.call("message:delete", {"id": got[0]["id"]})["ok"]
        finally:
            owner_dev.close()
        _problem(_get(srv, links[0], rng), 404, "media_not_found")
        assert _get(srv, mine, rng).status_code == 206

        # the owner is disabled: their own link ends too
        env = {**os.environ, **srv.env}
        off = subprocess.run([sys.executable, "-m", "server", "disable-user", "--email", owner["email"]],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert off.returncode == 0, off.stderr
        _problem(_get(srv, mine, rng), 401, "link_expired")
    finally:
        d1.close()
        d2.close()


def test_expired_uploads_are_purged(srv, stored) -> None:  # noqa: ANN001
    owner = srv.register_verified("Forgetful")
    before = stored()
    up = Uploader(srv, owner)
    data = os.urandom((8 << 20) + 10)
    u = up.start(data)
    assert up.put(u, data, 1).status_code == 200
    assert stored() != before
    with sqlite3.connect(srv.data_dir / "parley.db") as db:
        db.execute("UPDATE uploads SET expires_at = '2000-01-01 00:00:00' WHERE id = ?", (u["upload_id"],))
    assert up.status(u["upload_id"])["status"] == "expired"
    _problem(up.target(u["upload_id"], 2), 410, "upload_expired")
    out = subprocess.run([sys.executable, "-m", "server", "purge-expired"], cwd=ROOT, env=srv.env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "expired uploads removed: 1" in out.stdout, out.stdout
    assert stored() == before
    assert up.status(u["upload_id"])["status"] == "expired"


def test_racing_completes_join_the_parts_once(srv) -> None:  # noqa: ANN001
    from concurrent.futures import ThreadPoolExecutor
    owner = srv.register_verified("Impatient")
    up = Uploader(srv, owner)
    data = os.urandom((8 << 20) * 2 + 5)
    u = up.start(data)
    for n in (1, 2, 3):
        assert up.put(u, data, n).status_code == 200
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: up.complete(u["upload_id"]), range(4)))
    ok = [r for r in answers if r.status_code == 202]
    assert ok and all(r.status_code in (202, 409) for r in answers), [r.text for r in answers]
    assert all(r.json()["code"] == "upload_completing" for r in answers if r.status_code == 409)
    media_ids = {r.json()["media_id"] for r in ok}
    assert len(media_ids) == 1
    again = up.complete(u["upload_id"])
    assert again.status_code == 202 and again.json()["media_id"] in media_ids
    assert up.wait_done(media_ids.pop())["status"] == "failed"  # random bytes are no video
