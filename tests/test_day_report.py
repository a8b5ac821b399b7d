"""The supervisor's end-of-day PDF: the day's figures, per counter, agent, tender and hour
(with a bar chart), till differences and their reasons, voids and their approvers,
reprints and print failures; closed or provisional; in French, Arabic and English.

PDFs are read back with pypdf; Arabic comes back as the presentation forms drawn
(shaped letters), so texts are compared after NFKC normalisation (see test_bill_copy).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cash import close_cash_session
from app.closing.closings import close_day
from app.closing.counts import CountInput
from app.closing.review import review_till
from app.closing.tills import close_till
from app.documents.arabic import visual
from app.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.money import currency, format_money
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from app.printing.copies import reprint
from app.printing.queue import claim_next, mark_failed
from app.reports.day_report import day_report_pdf, load_day_report
from db.engine import Database
from db.models import TenderKind
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.test_complaint_world import complaint_world, record

DAY = date(2026, 11, 21)  # the factories' Saturday
ROOT = Path(__file__).resolve().parent.parent


def _at(hour: int, minute: int = 0) -> datetime:
    """A local time in Algiers (UTC+1) on the day, as the clock's UTC instant."""
    return datetime.combine(DAY, time(hour, minute), tzinfo=UTC) - timedelta(hours=1)


@dataclass
class Day:
    world: World
    paid: str  # a receipt of the agent's, reprinted
    voided: str  # the receipt that was voided


def _tender(kind: TenderKind, amount: str) -> TenderInput:
    if kind == TenderKind.CARD:
        return TenderInput(kind, Decimal(amount), authorisation_code="A1B2C3")
    return TenderInput(kind, Decimal(amount))


def _pay(
    world: World,
    key: str,
    account: str,
    amount: str,
    hour: int,
    minute: int = 0,
    kind: TenderKind = TenderKind.CASH,
    station: str = WORKSTATION,
) -> str:
    world.ctx.clock.now = _at(hour, minute)  # type: ignore[attr-defined]
    agent = world.agent if station == WORKSTATION else world.other_agent
    return take_payment(
        world.ctx,
        agent,
        PaymentRequest(key, account, station, (_tender(kind, amount),)),
    ).receipt_no


