"""Arabic text made drawable by reportlab, which draws characters as given.

reportlab neither joins Arabic letters nor reorders right-to-left text, so each
line is shaped first (arabic-reshaper picks the initial, medial, final or
isolated form of every letter and the lam-alef ligatures) and then put in visual
order by the Unicode bidirectional algorithm (python-bidi). Both steps work on one
line at a time: wrap the logical text first, then make each line visual.

python-bidi's pure-Python algorithm (``bidi.algorithm``) is used rather than its
newer Rust one (``bidi.get_display``): the Rust one does not mirror brackets, so
"الألياف البصرية (FTTH)" would print ")FTTH(" (python-bidi issue #25). The
Python one follows an older edition of the standard, without isolates; values are
kept in one piece with embeddings instead (see :func:`isolate`).

Vowel marks (harakat) are dropped by the shaping: reportlab cannot position them
over their letter, and printed forms do without them.
"""

from __future__ import annotations

import unicodedata

import arabic_reshaper
from bidi.algorithm import get_display

_LEFT_TO_RIGHT_EMBEDDING = "\u202a"
_RIGHT_TO_LEFT_EMBEDDING = "\u202b"
_POP_DIRECTIONAL_FORMATTING = "\u202c"

# Invisible direction marks (LRM, RLM, ALM, embeddings, isolates): the bidi step has
# used them already, and the font may not have a glyph for them.
_DIRECTION_MARKS = dict.fromkeys(
    [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def isolate(value: str) -> str:
    """``value`` kept in one piece when placed into a sentence of the other direction.

    Put around every value formatted into a translated sentence: in an Arabic
    sentence, a phone number "+216 71 341 311" would otherwise print its groups
    backwards. The value keeps the direction of its own first letter (left to
    right when it has none, like a number); the marks are dropped once reordered.
    """
    embedding = (
        _RIGHT_TO_LEFT_EMBEDDING
        if _first_strong_is_right_to_left(value)
        else _LEFT_TO_RIGHT_EMBEDDING
    )
    return f"{embedding}{value}{_POP_DIRECTIONAL_FORMATTING}"


def _first_strong_is_right_to_left(text: str) -> bool:
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def has_right_to_left(text: str) -> bool:
    """True if any character is strongly right to left (Arabic letters, RLM...)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def visual(text: str, *, right_to_left: bool) -> str:
    """One logical line, shaped and in the order it is drawn from left to right.

    ``right_to_left`` is the direction of the page. Text without any right-to-left
    character is left alone even on an Arabic page: an account number or a phone
    number is one left-to-right unit, and running it through the algorithm with a
    right-to-left base would swap its space-separated groups ("0550 12 34"
    would print as "34 12 0550").
    """
    if not has_right_to_left(text):
        return text.translate(_DIRECTION_MARKS)
    shaped = arabic_reshaper.reshape(text)
    base = "R" if right_to_left or _first_strong_is_right_to_left(text) else "L"
    return str(get_display(shaped, base_dir=base)).translate(_DIRECTION_MARKS)
