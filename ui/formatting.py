"""Amounts and dates as the reader expects them in their language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from app.i18n import babel_locale
from app.money import format_amount


def money(amount: Decimal, currency_code: str) -> str:
    return format_amount(amount, currency_code)


def day(value: date) -> str:
    return format_date(value, format="medium", locale=babel_locale())


def moment(value: datetime, timezone: str) -> str:
    return format_datetime(value, format="short", tzinfo=ZoneInfo(timezone), locale=babel_locale())


def ltr(text: str | None) -> str:
    """Keep a number's digits and signs in order inside right-to-left text.

    Without isolation "+213 555 12 34 56" shows in Arabic as "56 34 12 555 213+".
    """
    if not text:
        return ""
    return f"\u2066{text}\u2069"  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
