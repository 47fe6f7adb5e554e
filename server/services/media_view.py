"""The contract's ``media`` object, and who may read a media item.

Used by the media endpoints and by messaging (a message embeds its media).
``thumbnail_url`` and ``playback_url`` are server-relative paths carrying a
signed ``token`` (see :mod:`server.services.media_links`), so a player can
fetch them without an ``Authorization`` header. They are set only once the
video is ``ready``.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import Media, Message
from server.services.media_links import MediaLinks


def media_dict(media: Media, viewer_id: str | None = None, links: MediaLinks | None = None) -> dict[str, Any]:
    """The contract's ``media`` object; URLs signed for ``viewer_id`` (None: any participant).

    The caller passes the app's :class:`MediaLinks` (services do not look it
    up in the Flask app); without it the URLs carry no token.
    """
    thumb = play = None
    if media.status == "ready":
        q = f"?token={links.read_token(media.id, viewer_id)}" if links is not None else ""
        play = f"/api/media/{media.id}/stream{q}"
        if media.thumbnail_key:
            thumb = f"/api/media/{media.id}/thumbnail{q}"
    return {
        "id": media.id,
        "status": media.status,
        "filename": media.filename,
        "content_type": media.content_type,
        "size": media.size,
        "duration": media.duration,
        "width": media.width,
        "height": media.height,
        "thumbnail_url": thumb,
        "playback_url": play,
        "error": media.error,
    }


def media_for_message(s: Session, media_id: str, links: MediaLinks | None = None) -> dict[str, Any] | None:
    """The ``media`` object a message carries (the same for both participants), or None if it is gone."""
    media = s.get(Media, media_id)
    return None if media is None else media_dict(media, links=links)


def can_read(s: Session, media: Media, user_id: str) -> bool:
    """The owner, or a participant of a conversation where a message carried this media."""
    if media.owner_id == user_id:
        return True
    hit = s.scalar(sa.select(Message.id).where(
        Message.media_id == media.id,
        sa.or_(Message.sender_id == user_id, Message.recipient_id == user_id)).limit(1))
    return hit is not None
