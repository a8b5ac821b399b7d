"""Recording a complaint at the counter: checked, judged against the charter, numbered,
its clock started, journaled and its acknowledgment slip queued, in one transaction.

The commitment proposed is the one of the charter in force at the opening that
covers the complaint's category and its contract's service; its deadline is
counted on that commitment's clock (the agency's calendar for business hours).
The dialog shows the same proposal before anything is saved
(:func:`preview_commitment`), computed by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.complaints.clock import ClockRule, add_on_clock, start_clock
from app.complaints.events import Step, record_step
from app.complaints.terms import clock_rule, commitment_for
from app.context import AppContext
from app.errors import NotFoundError, ValidationError
from app.i18n import LANGUAGES, N_
from app.journal import EventKind
from app.payments.service import choose_receipt_language
from app.printing.queue import queue_job
from app.workstations import find_workstation, operator_settings
from db.engine import Database
from db.models import (
    Agency,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    Contract,
    PrintJobKind,
    Role,
    Subscriber,
)

DESCRIPTION_MAX = 2000
PROOF_MAX = 100  # the column


def slip_ref(complaint_id: int) -> str:
    """How a print job names a complaint's slip: ``C-<complaint id>``."""
    return f"C-{complaint_id}"


def parse_slip_ref(ref: str) -> int:
    prefix, _, number = ref.partition("-")
    if prefix != "C" or not number.isdigit():
        raise NotFoundError(N_("Unknown complaint slip {ref}."), field="document", ref=ref)
    return int(number)


@dataclass(frozen=True)
class ComplaintRequest:
    """What the agent typed in the complaint dialog."""

    subscriber_id: int
    contract_number: str | None
    category: str
    description: str
    channel: str = ComplaintChannel.COUNTER
    proof_reference: str | None = None
    language: str | None = None  # the slip's language; None: the customer's


@dataclass(frozen=True)
class CommitmentPreview:
    """The commitment proposed for a complaint and the deadline it would have."""

    code: str
    charter_id: int
    title: str
    text: str
    clock: str
    target_minutes: int
    pauses_when_waiting: bool
    needs_proof: bool
    automatic: bool
    rule_kind: str
    due_at: datetime
    timezone: str


@dataclass(frozen=True)
class OpenedComplaint:
    id: int
    number: str
    opened_at: datetime
    due_at: datetime | None
    commitment_code: str | None
    language: str
    job_id: int | None


def _judge(
    session: Session,
    *,
    agency: Agency,
    category: str,
    service: str | None,
    at: datetime,
    language: str,
) -> tuple[Any, CommitmentPreview | None, ClockRule | None]:
    """The commitment covering this complaint and its deadline from ``at``."""
    commitment = commitment_for(session, category=category, service=service, at=at)
    if commitment is None:
        return None, None, None
    rule = clock_rule(session, agency.id, commitment.clock)
    assert rule is not None
    due = add_on_clock(rule, at, int(commitment.target_minutes))
    preview = CommitmentPreview(
        code=commitment.code,
        charter_id=commitment.charter_id,
        title=commitment.title(language),
        text=commitment.text(language),
        clock=commitment.clock,
        target_minutes=int(commitment.target_minutes),
        pauses_when_waiting=bool(commitment.pauses_when_waiting),
        needs_proof=bool(commitment.needs_proof),
        automatic=bool(commitment.automatic),
        rule_kind=commitment.rule_kind,
        due_at=due,
        timezone=rule.timezone,
    )
    return commitment, preview, rule


def _contract_of(session: Session, subscriber_id: int, number: str | None) -> Contract | None:
    if number is None or not number.strip():
        return None
    contract = session.scalars(
        select(Contract).where(Contract.number == number.strip().upper())
    ).first()
    if contract is None:
        raise NotFoundError(N_("Unknown contract {number}."), field="contract", number=number)
    if contract.subscriber_id != subscriber_id:
        raise ValidationError(
            N_("Contract {number} is not this subscriber's."), field="contract", number=number
        )
    return contract


def _check_category(category: str) -> None:
    if category not in ComplaintCategory.ALL:
        raise ValidationError(
            N_("Choose the complaint's category."), field="category", category=category
        )


def preview_commitment(
    db: Database,
    *,
    subscriber_id: int,
    contract_number: str | None,
    category: str,
    workstation: str,
    at: datetime,
    language: str,
) -> CommitmentPreview | None:
    """The commitment a complaint would be judged against and its deadline, if it were
    opened at ``at`` at this workstation; None: no commitment covers it.

    Lowest role: none (a read; no actor).
    """
    _check_category(category)
    with db.read() as session:
        station = find_workstation(session, workstation)
        contract = _contract_of(session, subscriber_id, contract_number)
        _, preview, _ = _judge(
            session,
            agency=station.agency,
            category=category,
            service=str(contract.service) if contract is not None else None,
            at=at,
            language=language,
        )
        return preview


