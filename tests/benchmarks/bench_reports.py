"""The Z report of one till of N payments (default 20,000), beside a raw SQL floor.

Builds a fresh SQLite database of its own, in a folder of its own, with a
signing key of its own (a benchmark never writes into a database whose key is
not its own): one counter, one till, N payments signed in the counter's chain
and written with plain INSERTs (cash with change, card, postal transfers; one in
ten also sells a top-up; one in a hundred voided by a supervisor), receipt
copies (through the reprint service, journaled), printed and failing print jobs; then the till is closed with the
agent's blind count through the service.

Then times, RUNS times each, the Z report as a supervisor asks for it:

- ``service``: :func:`app.reports.till_report.till_report` (the figures, with the
  supervisor's review of expected against counted);
- ``slip``: :func:`app.printing.till_report_slip.till_report_slip` (fr);
- ``pdf``: :func:`app.printing.pdf_render.slip_pdf` of that slip (80 mm roll);
- ``total``: the three, one after the other;

and the floor in the same run: the raw ``sqlite3`` aggregates of the same
payments (per kind and tender: count and sum; per kind: count, net, change,
bills, top-ups), which any report must read at least. Prints one JSON line.

    .venv/bin/python tests/benchmarks/bench_reports.py
    .venv/bin/python tests/benchmarks/bench_reports.py --payments 100000 --runs 5

Target: the Z report (service + slip + PDF) under 1 s for 20,000 payments.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from app.auth import add_user  # noqa: E402
from app.closing.counts import CountInput  # noqa: E402
from app.closing.tills import close_till, open_cash_session  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.demo.bulk import BulkWriter  # noqa: E402
from app.integrity.canonical import instant, signing_input  # noqa: E402
from app.integrity.keys import Signer, create_signer  # noqa: E402
from app.integrity.records import (  # noqa: E402
    AllocationValues,
    PaymentValues,
    TenderValues,
    TopUpValues,
    payment_record_of,
)
from app.printing.copies import reprint  # noqa: E402
from app.printing.pdf_render import PdfPaper, slip_pdf  # noqa: E402
from app.printing.till_report_slip import till_report_slip  # noqa: E402
from app.reports.till_report import ReportKind, till_report  # noqa: E402
from app.workstations import receipt_number  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    ChainHead,
    Offer,
    OperatorSettings,
    PrepaidProduct,
    ReceiptSeries,
    Workstation,
    WorkstationKind,
)

AGENCY = "BEN01"
REF = f"{AGENCY}-G01"
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TOPUP = 50_000  # 500.00 DA
CHUNK = 10_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sql_instant(value: datetime) -> str:
    """How SQLAlchemy stores an instant on SQLite: naive UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _amount(n: int) -> int:
    return 100_000 + (n * 7919) % 900_000


