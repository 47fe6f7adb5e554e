"""The contract's ``media`` object, and who may read a media item.

Used by the media endpoints and by messaging (a message embeds its media).
``thumbnail_url`` and ``playback_url`` are server-relative paths carrying a
signed ``token`` (see :mod:`server.services.media_links`), so a player can
fetch them without an ``Authorization`` header. They are set only once the
video is ``ready``, and only for a known viewer: a token names the viewer and
their login session, so the same message carries different links for each
device it reaches (see :meth:`server.realtime.hub.Realtime.emit_message`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import LoginSession, Media, MediaPosition, Message, User
from server.services import media_positions
from server.services.hls_playlists import hls_dict
from server.services.media_links import MediaLinks


def media_dict(media: Media, viewer_id: str | None = None, links: MediaLinks | None = None,
               session_id: str | None = None, position: MediaPosition | None = None) -> dict[str, Any]:
    """The contract's ``media`` object; URLs signed for ``viewer_id`` on login ``session_id``.

    Without a viewer and session the URLs are null: a link nobody is accountable for is never minted.
    The caller passes the app's :class:`MediaLinks` (services do not look it up in the Flask app);
    without it the URLs carry no token. ``position``: the viewer's saved position (resume), if any.
    """
    thumb = play = q = None
    if media.status == "ready" and viewer_id and session_id:
        q = f"?token={links.read_token(media.id, viewer_id, session_id)}" if links is not None else ""
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
        "hls": hls_dict(media, q),
        "position": media_positions.position_dict(position),
    }


@dataclass(frozen=True)
class Preloaded:
    """What :func:`media_for_message` needs for a page of messages, read at once for one viewer."""

    media: Mapping[str, Media]
    positions: Mapping[str, MediaPosition]


def media_for_message(s: Session, media_id: str, viewer: tuple[str, str] | None = None,
                      links: MediaLinks | None = None, preloaded: Preloaded | None = None) -> dict[str, Any] | None:
    """The ``media`` object a message carries for ``viewer`` (user id, session id), or None if it is gone.

    ``preloaded``: the page's media and the viewer's positions (:func:`preload_for_messages`);
    without it they are read here, for this one message.
    """
    media = preloaded.media.get(media_id) if preloaded is not None else s.get(Media, media_id)
    if media is None:
        return None
    if viewer is None:
        return media_dict(media, links=links)
    position = preloaded.positions.get(media_id) if preloaded is not None \
        else media_positions.get(s, viewer[0], media_id)
    return media_dict(media, viewer[0], links=links, session_id=viewer[1], position=position)


def preload_for_messages(s: Session, media_ids: list[str], viewer: tuple[str, str] | None) -> Preloaded:
    """The media rows of a page of messages and the viewer's positions in them: two queries, not
    two per message (a history page of 100 videos was 100 ``SELECT ... FROM media``)."""
    ids = sorted(set(media_ids))
    media = {m.id: m for m in s.scalars(sa.select(Media).where(Media.id.in_(ids)))} if ids else {}
    positions = media_positions.for_media(s, viewer[0], ids) if viewer is not None else {}
    return Preloaded(media, positions)


def can_read(s: Session, media: Media, user_id: str) -> bool:
    """The owner, or a participant of a conversation where a message (not deleted, not withheld
    from them) carries this media. A deleted message no longer links its media."""
    if media.owner_id == user_id:
        return True
    hit = s.scalar(sa.select(Message.id).where(
        Message.media_id == media.id, Message.deleted.is_(False),
        sa.or_(Message.sender_id == user_id,
               sa.and_(Message.recipient_id == user_id, Message.withheld.is_(False)))).limit(1))
    return hit is not None


def active_session_ids(s: Session, user_id: str) -> list[str]:
    """The user's logins still signed in (each gets its own media links)."""
    return list(s.scalars(sa.select(LoginSession.id).join(User, User.id == LoginSession.user_id).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None), User.disabled_at.is_(None))))
