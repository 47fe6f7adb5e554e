"""Message search over the local cache, and merging it with the server's answer.

Runs on the disk thread (it reads the :class:`~desktop.core.store.Store`, and
folds what an older cache holds unfolded). The cache keeps each message's text
folded (``messages.body_folded``, written with the body) but has no full-text
index: each search word narrows the rows in SQL (``body_folded LIKE '%word%'``),
then :func:`~desktop.core.text_folding.matches` keeps those whose words match as
the server's search does (every word at a word start, the last one as a prefix).
Newest first, bounded by ``limit``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from desktop.core.cache import _COLS, _row_to_message
from desktop.core.models import Message, id_key
from desktop.core.store import Store
from desktop.core.text_folding import fold, query_words, word_patterns

#: Results of one search, local or from the server (the server's page limit).
LIMIT = 100
#: Rows read from the cache per search at most, so a one-letter query on a big cache stays bounded.
SCAN_LIMIT = 5000


@dataclass(frozen=True)
class SearchHit:
    """A message found, with the conversation it belongs to."""

    message: Message
    peer_id: str


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fold_cached(store: Store) -> int:
    """Folds the messages a cache from before issue 14 holds unfolded (once; new ones are folded as
    they are written). Returns how many were folded."""
    with store.lock:
        store.db.create_function("parley_fold", 1, fold, deterministic=True)
        return store.db.execute("UPDATE messages SET body_folded=parley_fold(body) "
                                "WHERE body_folded IS NULL").rowcount


def search_cache(store: Store, me: str, query: str, peer_id: str | None = None,
                 limit: int = LIMIT) -> list[SearchHit]:
    """Messages of the cache whose text matches ``query``, newest first."""
    words = query_words(query)
    if not words:
        return []
    sql = f"SELECT {_COLS}, peer_id, body_folded FROM messages WHERE deleted=0"
    args: list[object] = []
    if peer_id is not None:
        sql += " AND peer_id=?"
        args.append(peer_id)
    for w in words:
        sql += " AND body_folded LIKE ? ESCAPE '\\'"
        args.append(_like(w))
    sql += " ORDER BY idkey DESC LIMIT ?"
    args.append(SCAN_LIMIT)
    patterns = word_patterns(words)
    hits: list[SearchHit] = []
    with store.lock:
        fold_cached(store)
        for row in store.db.execute(sql, args):  # row by row: stops reading at the limit
            folded = row["body_folded"] or ""
            if all(p.search(folded) for p in patterns):
                hits.append(SearchHit(_row_to_message(row), row["peer_id"]))
                if len(hits) >= limit:
                    break
    return hits


def merge(local: Iterable[SearchHit], server: Iterable[SearchHit], limit: int = LIMIT) -> list[SearchHit]:
    """Both lists as one, newest first, each message once (the server's copy wins: it is current)."""
    by_id: dict[str, SearchHit] = {}
    for hit in local:
        if hit.message.id is not None:
            by_id[hit.message.id] = hit
    for hit in server:
        if hit.message.id is not None:
            by_id[hit.message.id] = hit
    return sorted(by_id.values(), key=lambda h: id_key(h.message.id), reverse=True)[:limit]


def hits_of(messages: Iterable[Message], me: str) -> list[SearchHit]:
    """Server results as hits (deleted ones dropped: a stale index must not show a tombstone)."""
    return [SearchHit(m, m.peer_of(me)) for m in messages if not m.deleted]
