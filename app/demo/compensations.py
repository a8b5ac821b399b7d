"""The demo's compensations: lines activated late (or still pending past their
deadline) compensated by the charter, and one compensation awaiting a supervisor.

Call :func:`add_demo_compensations` after the charter is loaded (its activation
commitment gives the late activations their compensation), after the demo's
complaints when there are some (the claim awaiting approval is one of theirs),
with the demo's context and clock. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.charter.charters import CommitmentView, commitment_by_code, commitment_for
from app.closing.days import business_day, last_closed_day
from app.compensation.claims import ClaimProposal, initial_status, propose_claims
from app.compensation.late_activation import LateActivationOutcome, apply_late_activations
from app.compensation.rules import MINUTES_PER_HOUR, compute_amount, rule_figures
from app.context import AppContext
from app.workstations import operator_settings
from db.models import (
    Agency,
    ClaimStatus,
    CompensationKind,
    CompensationRuleKind,
    CompensationSource,
    Complaint,
    ComplaintCategory,
    Contract,
    ContractStatus,
    Offer,
)

LATE_PENDING = 4  # pending lines past their deadline
RUNNING_PENDING = 2  # pending lines still within it
LATE_ACTIVATED = 2  # lines activated after their deadline
_DAY = 24 * 60


@dataclass(frozen=True)
class DemoCompensations:
    late_activations: LateActivationOutcome
    awaiting_claim_id: int | None  # the claim left for a supervisor, if the charter has one


def add_demo_compensations(ctx: AppContext, *, seed: int = 1) -> DemoCompensations:
    """Confirm some demo lines so that a few are late, compensate them, and leave one
    compensation awaiting a supervisor's approval.

    Lowest role: system (the demo builder; no actor).
    """
    rng = random.Random(f"{seed}-compensations")
    now = ctx.now()
    with ctx.db.write() as session:
        zone = ZoneInfo(operator_settings(session).timezone)
        today = now.astimezone(zone).date()
        _confirm_lines(session, rng, now, today)
    outcome = apply_late_activations(ctx, now)
    return DemoCompensations(outcome, _awaiting_claim(ctx, now))


def _target_days(commitment: CommitmentView) -> int:
    return max(1, -(-commitment.target_minutes // _DAY))


def _confirm_lines(session: Session, rng: random.Random, now: datetime, today: date) -> None:
    commitments: dict[str, CommitmentView | None] = {}

    def commitment(service: str) -> CommitmentView | None:
        if service not in commitments:
            commitments[service] = commitment_for(
                session, category=ComplaintCategory.ACTIVATION_LATE, service=service, at=now
            )
        return commitments[service]

    pending = list(
        session.scalars(
            select(Contract)
            .where(
                Contract.status == ContractStatus.PENDING_ACTIVATION,
                Contract.confirmed_on.is_(None),
            )
            .order_by(Contract.id)
            .limit(200)
        )
    )
    covered = [c for c in pending if commitment(str(c.service)) is not None]
    rng.shuffle(covered)
    for index, contract in enumerate(covered[: LATE_PENDING + RUNNING_PENDING]):
        found = commitment(str(contract.service))
        assert found is not None
        days = _target_days(found)
        late = index < LATE_PENDING
        back = days + 2 + rng.randint(0, 6) if late else rng.randint(0, max(days - 2, 0))
        contract.confirmed_on = today - timedelta(days=back)
        contract.requested_on = min(contract.requested_on, contract.confirmed_on)
    recent = list(
        session.scalars(
            select(Contract)
            .where(
                Contract.status == ContractStatus.ACTIVE,
                Contract.confirmed_on.is_(None),
                Contract.activated_on >= today - timedelta(days=60),
            )
            .order_by(Contract.id)
            .limit(200)
        )
    )
    activated = [c for c in recent if commitment(str(c.service)) is not None]
    rng.shuffle(activated)
    for contract in activated[:LATE_ACTIVATED]:
        found = commitment(str(contract.service))
        assert found is not None and contract.activated_on is not None
        contract.confirmed_on = contract.activated_on - timedelta(
            days=_target_days(found) + 3 + rng.randint(0, 5)
        )
        contract.requested_on = min(contract.requested_on, contract.confirmed_on)
    session.flush()


def _largest(commitment: CommitmentView, fee: int) -> tuple[int, dict[str, int]]:
    """The most the commitment's rule gives a contract of this fee, and its basis."""
    rule = rule_figures(commitment.rule)
    if commitment.rule_kind == CompensationRuleKind.DAYS_CREDIT:
        days, per, threshold = (
            rule.get("days", 0),
            rule.get("per_hours", 0),
            rule.get("threshold_hours", 0),
        )
        periods = -(-rule.get("cap_days", 0) // days) if days else 0
        minutes = (threshold + periods * per) * MINUTES_PER_HOUR
        amount = compute_amount(commitment, monthly_fee_minor=fee, downtime_minutes=minutes)
        return amount, {"downtime_minutes": minutes, "monthly_fee_minor": fee}
    if commitment.rule_kind == CompensationRuleKind.REFUND_ON_PROOF:
        cap = int(rule.get("cap_minor", 0))
        return compute_amount(commitment, monthly_fee_minor=fee, proof_minor=cap), {
            "proof_minor": cap
        }
    if commitment.rule_kind == CompensationRuleKind.NONE:
        return 0, {}
    return compute_amount(commitment, monthly_fee_minor=fee), {"monthly_fee_minor": fee}


def _awaiting_claim(ctx: AppContext, now: datetime) -> int | None:
    """A demo complaint whose commitment leaves its compensation to a supervisor gets
    its claim, awaiting approval (the first such complaint; None when there is none)."""
    with ctx.db.write() as session:
        rows = session.execute(
            select(Complaint, Contract, Offer.monthly_fee_minor)
            .join(Contract, Contract.id == Complaint.contract_id)
            .join(Offer, Offer.id == Contract.offer_id)
            .where(Complaint.charter_id.is_not(None), Complaint.commitment_code.is_not(None))
            .order_by(Complaint.id)
        ).all()
        settings = operator_settings(session)
        for complaint, contract, fee in rows:
            assert complaint.charter_id is not None and complaint.commitment_code is not None
            commitment = commitment_by_code(
                session, complaint.charter_id, complaint.commitment_code
            )
            if commitment is None:
                continue
            amount, basis = _largest(commitment, int(fee or 0))
            if initial_status(commitment, amount) != ClaimStatus.AWAITING_APPROVAL:
                continue
            agency = session.get(Agency, complaint.agency_id)
            zone = ZoneInfo(agency.timezone if agency else settings.timezone)
            day = business_day(now, zone, last_closed_day(session, complaint.agency_id))
            outcome = propose_claims(
                session,
                ctx.signer,
                commitment,
                [
                    ClaimProposal(
                        source=CompensationSource.COMPLAINT,
                        source_id=complaint.id,
                        subscriber_id=complaint.subscriber_id,
                        contract_id=contract.id,
                        amount_minor=amount,
                        currency=settings.currency,
                        kind=CompensationKind.CREDIT,
                        basis={"complaint": complaint.number, **basis},
                    )
                ],
                now=now,
                agency_id=complaint.agency_id,
                business_day=day,
            )
            if outcome.awaiting_approval:
                return outcome.claim_ids[0]
    return None
