"""The supervisor's end of day at scale: the end-of-day PDF of a 20,000-payment agency day,
and a month of closings on a national-scale demo database, each beside its floor.

(a) ``report``: a database of its own (a scratch SQLite file, deleted afterwards
unless --keep) with one agency of 8 counters, its tills opened, counted and
reviewed through the services, and --payments ledger rows of one business day
bulk-inserted (cash with change, card, cheque, postal transfer; 1 % voided with
a supervisor's approval; reprints; failed print jobs), the day closed through
``close_day``. Then the end-of-day PDF through ``day_report_pdf`` in French and
in Arabic (target: under 1 s), beside the floor measured in the same run: the raw
SQL aggregate of the same payments (one GROUP BY through ``sqlite3``) plus a bare
reportlab document with as many table rows as the report draws.

(b) ``month``: the demo builder's database of --subscribers (built once with its
own key, ``--today 2026-11-01``: its October is closed), copied to a scratch
file; November's payments (--month-payments a day at its first agency) are
bulk-inserted there with their closed tills, then every day of November is
closed through ``close_day`` and the month through ``close_month``, beside the
floor: the raw SQL aggregate of each day. The scratch copy is deleted afterwards.

    .venv/bin/python tests/benchmarks/bench_closing.py                       # both
    .venv/bin/python tests/benchmarks/bench_closing.py report --payments 20000
    .venv/bin/python tests/benchmarks/bench_closing.py month --subscribers 1000000

Prints one JSON line of figures (progress on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.auth import Actor, add_user, authenticate  # noqa: E402
from app.closing.closings import close_day, close_month  # noqa: E402
from app.closing.counts import CountInput  # noqa: E402
from app.closing.days import day_bounds  # noqa: E402
from app.closing.review import review_till  # noqa: E402
from app.closing.tills import close_cash_session, close_till, open_cash_session  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.demo.bulk import BulkWriter  # noqa: E402
from app.documents.fonts import document_fonts  # noqa: E402
from app.integrity.keys import create_signer, load_signer  # noqa: E402
from app.reports.day_report import day_report_pdf, load_day_report  # noqa: E402
from app.workstations import receipt_number  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    CashSession,
    ChainHead,
    OperatorSettings,
    Payment,
    ReceiptSeries,
    SigningKey,
    Subscriber,
    Tender,
    Workstation,
    WorkstationKind,
)

PASSWORD = "bench-password-1"
AGENCY = "BEN01"
COUNTERS = 8
ZONE = ZoneInfo("Africa/Algiers")
REPORT_DAY = date(2026, 11, 21)
MONTH = (2026, 11)
DEMO_TODAY = date(2026, 11, 1)
WORK = Path("/tmp/guichet-bench-closing")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def spread(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "total_s": round(sum(ordered), 2),
        "n": len(ordered),
    }


def timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sql_instant(value: datetime) -> str:
    """How SQLAlchemy stores an instant on SQLite: naive UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZONE)


# -- ledger rows, bulk ----------------------------------------------------------------

PAYMENT_COLUMNS = (
    "id",
    "uid",
    "idempotency_key",
    "request_hash",
    "kind",
    "voids_payment_id",
    "series_id",
    "seq",
    "receipt_no",
    "subscriber_id",
    "workstation_id",
    "cash_session_id",
    "agent_id",
    "approved_by_id",
    "reason",
    "created_at",
    "business_day",
    "currency",
    "tendered_minor",
    "change_minor",
    "allocated_minor",
    "topups_minor",
    "credit_used_minor",
    "credit_added_minor",
    "key_id",
    "prev_signature",
    "signature",
)
TENDER_COLUMNS = ("id", "payment_id", "position", "kind", "amount_minor", "cheque_number", "bank")
TENDER_KINDS = ("cash", "cash", "cash", "card", "cheque", "postal_transfer")


