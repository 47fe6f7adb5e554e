"""Resume anywhere against a live server: PUT/GET position, the ``media:position`` push to the
person's other logins only, ``position`` in the media object and in history (per viewer), a stranger
gets nothing, the contract's error shape, and the per-person rate limit."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests

from server import protocol as P
from tests.conftest import LiveServer, wait_until
from tests.server.media_helpers import Uploader, make_video
from tests.server.realtime_helpers import Device

T = 15
LIMIT = 8  # PUTs per person in 10 s on this server (PARLEY_USER_LIMIT_POSITION)


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("positions") / "server",
                        {"PARLEY_USER_LIMIT_POSITION": f"{LIMIT} per 10 seconds"}).start(timeout=90)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """12 s, 320x240: long enough that a position is not within 5 s of the end."""
    return make_video(tmp_path_factory.mktemp("clip") / "resume-12s.mp4", seconds=12, size="320x240",
                      rate=10, bit_rate=200_000).read_bytes()


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token(account: dict) -> str:
    return account["tokens"]["access_token"]


def second_login(srv: LiveServer, account: dict) -> str:
    r = requests.post(f"{srv.url}/api/auth/login", json={"email": account["email"],
                                                         "password": account["password"]}, timeout=T)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def send_video(srv: LiveServer, sender: dict, to: dict, media_id: str) -> dict:
    r = requests.post(f"{srv.url}/api/conversations/{to['user']['id']}/messages", headers=h(token(sender)),
                      json={"client_id": uuid.uuid4().hex, "media_id": media_id}, timeout=T)
    assert r.status_code == 201, r.text
    return r.json()


def put(srv: LiveServer, tok: str, media_id: str, seconds: object) -> requests.Response:
    return requests.put(f"{srv.url}/api/media/{media_id}/position", headers=h(tok), json={"seconds": seconds},
                        timeout=T)


def get(srv: LiveServer, tok: str, media_id: str) -> requests.Response:
    return requests.get(f"{srv.url}/api/media/{media_id}/position", headers=h(tok), timeout=T)


def test_position_is_saved_pushed_to_my_other_logins_and_shown_per_viewer(srv: LiveServer, clip: bytes) -> None:
    alice, binh = srv.register_verified("Alice"), srv.register_verified("Binh")
    up = Uploader(srv, alice)
    media_id = up.upload(clip, "resume.mp4")
    assert up.wait_done(media_id)["status"] == "ready"
    assert up.media(media_id).json()["position"] is None
    send_video(srv, alice, binh, media_id)

    laptop = token(alice)  # the login that saves
    phone = second_login(srv, alice)
    on_laptop, on_phone = Device(srv.url, laptop).connect(), Device(srv.url, phone).connect()
    on_binh = Device(srv.url, token(binh)).connect()
    try:
        r = put(srv, laptop, media_id, 4.5)
        assert r.status_code == 204, r.text
        pushed = on_phone.wait_for(P.MEDIA_POSITION)
        assert pushed["media_id"] == media_id and pushed["seconds"] == 4.5 and pushed["updated_at"].endswith("Z")
        # the saving login has it already; Binh is another person: neither is told
        put(srv, phone, media_id, 5.0)
        on_laptop.wait_for(P.MEDIA_POSITION, lambda d: d["seconds"] == 5.0)
        assert [d["seconds"] for d in on_laptop.of(P.MEDIA_POSITION)] == [5.0]
        assert [d["seconds"] for d in on_phone.of(P.MEDIA_POSITION)] == [4.5]
        assert on_binh.of(P.MEDIA_POSITION) == []
    finally:
        for d in (on_laptop, on_phone, on_binh):
            d.close()

    got = get(srv, laptop, media_id).json()
    assert got["seconds"] == 5.0 and got["updated_at"] == up.media(media_id).json()["position"]["updated_at"]
    assert get(srv, token(binh), media_id).json() == {"seconds": None, "updated_at": None}

    # history carries each viewer's own position
    def history(me: dict, peer: dict) -> dict:
        r = requests.get(f"{srv.url}/api/conversations/{peer['user']['id']}/messages", headers=h(token(me)),
                         timeout=T)
        assert r.status_code == 200, r.text
        return next(m["media"] for m in r.json()["messages"] if m["media"])

    assert history(alice, binh)["position"]["seconds"] == 5.0
    assert history(binh, alice)["position"] is None
    assert put(srv, token(binh), media_id, 3).status_code == 204
    assert history(binh, alice)["position"]["seconds"] == 3.0
    assert history(alice, binh)["position"]["seconds"] == 5.0

    # past the end is clamped to the duration (12 s), within 5 s of the end: cleared; so is 0
    assert put(srv, token(binh), media_id, 500).status_code == 204
    assert get(srv, token(binh), media_id).json()["seconds"] is None
    assert put(srv, laptop, media_id, 0).status_code == 204
    assert get(srv, laptop, media_id).json()["seconds"] is None


def test_strangers_and_bad_values_are_refused_in_the_contract_shape(srv: LiveServer, clip: bytes) -> None:
    alice, stranger = srv.register_verified("Alice"), srv.register_verified("Stranger")
    up = Uploader(srv, alice)
    media_id = up.upload(clip, "mine.mp4")
    up.wait_done(media_id)
    for r in (put(srv, token(stranger), media_id, 3), get(srv, token(stranger), media_id),
              put(srv, token(alice), "0" * 32, 3)):
        assert r.status_code == 404, r.text
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert r.json()["code"] == "media_not_found"
    r = requests.put(f"{srv.url}/api/media/{media_id}/position", json={"seconds": 3}, timeout=T)
    assert r.status_code == 401 and r.json()["code"]
    for bad in (-1, "soon", None, 10**9):
        r = put(srv, token(alice), media_id, bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["code"] == "validation_failed" and "seconds" in r.json()["errors"], r.text
    assert put(srv, token(alice), media_id, 2.5).status_code == 204  # the owner may, without any message


def test_saving_is_rate_limited_per_person(srv: LiveServer, clip: bytes) -> None:
    chi = srv.register_verified("Chi")
    up = Uploader(srv, chi)
    media_id = up.upload(clip, "chi.mp4")
    up.wait_done(media_id)
    other_login = second_login(srv, chi)
    codes = [put(srv, token(chi) if i % 2 else other_login, media_id, 1 + i).status_code for i in range(LIMIT)]
    assert codes == [204] * LIMIT  # two devices, one budget
    r = put(srv, token(chi), media_id, 2)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1
    wait_until(lambda: get(srv, token(chi), media_id).status_code == 200, 5)  # reading is not limited
