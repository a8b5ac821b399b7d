"""A complaint's life after it is recorded: in progress, waiting for the customer,
resolved with an outcome, closed; assigned to an agent; notes; the slip again.

Who may do what (enforced here):

- an agent records complaints (:mod:`app.complaints.records`), adds notes, moves a
  complaint in progress or waiting for the customer (the customer must bring a
  proof, a reading...), and prints its slip again;
- a supervisor assigns it, resolves it with its outcome, and closes it.

Open → in progress ⇄ waiting for the customer → resolved → closed; open may go
straight to waiting or resolved. Waiting stops the clock when the commitment
pauses then; going back in progress starts it again from what was left. Every
change is a ComplaintEvent and a journal event; nothing is deleted. A deadline
that passed before the change is marked breached first (with its compensation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.complaints.breaches import breach_if_due
from app.complaints.clock import pause_clock, resume_clock, stop_clock
from app.complaints.events import Step, record_step
from app.complaints.labels import STATUSES
from app.complaints.records import find_complaint, slip_ref
from app.complaints.terms import rule_of
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, ValidationError
from app.i18n import N_, Phrase
from app.journal import EventKind
from app.printing.queue import queue_job
from app.workstations import find_workstation
from db.models import (
    CharterCommitment,
    Complaint,
    ComplaintStatus,
    PrintJob,
    PrintJobKind,
    Role,
    Staff,
)

S = ComplaintStatus
ALLOWED: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING_CUSTOMER, S.RESOLVED}),
    S.WAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
# Statuses an agent may move a complaint to; the others are a supervisor's.
AGENT_TARGETS = frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER})
NOTE_MAX = 2000
OUTCOME_MAX = 2000


@dataclass(frozen=True)
class ComplaintChange:
    number: str
    status: str
    due_at: datetime | None
    breached: bool


def _refuse_transition(number: str, current: str, target: str) -> ConflictError:
    return ConflictError(
        N_("Complaint {number} is {status}; it cannot become {target}."),
        field="status",
        number=number,
        status=Phrase(STATUSES.get(current, current), lower=True),
        target=Phrase(STATUSES.get(target, target), lower=True),
    )


def _text(value: str | None, *, field: str, limit: int, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(empty, field=field)
    if len(text) > limit:
        raise ValidationError(
            N_("This text has at most {limit} characters; it has {length}."),
            field=field,
            limit=limit,
            length=len(text),
        )
    return text


def _move(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    number: str,
    target: str,
    *,
    now: datetime,
    workstation: str | None,
    note: str | None = None,
) -> ComplaintChange:
    complaint = find_complaint(session, number, for_update=True)
    current = complaint.status
    if target not in ALLOWED.get(current, frozenset()):
        raise _refuse_transition(complaint.number, current, target)
    breach_if_due(session, ctx.signer, complaint, now)
    rule = rule_of(session, complaint)
    if rule is not None:
        if target == S.WAITING_CUSTOMER and _pauses(session, complaint):
            pause_clock(complaint, rule, now)
        elif target == S.IN_PROGRESS and current == S.WAITING_CUSTOMER:
            resume_clock(complaint, rule, now)  # nothing to do if it never stopped
        elif target == S.RESOLVED:
            stop_clock(complaint, rule, now)
    complaint.status = target
    complaint.updated_at = now
    if target == S.RESOLVED:
        complaint.resolved_at = now
        complaint.outcome = note
    if target == S.CLOSED:
        complaint.closed_at = now
    record_step(
        session,
        ctx.signer,
        complaint,
        step=Step.STATUS,
        journal_kind=EventKind.COMPLAINT_STATUS_CHANGED,
        at=now,
        actor=actor,
        workstation=workstation,
        status_from=current,
        status_to=target,
        note=note,
        details={"due_at": complaint.due_at, "used_minutes": complaint.used_minutes},
    )
    session.flush()
    return ComplaintChange(
        complaint.number, complaint.status, complaint.due_at, complaint.breached_at is not None
    )


def _pauses(session: Session, complaint: Complaint) -> bool:
    """Whether the complaint's commitment stops its clock while waiting for the customer."""
    value = session.scalar(
        select(CharterCommitment.pauses_when_waiting).where(
            CharterCommitment.charter_id == complaint.charter_id,
            CharterCommitment.code == complaint.commitment_code,
        )
    )
    return bool(value)


