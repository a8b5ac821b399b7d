"""Amounts and dates as the reader expects them in their language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_interval, format_timedelta

from app.i18n import babel_locale, gettext, is_right_to_left
from app.money import format_amount


def money(amount: Decimal, currency_code: str) -> str:
    return format_amount(amount, currency_code)


def day(value: date) -> str:
    return format_date(value, format="medium", locale=babel_locale())


def period(start: date, end: date) -> str:
    """A billing period as short as the language writes it: "1–30 sept. 2026"."""
    return format_interval(start, end, "yMMMd", locale=babel_locale())


def moment(value: datetime, timezone: str) -> str:
    return format_datetime(value, format="short", tzinfo=ZoneInfo(timezone), locale=babel_locale())


def ago(seconds: float) -> str:
    """How long ago, as short as the language says it: "4 min. ago", "il y a 4 min"."""
    return format_timedelta(
        timedelta(seconds=-max(0.0, seconds)),
        add_direction=True,
        format="short",
        locale=babel_locale(),
    )


def ltr(text: str | None) -> str:
    """Keep a number's digits and signs in order inside right-to-left text.

    Without isolation "+213 555 12 34 56" shows in Arabic as "56 34 12 555 213+".
    """
    if not text:
        return ""
    return f"\u2066{text}\u2069"  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE


NO_BREAK_SPACE = "\u00a0"


def hint_line(pieces: Iterable[str]) -> str:
    """A line of key hints from translated pieces ("F7: bill copy"), in reading order.

    Each piece is isolated in the reading direction: without it, in Arabic, a piece
    ending in Latin letters ("… F7") runs into its neighbour and the keys swap places.
    """
    right_to_left = is_right_to_left()
    isolate = "\u2067" if right_to_left else "\u2066"  # RLI / LRI ... PDI
    # A text made only of isolated pieces has no strong letter outside them: Qt would
    # take the paragraph as left to right and hang a wrapped Arabic line at the left.
    # The line starts with the reading direction's mark (RLM / LRM) to say it.
    mark = "\u200f" if right_to_left else "\u200e"
    return mark + " · ".join(f"{isolate}{_key_bound(gettext(piece))}\u2069" for piece in pieces)


def _key_bound(hint: str) -> str:
    """``hint`` with no-break spaces from its key to the first word of what it does.

    A narrow screen may wrap a long action ("duplicata / de facture") but never parts
    a key from it ("F8:" at the end of a line, "void" on the next). Binding whole
    hints instead would waste the end of each line and cost the counter a bill row.
    """
    key, colon, action = hint.partition(":")
    if not colon:
        return hint.replace(" ", NO_BREAK_SPACE)
    gap = len(action) - len(action.lstrip(" "))
    first, space, rest = action[gap:].partition(" ")
    return f"{key.replace(' ', NO_BREAK_SPACE)}:{NO_BREAK_SPACE * gap}{first}{space}{rest}"


def isolated(text: str) -> str:
    """``text`` in its own direction, apart from the sentence around it: an Arabic date
    inside an English or French line keeps its order (FIRST STRONG ISOLATE ... PDI)."""
    return f"\u2068{text}\u2069"