class Ledger:
    """Rows of one business day at the counters given, as the payment service writes them
    (without the signatures: a scratch database nobody verifies)."""

    def __init__(self, session_ids: dict[int, tuple[int, int, int]], key_id: str) -> None:
        # workstation id -> (series id, cash session id, agent id)
        self.stations = session_ids
        self.key_id = key_id
        self.next_id = 1
        self.next_tender = 1
        self.seq: dict[int, int] = {}
        self.series_code: dict[int, str] = {}

    def day(
        self,
        day: date,
        count: int,
        subscribers: int,
        *,
        supervisor: int | None = None,
        voids_every: int = 0,
    ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        payments: list[tuple[object, ...]] = []
        tenders: list[tuple[object, ...]] = []
        stations = sorted(self.stations)
        opens, span = local(day, 8), 8 * 3600  # 08:00 to 16:00, local
        for n in range(count):
            station = stations[n % len(stations)]
            series, till, agent = self.stations[station]
            pid = self.next_id
            self.next_id += 1
            at = opens + timedelta(seconds=span * n // count)
            bill = 100_000 + (pid * 7919) % 900_000
            kind = TENDER_KINDS[pid % len(TENDER_KINDS)]
            change = (-bill) % 100_000 if kind == "cash" and pid % 2 else 0
            tendered = bill + change
            seq = self.seq.get(series, 0) + 1
            self.seq[series] = seq
            receipt = receipt_number(self.series_code[series], seq)
            payments.append(
                self._row(
                    pid,
                    "payment",
                    None,
                    series,
                    seq,
                    receipt,
                    1 + pid % subscribers,
                    station,
                    till,
                    agent,
                    None,
                    None,
                    at,
                    day,
                    tendered,
                    change,
                    bill,
                )
            )
            tenders.append(self._tender(pid, kind, tendered))
            if voids_every and supervisor is not None and n % voids_every == voids_every - 1:
                vid = self.next_id
                self.next_id += 1
                vseq = seq + 1
                self.seq[series] = vseq
                payments.append(
                    self._row(
                        vid,
                        "void",
                        pid,
                        series,
                        vseq,
                        receipt_number(self.series_code[series], vseq),
                        1 + pid % subscribers,
                        station,
                        till,
                        agent,
                        supervisor,
                        "wrong account",
                        at + timedelta(seconds=20),
                        day,
                        -tendered,
                        -change,
                        -bill,
                    )
                )
                tenders.append(self._tender(vid, kind, -tendered))
        return payments, tenders

    def _tender(self, pid: int, kind: str, amount: int) -> tuple[object, ...]:
        tid = self.next_tender
        self.next_tender += 1
        cheque = (f"{pid:07d}", "BNA") if kind == "cheque" else (None, None)
        return (tid, pid, 1, kind, amount, *cheque)

    def _row(
        self,
        pid: int,
        kind: str,
        voids: int | None,
        series: int,
        seq: int,
        receipt: str,
        subscriber: int,
        station: int,
        till: int,
        agent: int,
        approver: int | None,
        reason: str | None,
        at: datetime,
        day: date,
        tendered: int,
        change: int,
        allocated: int,
    ) -> tuple[object, ...]:
        return (
            pid, f"bench-closing-{pid}", f"bench-closing-{pid}", "bench", kind, voids, series,
            seq, receipt, subscriber, station, till, agent, approver, reason, sql_instant(at),
            day.isoformat(), "DZD", tendered, change, allocated, 0, 0, 0, self.key_id,
            "s" * 86, "s" * 86,
        )  # fmt: skip


def write_ledger(
    database: Database, payments: list[tuple[object, ...]], tenders: list[tuple[object, ...]]
) -> None:
    with database.write() as session:
        writer = BulkWriter(session.connection())
        writer.insert("payments", PAYMENT_COLUMNS, payments)
        writer.insert("tenders", TENDER_COLUMNS, tenders)


def advance_heads(database: Database, ledger: Ledger) -> None:
    """The series heads where the bulk rows end, so the closing's locks find them."""
    with database.write() as session:
        for series, seq in ledger.seq.items():
            name = ReceiptSeries.chain_name_of(ledger.series_code[series])
            head = session.get(ChainHead, name)
            if head is None:
                session.add(ChainHead(name=name, last_seq=seq, last_signature="s" * 86))
            else:
                head.last_seq, head.last_signature = seq, "s" * 86


# -- (a) the end-of-day report ----------------------------------------------------------


def build_report_day(
    url: str, key_file: Path, payments: int
) -> tuple[AppContext, Actor, dict[str, int]]:
    database = Database(url)
    migrate.upgrade(database)
    signer = create_signer(key_file)
    ctx = AppContext(database, signer, Clock(local(REPORT_DAY, 7, 45).astimezone(UTC)))
    with database.write() as session:
        signer.register(session)
        session.add(
            OperatorSettings(
                code="BENCH",
                name="Bench Télécom",
                name_ar="اتصالات التجربة",
                country="DZ",
                currency="DZD",
                default_language="fr",
                timezone="Africa/Algiers",
            )
        )
        agency = Agency(code=AGENCY, name="Bench Centre", name_ar="مركز التجربة",
                        timezone="Africa/Algiers")  # fmt: skip
        session.add(agency)
        for n in range(1, COUNTERS + 1):
            session.add(
                Workstation(
                    agency=agency,
                    code=f"G{n:02d}",
                    name=f"Guichet {n}",
                    kind=WorkstationKind.COUNTER,
                    series=ReceiptSeries(code=f"{AGENCY}-G{n:02d}"),
                )
            )
    supervisor = add_user(ctx, "bench.supervisor", role="supervisor", password=PASSWORD)
    agents = {}
    for n in range(1, COUNTERS + 1):
        agent = add_user(ctx, f"agent{n:02d}", role="agent", password=PASSWORD,
                         full_name=f"Agent {n}")  # fmt: skip
        till = open_cash_session(ctx, agent, f"{AGENCY}-G{n:02d}", Decimal("10000"))
        agents[f"{AGENCY}-G{n:02d}"] = (agent, till.session_id)
    with database.write() as session:
        writer = BulkWriter(session.connection())
        writer.insert(
            "subscribers",
            ("id", "account_number", "last_name", "search_name", "created_on"),
            [(i, f"9{i:09d}", "Bench", "bench", "2020-01-01") for i in range(1, 2001)],
        )
        rows = session.execute(
            select(Workstation.id, Workstation.code, ReceiptSeries.id, ReceiptSeries.code).join(
                ReceiptSeries, ReceiptSeries.id == Workstation.series_id
            )
        ).all()
    stations = {}
    ledger = Ledger({}, signer.key_id)
    for station_id, code, series_id, series_code in rows:
        agent, till = agents[f"{AGENCY}-{code}"]
        stations[station_id] = (series_id, till, agent.staff_id)
        ledger.series_code[series_id] = series_code
    ledger.stations = stations
    rows_p, rows_t = ledger.day(
        REPORT_DAY, payments, 2000, supervisor=supervisor.staff_id, voids_every=100
    )
    write_ledger(database, rows_p, rows_t)
    advance_heads(database, ledger)
    _reprints_and_failures(database, stations, rows_p, supervisor.staff_id)
    # The tills counted by their agents (a round sum, far from what they hold) and
    # reviewed with a reason; then the day closed, as a supervisor does at night.
    ctx.clock.now = local(REPORT_DAY, 16, 30).astimezone(UTC)  # type: ignore[attr-defined]
    for ref, (agent, till) in agents.items():
        close_till(ctx, agent, ref, CountInput(cash={"note-200000": 50}))
        review_till(ctx, supervisor, till, reason="bench: counted in round sums")
    ctx.clock.now = local(REPORT_DAY, 19).astimezone(UTC)  # type: ignore[attr-defined]
    close_day(ctx, supervisor, AGENCY, REPORT_DAY)
    voids = sum(1 for row in rows_p if row[4] == "void")
    return ctx, supervisor, {"payments": len(rows_p) - voids, "voids": voids}


def _reprints_and_failures(
    database: Database,
    stations: dict[int, tuple[int, int, int]],
    payments: list[tuple[object, ...]],
    supervisor: int,
) -> None:
    copies, jobs = [], []
    for n, row in enumerate(payments[::200]):  # a reprint every 200 receipts
        at = datetime.strptime(str(row[15]), "%Y-%m-%d %H:%M:%S.%f") + timedelta(minutes=3)
        issued = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        copies.append((n + 1, row[0], 1, "thermal", issued, row[12], None))
    for n, row in enumerate(payments[::400]):  # a job that failed every 400
        at = str(row[15])
        error = json.dumps({"message": "The printer is out of paper.", "params": {}})
        jobs.append((n + 1, row[10], "receipt", row[0], row[8], 0, "fr", "pending", 3, at,
                     error, at))  # fmt: skip
    with database.write() as session:
        writer = BulkWriter(session.connection())
        writer.insert(
            "receipt_copies",
            ("id", "payment_id", "copy_number", "medium", "issued_at", "issued_by_id",
             "workstation"),
            copies,
        )  # fmt: skip
        writer.insert(
            "print_jobs",
            ("id", "workstation_id", "kind", "payment_id", "document_ref", "copy_number",
             "language", "status", "attempts", "next_attempt_at", "last_error", "created_at"),
            jobs,
        )  # fmt: skip
        writer.after_load(["subscribers", "payments", "tenders", "receipt_copies", "print_jobs"])


def raw_aggregate(url: str, stations: list[int], day: date) -> float:
    """The floor of the figures: one GROUP BY over the same payments, through the bare
    driver (sqlite3, or psycopg on PostgreSQL)."""
    start, end = day_bounds(day, ZONE)
    bounds = (sql_instant(start - timedelta(days=2)), sql_instant(end + timedelta(days=1)))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection: Any = sqlite3.connect(parsed.database or "")
        mark, hour = "?", "strftime('%H', created_at)"
    else:
        import psycopg

        connection = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(False))
        mark, hour = "%s", "to_char(created_at, 'HH24')"
    marks = ",".join([mark] * len(stations))
    query = (
        f"SELECT workstation_id, agent_id, kind, {hour}, count(*), "
        f"sum(tendered_minor - change_minor) FROM payments WHERE workstation_id IN ({marks}) "
        f"AND created_at >= {mark} AND created_at < {mark} AND business_day = {mark} "
        f"GROUP BY workstation_id, agent_id, kind, {hour}"
    )
    params: tuple[object, ...] = (*stations, *bounds, day.isoformat())
    if parsed.get_backend_name() != "sqlite":  # naive UTC, as stored
        low = (start - timedelta(days=2)).astimezone(UTC).replace(tzinfo=None)
        high = (end + timedelta(days=1)).astimezone(UTC).replace(tzinfo=None)
        params = (*stations, low, high, day)
    connection.execute(query, params).fetchall()  # warm: the first query plans
    began = time.perf_counter()
    connection.execute(query, params).fetchall()
    spent = time.perf_counter() - began
    connection.close()
    return spent


def bare_reportlab(rows: int) -> float:
    """The floor of the drawing: a bare A4 document with ``rows`` table rows of text."""
    fonts = document_fonts()
    began = time.perf_counter()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    y = 800.0
    for n in range(rows):
        if y < 60:
            canvas.showPage()
            y = 800.0
        canvas.setFont(fonts.regular, 8)
        for column, x in enumerate((40, 120, 220, 320, 420, 500)):
            canvas.drawString(x, y, f"BEN01-G0{n % 8}-{n:06d} {column}")
        y -= 12
    canvas.showPage()
    canvas.save()
    return time.perf_counter() - began


def report_rows(ctx: AppContext, supervisor: Actor) -> int:
    report = load_day_report(ctx, supervisor, AGENCY, REPORT_DAY)
    return (
        5 + 6 + len(report.tenders) + len(report.counters) + len(report.agents)
        + len(report.hours) + len(report.tills) + len(report.voids_made)
        + len(report.reprints) + len(report.print_failures)
    )  # fmt: skip


def recreate_postgres(admin_url: str, name: str) -> str:
    """A PostgreSQL database of the benchmark's own, dropped and made afresh."""
    import psycopg
    from psycopg import sql

    libpq = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    libpq = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def bench_report(args: argparse.Namespace) -> dict[str, object]:
    directory = Path(tempfile.mkdtemp(prefix="bench-day-report-"))
    if args.postgres:
        url = recreate_postgres(args.postgres, args.postgres_name)
    else:
        url = f"sqlite:///{directory / 'report-day.db'}"
    log(
        f"(a) building a {args.payments:,}-payment agency day in {make_url(url).render_as_string()} ..."
    )
    began = time.perf_counter()
    ctx, supervisor, made = build_report_day(url, directory / "report-day-key.pem", args.payments)
    log(f"    built in {time.perf_counter() - began:.1f} s")
    with ctx.db.read() as session:
        stations = list(session.scalars(select(Workstation.id)))
    try:
        day_report_pdf(ctx, supervisor, AGENCY, REPORT_DAY, language="fr")  # warm: fonts, imports
        figures: dict[str, object] = {
            "database": make_url(url).get_backend_name(),
            "ledger_rows": made,
            "runs": args.runs,
        }
        for language in ("fr", "ar"):
            samples, size = [], 0
            for _ in range(args.runs):
                spent, pdf = timed(
                    lambda lang=language: day_report_pdf(ctx, supervisor, AGENCY, REPORT_DAY,
                                                         language=lang)
                )  # fmt: skip
                samples.append(spent)
                size = len(pdf)  # type: ignore[arg-type]
            figures[f"day_report_pdf_{language}_ms"] = spread(samples)
            figures[f"day_report_pdf_{language}_bytes"] = size
            if args.keep:
                (directory / f"day-report-{language}.pdf").write_bytes(pdf)  # type: ignore[arg-type]
        gather = [timed(lambda: load_day_report(ctx, supervisor, AGENCY, REPORT_DAY))[0]
                  for _ in range(args.runs)]  # fmt: skip
        figures["load_day_report_ms"] = spread(gather)
        rows = report_rows(ctx, supervisor)
        sql = [raw_aggregate(url, stations, REPORT_DAY) for _ in range(args.runs)]
        drawing = [bare_reportlab(rows) for _ in range(args.runs)]
        floor = statistics.median(sql) + statistics.median(drawing)
        fr_p50 = figures["day_report_pdf_fr_ms"]["p50_ms"]  # type: ignore[index]
        figures.update(
            {
                "table_rows": rows,
                "floor_raw_sql_aggregate_ms": median_ms(sql),
                "floor_bare_reportlab_ms": median_ms(drawing),
                "floor_ms": round(floor * 1000, 1),
                "fr_over_floor_p50": round(fr_p50 / (floor * 1000), 1),
            }
        )
        return figures
    finally:
        ctx.db.dispose()
        if args.keep:
            log(f"    kept {directory}" + (f" and {args.postgres_name}" if args.postgres else ""))
        else:
            shutil.rmtree(directory, ignore_errors=True)
            if args.postgres:
                drop_postgres(args.postgres, args.postgres_name)


# -- (b) a month of closings on a national-scale database -------------------------------


def demo_files(subscribers: int) -> tuple[Path, Path]:
    return WORK / f"demo-{subscribers}.db", WORK / f"key-{subscribers}.pem"


def ensure_demo(subscribers: int) -> float | None:
    """Build the demo once, with a key of its own; returns the build seconds, or None
    when it was there already (refused when the file is signed with another key)."""
    from app.demo import build_demo

    path, key_file = demo_files(subscribers)
    WORK.mkdir(exist_ok=True)
    if path.exists():
        database = Database(f"sqlite:///{path}")
        with database.read() as session:
            keys = list(session.scalars(select(SigningKey.key_id)))
        database.dispose()
        if not key_file.exists() or load_signer(key_file).key_id not in keys:
            raise SystemExit(f"{path} is not signed with {key_file}: not ours, refusing it")
        return None
    log(f"(b) building the {subscribers:,}-subscriber demo in {path} ...")
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    signer = create_signer(key_file)
    began = time.perf_counter()
    build_demo(database, signer, profile="dz", subscribers=subscribers, seed=7, today=DEMO_TODAY)
    database.dispose()
    return time.perf_counter() - began


def bench_month(args: argparse.Namespace) -> dict[str, object]:
    built = ensure_demo(args.subscribers)
    source, key_file = demo_files(args.subscribers)
    scratch = WORK / f"month-scratch-{os.getpid()}.db"
    log(f"(b) copying {source.name} to {scratch.name} ...")
    shutil.copyfile(source, scratch)
    database = Database(f"sqlite:///{scratch}")
    signer = load_signer(key_file)
    year, month = MONTH
    first = date(year, month, 1)
    ctx = AppContext(database, signer, Clock(local(first, 7).astimezone(UTC)))
    try:
        with database.read() as session:
            agency = session.scalars(select(Agency).order_by(Agency.code)).first()
            assert agency is not None
            code = agency.code
            subscribers = int(session.scalar(select(func.max(Subscriber.id))) or 1)
            ledger_before = int(session.scalar(select(func.count()).select_from(Payment)) or 0)
            rows = session.execute(
                select(Workstation.id, Workstation.code, ReceiptSeries.id, ReceiptSeries.code)
                .join(ReceiptSeries, ReceiptSeries.id == Workstation.series_id)
                .where(Workstation.agency_id == agency.id)
                .order_by(Workstation.code)
            ).all()
            heads = {}
            for _s, _c, _i, series_code in rows:
                head = session.get(ChainHead, ReceiptSeries.chain_name_of(series_code))
                heads[series_code] = head.last_seq if head is not None else 0
            top = int(session.scalar(select(func.max(Payment.id))) or 0)
            top_tender = int(session.scalar(select(func.max(Tender.id))) or 0)
            top_till = int(session.scalar(select(func.max(CashSession.id))) or 0)
        supervisor_login = "bench.closing"
        with contextlib.suppress(Exception):
            add_user(ctx, supervisor_login, role="supervisor", password=PASSWORD)
        supervisor = authenticate(ctx, supervisor_login, PASSWORD)
        for _sid, station_code, _series, _sc in rows:  # a till the demo left open today
            with contextlib.suppress(Exception):
                close_cash_session(ctx, supervisor, f"{code}-{station_code}")
        days = [
            first + timedelta(days=n)
            for n in range(31)
            if (first + timedelta(days=n)).month == month
        ]
        working = [day for day in days if day.weekday() != 4]  # Fridays closed, as in Algeria
        log(
            f"(b) adding {args.month_payments:,} payments a day on {len(working)} days at {code} ..."
        )
        ledger = Ledger({}, signer.key_id)
        ledger.next_id, ledger.next_tender = top + 1, top_tender + 1
        for _sid, _c, series_id, series_code in rows:
            ledger.seq[series_id] = heads[series_code]
            ledger.series_code[series_id] = series_code
        tills: list[tuple[object, ...]] = []
        agent_id = supervisor.staff_id
        till_id = top_till
        for day in working:
            stations = {}
            for station_id, _c, series_id, _sc in rows:
                till_id += 1
                tills.append((till_id, station_id, agent_id, sql_instant(local(day, 7, 50)), 0,
                              agent_id, sql_instant(local(day, 16, 30)), "forced", "bench"))  # fmt: skip
                stations[station_id] = (series_id, till_id, agent_id)
            ledger.stations = stations
            payments, tenders = ledger.day(day, args.month_payments, subscribers,
                                           supervisor=supervisor.staff_id, voids_every=200)  # fmt: skip
            with database.write() as session:
                writer = BulkWriter(session.connection())
                writer.insert(
                    "cash_sessions",
                    ("id", "workstation_id", "opened_by_id", "opened_at", "opening_float_minor",
                     "closed_by_id", "closed_at", "closed_how", "close_reason"),
                    tills,
                )  # fmt: skip
                tills = []
            write_ledger(database, payments, tenders)
        advance_heads(database, ledger)
        with database.read() as session:
            ledger_rows = int(session.scalar(select(func.count()).select_from(Payment)) or 0)
        load_start = load_average()
        log(f"(b) closing every day of {year}-{month:02d}, then the month ...")
        per_day, floors = [], []
        station_ids = [row[0] for row in rows]
        for day in days:
            ctx.clock.now = local(day, 19).astimezone(UTC)  # type: ignore[attr-defined]
            spent, _info = timed(lambda day=day: close_day(ctx, supervisor, code, day))
            per_day.append(spent)
            floors.append(raw_aggregate(f"sqlite:///{scratch}", station_ids, day))
        ctx.clock.now = local(days[-1] + timedelta(days=1), 9).astimezone(UTC)  # type: ignore[attr-defined]
        month_s, info = timed(lambda: close_month(ctx, supervisor, code, year, month))
        return {
            "subscribers": args.subscribers,
            "demo_build_s": round(built, 1) if built is not None else "built earlier",
            "agency": code,
            "counters": len(rows),
            "ledger_rows_before": ledger_before,
            "ledger_rows_total": ledger_rows,
            "payments_per_working_day": args.month_payments,
            "working_days": len(working),
            "close_day": spread(per_day),
            "close_month_ms": round(month_s * 1000, 1),
            "month_total_s": round(sum(per_day) + month_s, 2),
            "floor_raw_day_aggregate": spread(floors),
            "close_day_over_floor_p50": round(
                statistics.median(per_day) / max(statistics.median(floors), 1e-6), 1
            ),
            "month_period_total": str(info.period_total),  # type: ignore[attr-defined]
            "load_average_start": load_start,
        }
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", nargs="?", choices=["report", "month", "both"], default="both")
    parser.add_argument("--payments", type=int, default=20_000, help="(a) payments of the day")
    parser.add_argument("--runs", type=int, default=5, help="(a) PDFs timed per language")
    parser.add_argument("--keep", action="store_true", help="(a) keep the database and PDFs")
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="(a) on PostgreSQL: a server URL whose user may create databases, e.g. "
        "postgresql://postgres@127.0.0.1:5432/postgres (default: SQLite)",
    )
    parser.add_argument(
        "--postgres-name",
        default="guichet_bench_day_report",
        help="(a) the database it drops and recreates there (never one you keep)",
    )
    parser.add_argument("--subscribers", type=int, default=1_000_000, help="(b) demo size")
    parser.add_argument(
        "--month-payments", type=int, default=2_000, help="(b) payments a working day"
    )
    args = parser.parse_args()
    figures: dict[str, object] = {"load_average_start": load_average()}
    if args.part in ("report", "both"):
        figures["day_report"] = bench_report(args)
    if args.part in ("month", "both"):
        figures["monthly_closing"] = bench_month(args)
    figures["load_average_end"] = load_average()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
