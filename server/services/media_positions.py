"""Resume anywhere: where each person stopped watching each video.

A device saves its position (``PUT /api/media/{id}/position``) every few
seconds while playing and when paused or closed; the person's other devices
are told (``media:position``) and every ``media`` object carries the viewer's
own position, so a history page shows progress lines without extra calls.

Rules (docs/media.md, "Resume anywhere"): a position past the duration is
clamped to it; 0, or one within :data:`FINISHED_MARGIN` seconds of the end,
clears the row (watched to the end, or back to the start: nothing to resume).
Only a reader of the video may save or read a position (the caller checks
:func:`server.services.media_view.can_read`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.models import Media, MediaPosition, iso, utcnow

#: A position this close to the end means "watched": it clears the saved one.
FINISHED_MARGIN = 5.0

_TABLE = cast(sa.Table, MediaPosition.__table__)


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: ``seconds`` is None when it cleared the position."""

    media_id: str
    seconds: float | None
    updated_at: datetime

    def payload(self) -> dict[str, Any]:
        """``media:position`` and the GET answer: ``{"media_id", "seconds", "updated_at"}``."""
        return {"media_id": self.media_id, "seconds": self.seconds, "updated_at": iso(self.updated_at)}


def position_dict(row: MediaPosition | None) -> dict[str, Any] | None:
    """The ``position`` field of a ``media`` object: ``{"seconds", "updated_at"}`` or None."""
    if row is None:
        return None
    return {"seconds": row.seconds, "updated_at": iso(row.updated_at)}


def effective_seconds(media: Media, seconds: float) -> float | None:
    """What is stored for ``seconds``: clamped to the duration; None (clear) at 0 or near the end."""
    if media.duration:
        seconds = min(seconds, media.duration)
        if seconds >= media.duration - FINISHED_MARGIN:
            return None
    return round(seconds, 3) if seconds > 0 else None


def save(s: Session, user_id: str, media: Media, seconds: float) -> Saved:
    """Stores (one upsert) or clears ``user_id``'s position in ``media``, and commits."""
    now = utcnow()
    value = effective_seconds(media, seconds)
    if value is None:
        s.execute(sa.delete(_TABLE).where(_TABLE.c.user_id == user_id, _TABLE.c.media_id == media.id))
    else:
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(_TABLE).values(user_id=user_id, media_id=media.id, seconds=value, updated_at=now)
        s.execute(stmt.on_conflict_do_update(index_elements=["user_id", "media_id"],
                                             set_={"seconds": value, "updated_at": now}))
    s.commit()
    return Saved(media.id, value, now)


def get(s: Session, user_id: str, media_id: str) -> MediaPosition | None:
    return s.get(MediaPosition, (user_id, media_id))


def for_media(s: Session, user_id: str, media_ids: Iterable[str]) -> dict[str, MediaPosition]:
    """``user_id``'s positions in these videos, in one query (a history page's worth)."""
    ids = sorted(set(media_ids))
    if not ids:
        return {}
    rows = s.scalars(sa.select(MediaPosition).where(MediaPosition.user_id == user_id,
                                                    MediaPosition.media_id.in_(ids)))
    return {r.media_id: r for r in rows}
