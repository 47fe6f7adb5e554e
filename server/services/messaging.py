"""Private messages: the rules behind ``message:*``, ``sync`` and the conversation REST calls.

Every function takes the DB ``Session`` it works in and the id of the signed-in
user, and returns plain data (models or dicts); the Socket.IO handlers and the
REST endpoints are thin wrappers around it.

Store order. Message ids must sort in the order messages were stored, and a
client that syncs with ``after=X`` must never miss a message that becomes
visible later with an id below one it already saw. SQLite has one writer at a
time, so id assignment and commit happen in the same order. PostgreSQL hands
out sequence values at insert time, but two transactions can commit in the
opposite order, so a reader could see id 11 before id 10 exists. To close
that gap every message insert first takes one transaction-scoped advisory
lock (``pg_advisory_xact_lock``), which serialises "take an id, commit" across
all server processes. Edits, receipts and reads do not take it.

Group commit. New messages are inserted by one writer per process
(:mod:`server.services.group_commit`): the messages waiting at that moment go
in one transaction and one commit, and each sender is woken after that
commit, so an ack still means "committed". This keeps the ids of one batch in
queue order and costs one commit (and one advisory lock) per batch instead of
per message; see ``docs/performance.md``.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import Media, Message, User, iso, utcnow
from server.protocol import HISTORY_MAX, MAX_BODY, MAX_IDS_PER_EVENT, SYNC_PAGE
from server.services import blocks, search_index
from server.services.group_commit import GroupCommit, writer_for
from server.services.text_folding import fold

#: How long a recipient found valid is trusted without asking the database again.
RECIPIENT_CACHE_SECONDS = 5.0

MESSAGES = cast(sa.Table, Message.__table__)
_USERS = cast(sa.Table, User.__table__)
#: At most this many words of a search query are used (a bounded query whatever is typed).
_SEARCH_WORDS = 8

_PEER_IDS = sa.union(
    sa.select(MESSAGES.c.recipient_id.label("peer")).where(MESSAGES.c.sender_id == sa.bindparam("u")),
    sa.select(MESSAGES.c.sender_id.label("peer")).where(MESSAGES.c.recipient_id == sa.bindparam("u"),
                                                        MESSAGES.c.withheld.is_(False)))
#: Built once, on the table (Core): asked for a recipient every RECIPIENT_CACHE_SECONDS.
_RECIPIENT = sa.select(_USERS.c.disabled_at, _USERS.c.email_verified_at).where(_USERS.c.id == sa.bindparam("to"))
#: A stored message: the ORM object, or a row with the same attribute names.
MessageRow = Any

#: Who a message is serialised for: ``(user id, login session id)``. Media links are minted for
#: one viewer on one login; without a viewer they are left out.
Viewer = tuple[str, str]

#: ``(session, media_id, viewer, preloaded) -> media dict or None``; set by the media layer.
#: ``preloaded`` is what :data:`MediaPreload` returned for the page the message is in, or None.
MediaSerializer = Callable[[Session, str, "Viewer | None", Any], "dict[str, Any] | None"]
#: ``(session, media ids, viewer) -> preloaded``: what the serializer needs for a whole page,
#: loaded in a few queries instead of a few per message.
MediaPreload = Callable[[Session, list[str], "Viewer | None"], Any]


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    has_more: bool


@dataclass
class AroundPage:
    """A page centred on one message: more may exist on either side."""

    messages: list[Message]
    has_more_before: bool
    has_more_after: bool


@dataclass(frozen=True)
class ConversationRow:
    peer: User
    last_message: Message | None
    unread_count: int


@dataclass(frozen=True)
class StatusChange:
    """Receipts that changed: ``ids_by_sender`` groups the message ids by their sender."""

    status: str
    at: datetime
    ids_by_sender: dict[str, list[int]]
    #: senders not to tell (a block between them and the reader): receipts stop both ways
    silent_for: frozenset[str] = frozenset()

    @property
    def ids(self) -> list[int]:
        return sorted(i for ids in self.ids_by_sender.values() for i in ids)


def seen_by(user_id: str) -> sa.ColumnElement[bool]:
    """Messages ``user_id`` may see: all but those withheld from them (they were blocking the sender)."""
    return sa.or_(Message.withheld.is_(False), Message.sender_id == user_id)


class MessagingService:
    """Stores and reads private messages.

    Attributes:
        media_serializer: turns a ``media_id`` into the contract's ``media``
            object; ``None`` until the media layer provides one (then messages
            carry ``"media": null``).
        media_preload: loads what ``media_serializer`` needs for a page at once
            (the media rows and the viewer's resume positions); optional.
    """

    def __init__(self, dialect: str, media_serializer: MediaSerializer | None = None) -> None:
        self.dialect = dialect
        self.media_serializer = media_serializer
        self.media_preload: MediaPreload | None = None
        #: called once per newly stored message (the server counts them for /metrics)
        self.on_stored: Callable[[], object] | None = None
        #: called with a media id after a deleted message stopped carrying it (the HLS encoder
        #: cancels its renditions when no message carries it any more)
        self.on_media_unlinked: Callable[[str], object] | None = None
        #: called with a media id after a message carrying it was stored, when its HLS encode had
        #: been cancelled (a video sent again gets its renditions again)
        self.on_media_relinked: Callable[[str], object] | None = None
        self._recipients: dict[str, float] = {}
        self._writer: GroupCommit | None = None
        self._writer_lock = threading.Lock()
        # SQLite writers of this process queue on a lock in server.db (cooperatively under
        # gevent) rather than in SQLite's busy handler, which sleeps and would stop the loop.

    def _group_commit(self, s: Session) -> GroupCommit:
        if self._writer is None:
            with self._writer_lock:
                if self._writer is None:
                    self._writer = writer_for(cast(sa.Engine, s.get_bind()))
        return self._writer

    # --- serialisation ------------------------------------------------------
    def serialize(self, s: Session, m: MessageRow, viewer: Viewer | None = None,
                  preloaded: Any = None) -> dict[str, Any]:
        media = None
        if m.media_id is not None and not m.deleted and self.media_serializer is not None:
            media = self.media_serializer(s, m.media_id, viewer, preloaded)
        return {"id": str(m.id), "client_id": m.client_id, "sender_id": m.sender_id,
                "recipient_id": m.recipient_id, "body": "" if m.deleted else m.body, "media": media,
                "created_at": iso(m.created_at), "edited_at": iso(m.edited_at), "deleted": m.deleted,
                "delivered_at": iso(m.delivered_at), "read_at": iso(m.read_at)}

    def serialize_many(self, s: Session, msgs: Iterable[MessageRow],
                       viewer: Viewer | None = None) -> list[dict[str, Any]]:
        msgs = list(msgs)
        preloaded = None
        if self.media_preload is not None and self.media_serializer is not None:
            ids = [m.media_id for m in msgs if m.media_id is not None and not m.deleted]
            if ids:
                preloaded = self.media_preload(s, ids, viewer)
        return [self.serialize(s, m, viewer, preloaded) for m in msgs]

    # --- writing ------------------------------------------------------------
    @staticmethod
    def _existing(s: Session, sender_id: str, client_id: str) -> Message | None:
        return s.scalar(sa.select(Message).where(Message.sender_id == sender_id, Message.client_id == client_id))

    def check_recipient(self, s: Session, sender_id: str, to: str) -> None:
        """``to`` is a verified, active user other than the sender (cached for a few seconds)."""
        if to == sender_id:
            raise ApiError(422, "invalid_recipient", "You cannot send a message to yourself.")
        now = time.monotonic()
        if self._recipients.get(to, 0.0) > now:
            return
        peer = s.execute(_RECIPIENT, {"to": to}).first()
        if peer is None or peer.disabled_at is not None:
            raise ApiError(404, "recipient_not_found", "There is no Parley user with this id.")
        if peer.email_verified_at is None:
            raise ApiError(422, "recipient_not_verified",
                           "This person has not verified their email yet, so they cannot receive messages.")
        if len(self._recipients) > 10_000:
            self._recipients.clear()
        self._recipients[to] = now + RECIPIENT_CACHE_SECONDS

    @staticmethod
    def _check_media(s: Session, sender_id: str, media_id: str) -> bool:
        """Refuses a video that is not the sender's or not ready; returns whether its HLS encode
        was cancelled (no message carried it any more), so sending it again queues a new one."""
        media = s.get(Media, media_id)
        if media is None or media.owner_id != sender_id:
            raise ApiError(404, "media_not_found", "There is no such video among your uploads.")
        if media.status != "ready":
            raise ApiError(422, "media_not_ready",
                           "This video is still being processed (or failed); send it when it is ready.")
        return media.hls_status == "cancelled"

    def send(self, s: Session, sender_id: str, to: str, client_id: str, body: str,
             media_id: str | None = None) -> tuple[MessageRow, bool]:
        """Stores a message and commits; returns ``(message, created)``.

        Idempotent on ``(sender, client_id)``: a retry returns the stored message
        with ``created=False`` whatever else it carries, so a client that lost
        the ack can safely send again. One statement does it
        (``INSERT ... ON CONFLICT DO NOTHING RETURNING``), so a retry racing
        the original can never store the message twice.
        """
        body = (body or "").strip()
        if len(body) > MAX_BODY:
            raise ApiError(422, "validation_failed", f"A message is at most {MAX_BODY} characters.",
                           errors={"body": [f"Must be at most {MAX_BODY} characters."]})
        if not body and media_id is None:
            raise ApiError(422, "validation_failed", "Write a message (1 to 4000 characters) or attach a video.",
                           errors={"body": ["Write a message (1 to 4000 characters) or attach a video."]})
        self.check_recipient(s, sender_id, to)
        block = blocks.between(s, sender_id, to)
        if block.a_blocked_b:
            raise ApiError(403, "peer_blocked", "You blocked this person. Unblock them to send a message.")
        relinked = False
        if media_id is not None:
            existing = self._existing(s, sender_id, client_id)
            if existing is not None:
                return existing, False
            relinked = self._check_media(s, sender_id, media_id)
        values = {"client_id": client_id, "sender_id": sender_id, "recipient_id": to, "body": body,
                  "body_folded": fold(body),
                  "media_id": media_id, "created_at": utcnow(), "deleted": False,
                  "withheld": block.b_blocked_a}
        s.commit()  # end the read transaction; the writer thread stores the message
        row = self._group_commit(s).store(values)
        if row is None:  # already stored: a retry
            existing_row = s.execute(sa.select(*MESSAGES.c).where(MESSAGES.c.sender_id == sender_id,
                                                                  MESSAGES.c.client_id == client_id)).first()
            assert existing_row is not None
            return existing_row, False
        if self.on_stored is not None:
            self.on_stored()
        if relinked and media_id is not None and self.on_media_relinked is not None:
            self.on_media_relinked(media_id)
        return row, True

    @staticmethod
    def _own(s: Session, user_id: str, message_id: int) -> Message:
        m = s.get(Message, message_id)
        if m is None or m.sender_id != user_id:
            raise ApiError(404, "not_found", "You can only change messages you sent.")
        return m

    def edit(self, s: Session, user_id: str, message_id: int, body: str | None) -> Message:
        m = self._own(s, user_id, message_id)
        if m.deleted:
            raise ApiError(409, "message_deleted", "This message was deleted and cannot be edited.")
        body = (body or "").strip()
        if not body and m.media_id is None:
            raise ApiError(422, "validation_failed", "A message needs 1 to 4000 characters.",
                           errors={"body": ["Must be at least 1 character."]})
        if len(body) > MAX_BODY:
            raise ApiError(422, "validation_failed", f"A message is at most {MAX_BODY} characters.",
                           errors={"body": [f"Must be at most {MAX_BODY} characters."]})
        if body != m.body:
            m.body = body
            m.body_folded = fold(body)
            m.edited_at = utcnow()
            if not m.withheld and blocks.between(s, user_id, m.recipient_id).b_blocked_a:
                # The recipient blocked the sender: an edit is new text, and it must not reach them
                # (live, by history, sync or search) any more than a new message would. From now on the
                # message is withheld from them, as the sender's messages sent during the block are;
                # the sender sees the edit as usual and is told nothing.
                m.withheld = True
            s.commit()
        return m

    def delete(self, s: Session, user_id: str, message_id: int) -> tuple[Message, bool]:
        """Turns one's own message into a tombstone; returns ``(message, changed)``.

        The row stays (its id keeps its place in the conversation and in
        ``sync``); the body and the link to the video go.
        """
        m = self._own(s, user_id, message_id)
        if m.deleted:
            return m, False
        media_id = m.media_id
        m.body = ""
        m.body_folded = ""
        m.media_id = None
        m.deleted = True
        m.edited_at = utcnow()
        s.commit()
        if media_id is not None and self.on_media_unlinked is not None:
            self.on_media_unlinked(media_id)
        return m, True

    # --- receipts -----------------------------------------------------------
    def mark_delivered(self, s: Session, user_id: str, ids: Sequence[int]) -> StatusChange:
        """Marks messages addressed to ``user_id`` delivered; all ids must be such messages."""
        wanted = set(ids)
        if len(wanted) > MAX_IDS_PER_EVENT:
            raise ApiError(422, "validation_failed", f"Send at most {MAX_IDS_PER_EVENT} ids at a time.")
        rows = s.execute(sa.select(Message.id, Message.sender_id, Message.delivered_at)
                         .where(Message.id.in_(wanted), Message.recipient_id == user_id,
                                Message.withheld.is_(False))).all()
        if len(rows) != len(wanted):
            raise ApiError(404, "not_found", "Some of these ids are not messages sent to you.")
        now = utcnow()
        todo = [r.id for r in rows if r.delivered_at is None]
        by_sender: dict[str, list[int]] = {}
        if todo:
            changed = s.execute(sa.update(Message)
                                .where(Message.id.in_(todo), Message.delivered_at.is_(None))
                                .values(delivered_at=now).returning(Message.id, Message.sender_id)).all()
            s.commit()
            for mid, sender in changed:
                by_sender.setdefault(sender, []).append(mid)
        silent = frozenset(blocks.blocked_either_way(s, user_id, set(by_sender)))
        return StatusChange("delivered", now, by_sender, silent)

    def mark_read(self, s: Session, user_id: str, peer_id: str, up_to: int) -> StatusChange:
        """Marks every message from ``peer_id`` up to ``up_to`` read (and delivered)."""
        anchor = s.get(Message, up_to)
        if anchor is None or {anchor.sender_id, anchor.recipient_id} != {user_id, peer_id} \
                or (anchor.withheld and anchor.sender_id != user_id):
            raise ApiError(404, "not_found", "up_to is not a message of this conversation.")
        now = utcnow()
        changed = s.execute(sa.update(Message)
                            .where(Message.recipient_id == user_id, Message.sender_id == peer_id,
                                   Message.id <= up_to, Message.read_at.is_(None),
                                   Message.withheld.is_(False))
                            .values(read_at=now, delivered_at=sa.func.coalesce(Message.delivered_at, now))
                            .returning(Message.id)).scalars().all()
        s.commit()
        silent = frozenset(blocks.blocked_either_way(s, user_id, {peer_id}))
        return StatusChange("read", now, {peer_id: sorted(changed)} if changed else {}, silent)

    # --- reading ------------------------------------------------------------
    @staticmethod
    def sync(s: Session, user_id: str, after: int | None, limit: int = SYNC_PAGE) -> Page:
        """Every message to or from ``user_id`` with an id above ``after``, oldest first."""
        limit = max(1, min(limit, SYNC_PAGE))
        q = sa.select(Message).where(sa.or_(Message.sender_id == user_id, Message.recipient_id == user_id),
                                     seen_by(user_id))
        if after is not None:
            q = q.where(Message.id > after)
        rows = list(s.scalars(q.order_by(Message.id).limit(limit + 1)))
        return Page(rows[:limit], len(rows) > limit)

    @staticmethod
    def _conversation(user_id: str, peer_id: str) -> sa.ColumnElement[bool]:
        return sa.or_(sa.and_(Message.sender_id == user_id, Message.recipient_id == peer_id),
                      sa.and_(Message.sender_id == peer_id, Message.recipient_id == user_id))

    def peer(self, s: Session, user_id: str, peer_id: str) -> User | None:
        """``peer_id``'s user if they share a conversation with ``user_id``, else None.

        Lets a client name the sender of a first message without reading its whole
        conversation list; other ids stay unknown (user ids are not a directory).
        """
        shared = s.execute(sa.select(Message.id).where(self._conversation(user_id, peer_id)).limit(1)).first()
        return s.get(User, peer_id) if shared is not None else None

    def history(self, s: Session, user_id: str, peer_id: str, *, before: int | None = None,
                after: int | None = None, limit: int = 50) -> Page:
        """A page of one conversation, oldest first within the page.

        ``before`` pages backwards (the newest page when neither is given);
        ``after`` pages forwards. ``has_more`` says whether another page
        exists in the direction of paging.
        """
        if s.get(User, peer_id) is None:
            raise ApiError(404, "recipient_not_found", "There is no Parley user with this id.")
        limit = max(1, min(limit, HISTORY_MAX))
        q = sa.select(Message).where(self._conversation(user_id, peer_id), seen_by(user_id))
        if after is not None:
            q = q.where(Message.id > after)
        if before is not None:
            q = q.where(Message.id < before)
        if after is not None:
            rows = list(s.scalars(q.order_by(Message.id).limit(limit + 1)))
            return Page(rows[:limit], len(rows) > limit)
        rows = list(s.scalars(q.order_by(Message.id.desc()).limit(limit + 1)))
        return Page(list(reversed(rows[:limit])), len(rows) > limit)

    def around(self, s: Session, user_id: str, peer_id: str, message_id: int, limit: int = 50) -> AroundPage:
        """The page of one conversation centred on ``message_id`` (a search result), oldest first.

        About half of ``limit`` before it, the message itself, the rest after it.
        An id that is not in this caller's conversation with ``peer_id`` is 404,
        as an unknown id is: it tells nothing about other conversations.
        """
        if s.get(User, peer_id) is None:
            raise ApiError(404, "recipient_not_found", "There is no Parley user with this id.")
        limit = max(1, min(limit, HISTORY_MAX))
        mine = sa.select(Message).where(self._conversation(user_id, peer_id), seen_by(user_id))
        if s.scalars(mine.where(Message.id == message_id)).first() is None:
            raise ApiError(404, "not_found", "This message is not in this conversation.")
        older = list(s.scalars(mine.where(Message.id < message_id).order_by(Message.id.desc()).limit(limit + 1)))
        newer = list(s.scalars(mine.where(Message.id >= message_id).order_by(Message.id).limit(limit + 1)))
        # half before, the rest from it on; near either end the other side fills the page
        n_new = min(len(newer), limit - min(len(older), (limit - 1) // 2))
        n_old = min(len(older), limit - n_new)
        return AroundPage(list(reversed(older[:n_old])) + newer[:n_new], len(older) > n_old, len(newer) > n_new)

    @staticmethod
    def peer_ids(s: Session, user_id: str) -> set[str]:
        """Everyone ``user_id`` shares a conversation with (a prebuilt statement: presence asks
        it for every connect and disconnect, and building it each time was the larger cost)."""
        return set(s.execute(_PEER_IDS, {"u": user_id}).scalars())

    @staticmethod
    def conversations(s: Session, user_id: str) -> list[ConversationRow]:
        """Every conversation of ``user_id``, newest activity first."""
        sent = sa.select(Message.recipient_id.label("peer"), Message.id.label("id")) \
            .where(Message.sender_id == user_id)
        got = sa.select(Message.sender_id.label("peer"), Message.id.label("id")) \
            .where(Message.recipient_id == user_id, Message.withheld.is_(False))
        u = sa.union_all(sent, got).subquery()
        last = s.execute(sa.select(u.c.peer, sa.func.max(u.c.id).label("last"))
                         .group_by(u.c.peer).order_by(sa.func.max(u.c.id).desc())).all()
        if not last:
            return []
        peers = {p.id: p for p in s.scalars(sa.select(User).where(User.id.in_([r.peer for r in last])))}
        msgs = {m.id: m for m in s.scalars(sa.select(Message).where(Message.id.in_([r.last for r in last])))}
        unread = dict(s.execute(sa.select(Message.sender_id, sa.func.count())
                                .where(Message.recipient_id == user_id, Message.read_at.is_(None),
                                       Message.deleted.is_(False), Message.withheld.is_(False))
                                .group_by(Message.sender_id)).all())
        return [ConversationRow(peers[r.peer], msgs.get(r.last), int(unread.get(r.peer, 0)))
                for r in last if r.peer in peers]

    # --- search -------------------------------------------------------------
    def search(self, s: Session, user_id: str, q: str, peer_id: str | None = None, limit: int = 50) -> list[Message]:
        """Full-text search of the caller's own conversations, newest first.

        Both read ``body_folded`` (lower case, no diacritics), and the query is
        folded the same way, so "xin chao" finds "xin chào". Every word must
        match and the last one also as a prefix, so results appear while typing.
        SQLite uses the FTS5 table ``messages_fts``, brought up to date first
        (:mod:`server.services.search_index`); PostgreSQL uses
        ``to_tsvector('simple', body_folded)`` with a GIN index and a prefix
        ``tsquery``. The ``simple`` configuration does no stemming, which suits a
        multilingual app. Only the caller's own conversations are read.
        """
        words = re.findall(r"\w+", fold(q), flags=re.UNICODE)[:_SEARCH_WORDS]
        if not words:
            return []
        limit = max(1, min(limit, HISTORY_MAX))
        mine = sa.or_(Message.sender_id == user_id, Message.recipient_id == user_id)
        cond: list[sa.ColumnElement[bool]] = [mine, Message.deleted.is_(False), seen_by(user_id)]
        if peer_id is not None:
            cond.append(self._conversation(user_id, peer_id))
        if self.dialect == "sqlite":
            search_index.bring_up_to_date(cast(sa.Engine, s.get_bind()))  # messages not indexed yet
            match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
            fts = sa.table("messages_fts", sa.column("rowid"), sa.column("messages_fts"))
            stmt = (sa.select(Message).join(fts, fts.c.rowid == Message.id)
                    .where(sa.text("messages_fts MATCH :match").bindparams(match=match.strip()), *cond))
        else:
            # words are \w+ only, so nothing in them is tsquery syntax
            tsq = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                     " & ".join(words[:-1] + [f"{words[-1]}:*"]))
            vec = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), Message.body_folded)
            stmt = sa.select(Message).where(vec.op("@@")(tsq), *cond)
        return list(s.scalars(stmt.order_by(Message.id.desc()).limit(limit)))
