"""Amounts as an agent types them at the counter, and as an amount field is prefilled.

The screen shows ``12 481,51 DZD`` in French, ``‏12.481,51 د.ج.`` in Algerian
or Tunisian Arabic and ``DZD 12,481.51`` in English; the field beside it must read
what the agent types in that same convention, and never turn an amount it cannot
be sure of into another one (``5.800`` read as 5,80 DZD became a partial payment).

``locale`` below is either a language of the application (``"fr"``, ``"ar"``,
``"en"``: the Babel locale is then :func:`app.i18n.babel_locale` of that language
and the currency, as for every amount on screen) or a Babel locale name
(``"fr_DZ"``, ``"ar-TN"``, ``"en_GB"``).

What is read
------------
* Digits: ASCII, Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹).
* The currency's code or symbol before or after the number is ignored (``DZD``,
  ``DA``, ``د.ج.``, ``TND``, ``DT``, ``د.ت.``, ``EUR``, ``€``), as are direction
  marks, so a displayed amount pasted back reads as itself.
* A minus sign (before or after, as Arabic displays it) is refused: a counter
  entry is what the customer hands over, never negative.
* Every space (plain, no-break, narrow no-break, thin) and the Arabic thousands
  separator ``٬`` can only separate thousands. The Arabic decimal separator ``٫``
  and the locale's own decimal separator (``,`` in French and in Maghreb Arabic,
  ``.`` in English) can only be a decimal point. The Arabic comma ``،`` is a ``,``.
* The locale's own thousands separator, when it is ``.`` or ``,`` (``.`` in
  Maghreb Arabic, ``,`` in English), separates thousands; it is also read as a
  decimal point when that gives no more decimals than the currency has, because
  the numeric keypad types a dot whatever the locale (``5800.50`` in ar-DZ).
* The punctuation the locale does not use at all (``.`` in French) may be either.

A *reading* gives each separator one of its possible meanings, with at most one
decimal point, after every thousands separator; thousands separators are all the
same character, the first group has 1 to 3 digits and does not start with 0, every
other group has exactly 3 digits (``1 000 000``, never ``10 00``).

The decision
------------
* Exactly one reading, within the currency's decimals: that is the amount.
* Two readings that could both be meant (``5.800`` in French: 5 800, or a decimal
  point; ``1,234`` in English with TND, which has 3 decimals; ``5.800`` in
  Tunisian Arabic): refused by :class:`AmbiguousAmountError`, whose message
  shows both amounts as the screen writes them and what to type for each.
  A decimal reading of the punctuation the locale does not use counts here even
  with more decimals than the currency has (``5.800`` in French with DZD: 5 800,00
  or 5,80), so a French agent learns one rule: a dot before exactly three digits is
  refused, whatever the currency. A keypad decimal of the locale's own thousands
  separator counts only within the currency's decimals (``5,000`` in English with
  DZD is 5 000: ``5,000`` with two decimals cannot be a DZD amount, and no English
  agent means 5 dinars by it).
* Only readings with more decimals than the currency has: refused, naming the
  currency's number of decimals (``5,800`` in French with DZD; ``5,8000`` with TND).
* No reading: refused as not an amount (``5..8``, ``5800,``, ``10 00``, ``€5`` for DZD).

These rules read the same string as the same amount in every locale or refuse it:
for every currency, no text is read as two different amounts by two locales
(``tests/test_amount_parsing.py`` checks it with generated strings), so an agent
who switches language, or types as a colleague from the other language would,
is never misread.

Prefill and label
-----------------
:func:`format_amount_input` writes an amount the way an agent types it: the locale's
decimal separator, every decimal of the currency (``5,800`` is 5 dinars 800 millimes
in fr-TN), Latin digits as on the display, no currency and, by default, no thousands
separators, so that deleting the decimals of a prefilled ``5800,000`` leaves
``5800`` and not an ambiguous ``5.800``. :func:`describe_amount` is the amount as
the screen writes it, for the large "as understood" label beside the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import get_currency_symbol, get_decimal_symbol, get_group_symbol

from app.errors import ValidationError
from app.i18n import LANGUAGES, N_, babel_locale
from app.money import Currency, format_money, to_minor
from app.money import currency as currency_named

__all__ = [
    "AmbiguousAmountError",
    "describe_amount",
    "format_amount_input",
    "parse_amount",
]

ARABIC_DECIMAL = "\u066b"  # ٫
ARABIC_GROUP = "\u066c"  # ٬
_ARABIC_COMMA = "\u060c"  # ،
_DIRECTION_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SPACES = "\u00a0\u2007\u2008\u2009\u200a\u202f\t"
_MINUS_SIGNS = "-\u2212\u2012\u2013"

_NORMALISE = str.maketrans(
    {
        **{ord(mark): None for mark in _DIRECTION_MARKS},
        **{ord(space): " " for space in _SPACES},
        **{0x0660 + n: str(n) for n in range(10)},  # Arabic-Indic ٠–٩
        **{0x06F0 + n: str(n) for n in range(10)},  # Extended Arabic-Indic ۰–۹
        ord(_ARABIC_COMMA): ",",
    }
)
_NUMBER = re.compile(rf"[0-9 .,{ARABIC_DECIMAL}{ARABIC_GROUP}]+")
# The locales whose currency symbols an agent may have seen (and so may type).
_SYMBOL_LOCALES = ("fr_FR", "fr_DZ", "fr_TN", "ar", "ar_DZ", "ar_TN", "en_GB")


class AmbiguousAmountError(ValidationError):
    """The text could mean two amounts; ``readings`` holds both (thousands first)."""

    def __init__(
        self,
        message: str,
        *,
        readings: tuple[Decimal, ...],
        field: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message, field=field, **params)
        self.readings = readings


class _Role(Enum):
    DECIMAL = "decimal point only"
    GROUP = "thousands separator only"
    OWN_GROUP = "the locale's thousands separator; a keypad decimal point within the currency"
    FOREIGN = "punctuation the locale does not use: either"


@dataclass(frozen=True)
class _Symbols:
    locale: str
    decimal: str
    group: str  # as displayed (a narrow no-break space in French)
    right_to_left: bool

    @property
    def typed_group(self) -> str:
        return " " if self.group.isspace() else self.group


@dataclass(frozen=True)
class _Reading:
    value: Decimal
    decimals: int
    decimal_role: _Role | None  # the meaning of the decimal point, None when there is none


def _currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else currency_named(value)


def _locale_name(locale: str | None, cur: Currency) -> str:
    if locale is None or locale in LANGUAGES:
        return babel_locale(locale, cur.code)
    return str(Locale.parse(locale.replace("-", "_")))


@cache
def _symbols(locale: str) -> _Symbols:
    return _Symbols(
        locale=locale,
        decimal=get_decimal_symbol(locale),
        group=get_group_symbol(locale),
        right_to_left=Locale.parse(locale).character_order == "right-to-left",
    )


@cache
def _currency_marks(code: str) -> tuple[str, ...]:
    marks = {code}
    for locale in _SYMBOL_LOCALES:
        symbol = get_currency_symbol(code, locale).translate(_NORMALISE).strip()
        marks.update({symbol, symbol.rstrip(".")})
    marks.discard("")
    return tuple(sorted(marks, key=len, reverse=True))


def _role(separator: str, symbols: _Symbols) -> _Role:
    if separator == ARABIC_DECIMAL or separator == symbols.decimal:
        return _Role.DECIMAL
    if separator in (" ", ARABIC_GROUP):
        return _Role.GROUP
    if separator == symbols.typed_group:
        return _Role.OWN_GROUP
    return _Role.FOREIGN


def _strip_marks(text: str, code: str) -> tuple[str, bool]:
    """Drop the currency around the number; tell whether a minus sign was there."""
    negative = False
    changed = True
    while changed and text:
        changed = False
        if text[0] in _MINUS_SIGNS or text[-1] in _MINUS_SIGNS:
            negative = True
            text = text.strip(_MINUS_SIGNS).strip()
            changed = True
        for mark in _currency_marks(code):
            folded = mark.casefold()
            if text[: len(mark)].casefold() == folded:
                text, changed = text[len(mark) :].strip(), True
            if text[-len(mark) :].casefold() == folded:
                text, changed = text[: -len(mark)].strip(), True
    return text, negative


def _grouped(groups: list[str]) -> bool:
    first, rest = groups[0], groups[1:]
    return 1 <= len(first) <= 3 and not first.startswith("0") and all(len(g) == 3 for g in rest)


def _readings(groups: list[str], separators: list[str], symbols: _Symbols) -> list[_Reading]:
    roles = {separator: _role(separator, symbols) for separator in separators}
    readings = []
    if not separators:
        readings.append(_Reading(Decimal(groups[0]), 0, None))
    elif (
        len(set(separators)) == 1 and roles[separators[0]] is not _Role.DECIMAL and _grouped(groups)
    ):
        readings.append(_Reading(Decimal("".join(groups)), 0, None))
    if separators:
        point, others = separators[-1], separators[:-1]
        role = roles[point]
        if (
            role is not _Role.GROUP
            and point not in others
            and (
                not others
                or (
                    len(set(others)) == 1
                    and roles[others[0]] is not _Role.DECIMAL
                    and _grouped(groups[:-1])
                )
            )
        ):
            integer = "".join(groups[:-1]) or "0"
            readings.append(_Reading(Decimal(f"{integer}.{groups[-1]}"), len(groups[-1]), role))
    return readings


def parse_amount(
    text: str, currency: Currency | str, locale: str | None = None, *, field: str = "amount"
) -> Decimal:
    """The amount ``text`` means in ``locale``, with the currency's decimals (``5800.00``).

    Raises :class:`ValidationError` naming ``field`` when the text is empty, not an
    amount, negative or has more decimals than the currency, and
    :class:`AmbiguousAmountError` (a ValidationError) when it could mean two amounts.
    A zero amount is returned as such; whether zero is allowed is the caller's rule.
    """
    cur = _currency(currency)
    symbols = _symbols(_locale_name(locale, cur))
    shown = text.strip()
    cleaned = re.sub(r" +", " ", text.translate(_NORMALISE)).strip()
    if not cleaned:
        raise ValidationError(N_("Enter an amount."), field=field)
    cleaned, negative = _strip_marks(cleaned, cur.code)
    if negative and cleaned:
        raise ValidationError(N_("The amount cannot be negative."), field=field)
    if not _NUMBER.fullmatch(cleaned):
        raise ValidationError(N_("{value} is not an amount."), field=field, value=shown)
    parts = re.split(r"([^0-9])", cleaned)
    groups, separators = parts[0::2], parts[1::2]
    if any(not group for group in groups[1:]):  # two separators in a row, or one at the end
        raise ValidationError(N_("{value} is not an amount."), field=field, value=shown)

    readings = _readings(groups, separators, symbols)
    within = [r for r in readings if r.decimals <= cur.minor_units]
    meant = within + [
        r for r in readings if r.decimals > cur.minor_units and r.decimal_role is _Role.FOREIGN
    ]
    if len({r.value for r in meant}) > 1:
        raise _ambiguous(shown, meant, cur, symbols, field)
    if within:
        return within[0].value.quantize(cur.quantum)
    if readings:
        raise ValidationError(
            N_("{currency} amounts have at most {digits} decimals."),
            field=field,
            currency=cur.code,
            digits=cur.minor_units,
        )
    raise ValidationError(N_("{value} is not an amount."), field=field, value=shown)


def _ambiguous(
    shown: str, readings: list[_Reading], cur: Currency, symbols: _Symbols, field: str
) -> AmbiguousAmountError:
    thousands, decimal = sorted(readings, key=lambda r: r.decimal_role is not None)
    values = (thousands.value.quantize(cur.quantum), decimal.value)
    if symbols.right_to_left:  # keep what was typed in its own left-to-right order
        shown = f"\u2066{shown}\u2069"
    first = format_money(to_minor(values[0], cur, allow_zero=True), cur, symbols.locale)
    if decimal.value == decimal.value.quantize(cur.quantum):  # 5.800 could be 5,80 DZD
        second = decimal.value.quantize(cur.quantum)
        return AmbiguousAmountError(
            N_("{text} could be {first} or {second}: type {first_typed} or {second_typed}."),
            readings=values,
            field=field,
            text=shown,
            first=first,
            second=format_money(to_minor(second, cur, allow_zero=True), cur, symbols.locale),
            first_typed=_typed(values[0], cur, symbols),
            second_typed=_typed(second, cur, symbols),
        )
    return AmbiguousAmountError(  # 5.801: a decimal point would give DZD three decimals
        N_(
            "{text} is unclear: type {first_typed} for {first}, or “{decimal}” before the decimals."
        ),
        readings=values,
        field=field,
        text=shown,
        first=first,
        first_typed=_typed(values[0], cur, symbols),
        decimal=symbols.decimal,
    )


def _typed(amount: Decimal, cur: Currency, symbols: _Symbols) -> str:
    """The shortest thing to type for ``amount``: 5800, or 5,80 when it has decimals."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return _plain(amount, cur, symbols, grouping=False)


