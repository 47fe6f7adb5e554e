"""Resume anywhere, the server's rules without HTTP: clamping, clearing, per viewer, one query a page,
the rows go with their video. On SQLite and PostgreSQL (the upsert differs)."""
from __future__ import annotations


import sqlalchemy as sa

from server.db import Database
from server.models import Media, MediaPosition, Message, User, utcnow
from server.services import media_positions
from server.services.media_view import media_for_message, preload_for_messages
from server.services.messaging import MessagingService


def _people_and_videos(s: sa.orm.Session, videos: int = 3) -> tuple[User, User, list[Media]]:
    now = utcnow()
    a, b = (User(email=f"{n}@example.com", password_hash="x", display_name=n, email_verified_at=now)
            for n in ("a", "b"))
    s.add_all([a, b])
    s.flush()
    media = [Media(owner_id=a.id, status="ready", filename=f"v{i}.mp4", content_type="video/mp4", size=10,
                   storage_key=f"v/{i}", duration=60.0) for i in range(videos)]
    s.add_all(media)
    s.flush()
    for i, m in enumerate(media):
        s.add(Message(client_id=f"c{i}", sender_id=a.id, recipient_id=b.id, media_id=m.id))
        s.add(Message(client_id=f"t{i}", sender_id=a.id, recipient_id=b.id, body="text"))
    s.commit()
    return a, b, media


def test_save_clamps_clears_and_is_per_person(database: Database) -> None:
    with database.session() as s:
        a, b, (video, *_) = _people_and_videos(s, 1)
        saved = media_positions.save(s, a.id, video, 37.25)
        assert saved.seconds == 37.25 and saved.payload()["updated_at"].endswith("Z")
        assert media_positions.save(s, a.id, video, 40.0).seconds == 40.0  # the same row, updated
        assert s.scalar(sa.select(sa.func.count()).select_from(MediaPosition)) == 1
        assert media_positions.save(s, b.id, video, 12.0).seconds == 12.0
        assert media_positions.get(s, a.id, video.id).seconds == 40.0  # b's save is b's
        # past the end: clamped to the duration, which is within 5 s of the end: cleared
        assert media_positions.save(s, a.id, video, 3600.0).seconds is None
        assert media_positions.get(s, a.id, video.id) is None
        assert media_positions.save(s, b.id, video, 55.5).seconds is None  # 4.5 s before the end
        assert media_positions.save(s, b.id, video, 54.9).seconds == 54.9
        assert media_positions.save(s, b.id, video, 0).seconds is None  # back to the start
        assert media_positions.get(s, b.id, video.id) is None


def test_a_history_page_reads_positions_in_one_query(database: Database) -> None:
    with database.session() as s:
        a, b, media = _people_and_videos(s, 3)
        media_positions.save(s, b.id, media[0], 10.0)
        media_positions.save(s, b.id, media[2], 20.5)
        media_positions.save(s, a.id, media[1], 30.0)
        msgs = list(s.scalars(sa.select(Message).order_by(Message.id)))
    messaging = MessagingService(database.dialect)
    messaging.media_serializer = lambda s, mid, viewer, pre: media_for_message(s, mid, viewer, None, pre)
    messaging.media_preload = preload_for_messages
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as s:
            page = messaging.serialize_many(s, msgs, (b.id, "login-b"))
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)
    positions = [m["media"]["position"] for m in page if m["media"] is not None]
    assert [p["seconds"] if p else None for p in positions] == [10.0, None, 20.5]  # b's own, not a's
    assert sum("media_positions" in q for q in statements) == 1, statements
    assert sum("FROM media " in q or "FROM media\n" in q for q in statements) == 1, statements


def test_positions_go_with_their_video(database: Database) -> None:
    with database.session() as s:
        a, b, (video, *_) = _people_and_videos(s, 1)
        media_positions.save(s, b.id, video, 10.0)
        s.execute(sa.delete(Message).where(Message.media_id == video.id))
        s.execute(sa.delete(Media).where(Media.id == video.id))
        s.commit()
        assert s.scalar(sa.select(sa.func.count()).select_from(MediaPosition)) == 0


def test_the_pushed_payload_matches_its_documented_schema(database: Database) -> None:
    from server.protocol import PositionEventOut

    with database.session() as s:
        a, _, (video, *_) = _people_and_videos(s, 1)
        for seconds in (12.5, 0):
            payload = media_positions.save(s, a.id, video, seconds).payload()
            assert PositionEventOut.model_validate(payload).model_dump() == payload
