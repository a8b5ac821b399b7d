"""Money: Decimal amounts with each currency's own minor units, never floats.

Amounts are stored as integers of minor units (centimes, millimes). Converting a
Decimal to minor units refuses more decimals than the currency has, instead of
rounding a customer's money silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_currency, parse_decimal

from app.errors import ValidationError
from app.i18n import N_, babel_locale, current_language


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
    """Parse an amount typed at the counter in the agent's locale ("1 234,50")."""
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not cleaned:
        raise ValidationError(N_("Enter an amount."), field=field)
    try:
        value = parse_decimal(cleaned.replace(" ", ""), locale=locale)
    except NumberFormatError:
        try:  # the numeric keypad always types a dot, whatever the locale
            value = Decimal(cleaned.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValidationError(
                N_("{value} is not an amount."), field=field, value=text
            ) from None
    to_minor(value, cur, field=field, allow_zero=True)
    return value.quantize(cur.quantum)


def format_money(minor: int, cur: Currency, locale: str) -> str:
    return format_currency(
        from_minor(minor, cur),
        cur.code,
        locale=babel_locale(locale, cur.code),
        # Babel's ISO 4217 digits match ours (TND 3, DZD and EUR 2), so 1 234,500 TND
        # keeps its millimes even when they are zero.
        currency_digits=True,
        format_type="standard",
    )


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