def set_status(
    ctx: AppContext,
    actor: Actor,
    number: str,
    status: str,
    *,
    note: str | None = None,
    workstation: str | None = None,
) -> ComplaintChange:
    """Move a complaint in progress or waiting for the customer (the clock pauses when its
    commitment says so, and runs again when it is back in progress).

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    if status not in AGENT_TARGETS:
        raise ValidationError(
            N_(
                "A complaint goes in progress or waiting for the customer here; resolving and "
                "closing it are a supervisor's."
            ),
            field="status",
        )
    text = (note or "").strip() or None
    with ctx.db.write() as session:
        return _move(
            session, ctx, actor, number, status, now=ctx.now(), workstation=workstation, note=text
        )


def resolve_complaint(
    ctx: AppContext, actor: Actor, number: str, outcome: str, *, workstation: str | None = None
) -> ComplaintChange:
    """The operator's answer: the complaint is resolved with its outcome; its clock stops.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    text = _text(
        outcome,
        field="outcome",
        limit=OUTCOME_MAX,
        empty=N_("Say how the complaint was resolved."),
    )
    with ctx.db.write() as session:
        return _move(
            session,
            ctx,
            actor,
            number,
            S.RESOLVED,
            now=ctx.now(),
            workstation=workstation,
            note=text,
        )


def close_complaint(
    ctx: AppContext, actor: Actor, number: str, *, workstation: str | None = None
) -> ComplaintChange:
    """Close a resolved complaint (the customer was told).

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with ctx.db.write() as session:
        return _move(session, ctx, actor, number, S.CLOSED, now=ctx.now(), workstation=workstation)


def assign_complaint(
    ctx: AppContext, actor: Actor, number: str, login: str, *, workstation: str | None = None
) -> ComplaintChange:
    """Give the complaint to a member of staff to handle.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    now = ctx.now()
    with ctx.db.write() as session:
        complaint = find_complaint(session, number, for_update=True)
        if complaint.status == S.CLOSED:
            raise ConflictError(
                N_("Complaint {number} is closed; nothing more can change."),
                field="complaint",
                number=complaint.number,
            )
        staff = session.scalars(
            select(Staff).where(Staff.login == login.strip().lower(), Staff.active.is_(True))
        ).first()
        if staff is None:
            raise NotFoundError(N_("Unknown login {login}."), field="assignee", login=login)
        breach_if_due(session, ctx.signer, complaint, now)
        before = complaint.assigned_to_id
        complaint.assigned_to_id = staff.id
        complaint.updated_at = now
        record_step(
            session,
            ctx.signer,
            complaint,
            step=Step.ASSIGNED,
            journal_kind=EventKind.COMPLAINT_ASSIGNED,
            at=now,
            actor=actor,
            workstation=workstation,
            details={"to": staff.login, "from_id": before},
        )
        session.flush()
        return ComplaintChange(
            complaint.number, complaint.status, complaint.due_at, complaint.breached_at is not None
        )


def add_note(
    ctx: AppContext, actor: Actor, number: str, note: str, *, workstation: str | None = None
) -> ComplaintChange:
    """A note in the complaint's history (what the customer said, what was checked).

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    text = _text(note, field="note", limit=NOTE_MAX, empty=N_("Write the note."))
    now = ctx.now()
    with ctx.db.write() as session:
        complaint = find_complaint(session, number, for_update=True)
        if complaint.status == S.CLOSED:
            raise ConflictError(
                N_("Complaint {number} is closed; nothing more can change."),
                field="complaint",
                number=complaint.number,
            )
        breach_if_due(session, ctx.signer, complaint, now)
        complaint.updated_at = now
        record_step(
            session,
            ctx.signer,
            complaint,
            step=Step.NOTE,
            journal_kind=EventKind.COMPLAINT_NOTE_ADDED,
            at=now,
            actor=actor,
            workstation=workstation,
            note=text,
        )
        session.flush()
        return ComplaintChange(
            complaint.number, complaint.status, complaint.due_at, complaint.breached_at is not None
        )


def print_slip_again(
    ctx: AppContext, actor: Actor, number: str, *, workstation: str, language: str | None = None
) -> int:
    """The acknowledgment slip again (DUPLICATE n) on this workstation's printer, in the
    complaint's language unless another is asked; returns the print job's id.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    now = ctx.now()
    with ctx.db.write() as session:
        complaint = find_complaint(session, number)
        station = find_workstation(session, workstation)
        ref = slip_ref(complaint.id)
        copies = len(
            session.scalars(
                select(PrintJob.id).where(
                    PrintJob.kind == PrintJobKind.COMPLAINT_SLIP, PrintJob.document_ref == ref
                )
            ).all()
        )
        job = queue_job(
            session,
            kind=PrintJobKind.COMPLAINT_SLIP,
            workstation=station,
            document_ref=ref,
            language=language or complaint.language,
            now=now,
            copy_number=copies,
            created_by_id=actor.staff_id,
        )
        record_step(
            session,
            ctx.signer,
            complaint,
            step=Step.SLIP_PRINTED,
            journal_kind=EventKind.COMPLAINT_SLIP_PRINTED,
            at=now,
            actor=actor,
            workstation=workstation,
            details={"copy": copies, "language": job.language},
        )
        return job.id
