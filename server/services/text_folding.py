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


def fold(text: str) -> str:
    """Lower case, without diacritics (NFD, combining marks dropped), ``đ`` as ``d``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
