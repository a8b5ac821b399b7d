"""The demo's contracts have their place, and its outage is closed with its credits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth import authenticate
from app.context import AppContext
from app.demo import build_demo
from app.demo.charter import load_demo_charter
from app.demo.outages import record_demo_outage
from app.integrity.keys import create_signer
from app.integrity.verify import verify_database
from app.outages.records import OutageState, list_outages
from db.engine import Database
from db.models import Agency, Compensation, Contract, ContractStatus

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("profile", ["dz", "fr"])
def test_the_demo_places_its_lines_and_closes_an_outage(
    sqlite_database: Database, tmp_path: Path, profile: str
) -> None:
    signer = create_signer(tmp_path / "key.pem")
    with sqlite_database.write() as session:
        signer.register(session)
    summary = build_demo(sqlite_database, signer, profile=profile, subscribers=300, today=TODAY)
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
    ctx = AppContext(sqlite_database, signer)
    load_demo_charter(ctx, profile)
    login = next(entry for entry in summary.logins if entry.role == "supervisor")
    supervisor = authenticate(ctx, login.login, login.password)
    outcome = record_demo_outage(ctx, supervisor)
    assert outcome is not None
    assert outcome.affected > 0 and outcome.applied > 0
    assert outcome.compensated_minor > 0
    with sqlite_database.read() as session:
        credited = session.scalar(select(func.count(Compensation.id)))
        live = session.scalar(
            select(func.count()).where(Contract.status == ContractStatus.ACTIVE.value)
        )
    assert credited == outcome.applied and outcome.affected < (live or 0)
    [shown] = list_outages(sqlite_database)
    assert shown.state == OutageState.CLOSED
    assert verify_database(sqlite_database, signer.verifier).ok
