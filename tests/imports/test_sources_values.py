"""Reading files and cells: encodings, separators, amounts, dates (no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.imports.kinds import KINDS, column_name, recognise
from app.imports.sources import Source, detect_encoding, detect_separator
from app.imports.values import ValueProblem, parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("account_number;name_ar\nA-1;سعدي عبد القادر\n", "cp1256", "cp1256"),
        ("account_number,last_name\nA-1,Lefèvre Gaëlle Benoît\n", "latin-1", "latin-1"),
        ("account_number,last_name\nA-1,Lefèvre سعدي\n", "utf-8", "utf-8"),
        ("\ufeffaccount_number,last_name\nA-1,Lefèvre\n", "utf-8", "utf-8-sig"),
    ],
)
def test_the_encoding_is_detected(text: str, encoding: str, expected: str) -> None:
    assert detect_encoding(text.encode(encoding)) == expected


def test_the_separator_is_detected_from_the_header() -> None:
    assert detect_separator("a;b;c") == ";"
    assert detect_separator("a\tb\tc") == "\t"
    assert detect_separator("a,b,c") == ","
    assert detect_separator("a;b,c;d") == ";"


def test_rows_are_streamed_with_their_first_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes('a;b\n1;"two\nlines"\n\n3;4\n'.encode("cp1256"))
    with Source(path) as source:
        assert source.header == ["a", "b"]
        rows = [(row.line, row.cells) for row in source.rows()]
    assert rows == [(2, ["1", "two\nlines"]), (5, ["3", "4"])]


@pytest.mark.parametrize(
    ("text", "digits", "minor"),
    [
        ("1234.5", 2, 123450),
        ("1 234,50", 2, 123450),
        ("1.234,50", 2, 123450),
        ("1,234.50", 2, 123450),
        ("1\u00a0234,5", 2, 123450),
        ("-12,30", 2, -1230),
        ("12,345", 3, 12345),
        ("7", 3, 7000),
    ],
)
def test_amounts_in_every_usual_form(text: str, digits: int, minor: int) -> None:
    assert parse_amount(text, digits) == minor


@pytest.mark.parametrize("text", ["12.3.4", "abc", "1,234,56", "1234.567", ""])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_amount(text, 2)


@pytest.mark.parametrize(
    "text", ["2024-03-31", "31/03/2024", "31.03.2024", "31-03-2024", "2024-03-31T10:00:00"]
)
def test_dates_in_every_usual_form(text: str) -> None:
    assert parse_date(text) == date(2024, 3, 31)


@pytest.mark.parametrize("text", ["31/02/2024", "2024-13-01", "+1/02/2024", "03/31/2024x"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_date(text)


def test_the_kind_is_recognised_from_the_header() -> None:
    assert recognise(["Invoice Number", "Delivery Date"])[0] is KINDS["deliveries"]
    header = [
        "invoice_number",
        "contract_number",
        "period_start",
        "period_end",
        "issue_date",
        "due_date",
        "amount",
        "barcode",
        "delivery_date",
    ]
    assert recognise(header)[0] is KINDS["invoices"]
    kind, closest = recognise(["account_number", "first_name"])
    assert kind is None and closest is KINDS["subscribers"]
    assert column_name("\ufeffAccount-Number ") == "account_number"
