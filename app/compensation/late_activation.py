"""Late activation: a line not activated by the charter's deadline is compensated, once.

The deadline runs from the day the line was confirmed (``contracts.confirmed_on``)
by the target of the commitment covering the category ``activation_late`` for
the contract's service, in the charter version in force that day:

- calendar days: the line must be active by ``confirmed_on + N days`` (the agency's
  own dates);
- business hours: N hours while the agency is open from the start of the confirmed
  day, on the agency's calendar (app.charter.calendar_store); the day the deadline
  falls on is the last day;
- real time: minutes from the start of the confirmed day.

A contract is late when it was activated after its last day, or is still pending
when that day is over. Its compensation is the commitment's rule (the first month
waived, typically), computed once: a claim per (late_activation, contract,
commitment), so running again, or activating the line later, never pays twice.
It waives the contract's first bill when that bill is open and still owes at least
the amount; otherwise it is a credit on the account.

Lock order (the payment path's): the subscribers of the waivers by ascending id,
their first bills by ascending id, then the compensations chain head (in
app.compensation.ledger).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.charter.calendar_store import agency_calendar
from app.charter.charters import CommitmentView, commitment_for
from app.closing.days import business_day, last_closed_day, local_date
from app.compensation.claims import ClaimProposal, propose_claims
from app.compensation.rules import RuleInputError, compute_amount
from app.context import AppContext
from app.journal import record_event
from app.payments.ledger import OPEN_STATUSES
from app.transactions import write_transaction
from app.workstations import operator_settings
from db.models import (
    Agency,
    Charter,
    CommitmentClock,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    ComplaintCategory,
    Contract,
    ContractStatus,
    Invoice,
    Offer,
    Subscriber,
)

LATE_ACTIVATIONS_APPLIED = "compensation.late_activations"
_MINUTES_PER_DAY = 24 * 60


@dataclass
class LateActivationOutcome:
    """What :func:`apply_late_activations` found and did."""

    examined: int = 0  # confirmed contracts without a late-activation claim yet
    late: int = 0  # of which past their deadline
    created: int = 0
    applied: int = 0
    awaiting_approval: int = 0
    recorded: int = 0
    already_there: int = 0
    credits: int = 0
    waivers: int = 0
    applied_minor: int = 0
    awaiting_minor: int = 0
    no_commitment: int = 0  # no charter in force, or no commitment covers it
    claim_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    contract_id: int
    subscriber_id: int
    service: str
    confirmed_on: date
    activated_on: date | None
    agency_id: int | None
    monthly_fee_minor: int


def due_day(
    commitment: CommitmentView,
    confirmed_on: date,
    zone: ZoneInfo,
    calendar: Callable[[], Any] | None = None,
) -> date | None:
    """The last day the line may be activated on (None: a business-hours clock and no
    calendar to count it on). ``calendar`` returns the agency's AgencyCalendar."""
    if commitment.clock == CommitmentClock.CALENDAR_DAYS:
        return confirmed_on + timedelta(days=commitment.target_minutes // _MINUTES_PER_DAY)
    start = datetime.combine(confirmed_on, time.min, tzinfo=zone)
    if commitment.clock == CommitmentClock.BUSINESS_HOURS:
        if calendar is None:
            return None
        deadline = calendar().add_business_minutes(start, commitment.target_minutes)
        return local_date(deadline, zone)
    return local_date(start + timedelta(minutes=commitment.target_minutes), zone)


def _candidates(session: Session) -> list[_Candidate]:
    claimed = (
        select(CompensationClaim.id)
        .where(
            CompensationClaim.source == CompensationSource.LATE_ACTIVATION,
            CompensationClaim.source_id == Contract.id,
        )
        .exists()
    )
    rows = session.execute(
        select(
            Contract.id,
            Contract.subscriber_id,
            Contract.service,
            Contract.confirmed_on,
            Contract.activated_on,
            Contract.agency_id,
            Offer.monthly_fee_minor,
        )
        .join(Offer, Offer.id == Contract.offer_id)
        .where(
            Contract.confirmed_on.is_not(None),
            or_(
                and_(
                    Contract.status == ContractStatus.PENDING_ACTIVATION,
                    Contract.activated_on.is_(None),
                ),
                Contract.activated_on > Contract.confirmed_on,
            ),
            ~claimed,
        )
        .order_by(Contract.id)
    )
    return [_Candidate(r[0], r[1], str(r[2]), r[3], r[4], r[5], int(r[6] or 0)) for r in rows.all()]


class _Commitments:
    """The activation commitment in force on a day, per service, read once per version."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._charters = list(
            session.execute(
                select(Charter.id, Charter.effective_from).order_by(
                    Charter.effective_from, Charter.version
                )
            ).all()
        )
        self._found: dict[tuple[int, str], CommitmentView | None] = {}

    def at(self, instant: datetime, service: str) -> CommitmentView | None:
        in_force = [c for c in self._charters if _aware(c.effective_from) <= instant]
        if not in_force:
            return None
        charter_id, effective_from = in_force[-1]
        key = (charter_id, service)
        if key not in self._found:
            self._found[key] = commitment_for(
                self._session,
                category=ComplaintCategory.ACTIVATION_LATE,
                service=service,
                at=max(instant, _aware(effective_from)),
            )
        return self._found[key]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def apply_late_activations(ctx: AppContext, now: datetime | None = None) -> LateActivationOutcome:
    """Compensate every contract past its activation deadline that was not yet.

    One transaction (retried after a collision); journalled when it wrote a claim.
    Lowest role: system (the scheduled run and ``python main.py compensation run``).
    """
    at = now or ctx.now()
    return write_transaction(ctx.db, lambda session: late_activations(session, ctx, at))


def late_activations(session: Session, ctx: AppContext, now: datetime) -> LateActivationOutcome:
    """:func:`apply_late_activations` in the caller's transaction."""
    outcome = LateActivationOutcome()
    settings = operator_settings(session)
    operator_zone = ZoneInfo(settings.timezone)
    zones = {
        agency_id: ZoneInfo(timezone or settings.timezone)
        for agency_id, timezone in session.execute(select(Agency.id, Agency.timezone))
    }
    commitments = _Commitments(session)
    # (commitment code, charter id, agency id) -> (commitment, proposals)
    groups: dict[tuple[str, int, int | None], tuple[CommitmentView, list[ClaimProposal]]] = {}
    for candidate in _candidates(session):
        outcome.examined += 1
        zone = zones.get(candidate.agency_id or 0, operator_zone)
        confirmed_at = datetime.combine(candidate.confirmed_on, time.min, tzinfo=zone)
        commitment = commitments.at(confirmed_at, candidate.service)
        if commitment is None:
            outcome.no_commitment += 1
            continue
        agency_id = candidate.agency_id
        calendar = (
            (lambda agency=agency_id: agency_calendar(session, agency))
            if agency_id is not None
            else None
        )
        last_day = due_day(commitment, candidate.confirmed_on, zone, calendar)
        if last_day is None:
            outcome.no_commitment += 1
            continue
        today = local_date(now, zone)
        activated = candidate.activated_on
        if activated is not None:
            if activated <= last_day:
                continue
            late_until = activated
        elif today > last_day:
            late_until = today
        else:
            continue
        days_late = (late_until - last_day).days
        try:
            amount = compute_amount(
                commitment,
                monthly_fee_minor=candidate.monthly_fee_minor,
                downtime_minutes=days_late * _MINUTES_PER_DAY,
            )
        except RuleInputError:
            outcome.no_commitment += 1  # a rule that needs a proof: a supervisor's matter
            continue
        outcome.late += 1
        proposal = ClaimProposal(
            source=CompensationSource.LATE_ACTIVATION,
            source_id=candidate.contract_id,
            subscriber_id=candidate.subscriber_id,
            contract_id=candidate.contract_id,
            amount_minor=amount,
            currency=settings.currency,
            kind=CompensationKind.CREDIT,
            basis={
                "confirmed_on": candidate.confirmed_on.isoformat(),
                "due_on": last_day.isoformat(),
                "activated_on": activated.isoformat() if activated else None,
                "days_late": days_late,
                "monthly_fee_minor": candidate.monthly_fee_minor,
            },
        )
        key = (commitment.code, commitment.charter_id, agency_id)
        groups.setdefault(key, (commitment, []))[1].append(proposal)
    waivable = _first_bills(session, [p for _c, ps in groups.values() for p in ps])
    for (_code, _charter, agency_id), (commitment, proposals) in groups.items():
        proposals = [_as_waiver(p, waivable.get(p.contract_id)) for p in proposals]
        zone = zones.get(agency_id or 0, operator_zone)
        day = (
            business_day(now, zone, last_closed_day(session, agency_id))
            if agency_id is not None
            else None
        )
        done = propose_claims(
            session,
            ctx.signer,
            commitment,
            proposals,
            now=now,
            agency_id=agency_id,
            business_day=day,
        )
        outcome.created += done.created
        outcome.applied += done.applied
        outcome.awaiting_approval += done.awaiting_approval
        outcome.recorded += done.recorded
        outcome.already_there += done.already_there
        outcome.applied_minor += done.applied_minor
        outcome.awaiting_minor += done.awaiting_minor
        outcome.claim_ids.extend(done.claim_ids)
        for proposal in proposals:
            if proposal.kind == CompensationKind.WAIVER:
                outcome.waivers += 1
            else:
                outcome.credits += 1
    if outcome.created:
        record_event(
            session,
            ctx.signer,
            LATE_ACTIVATIONS_APPLIED,
            subject="late_activation",
            details={
                "created": outcome.created,
                "applied": outcome.applied,
                "awaiting_approval": outcome.awaiting_approval,
                "applied_minor": outcome.applied_minor,
                "awaiting_minor": outcome.awaiting_minor,
            },
            occurred_at=now,
        )
    return outcome


def _first_bills(session: Session, proposals: list[ClaimProposal]) -> dict[int, tuple[int, int]]:
    """Each contract's first bill when open, locked, as (invoice id, still owed); the
    subscribers are locked first (the payment path's order)."""
    wanted = [p for p in proposals if p.amount_minor > 0]
    if not wanted:
        return {}
    contracts = {p.contract_id for p in wanted}
    first: dict[int, int] = {
        contract_id: invoice_id
        for contract_id, invoice_id in session.execute(
            select(Invoice.contract_id, func.min(Invoice.id))
            .where(Invoice.contract_id.in_(contracts))
            .group_by(Invoice.contract_id)
        )
    }
    if not first:
        return {}
    owners = sorted({p.subscriber_id for p in wanted if p.contract_id in first})
    session.execute(
        select(Subscriber.id)
        .where(Subscriber.id.in_(owners))
        .order_by(Subscriber.id)
        .with_for_update(key_share=True)
    ).all()
    bills = session.execute(
        select(
            Invoice.id,
            Invoice.contract_id,
            Invoice.status,
            Invoice.amount_minor + Invoice.late_fee_minor - Invoice.paid_minor,
        )
        .where(Invoice.id.in_(sorted(first.values())))
        .order_by(Invoice.id)
        .with_for_update()
    ).all()
    return {
        contract_id: (invoice_id, int(owed))
        for invoice_id, contract_id, status, owed in bills
        if status in OPEN_STATUSES
    }


def _as_waiver(proposal: ClaimProposal, bill: tuple[int, int] | None) -> ClaimProposal:
    if bill is None or proposal.amount_minor <= 0 or bill[1] < proposal.amount_minor:
        return proposal
    return ClaimProposal(
        source=proposal.source,
        source_id=proposal.source_id,
        subscriber_id=proposal.subscriber_id,
        contract_id=proposal.contract_id,
        amount_minor=proposal.amount_minor,
        currency=proposal.currency,
        kind=CompensationKind.WAIVER,
        invoice_id=bill[0],
        basis=proposal.basis,
    )
