"""The demo's compensations: late lines compensated once, verify holds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.compensation.late_activation import apply_late_activations
from app.context import AppContext
from app.demo.builder import build_demo
from app.demo.charter import load_demo_charter
from app.demo.compensations import LATE_ACTIVATED, LATE_PENDING, add_demo_compensations
from app.integrity.keys import create_signer
from app.integrity.verify import verify_database
from db.engine import Database
from db.models import CompensationClaim, CompensationSource
from tests.factories import FrozenClock

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("profile", ["dz", "fr"])
def test_the_demo_has_late_activations_compensated(
    sqlite_database: Database, tmp_path: Path, profile: str
) -> None:
    signer = create_signer(tmp_path / "key.pem")
    with sqlite_database.write() as session:
        signer.register(session)
    build_demo(
        sqlite_database, signer, profile=profile, subscribers=300, today=TODAY, charter_side=False
    )
    ctx = AppContext(sqlite_database, signer, FrozenClock(datetime(2026, 11, 21, 9, tzinfo=UTC)))
    load_demo_charter(ctx, profile)
    made = add_demo_compensations(ctx)
    late = made.late_activations
    assert 1 <= late.created <= LATE_PENDING + LATE_ACTIVATED
    assert late.applied == late.created and late.applied_minor > 0
    assert apply_late_activations(ctx).created == 0  # once
    with sqlite_database.read() as session:
        claims = session.scalar(
            select(func.count())
            .select_from(CompensationClaim)
            .where(CompensationClaim.source == CompensationSource.LATE_ACTIVATION)
        )
    assert claims == late.created
    report = verify_database(sqlite_database, signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


def test_a_complaint_whose_compensation_a_supervisor_decides_awaits(
    sqlite_database: Database, tmp_path: Path
) -> None:
    from db.models import Charter, Complaint, Contract, Staff, Subscriber

    signer = create_signer(tmp_path / "key.pem")
    with sqlite_database.write() as session:
        signer.register(session)
    build_demo(
        sqlite_database, signer, profile="fr", subscribers=200, today=TODAY, charter_side=False
    )
    now = datetime(2026, 11, 21, 9, tzinfo=UTC)
    ctx = AppContext(sqlite_database, signer, FrozenClock(now))
    load_demo_charter(ctx, "fr")
    with sqlite_database.write() as session:
        contract = session.scalars(select(Contract).order_by(Contract.id)).first()
        assert contract is not None and contract.agency_id is not None
        session.add(
            Complaint(
                number="R-DEMO-1",
                agency_id=contract.agency_id,
                subscriber_id=contract.subscriber_id,
                contract_id=contract.id,
                category="unjust_cutoff",
                channel="counter",
                description="Ligne coupée alors que la facture était payée.",
                language="fr",
                opened_at=now,
                opened_by_id=session.scalars(select(Staff.id)).first(),
                status="open",
                charter_id=session.scalars(select(Charter.id)).one(),
                commitment_code="UNJUST-CUTOFF",
                updated_at=now,
            )
        )
        assert session.get(Subscriber, contract.subscriber_id) is not None
    made = add_demo_compensations(ctx)
    assert made.awaiting_claim_id is not None
    with sqlite_database.read() as session:
        claim = session.get(CompensationClaim, made.awaiting_claim_id)
        assert claim is not None
        assert (claim.status, claim.amount_minor, claim.source) == (
            "awaiting_approval",
            1500,
            CompensationSource.COMPLAINT,
        )
