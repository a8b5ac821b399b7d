"""The duplicate bill: a one-page PDF in the language asked for, Arabic laid out right to left.

The PDF is read back with pypdf. Arabic comes back as the presentation forms that
were drawn (shaped letters), so texts are compared after NFKC normalisation,
which maps each form back to its letter; NFKC also turns the no-break spaces of
French amounts into plain spaces.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents.arabic import isolate, visual
from app.documents.bill_copy import bill_copy_pdf, save_bill_copy
from app.documents.fonts import FONTS_DIR
from app.errors import NotFoundError
from app.i18n import gettext, set_language
from app.money import currency, format_money
from db.engine import Database
from tests.factories import NOW, add_subscriber, build_world

INVOICE = "F2026-0001234"
ACCOUNT = "A1000123"
AMOUNT_MINOR = 123456789
NAME_AR = "هيلين بن علي"  # the factory's default Arabic name


def _world(database: Database, tmp_path: Path, currency_code: str = "DZD") -> None:
    build_world(database, tmp_path, currency=currency_code)
    add_subscriber(database, ACCOUNT, invoices=[(INVOICE, AMOUNT_MINOR, date(2026, 11, 30))])


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return _normalised(reader.pages[0].extract_text())


def _fragments(pdf: bytes) -> list[tuple[str, float]]:
    """Each piece of text drawn, normalised, with the x where it starts."""
    found: list[tuple[str, float]] = []

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            found.append((_normalised(text).strip(), tm[4]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def _x_of(fragments: list[tuple[str, float]], text: str) -> float:
    # Extraction may give right-to-left text in either order, depending on pypdf.
    for fragment, x in fragments:
        if fragment in (text, text[::-1]):
            return x
    raise AssertionError(f"{text!r} not drawn; drawn: {[f for f, _ in fragments]}")


def _contains(haystack: str, arabic: str) -> bool:
    return arabic in haystack or arabic[::-1] in haystack


def test_french_copy_has_the_bill_details(sqlite_database: Database, tmp_path: Path) -> None:
    _world(sqlite_database, tmp_path)
    set_language("ar")  # the process language must not leak into the document

    pdf = bill_copy_pdf(sqlite_database, INVOICE, language="fr", now=NOW)

    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "DUPLICATA" in text
    assert INVOICE in text
    assert ACCOUNT in text
    assert _normalised(format_money(AMOUNT_MINOR, currency("DZD"), "fr")) in text  # 1 234 567,89
    assert "Reste à payer" in text
    assert "Impayée" in text  # app.labels INVOICE_STATUSES, in French
    assert "30 novembre 2026" in text  # the due date
    assert "11:30" in text  # printed at 10:30 UTC, in the agency's Algiers time
    assert f"BC{INVOICE}" in text  # the barcode's characters under the bars
    assert "Service clients : 12" in _normalised(text)
    assert "Hélène Benali" in text
    assert _contains(text, NAME_AR)  # the Arabic name too, when known


def test_arabic_copy_is_shaped_and_right_to_left(sqlite_database: Database, tmp_path: Path) -> None:
    _world(sqlite_database, tmp_path)

    pdf = bill_copy_pdf(sqlite_database, INVOICE, language="ar", now=NOW)

    text = _text(pdf)
    assert _contains(text, "نسخة")
    name_letters = set(NAME_AR.replace(" ", ""))
    assert name_letters <= set(text)
    assert _contains(text, NAME_AR)
    assert INVOICE in text and ACCOUNT in text

    # Labels at the right, their values to their left: the reverse of the French page.
    fragments = _fragments(pdf)
    label = gettext("Account number", "ar")
    assert _x_of(fragments, label) > _x_of(fragments, ACCOUNT)
    french = _fragments(bill_copy_pdf(sqlite_database, INVOICE, language="fr", now=NOW))
    assert _x_of(french, "Numéro de compte") < _x_of(french, ACCOUNT)


def test_unknown_invoice_is_not_found(sqlite_database: Database, tmp_path: Path) -> None:
    _world(sqlite_database, tmp_path)

    with pytest.raises(NotFoundError) as caught:
        bill_copy_pdf(sqlite_database, "F1999-0000001", language="fr", now=NOW)

    assert caught.value.field == "invoice_number"
    assert "F1999-0000001" in caught.value.translated("fr")


def test_tunisian_amounts_have_three_decimals(sqlite_database: Database, tmp_path: Path) -> None:
    _world(sqlite_database, tmp_path, "TND")

    text = _text(bill_copy_pdf(sqlite_database, INVOICE, language="fr", now=NOW))

    assert "123 456,789 TND" in text


def test_round_tunisian_amounts_keep_three_decimals(
    sqlite_database: Database, tmp_path: Path
) -> None:
    _world(sqlite_database, tmp_path, "TND")

    text = _text(bill_copy_pdf(sqlite_database, INVOICE, language="fr", now=NOW))

    assert "0,000 TND" in text  # the late fee


def test_saved_copy_is_named_after_the_invoice(sqlite_database: Database, tmp_path: Path) -> None:
    _world(sqlite_database, tmp_path)

    path = save_bill_copy(
        sqlite_database, INVOICE, language="fr", now=NOW, directory=tmp_path / "out"
    )

    assert INVOICE in path.name and path.suffix == ".pdf"
    # Same invoice, same moment: the same bytes (no random id or clock in the file).
    assert path.read_bytes() == bill_copy_pdf(sqlite_database, INVOICE, language="fr", now=NOW)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_fonts_are_bundled_with_their_licence() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVu-LICENSE.txt"):
        assert (FONTS_DIR / name).is_file()
    assert FONTS_DIR.parent.parent == Path(__file__).resolve().parent.parent


def test_numbers_in_an_arabic_sentence_keep_their_order() -> None:
    assert visual("0550 12 34 56", right_to_left=True) == "0550 12 34 56"
    line = visual(f"خدمة الزبائن: {isolate('+216 71 341 311')}", right_to_left=True)
    assert line.startswith("+216 71 341 311 ")
    assert "\u202a" not in line and "\u202c" not in line


def test_brackets_face_the_right_way_in_arabic() -> None:
    # Drawn left to right, "(FTTH)" ends the line: the bidi step must mirror brackets.
    assert visual("الألياف البصرية (FTTH)", right_to_left=True).startswith("(FTTH) ")