def _day(database: Database, tmp_path: Path, *, closed: bool) -> Day:
    world = build_world(database, tmp_path / "keys")
    for n in range(1, 5):
        add_subscriber(database, f"A{n}", invoices=[(f"F{n}", 1_000_000, date(2026, 10, 15))])
    paid = _pay(world, "k1", "A1", "1500", 9, 10)
    _pay(world, "k2", "A2", "2500", 9, 40, kind=TenderKind.CARD)
    voided = _pay(world, "k3", "A3", "700", 11, 5)
    _pay(world, "k4", "A4", "4200", 14, 30, kind=TenderKind.CASH, station="ALG01-G02")
    world.ctx.clock.now = _at(11, 20)  # type: ignore[attr-defined]
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", voided, WORKSTATION, "wrong account", "karim", PASSWORD),
    )
    world.ctx.clock.now = _at(12, 0)  # type: ignore[attr-defined]
    reprint(world.ctx, world.agent, paid, workstation=WORKSTATION, language="fr")
    # The printer of G02 is out of paper: its first receipt's job failed once.
    job = claim_next(world.db, "ALG01-G02", _at(15))
    assert job is not None
    mark_failed(world.db, job.id, ValidationError("The printer is out of paper."), _at(15))
    # G01's till: 5,000 float + 1,500 cash − 0 (the void gave 700 back) = 6,500 expected;
    # counted 6,000: short by 500, with a reason.
    world.ctx.clock.now = _at(16, 10)  # type: ignore[attr-defined]
    count = CountInput(cash={"note-200000": 3}, card_total="2500", card_slips=1)
    close_till(world.ctx, world.agent, WORKSTATION, count)
    from app.closing.status import till_statuses

    (till,) = till_statuses(world.db, workstation=WORKSTATION)
    assert till.session_id is not None
    review_till(
        world.ctx, world.supervisor, till.session_id, reason="a 500 note given as change twice"
    )
    if closed:
        close_cash_session(world.ctx, world.supervisor, "ALG01-G02")
        world.ctx.clock.now = _at(19)  # type: ignore[attr-defined]
        close_day(world.ctx, world.supervisor, "ALG01", DAY)
    world.ctx.clock.now = _at(19, 30)  # type: ignore[attr-defined]
    return Day(world, paid, voided)


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _pages(pdf: bytes) -> list[str]:
    return [_normalised(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    return "\n".join(_pages(pdf))


@pytest.fixture
def closed_day(sqlite_database: Database, tmp_path: Path) -> Day:
    return _day(sqlite_database, tmp_path, closed=True)


def test_the_report_gathers_the_day(database: Database, tmp_path: Path) -> None:
    # On SQLite and PostgreSQL: the hours are added up in SQL, each its own way.
    closed_day = _day(database, tmp_path, closed=True)
    world = closed_day.world
    report = load_day_report(world.ctx, world.supervisor, "alg01", DAY)
    assert (report.payments, report.voids) == (4, 1)
    assert report.payments_total == Decimal("8900.00")
    assert report.voids_total == Decimal("-700.00")
    assert report.period_total == Decimal("8200.00")
    assert report.tenders == {"cash": Decimal("5700.00"), "card": Decimal("2500.00")}
    assert [(c.workstation, c.payments, c.voids, c.total) for c in report.counters] == [
        ("ALG01-G01", 3, 1, Decimal("4000.00")),
        ("ALG01-G02", 1, 0, Decimal("4200.00")),
    ]
    assert [(a.login, a.payments, a.voids) for a in report.agents] == [
        ("amina", 3, 1),
        ("yacine", 1, 0),
    ]
    # Local hours of Algiers, not UTC.
    assert [(h.hour, h.payments, h.voids) for h in report.hours] == [
        (9, 2, 0),
        (11, 1, 1),
        (14, 1, 0),
    ]
    g01 = next(t for t in report.tills if t.workstation == "ALG01-G01")
    assert (g01.counted, g01.expected, g01.difference) == (
        Decimal("8500.00"),
        Decimal("9000.00"),
        Decimal("-500.00"),
    )
    assert g01.reason == "a 500 note given as change twice" and g01.reviewed_by == "karim"
    (void,) = report.voids_made
    assert (void.original, void.approved_by, void.reason) == (
        closed_day.voided,
        "karim",
        "wrong account",
    )
    (copy,) = report.reprints
    assert (copy.receipt_no, copy.copy_number) == (closed_day.paid, 1)
    (failure,) = report.print_failures
    assert failure.workstation == "ALG01-G02" and failure.attempts == 1
    assert report.closing is not None and report.closing.closed_by == "karim"
    assert report.closing.period_total == report.period_total
    assert not report.provisional


def test_the_french_pdf_holds_the_figures_and_the_chart(closed_day: Day) -> None:
    world = closed_day.world
    pdf = day_report_pdf(world.ctx, world.supervisor, "ALG01", DAY, language="fr")
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        "Algérie Télécom",
        format_money(820000, currency("DZD"), "fr"),  # the day's takings
        format_money(-50000, currency("DZD"), "fr"),  # the till's difference
        "a 500 note given as change twice",
        "wrong account",
        closed_day.voided,
        closed_day.paid,
        "karim",
        "ALG01-G02",
    ):
        assert " ".join(_normalised(expected).split()) in " ".join(text.split()), expected
    assert "PROVISOIRE" not in text
    # The chart: one category label per hour from the first payment's to the last's.
    for hour in ("09", "10", "11", "12", "13", "14"):
        assert f"\n{hour}\n" in f"\n{text}\n" or f" {hour} " in text, hour
    assert b"/Subtype /Image" not in pdf  # drawn as vectors, not pasted as a picture


def test_the_english_pdf(closed_day: Day) -> None:
    world = closed_day.world
    text = _text(day_report_pdf(world.ctx, world.supervisor, "ALG01", DAY, language="en"))
    for expected in (
        "End-of-day report",
        "Day closed on",
        "Perpetual total",
        "DZD 8,200.00",
        "Per hour",
        "Voids",
        "Reprints",
        "Print failures",
        "The printer is out of paper.",
    ):
        assert expected in text, expected


def test_the_arabic_pdf_is_shaped_and_right_to_left(closed_day: Day) -> None:
    world = closed_day.world
    pdf = day_report_pdf(world.ctx, world.supervisor, "ALG01", DAY, language="ar")
    reader = PdfReader(io.BytesIO(pdf))
    raw = reader.pages[0].extract_text()
    # Shaped: the letters are drawn as their presentation forms (U+FB50..U+FEFF).
    assert any("\ufb50" <= char <= "\ufeff" for char in raw)
    # Right to left: titles start at the right margin.
    from app.i18n import gettext

    title = _normalised(visual(gettext("End-of-day report", "ar"), right_to_left=True))
    found: list[tuple[str, float]] = []

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            found.append((_normalised(text).strip(), tm[4]))

    reader.pages[0].extract_text(visitor_text=visit)
    xs = [x for fragment, x in found if fragment in (title, title[::-1])]
    assert xs, [f for f, _x in found][:10]
    assert xs[0] > 250  # to the right of the middle of an A4 page (595 points)


def test_a_day_not_closed_is_provisional(sqlite_database: Database, tmp_path: Path) -> None:
    day = _day(sqlite_database, tmp_path, closed=False)
    world = day.world
    report = load_day_report(world.ctx, world.supervisor, "ALG01", DAY)
    assert report.provisional and report.closing is None
    text = _text(day_report_pdf(world.ctx, world.supervisor, "ALG01", DAY, language="en"))
    assert "PROVISIONAL" in text
    assert "The day is not closed" in text
    assert "not reviewed yet" not in text  # G01 was reviewed; G02 is still open
    assert "open" in text


def test_an_agent_is_refused_and_an_unknown_agency_named(closed_day: Day) -> None:
    world = closed_day.world
    with pytest.raises(PermissionDeniedError):
        day_report_pdf(world.ctx, world.agent, "ALG01", DAY, language="fr")
    with pytest.raises(NotFoundError, match="XYZ"):
        load_day_report(world.ctx, world.supervisor, "XYZ", DAY)


def test_an_empty_day_still_gets_a_report(closed_day: Day) -> None:
    world = closed_day.world
    text = _text(
        day_report_pdf(world.ctx, world.supervisor, "ALG01", DAY + timedelta(days=1), language="en")
    )
    assert "PROVISIONAL" in text and "None." in text


# -- the command line, through a real process ------------------------------------------------
def _cli(
    closed_day: Day,
    tmp_path: Path,
    *args: str,
    password: str = PASSWORD,
) -> subprocess.CompletedProcess[str]:
    key = tmp_path / "keys" / "signing-key.pem"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--database",
            closed_day.world.db.url,
            "--key-file",
            str(key),
            "--language",
            "en",
            *args,
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_the_command_writes_the_pdf_and_refuses_in_one_line(
    closed_day: Day, tmp_path: Path
) -> None:
    out = tmp_path / "day.pdf"
    base = ("report", "day", "--agency", "ALG01")
    done = _cli(
        closed_day,
        tmp_path,
        *base,
        "--date",
        "2026-11-21",
        "--pdf",
        str(out),
        "--supervisor",
        "karim",
        "--report-language",
        "ar",
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert str(out) in done.stdout

    def refused(*args: str, password: str = PASSWORD) -> str:
        run = _cli(closed_day, tmp_path, *args, password=password)
        assert run.returncode == 2, (run.stdout, run.stderr)
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("Error: "), run.stderr
        assert "Traceback" not in run.stderr
        return run.stderr

    pdf = ("--pdf", str(tmp_path / "x.pdf"))
    assert "is not a date" in refused(*base, "--date", "21/11/2026", *pdf, "--supervisor", "karim")
    assert "Unknown agency XYZ" in refused(
        "report", "day", "--agency", "XYZ", "--date", "2026-11-21", *pdf, "--supervisor", "karim"
    )
    assert "needs the supervisor role" in refused(
        *base, "--date", "2026-11-21", *pdf, "--supervisor", "amina"
    )
    assert "Wrong login or password" in refused(
        *base, "--date", "2026-11-21", *pdf, "--supervisor", "karim", password="nope"
    )
    assert "Cannot write" in refused(
        *base,
        "--date",
        "2026-11-21",
        "--pdf",
        str(tmp_path / "missing" / "day.pdf"),
        "--supervisor",
        "karim",
    )
    assert "is a folder" in refused(
        *base, "--date", "2026-11-21", "--pdf", str(tmp_path), "--supervisor", "karim"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_the_complaints_opened_that_day_are_listed_with_their_deadline(
    sqlite_database: Database, tmp_path: Path
) -> None:
    world, subscriber_id = complaint_world(sqlite_database, tmp_path)
    opened = record(world, subscriber_id)  # at the frozen clock: today, at the counter
    report = load_day_report(world.ctx, world.supervisor, "ALG01", world.ctx.now().date())
    (line,) = report.complaints
    assert (line.number, line.category, line.opened_by) == (opened.number, "no_service", "amina")
    assert line.due_at is not None and line.commitment is not None
    text = _text(
        day_report_pdf(world.ctx, world.supervisor, "ALG01", world.ctx.now().date(), language="en")
    )
    assert "Complaints opened" in text and opened.number in text and "No service" in text
