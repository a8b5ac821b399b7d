"""The day's compensations in the closing and the end-of-day report, apart from cash."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.cash import close_cash_session
from app.closing.closings import close_day
from app.compensation.claims import ClaimProposal, propose_claims
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.reports.day_report import day_report_pdf, load_day_report
from db.engine import Database
from db.models import (
    Agency,
    Closing,
    CompensationKind,
    CompensationSource,
    Contract,
    Invoice,
    TenderKind,
)
from tests.factories import NOW, TODAY, WORKSTATION, World, add_subscriber, build_world


class _Commitment:
    code = "OUTAGE"
    charter_id = None
    rule_kind = "days_credit"
    automatic = True
    approval_above_minor = None


def _compensate(world: World) -> None:
    add_subscriber(world.db, "600001")
    add_subscriber(world.db, "600002", invoices=[("FC1", 300000, TODAY)])
    with world.db.read() as session:
        agency_id = session.scalars(select(Agency.id)).one()
        contracts = {c.number: (c.subscriber_id, c.id) for c in session.scalars(select(Contract))}
        bill = session.scalars(select(Invoice.id).where(Invoice.number == "FC1")).one()
    (s1, c1), (s2, c2) = contracts["C600001"], contracts["C600002"]
    proposals = [
        ClaimProposal(CompensationSource.OUTAGE, 3, s1, c1, 5300, "DZD", "credit"),
        ClaimProposal(CompensationSource.OUTAGE, 3, s2, c2, 4700, "DZD", "credit"),
    ]
    waiver = ClaimProposal(
        CompensationSource.LATE_ACTIVATION, c2, s2, c2, 160000, "DZD", "waiver", invoice_id=bill
    )
    with world.db.write() as session:
        for batch in (proposals, [waiver]):
            propose_claims(
                session,
                world.ctx.signer,
                _Commitment(),
                batch,
                now=NOW,
                agency_id=agency_id,
                business_day=TODAY,
            )


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path)
    _compensate(world)
    # A cash payment of the same day: the takings are its, not the compensations.
    add_subscriber(world.db, "600003", invoices=[("FC3", 100000, TODAY)])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "c1", "600003", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1000")),)
        ),
    )
    for station in (WORKSTATION, "ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, station)
    world.ctx.clock.now = datetime(2026, 11, 21, 18, tzinfo=UTC)  # type: ignore[attr-defined]
    close_day(world.ctx, world.supervisor, "ALG01", TODAY)
    return world


def test_the_closing_counts_compensations_apart_from_the_takings(world: World) -> None:
    with world.db.read() as session:
        closing = session.scalars(select(Closing)).one()
        breakdown = json.loads(closing.breakdown)
        assert (closing.payments_count, closing.payments_minor) == (1, 100000)
        assert breakdown["tenders"] == {"cash": 100000}
        assert breakdown["compensations"] == {
            CompensationKind.CREDIT: {"count": 2, "amount": 10000},
            CompensationKind.WAIVER: {"count": 1, "amount": 160000},
        }
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


def test_the_day_report_shows_them_in_a_section_of_their_own(world: World) -> None:
    report = load_day_report(world.ctx, world.supervisor, "ALG01", TODAY)
    assert [(line.kind, line.count, line.total) for line in report.compensations] == [
        ("credit", 2, Decimal("100.00")),
        ("waiver", 1, Decimal("1600.00")),
    ]
    assert report.period_total == Decimal("1000.00")  # the takings: cash only
    for language, words in (
        ("fr", ("Dédommagements", "Crédit sur le compte")),
        ("en", ("Compensations", "Credit on the account")),
    ):
        pdf = day_report_pdf(world.ctx, world.supervisor, "ALG01", TODAY, language=language)
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert words[0] in text
        if language == "en":
            assert words[1] in text and "1,600.00" in text
