"""Late activation: compensated once when the deadline passes or the line comes late."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.charter.calendar_store import agency_calendar
from app.charter.charters import commitment_for
from app.compensation.late_activation import apply_late_activations, due_day
from app.compensation.queries import awaiting_claims, subscriber_claims
from app.integrity.verify import verify_database
from app.payments.summary import credit_balance_minor
from db.engine import Database
from db.models import (
    Agency,
    Charter,
    CharterCommitment,
    ClaimStatus,
    Compensation,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
)
from tests.factories import NOW, TODAY, World, add_subscriber, build_world

TEXTS = {
    "fr": {"title": "Activation sous 14 jours", "text": "Sinon le premier mois est offert."},
    "ar": {"title": "التفعيل خلال 14 يومًا", "text": "وإلا فالشهر الأول مجاني."},
    "en": {"title": "Activation within 14 days", "text": "Otherwise the first month is free."},
}


def add_charter(
    world: World,
    *,
    effective_from: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    clock: str = "calendar_days",
    target_minutes: int = 14 * 1440,
    approval_above_minor: int | None = None,
    version: int = 1,
) -> int:
    with world.db.write() as session:
        charter = Charter(
            version=version,
            effective_from=effective_from,
            title="Charte",
            loaded_at=effective_from,
            loaded_by="admin",
            source_text=f"v{version}",
            source_sha256=f"{version:064d}",
        )
        session.add(charter)
        session.flush()
        session.add(
            CharterCommitment(
                charter_id=charter.id,
                position=1,
                code="ACTIVATION",
                texts=json.dumps(TEXTS, ensure_ascii=False),
                services=json.dumps(["adsl", "ftth"]),
                categories=json.dumps(["activation_late"]),
                clock=clock,
                target_minutes=target_minutes,
                pauses_when_waiting=False,
                needs_proof=False,
                rule_kind="waive_first_month",
                rule="{}",
                automatic=True,
                approval_above_minor=approval_above_minor,
            )
        )
        return charter.id


def pending(
    world: World,
    account: str,
    confirmed_on: date,
    *,
    activated_on: date | None = None,
    invoices: list[tuple[str, int, date]] | None = None,
) -> tuple[int, int]:
    subscriber_id = add_subscriber(world.db, account, invoices=invoices or [])
    with world.db.write() as session:
        contract = session.scalars(select(Contract).where(Contract.number == f"C{account}")).one()
        contract.status = (
            ContractStatus.ACTIVE if activated_on else ContractStatus.PENDING_ACTIVATION
        )
        contract.confirmed_on = confirmed_on
        contract.activated_on = activated_on
        contract.requested_on = confirmed_on - timedelta(days=3)
        contract.agency_id = session.scalars(select(Agency.id)).first()
        return subscriber_id, contract.id


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path)


def test_a_late_line_is_compensated_once(world: World) -> None:
    add_charter(world)
    late, _ = pending(world, "810001", TODAY - timedelta(days=20))
    waived, _ = pending(
        world,
        "810002",
        TODAY - timedelta(days=40),
        activated_on=TODAY - timedelta(days=10),
        invoices=[("FA-810002", 160000, TODAY + timedelta(days=9))],
    )
    pending(world, "810003", TODAY - timedelta(days=5))  # not late yet
    pending(world, "810004", TODAY - timedelta(days=30), activated_on=TODAY - timedelta(days=17))
    pending(world, "810005", TODAY - timedelta(days=14))  # its last day is today
    first = apply_late_activations(world.ctx, NOW)
    assert (first.examined, first.late, first.created, first.applied) == (5, 2, 2, 2)
    assert (first.credits, first.waivers, first.applied_minor) == (1, 1, 320000)
    again = apply_late_activations(world.ctx, NOW + timedelta(days=1))
    # 810005 is late the next day; the first two are not paid again.
    assert (again.created, again.applied_minor) == (1, 160000)
    assert apply_late_activations(world.ctx, NOW + timedelta(days=2)).created == 0
    with world.db.read() as session:
        assert credit_balance_minor(session, late) == 160000
        assert credit_balance_minor(session, waived) == 0
        bill = session.scalars(select(Invoice).where(Invoice.number == "FA-810002")).one()
        assert (bill.waived_minor, bill.status) == (160000, InvoiceStatus.PAID)
        entries = session.scalars(select(Compensation).order_by(Compensation.seq)).all()
        assert [e.kind for e in entries] == ["credit", "waiver", "credit"]
        assert entries[0].business_day == TODAY and entries[0].agency_id is not None
    lines = subscriber_claims(world.db, late, language="ar")
    assert [line.commitment_title for line in lines] == ["التفعيل خلال 14 يومًا"]
    assert lines[0].basis["days_late"] == 6 and lines[0].basis["due_on"] == "2026-11-15"
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


def test_a_line_confirmed_before_any_charter_is_not_judged(world: World) -> None:
    add_charter(world, effective_from=datetime(2026, 11, 1, tzinfo=UTC))
    pending(world, "820001", date(2026, 10, 1))
    outcome = apply_late_activations(world.ctx, NOW)
    assert (outcome.no_commitment, outcome.created) == (1, 0)


def test_above_its_limit_the_compensation_waits_for_a_supervisor(world: World) -> None:
    add_charter(world, approval_above_minor=100000)
    pending(world, "830001", TODAY - timedelta(days=30))
    outcome = apply_late_activations(world.ctx, NOW)
    assert (outcome.awaiting_approval, outcome.applied) == (1, 0)
    waiting = awaiting_claims(world.db, language="fr")
    assert [(w.account_number, w.amount_minor, w.status) for w in waiting] == [
        ("830001", 160000, ClaimStatus.AWAITING_APPROVAL)
    ]
    assert waiting[0].commitment_title == "Activation sous 14 jours"


def test_a_business_hours_deadline_runs_on_the_agency_calendar(world: World) -> None:
    add_charter(world, clock="business_hours", target_minutes=20 * 60)
    with world.db.read() as session:
        agency_id = session.scalars(select(Agency.id)).one()
        commitment = commitment_for(session, category="activation_late", service="adsl", at=NOW)
        assert commitment is not None
        calendar = agency_calendar(session, agency_id)
        zone = calendar.zone
        # Open 8 hours a day Sunday to Friday (weekday 0..5, Monday first): 20 hours
        # from Thursday 2026-11-19 are Thursday, Friday and 4 hours of Sunday... or
        # whatever the calendar says: the deadline is the calendar's, never 20 wall hours.
        last = due_day(commitment, date(2026, 11, 19), zone, lambda: calendar)
        assert last is not None
        wall = date(2026, 11, 19) + timedelta(hours=20)
        assert last > wall
        expected = calendar.add_business_minutes(
            datetime(2026, 11, 19, tzinfo=zone), 20 * 60
        ).astimezone(zone)
        assert last == expected.date()


def test_the_command_line_runs_and_lists(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main

    add_charter(world, effective_from=datetime(2020, 1, 1, tzinfo=UTC), approval_above_minor=1)
    pending(world, "840001", date(2020, 3, 1))  # years late: whatever the clock says
    key = str(tmp_path / "signing-key.pem")
    base = ["--language", "en", "--database", world.db.url, "--key-file", key]
    assert main([*base, "compensation", "run"]) == 0
    said = capsys.readouterr().out
    assert "1 line(s) examined, 1 late; 1 new claim(s): 0 applied" in said
    assert main([*base, "compensation", "run"]) == 0
    assert "0 new claim(s)" in capsys.readouterr().out
    assert main([*base, "compensation", "list", "--awaiting"]) == 0
    listed = capsys.readouterr().out
    assert "840001" in listed and "Awaiting approval" in listed and "Late activation" in listed