def _next_number(session: Session, agency: Agency, year: int) -> str:
    """``<agency>-<year>-<000001>``, the next of the agency's year (its row locked)."""
    session.execute(select(Agency.id).where(Agency.id == agency.id).with_for_update())
    prefix = f"{agency.code}-{year}-"
    last = session.scalar(
        select(func.max(Complaint.number)).where(Complaint.number.like(prefix + "%"))
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def _validated(request: ComplaintRequest) -> tuple[str, str | None]:
    _check_category(request.category)
    if request.channel not in ComplaintChannel.ALL:
        raise ValidationError(N_("Choose how the complaint came in."), field="channel")
    description = (request.description or "").strip()
    if not description:
        raise ValidationError(N_("Describe the complaint."), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            N_("A complaint's description has at most {limit} characters; this one has {length}."),
            field="description",
            limit=DESCRIPTION_MAX,
            length=len(description),
        )
    proof = (request.proof_reference or "").strip() or None
    if proof is not None and len(proof) > PROOF_MAX:
        raise ValidationError(
            N_("A proof reference has at most {limit} characters; this one has {length}."),
            field="proof_reference",
            limit=PROOF_MAX,
            length=len(proof),
        )
    return description, proof


def open_complaint(
    ctx: AppContext, actor: Actor, request: ComplaintRequest, *, workstation: str
) -> OpenedComplaint:
    """Record the complaint, start its clock on the proposed commitment, journal it and
    queue its acknowledgment slip on this workstation's printer, in the customer's
    language; all of it or nothing.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    description, proof = _validated(request)
    now = ctx.now()
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        agency = station.agency
        subscriber = session.get(Subscriber, request.subscriber_id)
        if subscriber is None:
            raise NotFoundError(N_("Unknown subscriber."), field="subscriber")
        contract = _contract_of(session, subscriber.id, request.contract_number)
        settings = operator_settings(session)
        language = choose_receipt_language(
            request.language, subscriber.language, settings.default_language
        )
        _, preview, rule = _judge(
            session,
            agency=agency,
            category=request.category,
            service=str(contract.service) if contract is not None else None,
            at=now,
            language=language,
        )
        if preview is not None and preview.needs_proof and proof is None:
            raise ValidationError(
                N_("This commitment needs a proof reference (an invoice or a receipt number)."),
                field="proof_reference",
            )
        complaint = Complaint(
            number=_next_number(session, agency, now.astimezone(ZoneInfo(agency.timezone)).year),
            agency_id=agency.id,
            workstation_id=station.id,
            subscriber_id=subscriber.id,
            contract_id=contract.id if contract is not None else None,
            category=request.category,
            channel=request.channel,
            description=description,
            proof_reference=proof,
            language=language if language in LANGUAGES else "fr",
            opened_at=now,
            opened_by_id=actor.staff_id,
            status=ComplaintStatus.OPEN,
            charter_id=preview.charter_id if preview else None,
            commitment_code=preview.code if preview else None,
            clock=preview.clock if preview else None,
            target_minutes=preview.target_minutes if preview else None,
            used_minutes=0,
            updated_at=now,
        )
        if rule is not None:
            start_clock(complaint, rule, now)
        session.add(complaint)
        session.flush()
        record_step(
            session,
            ctx.signer,
            complaint,
            step=Step.OPENED,
            journal_kind=EventKind.COMPLAINT_OPENED,
            at=now,
            actor=actor,
            workstation=workstation,
            status_to=ComplaintStatus.OPEN,
            details={
                "subscriber": subscriber.account_number,
                "contract": contract.number if contract is not None else None,
                "category": request.category,
                "channel": request.channel,
                "commitment": preview.code if preview else None,
                "charter": preview.charter_id if preview else None,
                "due_at": complaint.due_at,
            },
        )
        job = queue_job(
            session,
            kind=PrintJobKind.COMPLAINT_SLIP,
            workstation=station,
            document_ref=slip_ref(complaint.id),
            language=complaint.language,
            now=now,
            created_by_id=actor.staff_id,
        )
        return OpenedComplaint(
            id=complaint.id,
            number=complaint.number,
            opened_at=now,
            due_at=complaint.due_at,
            commitment_code=complaint.commitment_code,
            language=complaint.language,
            job_id=job.id,
        )


def find_complaint(session: Session, number: str, *, for_update: bool = False) -> Complaint:
    statement = select(Complaint).where(Complaint.number == number.strip().upper())
    if for_update:
        statement = statement.with_for_update()
    complaint = session.scalars(statement).first()
    if complaint is None:
        raise NotFoundError(N_("Unknown complaint {number}."), field="complaint", number=number)
    return complaint
