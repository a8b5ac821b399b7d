from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.lookup.normalize import (
    SEARCH_NAME_MAX_LENGTH,
    compact_code,
    fold_name,
    phone_to_e164,
    search_name_for,
)

# --- fold_name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Hélène", "helene"),
        ("HELENE", "helene"),
        ("  Hélène   DUPONT ", "helene dupont"),
        ("Ben-Ali", "ben ali"),
        ("O'Brien", "o brien"),
        ("Aït‑Ahmed", "ait ahmed"),  # non-breaking hyphen
        ("Straße", "strasse"),
        ("Lœtitia Çelik", "loetitia celik"),
        ("مُحَمَّد بن علي", "محمد بن علي"),
        ("مـحـمد", "محمد"),  # tatweel
        ("أحمد", "احمد"),
        ("إيمان", "ايمان"),
        ("آمنة", "امنه"),  # madda alef, taa marbuta
        ("ٱلله", "الله"),  # alef wasla
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("مؤمن", "مومن"),
        ("هيئة", "هييه"),
        ("ﻣﺤﻤﺪ", "محمد"),  # presentation forms, as some old software stores them
        ("", ""),
        ("  -- '' ", ""),
    ],
)
def test_fold_name(raw: str, folded: str) -> None:
    assert fold_name(raw) == folded


def test_alef_variants_fold_together() -> None:
    assert len({fold_name(name) for name in ("أحمد", "احمد", "إحمد", "آحمد", "ٱحمد")}) == 1


def test_search_name_joins_latin_and_arabic() -> None:
    assert search_name_for("Mohamed", "Benali", "مُحَمَّد بن علي") == "mohamed benali محمد بن علي"
    assert search_name_for(None, "SONELGAZ Ouest", None) == "sonelgaz ouest"
    assert search_name_for("", "Dupont", "") == "dupont"


def test_search_name_fits_its_column() -> None:
    # U+FDFA expands to four words under NFKD.
    name = search_name_for("Ali", "Ben " * 60, "ﷺ" * 30)
    assert len(name) <= SEARCH_NAME_MAX_LENGTH
    assert name == fold_name(name)
    assert not name.endswith(" ")


@given(st.text())
@example("ǰ")
@example("㎁")
@example("ﷺ")
@example("İ")
@example("\u0345")
def test_fold_name_is_idempotent(text: str) -> None:
    once = fold_name(text)
    assert fold_name(once) == once


@given(st.text())
def test_fold_name_output_has_no_marks_case_or_stray_blanks(text: str) -> None:
    folded = fold_name(text)
    assert not any(unicodedata.category(char).startswith("M") for char in folded)
    assert not any(unicodedata.combining(char) for char in folded)
    assert folded.casefold() == folded
    assert folded == " ".join(folded.split())
    # Only letters, digits and single spaces: nothing a full-text query parser
    # could read as syntax.
    assert all(char == " " or unicodedata.category(char)[0] in "LN" for char in folded)


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1))
def test_fold_name_ignores_case(text: str) -> None:
    assert fold_name(text.upper()) == fold_name(text.lower()) == fold_name(text)


# --- phone_to_e164 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("0555 12 34 56", "DZ", "+213555123456"),
        ("0555.12.34.56", "DZ", "+213555123456"),
        ("0555-12-34-56", "DZ", "+213555123456"),
        ("+213 555 12 34 56", "DZ", "+213555123456"),
        ("00213555123456", "DZ", "+213555123456"),
        ("00 213 555 12 34 56", "DZ", "+213555123456"),
        ("(021) 23 45 67", "DZ", "+21321234567"),
        ("٠٥٥٥١٢٣٤٥٦", "DZ", "+213555123456"),  # Arabic-Indic digits
        ("98 123 456", "TN", "+21698123456"),
        ("+216 98 123 456", "TN", "+21698123456"),
        ("0021698123456", "TN", "+21698123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("0612345678", "FR", "+33612345678"),
        ("06/12/34/56/78", "FR", "+33612345678"),
        # A foreign number written internationally parses whatever the country.
        ("+33 6 12 34 56 78", "DZ", "+33612345678"),
        ("0021698123456", "FR", "+21698123456"),
        (" 0555123456\r\n", "DZ", "+213555123456"),
    ],
)
def test_phone_to_e164(typed: str, country: str, e164: str) -> None:
    assert phone_to_e164(typed, country) == e164


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("", "DZ"),
        ("   ", "DZ"),
        ("12", "DZ"),
        ("23 45 67", "DZ"),  # no area code: E.164 would be wrong
        ("0555 12 34 56 78 90 12", "DZ"),
        ("1-800-FLOWERS", "FR"),
        ("Hélène", "FR"),
        ("DZ000123", "DZ"),
        ("tel 0555123456", "DZ"),
        ("+", "DZ"),
        ("()", "TN"),
        ("0555123456", "XX"),
    ],
)
def test_phone_to_e164_refuses_what_is_not_a_phone(typed: str, country: str) -> None:
    assert phone_to_e164(typed, country) is None


@given(st.text(), st.sampled_from(["DZ", "TN", "FR"]))
def test_phone_to_e164_never_raises_and_returns_e164(typed: str, country: str) -> None:
    e164 = phone_to_e164(typed, country)
    assert e164 is None or (e164.startswith("+") and e164[1:].isdigit() and len(e164) <= 16)


# --- compact_code ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("DZ-000-123", "DZ000123"),
        (" dz 000 123 ", "DZ000123"),
        ("ctr/2024/0001", "CTR20240001"),
        ("F2024.000.123", "F2024000123"),
        ("9912345678901234567890\r\n", "9912345678901234567890"),
        ("\x1d0101234\x1d", "0101234"),  # GS1 group separators from a scanner
        ("١٢٣–٤٥٦", "123456"),  # Arabic-Indic digits, en dash
        ("ＡＢ１２", "AB12"),  # fullwidth, from an East Asian input method
        ("", ""),
    ],
)
def test_compact_code(typed: str, compact: str) -> None:
    assert compact_code(typed) == compact


@given(st.text())
def test_compact_code_is_idempotent_and_has_no_separators(text: str) -> None:
    compact = compact_code(text)
    assert compact_code(compact) == compact
    assert compact == compact.upper()
    assert not any(char.isspace() or char in ".-/\\" for char in compact)
    assert all(char.isprintable() for char in compact)


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            st.sampled_from(["", " ", ".", "-", "/", "\r\n", "\t", "  - "]),
        )
    )
)
def test_compact_code_ignores_separators_and_case(parts: list[tuple[str, str]]) -> None:
    plain = "".join(chunk for chunk, _ in parts)
    separated = "".join(chunk + separator for chunk, separator in parts)
    assert compact_code(separated) == compact_code(plain) == plain.upper()


def test_phone_for_display_is_national_at_home_and_international_abroad() -> None:
    from app.lookup.normalize import phone_for_display

    assert phone_for_display("+213555123456", "DZ") == "0555 12 34 56"
    assert phone_for_display("+21698123456", "DZ") == "+216 98 123 456"
    assert phone_for_display("+33612345678", "FR") == "06 12 34 56 78"
    assert phone_for_display("not a number", "FR") == "not a number"


def test_arabic_article_is_optional() -> None:
    from app.lookup.normalize import fold_name

    assert fold_name("الطرابلسي") == fold_name("طرابلسي") == "طرابلسي"
    assert fold_name("محمد الهادي") == "محمد هادي"
    assert fold_name("ال") == "ال"  # too short to be an article
