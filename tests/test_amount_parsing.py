"""Amounts typed at the counter are read as the screen writes them, or refused.

``5.800`` typed in French was read as 5,80 DZD and became a partial payment; the
cash field was prefilled ``5800.00`` beside ``12.481,51 د.ج.``. These tests pin the
rules of :mod:`app.amount_input`: every unambiguous way of typing an amount works,
an amount that could be two is refused showing both, and no text is read as two
different amounts by two locales.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.amount_input import (
    AmbiguousAmountError,
    describe_amount,
    format_amount_input,
    parse_amount,
)
from app.errors import ValidationError
from app.i18n import LANGUAGES, babel_locale
from app.money import CURRENCIES, currency, format_amount
from app.money import parse_amount as money_parse_amount

NBSP, NNBSP = "\u00a0", "\u202f"

# The display locales (what babel_locale gives for 3 languages x 3 currencies) and the
# countries' own, spelled as callers may spell them.
LOCALES = sorted(
    {babel_locale(language, code) for language in LANGUAGES for code in CURRENCIES}
    | {"fr", "ar", "en", "fr_DZ", "fr-DZ", "fr_TN", "fr_FR", "ar_DZ", "ar-TN", "ar_TN", "en_GB"}
)
COUNTRIES = {
    "DZ": ("DZD", ["fr", "ar", "en", "fr_DZ", "ar_DZ", "en_GB"]),
    "TN": ("TND", ["fr", "ar", "en", "fr_TN", "ar_TN", "en_GB"]),
    "FR": ("EUR", ["fr", "ar", "en", "fr_FR", "en_GB"]),
}


def _normal(text: str) -> str:
    return text.replace(NBSP, " ").replace(NNBSP, " ").replace("\u200f", "")


# --- what must simply work -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "locale", "expected"),
    [
        ("5800", "DZD", "fr", "5800.00"),
        ("5 800", "DZD", "fr", "5800.00"),
        (f"5{NBSP}800", "DZD", "fr", "5800.00"),
        (f"5{NNBSP}800", "DZD", "fr-DZ", "5800.00"),
        ("5800,00", "DZD", "fr", "5800.00"),
        ("5.800,00", "DZD", "fr", "5800.00"),
        ("1.234.567,89", "DZD", "fr", "1234567.89"),
        ("1 234 567,89", "DZD", "fr", "1234567.89"),
        ("5800.50", "DZD", "fr", "5800.50"),  # the keypad's dot
        ("5,80", "DZD", "fr", "5.80"),
        (",5", "DZD", "fr", "0.50"),
        ("5,800.00", "DZD", "en", "5800.00"),
        ("5,800", "DZD", "en", "5800.00"),  # a DZD amount has no third decimal
        ("5800.5", "DZD", "en", "5800.50"),
        ("5.800", "DZD", "ar", "5800.00"),  # the ar-DZ display's thousands separator
        ("5.800,00", "DZD", "ar_DZ", "5800.00"),
        ("5800.50", "DZD", "ar", "5800.50"),  # the keypad's dot after 1-2 digits
        ("5800،50", "DZD", "ar", "5800.50"),  # the Arabic keyboard's comma
        ("٥٨٠٠", "DZD", "ar", "5800.00"),
        ("۵۸۰۰", "DZD", "ar", "5800.00"),  # Extended Arabic-Indic
        ("٥٬٨٠٠٫٠٠", "DZD", "ar", "5800.00"),
        ("٥٬٨٠٠٫٠٠", "DZD", "fr", "5800.00"),
        ("٥٨٠٠٫٥", "DZD", "en", "5800.50"),
        ("5,800", "TND", "fr_TN", "5.800"),  # 5 dinars 800 millimes
        ("5,800", "TND", "ar_TN", "5.800"),
        ("5 800", "TND", "fr_TN", "5800.000"),
        ("5.800,000", "TND", "ar_TN", "5800.000"),
        ("5800.500", "TND", "ar_TN", "5800.500"),  # 4 digits before: not thousands
        ("0.500", "TND", "fr_TN", "0.500"),  # 0.500 is no way to write 500
        ("5.8", "TND", "fr_TN", "5.800"),
        ("1,234.567", "TND", "en", "1234.567"),
        ("12.481,51", "EUR", "fr", "12481.51"),
        ("0", "DZD", "fr", "0.00"),
        ("5800 DA", "DZD", "fr", "5800.00"),
        ("5800 DZD", "DZD", "fr", "5800.00"),
        ("dzd 5800", "DZD", "en", "5800.00"),
        ("5 800,00 د.ج.", "DZD", "ar", "5800.00"),
        ("5,800 DT", "TND", "fr_TN", "5.800"),
        ("€12,481.51", "EUR", "en", "12481.51"),
        ("  5800  ", "DZD", "fr", "5800.00"),
    ],
)
def test_unambiguous_entries(text: str, code: str, locale: str, expected: str) -> None:
    value = parse_amount(text, code, locale)
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == -currency(code).minor_units


def test_a_displayed_amount_reads_back_as_itself() -> None:
    for locale in LOCALES:
        for code in CURRENCIES:
            shown = describe_amount(Decimal("12481.5"), code, locale)
            assert parse_amount(shown, code, locale) == Decimal("12481.5"), (locale, code, shown)


def test_the_old_money_parse_amount_follows_the_same_rules() -> None:
    assert money_parse_amount("5.800,00", currency("DZD"), "fr") == Decimal("5800.00")
    with pytest.raises(AmbiguousAmountError):
        money_parse_amount("5.800", currency("DZD"), "fr", field="opening_float")


# --- what must be refused ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "locale", "first", "second"),
    [
        ("5.800", "DZD", "fr", "5800", "5.80"),
        ("5.800", "DZD", "fr_DZ", "5800", "5.80"),
        ("5.250", "EUR", "fr", "5250", "5.25"),
        ("5.800", "TND", "fr_TN", "5800", "5.8"),
        ("5.800", "TND", "ar_TN", "5800", "5.8"),
        ("5.800", "TND", "ar", "5800", "5.8"),
        ("1,234", "TND", "en", "1234", "1.234"),
        ("٥.٨٠٠", "TND", "fr_TN", "5800", "5.8"),
    ],
)
def test_an_entry_that_could_be_two_amounts_is_refused_showing_both(
    text: str, code: str, locale: str, first: str, second: str
) -> None:
    with pytest.raises(AmbiguousAmountError) as caught:
        parse_amount(text, code, locale, field="tenders[0].amount")
    error = caught.value
    assert isinstance(error, ValidationError) and error.field == "tenders[0].amount"
    assert error.readings == (Decimal(first), Decimal(second))
    message = _normal(error.translated("en"))
    for reading in (first, second):
        assert _normal(format_amount(Decimal(reading), code, locale)) in message


def test_the_ambiguity_message_says_what_to_type() -> None:
    with pytest.raises(AmbiguousAmountError) as caught:
        parse_amount("5.800", "DZD", "fr")
    assert _normal(caught.value.translated("en")) == (
        "5.800 could be 5 800,00 DZD or 5,80 DZD: type 5800 or 5,80."
    )
    with pytest.raises(AmbiguousAmountError) as caught:
        parse_amount("1,234", "TND", "en")
    assert _normal(caught.value.translated("en")) == (
        "1,234 could be TND 1,234.000 or TND 1.234: type 1234 or 1.234."
    )


def test_a_dot_before_three_digits_in_french_is_refused_even_when_not_a_decimal() -> None:
    # One rule for the agent: a dot before exactly three digits is refused in French.
    with pytest.raises(AmbiguousAmountError) as caught:
        parse_amount("5.801", "DZD", "fr")
    assert caught.value.readings == (Decimal("5801"), Decimal("5.801"))
    assert "5801" in caught.value.translated("en")


@pytest.mark.parametrize(
    ("text", "code", "locale"),
    [
        ("5,800", "DZD", "fr"),
        ("5,8000", "TND", "fr"),
        ("5.8000", "DZD", "fr"),
        ("5.123", "EUR", "en"),
        ("5800,000", "DZD", "ar"),
    ],
)
def test_more_decimals_than_the_currency_has_names_its_decimals(
    text: str, code: str, locale: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, code, locale)
    assert not isinstance(caught.value, AmbiguousAmountError)
    digits = currency(code).minor_units
    assert caught.value.translated("en") == f"{code} amounts have at most {digits} decimals."


@pytest.mark.parametrize(
    "text",
    [
        "5..8",
        "5800,",
        "10 00",
        "1000 000",
        "0 800",
        "€5",
        "5,800,00",
        "abc",
        "5 800 DA x",
        "1.234 567",
        "5 ,80",
        "DA",
        "+5",
    ],
)
def test_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, "DZD", "fr", field="amount")
    assert caught.value.translated("en") == f"{text.strip()} is not an amount."
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    "text", ["-5800", "−5800", "5800-", "\u200f-5.800,00 د.ج.\u200f", "-DZD 5"]
)
def test_a_cash_entry_cannot_be_negative(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, "DZD", "ar")
    assert caught.value.translated("en") == "The amount cannot be negative."


@pytest.mark.parametrize("text", ["", "   ", NBSP])
def test_an_empty_entry_asks_for_an_amount(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, "DZD", "fr")
    assert caught.value.translated("en") == "Enter an amount."


def test_the_typed_text_is_kept_left_to_right_in_an_arabic_message() -> None:
    with pytest.raises(AmbiguousAmountError) as caught:
        parse_amount("5.800", "TND", "ar")
    assert "\u20665.800\u2069" in caught.value.translated("en")


# --- prefill and label ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "locale", "plain", "grouped"),
    [
        ("5800", "DZD", "fr", "5800,00", f"5{NNBSP}800,00"),
        ("5800", "DZD", "fr_DZ", "5800,00", f"5{NNBSP}800,00"),
        ("5800", "DZD", "ar", "5800,00", "5.800,00"),
        ("5800", "DZD", "en", "5800.00", "5,800.00"),
        ("5.8", "TND", "fr_TN", "5,800", "5,800"),
        ("5800", "TND", "ar_TN", "5800,000", "5.800,000"),
        ("1234567.5", "TND", "en", "1234567.500", "1,234,567.500"),
        ("12481.51", "EUR", "fr_FR", "12481,51", f"12{NNBSP}481,51"),
        ("0", "EUR", "en", "0.00", "0.00"),
    ],
)
def test_the_prefill_is_written_as_the_agent_types(
    amount: str, code: str, locale: str, plain: str, grouped: str
) -> None:
    assert format_amount_input(Decimal(amount), code, locale) == plain
    assert format_amount_input(Decimal(amount), code, locale, grouping=True) == grouped


def test_the_prefill_refuses_more_decimals_than_the_currency() -> None:
    with pytest.raises(ValidationError):
        format_amount_input(Decimal("1.005"), "DZD", "fr")


def test_the_prefill_follows_the_current_language() -> None:
    from app.i18n import current_language, set_language

    before = current_language()
    try:
        set_language("ar")
        assert format_amount_input(Decimal("5800"), currency("TND")) == "5800,000"
        assert _normal(describe_amount(Decimal("5800"), "TND")) == "5.800,000 د.ت."
    finally:
        set_language(before)


def test_the_label_is_the_amount_as_the_screen_writes_it() -> None:
    assert _normal(describe_amount(Decimal("12481.51"), "DZD", "ar")) == "12.481,51 د.ج."
    assert _normal(describe_amount(Decimal("12481.51"), "DZD", "fr_DZ")) == "12 481,51 DA"
    assert _normal(describe_amount(Decimal("5.8"), "TND", "fr_TN")) == "5,800 DT"


def test_english_money_keeps_a_code_apart_from_the_number() -> None:
    assert format_amount(Decimal("12450"), "DZD", "en") == f"DZD{NBSP}12,450.00"
    assert format_amount(Decimal("12450"), "TND", "en") == f"TND{NBSP}12,450.000"
    assert format_amount(Decimal("-12450"), "DZD", "en") == f"-DZD{NBSP}12,450.00"
    assert format_amount(Decimal("12450"), "EUR", "en") == "€12,450.00"  # a sign stays close
    assert format_amount(Decimal("12450"), "DZD", "fr") == f"12{NNBSP}450,00{NBSP}DZD"


@pytest.mark.parametrize("code", ["DZD", "TND"])
def test_a_negative_amount_in_arabic_shows_its_minus_before_the_digits(code: str) -> None:
    """Drawn right to left, a bare leading minus lands after the number (2.964,34-);
    laid out by the bidi algorithm as Qt and the receipt do, it must stay in front."""
    from bidi.algorithm import get_display

    shown = format_amount(Decimal("-2964.345" if code == "TND" else "-2964.34"), code, "ar")
    visual = get_display(f"الرصيد {shown}", base_dir="R")
    digits = "2.964,345" if code == "TND" else "2.964,34"
    assert f"-{digits}" in visual
    assert f"{digits}-" not in visual
    assert format_amount(Decimal("2964"), code, "ar").count("\u202a") == 0  # positives as before


# --- properties -------------------------------------------------------------------------


@st.composite
def amounts(draw: st.DrawFn, code: str) -> Decimal:
    cur = currency(code)
    minor = draw(st.integers(min_value=0, max_value=10**9 * cur.factor))
    return Decimal(minor).scaleb(-cur.minor_units)


@pytest.mark.parametrize("code", sorted(CURRENCIES))
@pytest.mark.parametrize("locale", LOCALES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_format_then_parse_gives_the_same_amount(
    code: str, locale: str, data: st.DataObject
) -> None:
    amount = data.draw(amounts(code))
    for text in (
        format_amount_input(amount, code, locale),
        format_amount_input(amount, code, locale, grouping=True),
        describe_amount(amount, code, locale),
    ):
        assert parse_amount(text, code, locale) == amount, text


SEPARATORS = [".", ",", " ", NBSP, NNBSP, "٫", "٬", "،"]
DIGITS = "0123456789٠١٢٥٨۰۵"

# Strings shaped like numbers (digit runs between separators) find the interesting
# cases far more often than free text; free text checks the rest.
number_like = st.builds(
    lambda first, rest: first + "".join(sep + digits for sep, digits in rest),
    st.text(alphabet=DIGITS, max_size=4),
    st.lists(
        st.tuples(st.sampled_from(SEPARATORS), st.text(alphabet=DIGITS, min_size=1, max_size=4)),
        max_size=3,
    ),
)
free_text = st.text(alphabet=DIGITS + "".join(SEPARATORS) + "-", max_size=10)


def _readings(text: str, code: str, locales: list[str]) -> set[Decimal]:
    values = set()
    for locale in locales:
        with contextlib.suppress(ValidationError):
            values.add(parse_amount(text, code, locale))
    return values


@pytest.mark.parametrize("country", sorted(COUNTRIES))
@settings(max_examples=400, deadline=None)
@given(text=st.one_of(number_like, free_text))
def test_no_text_means_two_amounts_in_one_country(country: str, text: str) -> None:
    code, locales = COUNTRIES[country]
    assert len(_readings(text, code, locales)) <= 1


@pytest.mark.parametrize("code", sorted(CURRENCIES))
@settings(max_examples=300, deadline=None)
@given(text=number_like)
def test_no_text_means_two_amounts_in_any_two_locales(code: str, text: str) -> None:
    assert len(_readings(text, code, LOCALES)) <= 1


@pytest.mark.parametrize("code", sorted(CURRENCIES))
def test_no_short_number_means_two_amounts_in_any_two_locales(code: str) -> None:
    # Exhaustive over the shapes that matter: 1-4 digits, a separator, 1-4 digits.
    for head in ("5", "12", "123", "1234", "0"):
        for sep in SEPARATORS:
            for tail in ("5", "50", "500", "5000", "000"):
                text = f"{head}{sep}{tail}"
                assert len(_readings(text, code, LOCALES)) <= 1, text
