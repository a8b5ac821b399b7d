"""The accounting export: every file and column, exact amounts, formulas disarmed, journaled."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cash import close_cash_session
from app.closing.closings import close_day
from app.closing.counts import CountInput
from app.closing.movements import MovementRequest, record_cash_movement
from app.closing.review import review_till
from app.closing.tills import close_till, current_cash_session
from app.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.exports.csv_writer import neutralise
from app.exports.service import export_period
from app.exports.tables import TABLES
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from db.engine import Database
from db.models import JournalEvent, TenderKind
from tests.factories import NOW, PASSWORD, WORKSTATION, World, add_subscriber, build_world

DAY = NOW.date()
ROOT = Path(__file__).resolve().parent.parent
# 5,400.00 DA: float 5,000 + 2,000 cash - 500 change + 500 cash - 1,500 refunded - 100 dropped.
COUNT = CountInput(cash={"note-200000": 2, "note-100000": 1, "coin-20000": 2})


def build_day(world: World) -> World:
    """Two payments (cash with change; a cheque, cash and a top-up), a void, a drop to
    the safe, the till counted and reviewed, the day closed. Free text that a
    spreadsheet would run sits in a cheque, a top-up number, reasons and a reference."""
    add_subscriber(
        world.db,
        "1000000001",
        invoices=[("F1", 150000, date(2026, 10, 1)), ("F2", 250050, date(2026, 11, 1))],
    )
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "p1",
            "1000000001",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("2000")),),
            invoice_numbers=("F1",),
        ),
    )
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "p2",
            "1000000001",
            WORKSTATION,
            (
                TenderInput(
                    TenderKind.CHEQUE, Decimal("2500.50"), cheque_number="=1+2", bank="@BNA"
                ),
                TenderInput(TenderKind.CASH, Decimal("500")),
            ),
            invoice_numbers=("F2",),
            topups=(TopUpInput("MOB500", "+213555123456"),),
        ),
    )
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest(
            "v1", "ALG01-G01-000001", WORKSTATION, '=HYPERLINK("http://x")', "karim", PASSWORD
        ),
    )
    record_cash_movement(
        world.ctx,
        world.agent,
        MovementRequest(WORKSTATION, "drop", "100", "+to the safe", "karim", PASSWORD, "@bag-7"),
    )
    till = current_cash_session(world.db, WORKSTATION)
    assert till is not None
    close_till(world.ctx, world.agent, WORKSTATION, COUNT)
    review_till(world.ctx, world.supervisor, till.session_id, reason="-cheque kept in the safe")
    close_cash_session(world.ctx, world.supervisor, "ALG01-G02")
    world.ctx.clock.now = datetime.combine(DAY, time(19), tzinfo=UTC)  # type: ignore[attr-defined]
    close_day(world.ctx, world.supervisor, "ALG01", DAY)
    return world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_day(build_world(database, tmp_path / "keys"))


def read(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_file_and_column_with_exact_amounts(world: World, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = export_period(world.ctx, world.supervisor, DAY, DAY, out)
    assert sorted(path.name for path in out.iterdir()) == sorted(t.file for t in TABLES)
    for table, file in zip(TABLES, result.files, strict=True):
        with (out / table.file).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == list(table.header)
        assert file.rows == len(read(out / table.file))

    payments = read(out / "payments.csv")
    assert [(p["receipt_no"], p["kind"]) for p in payments] == [
        ("ALG01-G01-000001", "payment"),
        ("ALG01-G01-000002", "payment"),
        ("ALG01-G01-000003", "void"),
    ]
    first, second, void = payments
    assert (first["tendered"], first["change"], first["takings"], first["bills"]) == (
        "2000.00",
        "500.00",
        "1500.00",
        "1500.00",
    )
    assert (second["tendered"], second["bills"], second["topups"]) == (
        "3000.50",
        "2500.50",
        "500.00",
    )
    assert (void["tendered"], void["change"], void["takings"], void["bills"]) == (
        "-2000.00",
        "-500.00",
        "-1500.00",
        "-1500.00",
    )
    assert void["voids_receipt_no"] == "ALG01-G01-000001" and void["approved_by"] == "karim"
    assert first["business_day"] == "2026-11-21" and first["created_at"].startswith(
        "2026-11-21T10:30:00"
    )
    assert first["workstation"] == "ALG01-G01" and first["agent"] == "amina"
    assert first["subscriber_account"] == "1000000001" and first["currency"] == "DZD"

    allocations = read(out / "allocations.csv")
    assert [(a["receipt_no"], a["invoice_number"], a["amount"]) for a in allocations] == [
        ("ALG01-G01-000001", "F1", "1500.00"),
        ("ALG01-G01-000002", "F2", "2500.50"),
        ("ALG01-G01-000003", "F1", "-1500.00"),  # the billing system opens F1 again
    ]
    tenders = read(out / "tenders.csv")
    cheque = next(t for t in tenders if t["tender"] == "cheque")
    assert (cheque["amount"], cheque["cheque_number"], cheque["bank"]) == (
        "2500.50",
        "'=1+2",
        "'@BNA",
    )
    (topup, *_rest) = read(out / "topups.csv")
    assert (topup["product"], topup["target_number"], topup["amount"]) == (
        "MOB500",
        "'+213555123456",
        "500.00",
    )
    (voided,) = read(out / "voids.csv")
    assert voided["original_receipt_no"] == "ALG01-G01-000001"
    assert voided["reason"] == '\'=HYPERLINK("http://x")' and voided["takings"] == "-1500.00"
    (drop,) = read(out / "cash_movements.csv")
    assert (drop["movement"], drop["amount"], drop["reason"], drop["reference"]) == (
        "drop",
        "100.00",
        "'+to the safe",
        "'@bag-7",
    )
    counts = read(out / "till_counts.csv")
    assert [c["purpose"] for c in counts] == ["closing"]  # the fixture's floats are not counted
    assert counts[0]["cash"] == "5400.00"
    (review,) = read(out / "till_reviews.csv")
    assert (review["expected_cash"], review["difference"], review["reason"]) == (
        "5400.00",
        "-2500.50",
        "'-cheque kept in the safe",
    )
    (closing,) = read(out / "closings.csv")
    assert (closing["closing"], closing["period_start"], closing["period_total"]) == (
        "daily",
        "2026-11-21",
        "3000.50",  # 1,500.00 + 3,000.50 taken, 1,500.00 handed back
    )
    assert closing["perpetual_total"] == "3000.50" and closing["automatic"] == "false"
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_the_export_is_journaled_with_its_jet_code(world: World, tmp_path: Path) -> None:
    result = export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "e", agency="alg01")
    assert result.agency == "ALG01"
    with world.db.read() as session:
        event = session.scalars(
            select(JournalEvent).where(JournalEvent.kind == "export.written")
        ).one()
    details = json.loads(event.details)
    assert (details["from"], details["to"], details["agency"]) == ("2026-11-21",) * 2 + ("ALG01",)
    # NF525's JET has no public code for a data export (90 is an integrity failure):
    # the event carries none rather than a wrong one (app/jet.py).
    assert "jet" not in details
    assert {f["name"]: f["rows"] for f in details["files"]}["payments.csv"] == 3
    assert event.actor_login == "karim"


def test_bom_for_spreadsheets(world: World, tmp_path: Path) -> None:
    export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "bom", bom=True)
    export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "plain")
    assert (tmp_path / "bom" / "payments.csv").read_bytes().startswith(b"\xef\xbb\xbfreceipt_no,")
    assert (tmp_path / "plain" / "payments.csv").read_bytes().startswith(b"receipt_no,")
    assert read(tmp_path / "bom" / "payments.csv", "utf-8-sig") == read(
        tmp_path / "plain" / "payments.csv"
    )


def test_rows_stream_in_batches_with_the_same_result(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "whole")
    monkeypatch.setattr("app.exports.queries.BATCH", 1)  # one row per fetch from the server
    export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "batched")
    for table in TABLES:
        assert (tmp_path / "whole" / table.file).read_bytes() == (
            tmp_path / "batched" / table.file
        ).read_bytes()


def test_another_period_or_agency_exports_headers_only(world: World, tmp_path: Path) -> None:
    before = date(2026, 11, 1)
    result = export_period(world.ctx, world.supervisor, before, date(2026, 11, 20), tmp_path / "x")
    assert all(file.rows == 0 for file in result.files)


def test_refusals(world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        export_period(world.ctx, world.agent, DAY, DAY, tmp_path / "x")
    with pytest.raises(ValidationError, match="before it starts"):
        export_period(world.ctx, world.supervisor, DAY, date(2026, 11, 1), tmp_path / "x")
    with pytest.raises(NotFoundError, match="Unknown agency"):
        export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "x", agency="NOPE")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Benali", "Benali"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_is_neutralised(text: str, written: str) -> None:
    assert neutralise(text) == written


def test_tnd_amounts_keep_three_decimals(database: Database, tmp_path: Path) -> None:
    world = build_world(database, tmp_path / "keys", currency="TND")
    add_subscriber(world.db, "T1", invoices=[("FT1", 12345, date(2026, 10, 1))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest("t1", "T1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("12.345")),)),
    )
    export_period(world.ctx, world.supervisor, DAY, DAY, tmp_path / "tn")
    (allocation,) = read(tmp_path / "tn" / "allocations.csv")
    assert (allocation["currency"], allocation["amount"]) == ("TND", "12.345")


def test_the_docs_list_every_file_and_column() -> None:
    docs = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    for table in TABLES:
        section = re.search(
            rf"^### `{re.escape(table.file)}`\n(.*?)(?=^### |\Z)", docs, re.M | re.S
        )
        assert section is not None, f"docs/export.md has no section for {table.file}"
        listed = re.findall(r"^\| `([a-z_]+)` \|", section.group(1), re.M)
        assert listed == list(table.header), table.file
