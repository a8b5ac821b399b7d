"""The demo's contracts have their place, and its outage is closed with its credits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.demo import build_demo
from app.integrity.keys import create_signer
from app.integrity.verify import verify_database
from app.outages.records import OutageState, list_outages
from db.engine import Database
from db.models import (
    Agency,
    Compensation,
    CompensationClaim,
    CompensationSource,
    Contract,
    ContractStatus,
    Outage,
)

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("profile", ["dz", "fr"])
def test_the_demo_places_its_lines_and_closes_an_outage(
    sqlite_database: Database, tmp_path: Path, profile: str
) -> None:
    signer = create_signer(tmp_path / "key.pem")
    with sqlite_database.write() as session:
        signer.register(session)
    build_demo(sqlite_database, signer, profile=profile, subscribers=300, today=TODAY)
    with sqlite_database.read() as session:
        unplaced = session.scalar(
            select(func.count()).where(
                (Contract.agency_id.is_(None)) | (Contract.commune.is_(None))
            )
        )
        wired_without_exchange = session.scalar(
            select(func.count()).where(
                Contract.service.in_(["fixed_line", "adsl", "ftth", "lte"]),
                Contract.exchange_code.is_(None),
            )
        )
        # Each line's agency is one of the operator's, in its subscriber's city when
        # the operator has an agency there.
        agencies = set(session.scalars(select(Agency.id)))
        placed = set(session.scalars(select(Contract.agency_id).distinct()))
    assert unplaced == 0 and wired_without_exchange == 0
    assert placed <= agencies and len(placed) > 1
    # The builder recorded and closed the demo's outage, after loading the charter.
    [shown] = list_outages(sqlite_database)
    assert shown.state == OutageState.CLOSED
    with sqlite_database.read() as session:
        outage = session.scalars(select(Outage)).one()
        credited = session.scalar(
            select(func.count(Compensation.id))
            .join(CompensationClaim, CompensationClaim.id == Compensation.claim_id)
            .where(CompensationClaim.source == CompensationSource.OUTAGE)
        )
        live = session.scalar(
            select(func.count()).where(Contract.status == ContractStatus.ACTIVE.value)
        )
        # Each agency's credits count in that agency's day: none without one.
        agencies_paid = set(
            session.scalars(
                select(Compensation.agency_id)
                .join(CompensationClaim, CompensationClaim.id == Compensation.claim_id)
                .where(CompensationClaim.source == CompensationSource.OUTAGE)
            )
        )
    assert outage.affected_contracts and outage.compensated_minor
    assert credited and 0 < outage.affected_contracts < (live or 0)
    assert None not in agencies_paid
    assert verify_database(sqlite_database, signer.verifier).ok
