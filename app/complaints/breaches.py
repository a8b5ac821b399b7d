"""Deadlines that passed: the complaint is marked breached, once, and the charter's
compensation proposed when its rule is automatic.

A breach is dated at the deadline itself (``breached_at = due_at``), whenever it is
noticed: by the board's refresh, the command line (``complaint breaches``) or the
next change of the complaint. The compensation claim is unique per complaint,
contract and commitment (app.compensation.claims makes it idempotent), so noticing
a breach twice never pays twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.closing.days import business_day, last_closed_day
from app.compensation.claims import ClaimProposal, propose_claim
from app.compensation.rules import compute_amount
from app.complaints.clock import is_overdue
from app.complaints.events import Step, record_step
from app.complaints.terms import JudgedCommitment, judged_commitment
from app.context import AppContext
from app.integrity.keys import Signer
from app.journal import EventKind
from app.workstations import operator_settings
from db.models import (
    Agency,
    CompensationKind,
    CompensationRuleKind,
    CompensationSource,
    Complaint,
    ComplaintStatus,
    Contract,
    Offer,
)

BATCH = 500  # complaints marked per transaction: a backlog never holds the lock long


@dataclass(frozen=True)
class BreachRun:
    breached: int  # complaints marked breached now
    claims: int  # compensation claims proposed for them
    numbers: tuple[str, ...]


def _downtime_minutes(complaint: Complaint, now: datetime) -> int:
    """For a days-credit rule: the service counts as down since the complaint was opened."""
    return max(0, int((now - complaint.opened_at).total_seconds() // 60))


def _compensate(
    session: Session,
    signer: Signer,
    complaint: Complaint,
    commitment: JudgedCommitment,
    now: datetime,
) -> Any:
    """Propose the charter's compensation for this breach (automatic rules only)."""
    if not commitment.automatic or complaint.contract_id is None:
        return None
    if commitment.rule_kind == CompensationRuleKind.REFUND_ON_PROOF:
        return None  # what the proof shows is a supervisor's reading, not the clock's
    contract = session.get(Contract, complaint.contract_id)
    if contract is None:
        return None
    fee = session.scalar(select(Offer.monthly_fee_minor).where(Offer.id == contract.offer_id)) or 0
    basis: dict[str, Any] = {
        "complaint": complaint.number,
        "due_at": complaint.due_at.isoformat() if complaint.due_at else None,
        "monthly_fee_minor": int(fee),
    }
    downtime = None
    if commitment.rule_kind == CompensationRuleKind.DAYS_CREDIT:
        downtime = _downtime_minutes(complaint, now)
        basis["downtime_minutes"] = downtime
    amount = (
        0
        if commitment.rule_kind == CompensationRuleKind.NONE
        else compute_amount(commitment, monthly_fee_minor=int(fee), downtime_minutes=downtime)
    )
    agency = session.get(Agency, complaint.agency_id)
    # The agency's open business day: money never lands in a day already closed.
    local_day = business_day(
        now,
        ZoneInfo(agency.timezone) if agency else ZoneInfo("UTC"),
        last_closed_day(session, complaint.agency_id),
    )
    proposal = ClaimProposal(
        source=CompensationSource.COMPLAINT,
        source_id=complaint.id,
        subscriber_id=complaint.subscriber_id,
        contract_id=complaint.contract_id,
        amount_minor=amount,
        currency=operator_settings(session).currency,
        kind=CompensationKind.CREDIT,
        invoice_id=None,
        basis=basis,
    )
    return propose_claim(
        session,
        signer,
        commitment,
        proposal,
        now=now,
        agency_id=complaint.agency_id,
        business_day=local_day,
    )


@dataclass(frozen=True)
class Marked:
    claim: Any  # the compensation claim proposed, if any


def mark_breached(
    session: Session, signer: Signer, complaint: Complaint, now: datetime
) -> Marked | None:
    """Mark this overdue complaint breached (journaled) and propose its compensation;
    None if it is not overdue, or was marked already."""
    if not is_overdue(complaint, now):
        return None
    assert complaint.due_at is not None
    complaint.breached_at = complaint.due_at
    complaint.updated_at = now
    commitment = judged_commitment(session, complaint)
    claim = None
    record_step(
        session,
        signer,
        complaint,
        step=Step.BREACHED,
        journal_kind=EventKind.COMPLAINT_BREACHED,
        at=now,
        actor=None,
        details={
            "due_at": complaint.due_at,
            "commitment": complaint.commitment_code,
            "charter": complaint.charter_id,
        },
    )
    if commitment is not None:
        claim = _compensate(session, signer, complaint, commitment, now)
        if claim is not None:
            record_step(
                session,
                signer,
                complaint,
                step=Step.COMPENSATION,
                journal_kind=None,  # the claim journals itself
                at=now,
                actor=None,
                details={
                    "claim": getattr(claim, "id", None),
                    "amount_minor": getattr(claim, "amount_minor", None),
                    "status": getattr(claim, "status", None),
                },
            )
    session.flush()
    return Marked(claim)


def breach_if_due(session: Session, signer: Signer, complaint: Complaint, now: datetime) -> bool:
    """Before a change of the complaint: a deadline already passed is marked first."""
    return mark_breached(session, signer, complaint, now) is not None


def apply_breaches(ctx: AppContext, now: datetime | None = None) -> BreachRun:
    """Mark every complaint whose deadline passed while it is still handled, once, and
    propose the automatic compensations; returns what was done.

    Lowest role: system (the board's refresh and the command line; no actor).
    """
    now = now or ctx.now()
    numbers: list[str] = []
    claims = 0
    overdue_now = (
        Complaint.status.in_(ComplaintStatus.ACTIVE),
        Complaint.due_at <= now,
        Complaint.breached_at.is_(None),
    )
    # The board asks every minute: look without the write lock (which the counters'
    # payments need) and take it only when there is a breach to mark.
    with ctx.db.read() as session:
        if session.scalar(select(Complaint.id).where(*overdue_now).limit(1)) is None:
            return BreachRun(0, 0, ())
    while True:
        with ctx.db.write() as session:
            overdue = session.scalars(
                select(Complaint)
                .where(*overdue_now)
                .order_by(Complaint.due_at, Complaint.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            for complaint in overdue:
                marked = mark_breached(session, ctx.signer, complaint, now)
                if marked is not None:
                    numbers.append(complaint.number)
                    claims += marked.claim is not None
        if len(overdue) < BATCH:
            break
    return BreachRun(len(numbers), claims, tuple(numbers))