def _plain(amount: Decimal, cur: Currency, symbols: _Symbols, *, grouping: bool) -> str:
    minor = to_minor(amount, cur, allow_zero=True, allow_negative=True)
    units, fraction = divmod(abs(minor), cur.factor)
    integer = f"{units:,}".replace(",", symbols.group) if grouping else str(units)
    decimals = f"{symbols.decimal}{fraction:0{cur.minor_units}d}" if cur.minor_units else ""
    return f"{'-' if minor < 0 else ''}{integer}{decimals}"


def format_amount_input(
    amount: Decimal,
    currency: Currency | str,
    locale: str | None = None,
    *,
    grouping: bool = False,
) -> str:
    """The text to prefill an amount field with: ``5800,00`` (fr, ar-DZ), ``5800.00`` (en).

    Every decimal of the currency (``5,800`` for 5.8 TND in fr-TN), Latin digits as
    on the display, no currency. ``grouping=True`` adds the display's thousands
    separators (``5 800,00``, ``5.800,00``, ``5,800.00``); both read back exactly.
    Raises ValidationError when ``amount`` has more decimals than the currency.
    """
    cur = _currency(currency)
    return _plain(amount, cur, _symbols(_locale_name(locale, cur)), grouping=grouping)


def describe_amount(amount: Decimal, currency: Currency | str, locale: str | None = None) -> str:
    """The amount as understood, written as the screen writes amounts (``5 800,00 DZD``)."""
    cur = _currency(currency)
    minor = to_minor(amount, cur, allow_zero=True, allow_negative=True)
    return format_money(minor, cur, _locale_name(locale, cur))
