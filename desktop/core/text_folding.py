"""Accent folding for search, as the server does it: "xin chao" finds "xin chào", "dang" finds "đang".

The rules are those of ``server/services/text_folding.py`` (the desktop does not
import the server package; ``tests/desktop/test_message_search.py`` checks that
both fold alike). :func:`spans` also says where the words matched in the
original text, so the results can highlight them.
"""
from __future__ import annotations

import re
import unicodedata

#: Letters that are not a base letter plus combining marks, so NFD leaves them whole.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
                          "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe"})
_WORD = re.compile(r"\w+", re.UNICODE)
#: At most this many words of a query are used (the server's bound too).
MAX_WORDS = 8


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


def query_words(query: str) -> list[str]:
    """The folded words of a search query; punctuation and search syntax are dropped."""
    return _WORD.findall(fold(query))[:MAX_WORDS]


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index of the character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        out.append(f)
        origin.extend([i] * len(f))
    return "".join(out), origin


def word_patterns(words: list[str]) -> list[re.Pattern[str]]:
    """Each word at a word start; every word but the last whole, the last also as a prefix."""
    last = len(words) - 1
    return [re.compile(r"(?<!\w)" + re.escape(w) + (r"" if i == last else r"(?!\w)")) for i, w in enumerate(words)]


def matches(text: str, words: list[str]) -> bool:
    """Whether every word is in ``text`` (folded), as the server's full-text search matches."""
    if not words:
        return False
    return matches_folded(fold(text), words)


def matches_folded(folded: str, words: list[str]) -> bool:
    """:func:`matches` on text already folded."""
    return bool(words) and all(p.search(folded) for p in word_patterns(words))


def spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words occur in ``text``: sorted, non-overlapping ``(start, end)`` in the original text."""
    if not words:
        return []
    folded, origin = _folded_with_origin(text)
    found: list[tuple[int, int]] = []
    for p in word_patterns(words):
        for m in p.finditer(folded):
            if m.end() > m.start():
                found.append((origin[m.start()], origin[m.end() - 1] + 1))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
