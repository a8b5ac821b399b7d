"""Money: Decimal amounts with each currency's own minor units, never floats.

Amounts are stored as integers of minor units (centimes, millimes). Converting a
Decimal to minor units refuses more decimals than the currency has, instead of
rounding a customer's money silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol

from app.errors import ValidationError
from app.i18n import N_, babel_locale, current_language, is_right_to_left


@dataclass(frozen=True)
class Currency:
    code: str
    minor_units: int

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    @property
    def factor(self) -> int:
        return 10**self.minor_units


CURRENCIES: dict[str, Currency] = {
    "DZD": Currency("DZD", 2),
    "TND": Currency("TND", 3),
    "EUR": Currency("EUR", 2),
}


def currency(code: str) -> Currency:
    try:
        return CURRENCIES[code]
    except KeyError:
        raise ValidationError(N_("Unknown currency {code}."), field="currency", code=code) from None


def to_minor(
    amount: Decimal | int | str,
    cur: Currency,
    *,
    field: str = "amount",
    allow_zero: bool = False,
    allow_negative: bool = False,
) -> int:
    """Convert an amount to integer minor units, refusing what a till would refuse."""
    if isinstance(amount, float):  # a float has already lost the customer's centimes
        raise TypeError("money must be Decimal, int or str, never float")
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError):
        raise ValidationError(
            N_("{value} is not an amount."), field=field, value=str(amount)
        ) from None
    if not value.is_finite():
        raise ValidationError(N_("{value} is not an amount."), field=field, value=str(amount))
    if value < 0 and not allow_negative:
        raise ValidationError(N_("The amount cannot be negative."), field=field)
    if value == 0 and not allow_zero:
        raise ValidationError(N_("The amount must be more than zero."), field=field)
    scaled = value * cur.factor
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            N_("{currency} amounts have at most {digits} decimals."),
            field=field,
            currency=cur.code,
            digits=cur.minor_units,
        )
    return int(scaled)


def from_minor(minor: int, cur: Currency) -> Decimal:
    return (Decimal(minor) / cur.factor).quantize(cur.quantum)


def parse_amount(text: str, cur: Currency, locale: str, *, field: str = "amount") -> Decimal:
    """Parse an amount typed at the counter in the agent's locale ("1 234,50").

    The rules (separators, Arabic digits, refusing what could mean two amounts) live
    in :mod:`app.amount_input`, which builds on this module: hence the late import.
    """
    from app.amount_input import parse_amount as read_amount

    return read_amount(text, cur, locale, field=field)


def format_money(minor: int, cur: Currency, locale: str) -> str:
    name = babel_locale(locale, cur.code)
    text = format_currency(
        from_minor(minor, cur),
        cur.code,
        format=_currency_pattern(name, cur.code),
        locale=name,
        # Babel's ISO 4217 digits match ours (TND 3, DZD and EUR 2), so 1 234,500 TND
        # keeps its millimes even when they are zero.
        currency_digits=True,
    )
    if minor < 0 and is_right_to_left(locale):
        text = _SIGNED_NUMBER.sub(_left_to_right, text, count=1)
    return text


# A minus sign and the digits after it, Western or Arabic-Indic, with their separators.
_SIGNED_NUMBER = re.compile(
    r"[\u200e\u061c]?[-\u2212][0-9\u0660-\u0669.,\u066b\u066c\u00a0\u202f]*[0-9\u0660-\u0669]"
)


def _left_to_right(match: re.Match[str]) -> str:
    """In right-to-left text a leading minus is drawn after the digits (2.964,34-):
    held in a left-to-right embedding, it stays before them (-2.964,34). An embedding,
    not an isolate: the printed receipt's bidi step (app.documents.arabic) knows only
    embeddings, and Qt draws both alike."""
    return f"\u202a{match.group(0)}\u202c"


@cache
def _currency_pattern(locale: str, code: str) -> str:
    """The locale's currency pattern, a code kept apart from the digits.

    English writes a symbol against the number (``€12,450.00``) but a code apart
    (``DZD 12,450.00``: CLDR's "alphaNextToNumber" form, which Babel does not
    carry), so a no-break space goes between a symbol ending or starting with a
    letter and the digits.
    """
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    symbol = get_currency_symbol(code, locale).strip("\u200e\u200f\u061c")
    if symbol[-1:].isalpha():
        pattern = re.sub("¤(?=[#0])", "¤\u00a0", pattern)
    if symbol[:1].isalpha():
        pattern = re.sub("(?<=[#0])¤", "\u00a0¤", pattern)
    return pattern


def format_amount(amount: Decimal, currency_code: str, language: str | None = None) -> str:
    """A Decimal amount (a summary's, a view's) as the reader expects it."""
    cur = currency(currency_code)
    minor = to_minor(amount, cur, allow_zero=True, allow_negative=True)
    return format_money(minor, cur, language or current_language())


@dataclass(frozen=True)
class Money:
    """An amount with its currency; prints itself in the reader's language.

    Used as a parameter of error messages, so that "short by 800,00 DA" reads
    right in whichever language the message is finally shown.
    """

    minor: int
    currency: Currency

    @property
    def amount(self) -> Decimal:
        return from_minor(self.minor, self.currency)

    def __str__(self) -> str:
        return format_money(self.minor, self.currency, current_language())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
