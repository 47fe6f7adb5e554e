"""The admin status's queries on both databases (the migration, ``date()`` grouping, aggregates)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.db import Database
from server.models import LoginSession, Media, Message, RefreshToken, User, utcnow
from server.services import admin_status
from server.services.mail_log import MailLog, failing


def test_figures_on_both_databases(database: Database) -> None:
    now = utcnow()
    with database.session() as s:
        people = [User(email=f"p{i}@example.com", password_hash="x", display_name=f"P{i}",
                       email_verified_at=now if i < 3 else None, is_admin=i == 0,
                       last_seen_at=now - timedelta(days=2 if i == 1 else 30)) for i in range(4)]
        s.add_all(people)
        s.flush()
        login = LoginSession(user_id=people[2].id)
        s.add(login)
        s.flush()
        s.add(RefreshToken(session_id=login.id, token_hash="h", expires_at=now + timedelta(days=30)))
        for n, days_ago in enumerate([0, 0, 1, 13, 14, 40]):
            s.add(Message(client_id=f"c{n}", sender_id=people[3].id if days_ago == 40 else people[0].id,
                          recipient_id=people[1].id, body="hi", created_at=now - timedelta(days=days_ago)))
        for owner, size, status, age in ((1, 300, "ready", 1), (1, 200, "ready", 1), (2, 1000, "ready", 1),
                                         (2, 50, "processing", 90), (3, 70, "failed", 1)):
            s.add(Media(owner_id=people[owner].id, status=status, filename="v.mp4", content_type="video/mp4",
                        size=size, storage_key=f"k{size}", created_at=now - timedelta(seconds=age),
                        processed_at=now if status == "failed" else None, error="bad" if status == "failed" else None))
        s.commit()
    log = MailLog(database)
    log.record(True)
    log.record(False, "SMTPRecipientsRefused: nope")
    with database.session() as s:
        assert failing(s) == "SMTPRecipientsRefused: nope"
        st = admin_status.collect(s, version="1", started_at=now - timedelta(hours=1), online=1, health=[], now=now)
    assert (st.users.total, st.users.verified, st.users.admins, st.users.online) == (4, 3, 1, 1)
    assert st.users.active_7d == 3  # p0 sent, p1 was seen, p2 refreshed; p3 only long ago
    per_day = [d.messages for d in st.messages_per_day]
    assert len(per_day) == 14 and per_day[-1] == 2 and per_day[-2] == 1 and per_day[0] == 1 and sum(per_day) == 4
    assert st.messages_per_day[-1].day == now.date().isoformat()
    assert (st.storage.total_bytes, st.storage.videos) == (1550, 4)
    assert [(u.display_name, u.bytes, u.videos) for u in st.storage.top_users] == [("P2", 1050, 2), ("P1", 500, 2)]
    assert st.queue.processing == 1 and 85 <= (st.queue.oldest_age_seconds or 0) <= 95
    assert st.queue.failed_24h == 1 and st.queue.last_failure == "bad"
    assert (st.mail.sent_24h, st.mail.failed_24h, st.mail.last_error) == (1, 1, "SMTPRecipientsRefused: nope")
    assert st.uptime_seconds == pytest.approx(3600, abs=1)
    log.record(True)
    with database.session() as s:
        assert failing(s) is None  # the newest send went out: mail works again