def build(folder: Path, payments: int) -> tuple[AppContext, Any, Any, int]:
    url = f"sqlite:///{folder / 'bench-reports.db'}"
    database = Database(url)
    migrate.upgrade(database)
    signer = create_signer(folder / "signing-key.pem")  # its own key, for its own database
    clock = Clock()
    ctx = AppContext(database, signer, clock)
    with database.write() as session:
        signer.register(session)
        session.add(
            OperatorSettings(
                code="BENCH",
                name="Bench reports",
                name_ar="تجربة",
                country="DZ",
                currency="DZD",
                default_language="fr",
                timezone="Africa/Algiers",
            )
        )
        agency = Agency(code=AGENCY, name="Bench", timezone="Africa/Algiers")
        session.add(agency)
        session.add(
            Workstation(
                agency=agency,
                code="G01",
                name="Guichet 1",
                kind=WorkstationKind.COUNTER,
                series=ReceiptSeries(code=REF),
            )
        )
        session.add(
            PrepaidProduct(
                code="MOB500", name="Recharge 500", service="mobile", face_value_minor=TOPUP
            )
        )
        session.add(Offer(code="BENCH", name="Bench", service="adsl", monthly_fee_minor=100000))
    agent = add_user(ctx, "agent01", role="agent", password="bench-password-1")
    supervisor = add_user(ctx, "chef01", role="supervisor", password="bench-password-1")
    till = open_cash_session(ctx, agent, REF, Decimal("10000")).session_id
    with database.read() as session:
        series_id, station_id = session.execute(
            select(ReceiptSeries.id, Workstation.id).join(
                Workstation, Workstation.series_id == ReceiptSeries.id
            )
        ).one()
        offer_id = session.scalar(select(Offer.id))
        product_id = session.scalar(select(PrepaidProduct.id))
    started = time.perf_counter()
    with database.write() as session:
        writer = BulkWriter(session.connection())
        writer.insert(
            "subscribers",
            ("id", "account_number", "last_name", "search_name", "created_on"),
            [(n, f"9{n:09d}", "Bench", "bench", "2020-01-01") for n in range(1, payments + 1)],
        )
        writer.insert(
            "contracts",
            ("id", "number", "subscriber_id", "service", "offer_id", "status", "requested_on"),
            [
                (n, f"C{n:09d}", n, "adsl", offer_id, "active", "2020-01-01")
                for n in range(1, payments + 1)
            ],
        )
        writer.insert(
            "invoices",
            (
                "id",
                "number",
                "contract_id",
                "subscriber_id",
                "period_start",
                "period_end",
                "issue_date",
                "due_date",
                "amount_minor",
                "late_fee_minor",
                "paid_minor",
                "paid_elsewhere_minor",
                "status",
                "barcode",
            ),
            [
                (
                    n,
                    f"B{n:010d}",
                    n,
                    n,
                    "2026-01-01",
                    "2026-01-31",
                    "2026-02-01",
                    "2026-02-20",
                    _amount(n),
                    0,
                    0 if n % 100 == 0 else _amount(n),
                    0,
                    "open" if n % 100 == 0 else "paid",
                    f"BC{n:010d}",
                )
                for n in range(1, payments + 1)
            ],
        )  # fmt: skip  (one in a hundred voided below: open again)
    head: tuple[int, str] = (0, "")
    ids = {"payment": 0, "tender": 0, "topup": 0}
    n = 0
    while n < payments:
        rows: dict[str, list[tuple[object, ...]]] = {
            "payments": [],
            "tenders": [],
            "allocations": [],
            "topup_sales": [],
        }
        for _ in range(min(CHUNK, payments - n)):
            n += 1
            head = _payment(
                signer,
                rows,
                ids,
                head,
                n,
                series_id,
                station_id,
                till,
                agent,
                supervisor,
                product_id,
            )
        with database.write() as session:
            writer = BulkWriter(session.connection())
            writer.insert("payments", PAYMENT_COLUMNS, rows["payments"])
            writer.insert("tenders", TENDER_COLUMNS, rows["tenders"])
            writer.insert(
                "allocations",
                ("id", "payment_id", "position", "invoice_id", "amount_minor"),
                rows["allocations"],
            )
            writer.insert("topup_sales", TOPUP_COLUMNS, rows["topup_sales"])
    with database.write() as session:
        chain = session.get(ChainHead, f"receipts/{REF}")
        if chain is None:
            session.add(ChainHead(name=f"receipts/{REF}", last_seq=head[0], last_signature=head[1]))
        else:
            chain.last_seq, chain.last_signature = head
        writer = BulkWriter(session.connection())
        writer.insert(
            "print_jobs",
            (
                "workstation_id", "kind", "payment_id", "document_ref", "copy_number", "language",
                "status", "attempts", "next_attempt_at", "last_error", "created_at",
            ),
            [
                (
                    station_id, "receipt", p, receipt_number(REF, p), 0, "fr",
                    "pending" if p % 1000 == 7 else "printed",
                    3 if p % 1000 == 7 else 1,
                    _sql_instant(START + timedelta(seconds=p)),
                    '{"message": "The printer is out of paper.", "params": {}}' if p % 1000 == 7 else None,
                    _sql_instant(START + timedelta(seconds=p)),
                )
                for p in range(1, ids["payment"] + 1)
            ],
        )  # fmt: skip
    # Receipt copies through the service: numbered and journaled as at the counter.
    for p in range(50, payments, max(1, payments // 40)):
        clock.now = START + timedelta(seconds=p + 1)
        reprint(ctx, agent, receipt_number(REF, p), workstation=REF, language="fr")
    log(f"  built {ids['payment']:,} ledger rows in {time.perf_counter() - started:.1f} s")
    clock.now = START + timedelta(seconds=ids["payment"] + 60)
    # The blind count: the drawer's cash in 2,000 DA notes (short of what is below one
    # note), the card and postal totals exact.
    held = _in_till(folder / "bench-reports.db", till)
    count = CountInput(
        cash={"note-200000": held["cash"] // 200_000},
        card_total=str(Decimal(held.get("card", 0)) / 100),
        postal_total=str(Decimal(held.get("postal_transfer", 0)) / 100),
    )
    close_till(ctx, agent, REF, count)
    return ctx, agent, supervisor, till


PAYMENT_COLUMNS = (
    "id", "uid", "idempotency_key", "request_hash", "kind", "voids_payment_id", "series_id",
    "seq", "receipt_no", "subscriber_id", "workstation_id", "cash_session_id", "agent_id",
    "approved_by_id", "reason", "created_at", "currency", "tendered_minor", "change_minor",
    "allocated_minor", "topups_minor", "credit_used_minor", "credit_added_minor", "key_id",
    "prev_signature", "signature",
)  # fmt: skip
TENDER_COLUMNS = ("id", "payment_id", "position", "kind", "amount_minor")
TOPUP_COLUMNS = (
    "id", "payment_id", "position", "product_id", "target_number", "quantity", "unit_minor",
    "amount_minor",
)  # fmt: skip


def _payment(
    signer: Signer,
    rows: dict[str, list[tuple[object, ...]]],
    ids: dict[str, int],
    head: tuple[int, str],
    n: int,
    series_id: int,
    station_id: int,
    till: int,
    agent: Any,
    supervisor: Any,
    product_id: int,
) -> tuple[int, str]:
    """Payment n (and, one in a hundred, its void right after), signed in the chain."""
    bill = _amount(n)
    topup = TOPUP if n % 10 == 0 else 0
    due = bill + topup
    kind = "cash" if n % 5 else ("card" if n % 10 else "postal_transfer")
    tendered = -(-due // 100_000) * 100_000 if kind == "cash" else due  # cash rounded up
    change = tendered - due
    head = _write(
        signer, rows, ids, head, series_id, station_id, till, agent, n,
        kind="payment", original=None, approver=None, tender=kind, tendered=tendered,
        change=change, bill=bill, topup=topup, product_id=product_id,
    )  # fmt: skip
    if n % 100 == 0:
        original = ids["payment"]
        head = _write(
            signer, rows, ids, head, series_id, station_id, till, agent, n,
            kind="void", original=original, approver=supervisor, tender=kind,
            tendered=-tendered, change=-change, bill=-bill, topup=-topup, product_id=product_id,
        )  # fmt: skip
    return head


def _write(
    signer: Signer,
    rows: dict[str, list[tuple[object, ...]]],
    ids: dict[str, int],
    head: tuple[int, str],
    series_id: int,
    station_id: int,
    till: int,
    agent: Any,
    n: int,
    *,
    kind: str,
    original: int | None,
    approver: Any,
    tender: str,
    tendered: int,
    change: int,
    bill: int,
    topup: int,
    product_id: int,
) -> tuple[int, str]:
    ids["payment"] += 1
    pid = ids["payment"]
    seq, prev = head[0] + 1, head[1]
    receipt = receipt_number(REF, seq)
    at = START + timedelta(seconds=pid)
    uid = f"00000000-0000-4000-8000-{pid:012d}"
    reason = "bench void" if kind == "void" else None
    values = PaymentValues(
        uid, kind, receipt, receipt_number(REF, original) if original else None, f"9{n:09d}",
        REF, REF, AGENCY, till, agent.login, approver.login if approver else None, reason,
        instant(at), "DZD", tendered, change, bill, topup, 0, 0,
    )  # fmt: skip
    topups = (
        [TopUpValues(1, "MOB500", "0555000000", 1 if topup > 0 else -1, TOPUP, topup)]
        if topup
        else []
    )
    record = payment_record_of(
        values,
        [TenderValues(1, tender, tendered, None, None, None, None)],
        [AllocationValues(1, f"B{n:010d}", bill)],
        topups,
        [],
    )
    signature = signer.sign(signing_input(f"receipts/{REF}", seq, record, prev))
    rows["payments"].append(
        (
            pid, uid, f"bench-{pid}", "bench", kind, original, series_id, seq, receipt, n,
            station_id, till, agent.staff_id, approver.staff_id if approver else None, reason,
            _sql_instant(at), "DZD", tendered, change, bill, topup, 0, 0, signer.key_id, prev,
            signature,
        )
    )  # fmt: skip
    ids["tender"] += 1
    rows["tenders"].append((ids["tender"], pid, 1, tender, tendered))
    rows["allocations"].append((pid, pid, 1, n, bill))
    if topup:
        ids["topup"] += 1
        rows["topup_sales"].append(
            (ids["topup"], pid, 1, product_id, "0555000000", 1 if topup > 0 else -1, TOPUP, topup)
        )
    return seq, signature


def _in_till(path: Path, till: int) -> dict[str, int]:
    """What the till holds per tender, from the rows just written: the count to type."""
    raw = sqlite3.connect(path)
    try:
        held = dict(
            raw.execute(
                "SELECT t.kind, sum(t.amount_minor) FROM tenders t JOIN payments p"
                " ON p.id = t.payment_id WHERE p.cash_session_id = ? GROUP BY t.kind",
                (till,),
            ).fetchall()
        )
        (change,) = raw.execute(
            "SELECT coalesce(sum(change_minor), 0) FROM payments WHERE cash_session_id = ?",
            (till,),
        ).fetchone()
        held["cash"] = held.get("cash", 0) - change + 1_000_000  # the 10,000.00 float
        return held
    finally:
        raw.close()


FLOOR_SQL = (
    "SELECT p.kind, t.kind, count(*), sum(t.amount_minor) FROM payments p"
    " JOIN tenders t ON t.payment_id = p.id WHERE p.cash_session_id = ? GROUP BY p.kind, t.kind",
    "SELECT kind, count(*), sum(tendered_minor - change_minor), sum(change_minor),"
    " sum(allocated_minor), sum(topups_minor) FROM payments WHERE cash_session_id = ? GROUP BY kind",
)


def timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def figures(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="where to build (default: a new temporary folder)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="guichet-bench-reports-"))
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "bench-reports.db").exists() or (folder / "signing-key.pem").exists():
        raise SystemExit(f"{folder} already holds a database or a key: give an empty folder")
    load_start = os.getloadavg()[0]
    ctx, _agent, supervisor, till = build(folder, args.payments)
    report = till_report(ctx, supervisor, till, ReportKind.Z)  # warm: imports, fonts, caches
    slip = till_report_slip(report, "fr")
    pdf = slip_pdf(slip, PdfPaper.ROLL_80)

    service = timed(lambda: till_report(ctx, supervisor, till, ReportKind.Z), args.runs)
    layout = timed(lambda: till_report_slip(report, "fr"), args.runs)
    render = timed(lambda: slip_pdf(slip, PdfPaper.ROLL_80), args.runs)
    total = timed(
        lambda: slip_pdf(
            till_report_slip(till_report(ctx, supervisor, till, ReportKind.Z), "fr"),
            PdfPaper.ROLL_80,
        ),
        args.runs,
    )
    raw = sqlite3.connect(folder / "bench-reports.db")

    def floor() -> None:
        for statement in FLOOR_SQL:
            raw.execute(statement, (till,)).fetchall()

    floor()
    raw_floor = timed(floor, args.runs)
    raw.close()
    total_median = statistics.median(total)
    floor_median = statistics.median(raw_floor)
    print(
        json.dumps(
            {
                "payments": report.payments,
                "voids": report.voids,
                "ledger_rows": report.payments + report.voids,
                "reprints": len(report.reprints),
                "print_failures": len(report.print_failures),
                "difference": str(report.review.difference if report.review else None),
                "service": figures(service),
                "slip": figures(layout),
                "pdf": figures(render),
                "total": figures(total),
                "raw_sql_floor": figures(raw_floor),
                "total_vs_floor": round(total_median / floor_median, 1) if floor_median else None,
                "pdf_bytes": len(pdf),
                "target_ms": 1000,
                "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
                "folder": str(folder),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
