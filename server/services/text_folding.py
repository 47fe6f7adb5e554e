"""Accent folding for search: "xin chao" finds "xin chào", "dang" finds "đang".

Messages keep their text as written; a folded copy (``messages.body_folded``) is
what the full-text indexes read, and queries are folded the same way. Folding is
done in Python at write time, so SQLite and PostgreSQL behave alike (PostgreSQL's
``unaccent`` is an extension a hosted database may not offer, and FTS5's
``remove_diacritics`` leaves ``đ`` alone).

The desktop app folds its cache with the same rules (``desktop/core/text_folding.py``;
a test checks that both agree).
"""
from __future__ import annotations

import unicodedata

#: Letters that are not a base letter plus combining marks, so NFD leaves them whole.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
                          "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe"})


def _fold_one(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


#: Characters below this (Latin with Vietnamese, Greek, Cyrillic, the combining marks…) are cached.
_CACHED_BELOW = 0x3000


class _Folded(dict[int, str]):
    """Each character's folding, worked out the first time it is seen (``str.translate`` table)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_one(chr(code))
        if code < _CACHED_BELOW:  # bounded: text made of rare characters must not grow it without end
            self[code] = folded
        return folded


_FOLDED = _Folded()


def fold(text: str) -> str:
    """Lower case, without diacritics (NFD, combining marks dropped), ``đ`` as ``d``.

    Character by character (the same as on the whole string: NFD only reorders combining
    marks, which are all dropped, and case folding maps characters one at a time), so each
    character's folding is cached.
    """
    if text.isascii():  # the same result, much faster
        return text.lower()
    return text.translate(_FOLDED)
