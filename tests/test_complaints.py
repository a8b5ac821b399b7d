"""Complaints at the counter: opened against the right commitment and deadline, their
clock paused and resumed, refused transitions, journal events, the slip queued once,
breaches compensated once; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.complaints.board import subscriber_complaints
from app.complaints.breaches import apply_breaches
from app.complaints.lifecycle import (
    add_note,
    assign_complaint,
    close_complaint,
    print_slip_again,
    resolve_complaint,
    set_status,
)
from app.complaints.records import ComplaintRequest, open_complaint, preview_commitment
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from db.engine import Database
from db.models import (
    ClaimStatus,
    CompensationClaim,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintStatus,
    JournalEvent,
    PrintJob,
    PrintJobKind,
)
from tests.factories import NOW, WORKSTATION, World, add_subscriber
from tests.test_complaint_world import (
    CONTRACT,
    complaint_world,
    record,
    subscriber_language,
)

# NOW is Saturday 21 November 2026, 10:30 UTC: 11:30 in Algiers. The agency opens
# Monday to Saturday 08:00-16:00 (the factories' hours), never on Sunday.
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def world(database: Database, tmp_path: Path) -> tuple[World, int]:
    return complaint_world(database, tmp_path)


def _complaint(world: World, number: str) -> Complaint:
    with world.db.read() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.number == number)).one()
        session.expunge(complaint)
        return complaint


def _at(world: World, when: datetime) -> None:
    world.ctx.clock.now = when  # type: ignore[attr-defined]


def test_opening_proposes_the_commitment_and_its_business_hours_deadline(
    world: tuple[World, int],
) -> None:
    w, subscriber = world
    preview = preview_commitment(
        w.db,
        subscriber_id=subscriber,
        contract_number=CONTRACT,
        category=ComplaintCategory.NO_SERVICE,
        workstation=WORKSTATION,
        at=NOW,
        language="fr",
    )
    opened = record(w, subscriber)

    # 4 h 30 left on Saturday (to 16:00), nothing on Sunday, 3 h 30 on Monday: 11:30 local.
    due = MONDAY.replace(hour=10, minute=30)
    assert preview is not None and preview.code == "FAULT-8H" and preview.due_at == due
    assert preview.title == "Engagement FAULT-8H"
    assert opened.number == "ALG01-2026-000001"
    assert opened.due_at == due and opened.commitment_code == "FAULT-8H"
    complaint = _complaint(w, opened.number)
    assert complaint.status == ComplaintStatus.OPEN
    assert complaint.clock == "business_hours" and complaint.target_minutes == 480
    assert complaint.running_since == NOW and complaint.used_minutes == 0
    assert record(w, subscriber).number == "ALG01-2026-000002"


def test_calendar_days_and_real_time_commitments(world: tuple[World, int]) -> None:
    w, subscriber = world
    billing = record(w, subscriber, ComplaintCategory.BILLING)
    hotline = record(w, subscriber, ComplaintCategory.HOTLINE)
    other = record(w, subscriber, ComplaintCategory.OTHER)
    assert billing.due_at == NOW + timedelta(days=10)
    assert hotline.due_at == NOW + timedelta(minutes=3)
    assert other.due_at is None and other.commitment_code is None


def test_proof_reference_required_when_the_commitment_needs_proof(
    world: tuple[World, int],
) -> None:
    w, subscriber = world
    with pytest.raises(ValidationError) as refused:
        record(w, subscriber, ComplaintCategory.SWITCHING_FEES)
    assert refused.value.field == "proof_reference"
    opened = record(w, subscriber, ComplaintCategory.SWITCHING_FEES, proof="FACT-OLD-778")
    assert _complaint(w, opened.number).proof_reference == "FACT-OLD-778"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "nonsense"}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"description": "   "}, "description"),
        ({"contract_number": "CNOPE"}, "contract"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    world: tuple[World, int], change: dict[str, str], field: str
) -> None:
    w, subscriber = world
    values: dict[str, Any] = {
        "subscriber_id": subscriber,
        "contract_number": CONTRACT,
        "category": ComplaintCategory.NO_SERVICE,
        "description": "Coupure",
    }
    values.update(change)
    with pytest.raises((ValidationError, NotFoundError)) as refused:
        open_complaint(
            w.ctx,
            w.agent,
            ComplaintRequest(**values),
            workstation=WORKSTATION,
        )
    assert refused.value.field == field
    with w.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0
        assert session.scalar(select(func.count()).select_from(PrintJob)) == 0


def test_a_contract_of_another_subscriber_is_refused(world: tuple[World, int]) -> None:
    w, subscriber = world
    add_subscriber(w.db, "A2000002")
    with pytest.raises(ValidationError) as refused:
        record(w, subscriber, contract="CA2000002")
    assert refused.value.field == "contract"
    assert "not this subscriber" in refused.value.translated("en")


def test_slip_queued_once_with_the_complaint_in_the_customers_language(
    world: tuple[World, int],
) -> None:
    w, subscriber = world
    subscriber_language(w.db, subscriber, "ar")
    opened = record(w, subscriber)
    with w.db.read() as session:
        jobs = session.scalars(select(PrintJob)).all()
    assert [(j.kind, j.document_ref, j.language, j.copy_number) for j in jobs] == [
        (PrintJobKind.COMPLAINT_SLIP, f"C-{opened.id}", "ar", 0)
    ]
    assert opened.job_id == jobs[0].id
    print_slip_again(w.ctx, w.agent, opened.number, workstation=WORKSTATION)
    with w.db.read() as session:
        copies = session.scalars(select(PrintJob.copy_number).order_by(PrintJob.id)).all()
    assert copies == [0, 1]


def test_operator_language_when_the_subscriber_has_none(world: tuple[World, int]) -> None:
    w, subscriber = world
    assert record(w, subscriber).language == "fr"


def test_pause_over_a_weekend_moves_the_deadline(world: tuple[World, int]) -> None:
    w, subscriber = world
    opened = record(w, subscriber)  # Saturday 11:30 local, 480 business minutes
    _at(w, NOW + timedelta(hours=1))  # Saturday 12:30: 60 minutes used
    set_status(w.ctx, w.agent, opened.number, ComplaintStatus.WAITING_CUSTOMER)
    paused = _complaint(w, opened.number)
    assert paused.used_minutes == 60 and paused.running_since is None and paused.due_at is None

    _at(w, MONDAY.replace(hour=8))  # Monday 09:00 local: the customer came back
    set_status(w.ctx, w.agent, opened.number, ComplaintStatus.IN_PROGRESS)
    resumed = _complaint(w, opened.number)
    # 420 minutes left from Monday 09:00 local: 16:00 local, 15:00 UTC.
    assert resumed.due_at == MONDAY.replace(hour=15)
    assert resumed.used_minutes == 60


def test_a_commitment_that_does_not_pause_keeps_running(world: tuple[World, int]) -> None:
    w, subscriber = world
    opened = record(w, subscriber, ComplaintCategory.HOTLINE)
    set_status(w.ctx, w.agent, opened.number, ComplaintStatus.WAITING_CUSTOMER)
    assert _complaint(w, opened.number).due_at == NOW + timedelta(minutes=3)


def test_life_cycle_and_impossible_transitions(world: tuple[World, int]) -> None:
    w, subscriber = world
    opened = record(w, subscriber)
    with pytest.raises(ConflictError) as refused:
        close_complaint(w.ctx, w.supervisor, opened.number)
    assert refused.value.translated("en") == (
        f"Complaint {opened.number} is new; it cannot become closed."
    )
    # Read in French, the state words are French too: translated when shown, not raised.
    in_french = refused.value.translated("fr")
    assert "nouvelle" in in_french and "fermée" in in_french, in_french
    with pytest.raises(PermissionDeniedError):
        resolve_complaint(w.ctx, w.agent, opened.number, "Réparé")
    with pytest.raises(PermissionDeniedError):
        assign_complaint(w.ctx, w.agent, opened.number, "yacine")
    with pytest.raises(ValidationError):
        set_status(w.ctx, w.agent, opened.number, ComplaintStatus.CLOSED)

    assign_complaint(w.ctx, w.supervisor, opened.number, "yacine")
    set_status(w.ctx, w.agent, opened.number, ComplaintStatus.IN_PROGRESS)
    add_note(w.ctx, w.agent, opened.number, "Technicien envoyé")
    with pytest.raises(ValidationError):
        resolve_complaint(w.ctx, w.supervisor, opened.number, "  ")
    resolve_complaint(w.ctx, w.supervisor, opened.number, "Ligne réparée")
    with pytest.raises(ConflictError):
        set_status(w.ctx, w.agent, opened.number, ComplaintStatus.IN_PROGRESS)
    close_complaint(w.ctx, w.supervisor, opened.number)
    with pytest.raises(ConflictError):
        add_note(w.ctx, w.agent, opened.number, "Trop tard")

    complaint = _complaint(w, opened.number)
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.outcome == "Ligne réparée" and complaint.closed_at == NOW
    with w.db.read() as session:
        steps = session.execute(
            select(ComplaintEvent.kind, ComplaintEvent.status_to)
            .where(ComplaintEvent.complaint_id == opened.id)
            .order_by(ComplaintEvent.id)
        ).all()
        journal = session.execute(
            select(JournalEvent.kind, JournalEvent.subject)
            .where(JournalEvent.kind.like("complaint.%"))
            .order_by(JournalEvent.seq)
        ).all()
    assert [tuple(step) for step in steps] == [
        ("opened", "open"),
        ("assigned", None),
        ("status", "in_progress"),
        ("note", None),
        ("status", "resolved"),
        ("status", "closed"),
    ]
    assert [kind for kind, _ in journal] == [
        "complaint.opened",
        "complaint.assigned",
        "complaint.status_changed",
        "complaint.note_added",
        "complaint.status_changed",
        "complaint.status_changed",
    ]
    assert {subject for _, subject in journal} == {opened.number}


def test_breach_applies_its_compensation_once(world: tuple[World, int]) -> None:
    w, subscriber = world
    opened = record(w, subscriber)  # FAULT-8H: automatic, a fixed 500.00 DZD
    record(w, subscriber, ComplaintCategory.BILLING)  # not due yet
    late = MONDAY.replace(hour=12)
    assert apply_breaches(w.ctx, MONDAY.replace(hour=10)).breached == 0

    first = apply_breaches(w.ctx, late)
    again = apply_breaches(w.ctx, late + timedelta(hours=1))

    assert (first.breached, first.claims, first.numbers) == (1, 1, (opened.number,))
    assert (again.breached, again.claims) == (0, 0)
    complaint = _complaint(w, opened.number)
    assert complaint.breached_at == opened.due_at
    with w.db.read() as session:
        claims = session.scalars(select(CompensationClaim)).all()
        breaches = session.scalar(
            select(func.count())
            .select_from(JournalEvent)
            .where(JournalEvent.kind == "complaint.breached")
        )
    assert [(c.source, c.source_id, c.amount_minor, c.status) for c in claims] == [
        ("complaint", opened.id, 50000, ClaimStatus.APPLIED)
    ]
    assert breaches == 1


def test_a_change_after_the_deadline_marks_the_breach_first(world: tuple[World, int]) -> None:
    w, subscriber = world
    opened = record(w, subscriber, ComplaintCategory.HOTLINE)
    _at(w, NOW + timedelta(minutes=10))
    set_status(w.ctx, w.agent, opened.number, ComplaintStatus.IN_PROGRESS)
    assert _complaint(w, opened.number).breached_at == NOW + timedelta(minutes=3)


def test_the_subscriber_sees_each_complaint_with_its_clock(world: tuple[World, int]) -> None:
    w, subscriber = world
    fault = record(w, subscriber)
    hotline = record(w, subscriber, ComplaintCategory.HOTLINE)
    board = subscriber_complaints(w.db, subscriber, now=NOW + timedelta(minutes=5))
    rows = {row.number: row for row in board.rows}
    assert list(rows) == [hotline.number, fault.number]  # latest first (same instant: by id)
    fault_left = board.left(rows[fault.number])
    assert fault_left.clock == "business_hours" and fault_left.minutes == 480 - 5
    hotline_left = board.left(rows[hotline.number])
    assert hotline_left.minutes == -2 and hotline_left.overdue
