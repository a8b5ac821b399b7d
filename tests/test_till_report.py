"""X and Z reports of a till: every figure on a small known till, who sees what, the slip.

The till of the world's agent at ALG01-G01 (float 5,000.00 DA) takes:

- P1: bill F1 (5,000.00) paid 6,000.00 in cash, 1,000.00 change; voided by karim;
- P2: bill F2 (3,000.00) paid by cheque 0012345 (BNA), then copied (DUPLICATE 1);
- P3: a 500.00 mobile top-up paid by card; its receipt's print job fails.

It is closed with a count of 4,900.00 in cash (100.00 short), the cheque and the
card slip: expected cash 5,000 + 6,000 − 1,000 − 5,000 = 5,000.00.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import ImageChops
from pypdf import PdfReader

from app.closing.counts import ChequeInput, CountInput
from app.closing.tills import close_till
from app.documents.arabic import visual
from app.errors import ConflictError, NotFoundError, PermissionDeniedError
from app.i18n import gettext
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from app.printing.copies import reprint
from app.printing.devices import PrinterError
from app.printing.documents import job_slip
from app.printing.escpos_render import PrinterModel, slip_escpos
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.queue import _claimed, claim_next, mark_failed
from app.printing.raster import slip_image
from app.printing.slip import Pair, Slip, Text, plain_text
from app.printing.till_report_slip import till_report_slip
from app.reports.till_report import (
    ReportKind,
    TillReport,
    blind_till_report,
    queue_till_report,
    till_report,
    tills_for_report,
)
from db.engine import Database
from db.models import PrintJob, PrintJobKind, TenderKind
from tests.escpos_image import raster_images, stacked, without_images
from tests.factories import NOW, PASSWORD, TODAY, WORKSTATION, World, add_subscriber, build_world

COUNT = CountInput(
    cash={"note-100000": 4, "coin-10000": 9},
    cheques=(ChequeInput("0012345", "BNA", "3000"),),
    card_total="500",
    card_slips=1,
)


def _plain(slip: Slip) -> str:
    """The slip as text without direction marks, spaces plain."""
    text = plain_text(slip).replace("\xa0", " ").replace("\u202f", " ")
    return text.replace("\u202a", "").replace("\u202c", "")


def _till(world: World) -> int:
    (till,) = tills_for_report(world.db, WORKSTATION, ReportKind.X)
    return till


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db,
        "A1",
        invoices=[("F1", 500000, date(2026, 10, 15)), ("F2", 300000, date(2026, 11, 15))],
    )
    ctx, agent = world.ctx, world.agent
    take_payment(
        ctx,
        agent,
        PaymentRequest(
            "p1",
            "A1",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("6000")),),
            invoice_numbers=("F1",),
        ),
    )
    take_payment(
        ctx,
        agent,
        PaymentRequest(
            "p2",
            "A1",
            WORKSTATION,
            (TenderInput(TenderKind.CHEQUE, Decimal("3000"), cheque_number="0012345", bank="BNA"),),
            invoice_numbers=("F2",),
        ),
    )
    take_payment(
        ctx,
        agent,
        PaymentRequest(
            "p3",
            "A1",
            WORKSTATION,
            (TenderInput(TenderKind.CARD, Decimal("500"), authorisation_code="A1B2"),),
            invoice_numbers=(),
            topups=(TopUpInput("MOB500", "0555123456"),),
        ),
    )
    void_payment(
        ctx,
        agent,
        VoidRequest("v1", "ALG01-G01-000001", WORKSTATION, "Wrong account", "karim", PASSWORD),
    )
    reprint(ctx, agent, "ALG01-G01-000002", workstation=WORKSTATION, language="fr")
    # The printer is off: the first job (P1's receipt) fails and waits to be tried again.
    job = claim_next(world.db, WORKSTATION, NOW)
    assert job is not None
    mark_failed(
        world.db, job.id, PrinterError("The printer {printer} is offline.", printer="tcp://x"), NOW
    )
    return world


def _amounts(report: TillReport) -> dict[str, object]:
    return {
        "payments": (report.payments, report.payments_total),
        "voids": (report.voids, report.voids_total),
        "tenders": {
            t.tender: (t.count, t.taken, t.voids, t.refunded, t.net) for t in report.tenders
        },
        "change": report.change_given,
        "bills": (report.bills_count, report.bills),
        "topups": (report.topups_count, report.topups),
        "net": report.net_total,
    }


EXPECTED_AMOUNTS = {
    "payments": (3, Decimal("8500.00")),
    "voids": (1, Decimal("5000.00")),
    "tenders": {
        # Net of the 1,000.00 change: 5,000.00 stayed in the drawer and the void gave it back.
        "cash": (1, Decimal("5000.00"), 1, Decimal("5000.00"), Decimal("0.00")),
        "cheque": (1, Decimal("3000.00"), 0, Decimal("0.00"), Decimal("3000.00")),
        "card": (1, Decimal("500.00"), 0, Decimal("0.00"), Decimal("500.00")),
    },
    "change": Decimal("1000.00"),
    "bills": (2, Decimal("3000.00")),  # F1 and F2 paid, F1 given back by the void
    "topups": (1, Decimal("500.00")),
    "net": Decimal("3500.00"),
}


def test_x_report_of_the_open_till_for_a_supervisor(world: World) -> None:
    report = till_report(world.ctx, world.supervisor, _till(world), ReportKind.X)
    assert _amounts(report) == EXPECTED_AMOUNTS
    assert (report.first_receipt, report.last_receipt) == ("ALG01-G01-000001", "ALG01-G01-000004")
    assert report.agent_login == "amina" and report.workstation == WORKSTATION
    assert report.is_open and report.count is None
    (void,) = report.void_lines
    assert (void.receipt_no, void.original_receipt_no, void.amount) == (
        "ALG01-G01-000004",
        "ALG01-G01-000001",
        Decimal("5000.00"),
    )
    assert void.approved_by == "Karim Haddad (karim)" and void.reason == "Wrong account"
    (copy,) = report.reprints
    assert (copy.receipt_no, copy.copy_number, copy.medium, copy.issued_by) == (
        "ALG01-G01-000002",
        1,
        "thermal",
        "amina",
    )
    (failure,) = report.print_failures
    assert (failure.document_ref, failure.status, failure.attempts) == (
        "ALG01-G01-000001",
        "pending",
        1,
    )
    assert report.review is not None and not report.expected_withheld
    assert report.review.cash.expected == Decimal("5000.00")
    assert {line.tender: line.expected for line in report.review.tenders} == {
        "cash": Decimal("5000.00"),
        "cheque": Decimal("3000.00"),
        "card": Decimal("500.00"),
        "postal_transfer": Decimal("0.00"),
    }


def test_z_report_has_the_count_and_the_difference_per_tender(world: World) -> None:
    till = _till(world)
    with pytest.raises(ConflictError):
        till_report(world.ctx, world.supervisor, till, ReportKind.Z)
    close_till(world.ctx, world.agent, WORKSTATION, COUNT)
    assert tills_for_report(world.db, WORKSTATION, ReportKind.Z) == [till]
    report = till_report(world.ctx, world.supervisor, till, ReportKind.Z)
    assert _amounts(report) == EXPECTED_AMOUNTS
    assert report.count is not None and report.count.cash == Decimal("4900.00")
    assert report.review is not None
    lines = {
        line.tender: (line.expected, line.counted, line.difference)
        for line in report.review.tenders
    }
    assert lines["cash"] == (Decimal("5000.00"), Decimal("4900.00"), Decimal("-100.00"))
    assert lines["cheque"] == (Decimal("3000.00"), Decimal("3000.00"), Decimal("0.00"))
    assert lines["card"] == (Decimal("500.00"), Decimal("500.00"), Decimal("0.00"))
    assert report.review.difference == Decimal("-100.00")
    text = plain_text(till_report_slip(report, "en")).replace("\xa0", " ")
    assert "Z REPORT" in text and "Total difference" in text and "-DZD 100.00" in text
    # Available again later, with the same figures.
    again = till_report(world.ctx, world.supervisor, till, ReportKind.Z)
    assert _amounts(again) == EXPECTED_AMOUNTS and again.review == report.review


def _expected_words(slip: Slip) -> list[str]:
    return [
        b.label
        for b in slip.blocks
        if isinstance(b, Pair)
        and b.label in ("Expected", "Expected cash", "Difference", "Total difference")
    ]


def test_an_agent_never_sees_what_the_till_should_hold(world: World) -> None:
    till = _till(world)
    report = till_report(world.ctx, world.agent, till, ReportKind.X)
    assert report.review is None and report.expected_withheld
    assert _amounts(report) == EXPECTED_AMOUNTS
    slip = till_report_slip(report, "en")
    text = plain_text(slip)
    assert _expected_words(slip) == []
    assert "Expected" not in text and "Difference" not in text
    assert "What the till should hold and the difference are for the supervisor." in " ".join(
        text.split()
    )
    # Nor in the Z of their own till once counted, nor anyone's report but theirs.
    close_till(world.ctx, world.agent, WORKSTATION, COUNT)
    z = till_report(world.ctx, world.agent, till, ReportKind.Z)
    assert z.review is None and z.count is not None and z.count.cash == Decimal("4900.00")
    z_text = plain_text(till_report_slip(z, "en"))
    assert "Expected" not in z_text and "Difference" not in z_text and "-100" not in z_text
    with pytest.raises(PermissionDeniedError):
        till_report(world.ctx, world.other_agent, till, ReportKind.Z)
    # The command line without a supervisor reads the same.
    assert blind_till_report(world.db, till, ReportKind.Z).review is None


def test_a_queued_report_prints_as_its_author_may_read_it(world: World) -> None:
    till = _till(world)
    close_till(world.ctx, world.agent, WORKSTATION, COUNT)
    agent_job = queue_till_report(
        world.ctx, till, ReportKind.Z, workstation=WORKSTATION, language="en", actor=world.agent
    )
    supervisor_job = queue_till_report(
        world.ctx,
        till,
        ReportKind.Z,
        workstation=WORKSTATION,
        language="en",
        actor=world.supervisor,
    )
    with world.db.read() as session:
        jobs = {
            job.id: job for job in session.query(PrintJob).filter_by(kind=PrintJobKind.TILL_REPORT)
        }
    # Copy 0 is the agent's Z printed at the close itself; these are copies 1 and 2.
    assert len(jobs) == 3
    assert jobs[agent_job].document_ref == "Z-" + str(till) and jobs[agent_job].copy_number == 1
    assert jobs[supervisor_job].copy_number == 2  # printed again: DUPLICATE 2

    model = PrinterModel()
    with world.db.read() as session:
        claimed = {i: _claimed(session.get(PrintJob, i), None) for i in (agent_job, supervisor_job)}
    blind = _plain(job_slip(world.ctx, claimed[agent_job], model, NOW))
    full = _plain(job_slip(world.ctx, claimed[supervisor_job], model, NOW))
    assert "Difference" not in blind and "Total difference" in full and "DUPLICATE 2" in full
    with pytest.raises(ConflictError):  # no Z of an open till
        queue_till_report(
            world.ctx,
            _open_other(world),
            ReportKind.Z,
            workstation=WORKSTATION,
            language="fr",
        )


def _open_other(world: World) -> int:
    (till,) = tills_for_report(world.db, "ALG01-G02", ReportKind.X)
    return till


def test_tills_of_a_day_and_unknown_ones(world: World) -> None:
    assert tills_for_report(world.db, WORKSTATION, ReportKind.X, TODAY) == [_till(world)]
    with pytest.raises(NotFoundError):
        tills_for_report(world.db, WORKSTATION, ReportKind.X, date(2026, 1, 1))
    with pytest.raises(NotFoundError):
        tills_for_report(world.db, WORKSTATION, ReportKind.Z)  # none closed yet
    with pytest.raises(NotFoundError):
        tills_for_report(world.db, "ALG01-G99", ReportKind.X)


def test_the_slip_in_three_languages_as_pdf_and_escpos(world: World) -> None:
    till = _till(world)
    close_till(world.ctx, world.agent, WORKSTATION, COUNT)
    report = till_report(world.ctx, world.supervisor, till, ReportKind.Z)
    fr = till_report_slip(report, "fr")
    assert not fr.right_to_left
    text = unicodedata.normalize(
        "NFKC", PdfReader(io.BytesIO(slip_pdf(fr, PdfPaper.ROLL_80))).pages[0].extract_text()
    )
    assert "ALG01-G01-000001" in text and "ALG01-G01-000004" in text
    assert "-100,00 DZD" in text and "karim" in text
    # Latin prints as text in the printer's font.
    data = without_images(slip_escpos(fr))
    assert b"ALG01-G01-000004" in data
    ar = till_report_slip(report, "ar")
    assert ar.right_to_left and ar.language == "ar"
    pdf_text = unicodedata.normalize(
        "NFKC", PdfReader(io.BytesIO(slip_pdf(ar, PdfPaper.ROLL_80))).pages[0].extract_text()
    )
    # A line of Arabic alone (the title mixes in a Latin "Z", which extraction reorders).
    signature = gettext("Agent's signature", "ar")
    assert any(isinstance(b, Text) and b.text == signature for b in ar.blocks)
    drawn = unicodedata.normalize("NFKC", visual(signature, right_to_left=True))
    assert drawn in pdf_text or drawn[::-1] in pdf_text  # shaped Arabic, drawn
    assert "ALG01-G01-000004" in pdf_text
    raw = slip_escpos(ar)
    assert b"ALG01" not in without_images(raw)  # every line in the image
    printed = stacked(raster_images(raw))
    expected = slip_image(ar, 576).point(lambda v: 255 if v >= 128 else 0).convert("1")
    assert ImageChops.difference(printed.convert("L"), expected.convert("L")).getbbox() is None
    # Labels start at the right edge.
    assert printed.crop((576 - 60, 0, 576, printed.height)).getbbox() is not None
    assert "Z REPORT" in plain_text(till_report_slip(report, "en"))


def test_a_payment_between_the_two_reads_is_read_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The X of an open till reads the supervisor's review and the ledger in two
    transactions: a payment landing in between makes it read both again."""
    import app.reports.till_report as module

    real = module.till_review
    calls: list[int] = []

    def review_then_a_payment(*args: object) -> object:
        answer = real(*args)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 1:
            take_payment(
                world.ctx,
                world.agent,
                PaymentRequest(
                    "p4",
                    "A1",
                    WORKSTATION,
                    (TenderInput(TenderKind.CASH, Decimal("5000")),),
                    invoice_numbers=("F1",),
                ),
            )
        return answer

    monkeypatch.setattr(module, "till_review", review_then_a_payment)
    report = till_report(world.ctx, world.supervisor, _till(world), ReportKind.X)
    assert len(calls) == 2
    assert report.payments == 4 and report.review is not None
    assert report.review.cash.cash_tendered == Decimal("11000.00")  # 6,000 + 5,000: both reads
    assert report.review.cash.expected == Decimal("10000.00")


def test_the_worker_renders_a_queued_x_to_escpos(world: World, tmp_path: Path) -> None:
    from dataclasses import replace

    from app.printing.worker import render_job

    job_id = queue_till_report(
        world.ctx, _till(world), ReportKind.X, workstation=WORKSTATION, language="fr"
    )
    with world.db.read() as session:
        claimed = _claimed(session.get(PrintJob, job_id), None)
    target = replace(claimed, printer_uri=f"file://{tmp_path / 'printer.bin'}")
    _address, data = render_job(world.ctx, target, NOW)
    text = without_images(data)
    title = gettext("X REPORT", "fr").encode("cp858")
    assert title in text and b"ALG01-G01-000004" in text  # Latin: printer text
    expected = gettext("Expected", "fr").encode("cp858")
    assert expected not in text  # queued without a sign-in: blind
    assert b"\x1bp" not in data  # a report never opens the cash drawer
