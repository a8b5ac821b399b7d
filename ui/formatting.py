"""Amounts and dates as the reader expects them in their language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime

from app.i18n import current_language
from app.money import currency, format_money, to_minor

_BABEL_LOCALES = {"fr": "fr_FR", "ar": "ar_DZ", "en": "en_GB"}


def money(amount: Decimal, currency_code: str) -> str:
    cur = currency(currency_code)
    minor = to_minor(amount, cur, allow_zero=True, allow_negative=True)
    return format_money(minor, cur, current_language())


def day(value: date) -> str:
    return format_date(value, format="medium", locale=_BABEL_LOCALES[current_language()])


def moment(value: datetime, timezone: str) -> str:
    return format_datetime(
        value, format="short", tzinfo=timezone, locale=_BABEL_LOCALES[current_language()]
    )


def ltr(text: str | None) -> str:
    """Keep a number's digits and signs in order inside right-to-left text.

    Without isolation "+213 555 12 34 56" shows in Arabic as "56 34 12 555 213+".
    """
    if not text:
        return ""
    return f"\u2066{text}\u2069"  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
