"""Closing an outage: the contracts it hit, each compensated once by the charter.

A contract is hit when it has the outage's service, lies in its scope (its agency,
commune, exchange or line) and was live during it: activated on or before the day
the outage ended, not terminated before the day it began, and not suspended since
before it began (a suspended line had no service to lose). Days are the operator's
local days.

The compensation is the rule of the commitment of the charter in force at the
outage's start that covers "no service" for that service, on each contract's
monthly fee and the outage's downtime; every contract with the same fee gets the
same amount, so the rule runs once per distinct fee, not once per contract.

The contracts are read with one set-based query and the claims written in bulk by
:func:`app.compensation.claims.propose_claims`, whose unique key makes a second
close (or a recompute, or two supervisors closing at the same moment) write nothing
twice: what exists is skipped and counted. The outage's row is locked first, so two
closes of the same outage run one after the other; the compensations chain head is
locked after it (the ledger's usual last lock).

Compensations of an outage are credits on the subscriber's account. They belong to
no agency's business day: an outage spans agencies and is the operator's matter, so
no till or closing of the closing supervisor's agency counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.charter.charters import commitment_for
from app.closing.days import agency_zone, business_day, last_closed_day, local_date
from app.compensation.claims import ClaimCommitment, ClaimProposal, propose_claims
from app.compensation.rules import compute_amount, credited_days, rule_figures
from app.context import AppContext
from app.errors import ValidationError
from app.i18n import N_
from app.journal import EventKind, record_action, record_event
from app.outages.records import downtime_minutes, locked_outage
from app.transactions import write_transaction
from app.workstations import operator_settings
from db.models import (
    Agency,
    ClaimStatus,
    CompensationClaim,
    CompensationKind,
    CompensationRuleKind,
    CompensationSource,
    ComplaintCategory,
    Contract,
    ContractStatus,
    Offer,
    Outage,
    OutageScope,
    Role,
)

SYSTEM_LOGIN = "import"


class OutageCommitment(ClaimCommitment, Protocol):
    """The commitment an outage is judged against (a ``CommitmentView``)."""

    @property
    def rule(self) -> Any: ...


@dataclass(frozen=True)
class CloseOutcome:
    """What closing an outage found and wrote (amounts in minor units)."""

    number: str
    affected: int  # contracts hit
    created: int  # claims written by this close
    applied: int
    awaiting_approval: int
    recorded: int  # claims of no money (below the rule's threshold, or a rule of none)
    already_there: int  # contracts compensated for this outage before: skipped
    applied_minor: int  # money applied by this close
    awaiting_minor: int  # money waiting for a supervisor's approval after this close
    compensated_minor: int  # everything applied for this outage so far
    currency: str
    commitment_code: str | None
    downtime_minutes: int
    first_close: bool


def outage_commitment(session: Session, service: str, at: datetime) -> OutageCommitment | None:
    """The commitment in force at ``at`` covering "no service" on ``service``."""
    return commitment_for(session, category=ComplaintCategory.NO_SERVICE, service=service, at=at)


def _scope_condition(scope: str, values: list[str]) -> Any:
    if scope == OutageScope.AGENCIES:
        return Contract.agency_id.in_(select(Agency.id).where(Agency.code.in_(values)))
    if scope == OutageScope.COMMUNES:
        return Contract.commune.in_(values)
    if scope == OutageScope.EXCHANGES:
        return Contract.exchange_code.in_(values)
    if scope == OutageScope.LINES:
        return Contract.line_e164.in_(values)
    raise ValueError(f"unknown outage scope {scope!r}")


def affected_contracts_query(
    *,
    service: str,
    scope: str,
    values: list[str],
    started_at: datetime,
    ended_at: datetime,
    timezone: str,
) -> Select[tuple[int, int, int, int | None]]:
    """(contract id, subscriber id, monthly fee) of every contract the outage hit."""
    zone = ZoneInfo(timezone)
    first_day = local_date(started_at, zone)
    last_day = local_date(ended_at, zone)
    return (
        select(Contract.id, Contract.subscriber_id, Offer.monthly_fee_minor, Contract.agency_id)
        .join(Offer, Offer.id == Contract.offer_id)
        .where(
            Contract.service == service,
            _scope_condition(scope, values),
            Contract.activated_on.is_not(None),
            Contract.activated_on <= last_day,
            or_(Contract.terminated_on.is_(None), Contract.terminated_on >= first_day),
            or_(
                Contract.status != ContractStatus.SUSPENDED.value,
                Contract.suspended_on.is_(None),
                Contract.suspended_on > first_day,
            ),
        )
        .order_by(Contract.id)
    )


def proposals_for(
    rows: list[Any],
    commitment: OutageCommitment,
    *,
    outage_id: int,
    number: str,
    minutes: int,
    currency: str,
) -> list[ClaimProposal]:
    """One credit proposal per contract hit; the rule runs once per distinct fee."""
    days = None
    if commitment.rule_kind == CompensationRuleKind.DAYS_CREDIT:
        days = credited_days(rule_figures(commitment.rule), minutes)
    amounts: dict[int, int] = {}
    bases: dict[int, dict[str, Any]] = {}
    proposals: list[ClaimProposal] = []
    for contract_id, subscriber_id, fee, *_where in rows:
        amount = amounts.get(fee)
        if amount is None:
            amount = amounts[fee] = compute_amount(
                commitment, monthly_fee_minor=fee, downtime_minutes=minutes
            )
            basis: dict[str, Any] = {
                "outage": number,
                "downtime_minutes": minutes,
                "monthly_fee_minor": fee,
            }
            if days is not None:
                basis["days"] = days
            bases[fee] = basis
        proposals.append(
            ClaimProposal(
                source=CompensationSource.OUTAGE,
                source_id=outage_id,
                subscriber_id=subscriber_id,
                contract_id=contract_id,
                amount_minor=amount,
                currency=currency,
                kind=CompensationKind.CREDIT,
                basis=bases[fee],
            )
        )
    return proposals


def _applied_total(session: Session, outage_id: int) -> int:
    total = session.execute(
        select(func.coalesce(func.sum(CompensationClaim.amount_minor), 0)).where(
            and_(
                CompensationClaim.source == CompensationSource.OUTAGE,
                CompensationClaim.source_id == outage_id,
                CompensationClaim.status == ClaimStatus.APPLIED,
            )
        )
    ).scalar_one()
    return int(total)


def _open_day(
    session: Session, agency_id: int | None, now: datetime, operator_timezone: str
) -> date | None:
    """The agency's business day still open at ``now`` (None: no agency)."""
    if agency_id is None:
        return None
    timezone = session.scalar(select(Agency.timezone).where(Agency.id == agency_id))
    zone = agency_zone(timezone, operator_timezone)
    return business_day(now, zone, last_closed_day(session, agency_id))


def _close(
    session: Session, ctx: AppContext, outage_ref: int | str, actor: Actor | None
) -> CloseOutcome:
    outage: Outage = locked_outage(session, outage_ref)
    now = ctx.now()
    if outage.ended_at is None:
        raise ValidationError(
            N_("Outage {number} has no end yet: set its end before closing it."),
            field="end",
            number=outage.number,
        )
    if outage.ended_at > now:
        raise ValidationError(
            N_("Outage {number} ends in the future: close it once the service is back."),
            field="end",
            number=outage.number,
        )
    settings = operator_settings(session)
    minutes = downtime_minutes(outage.started_at, outage.ended_at)
    rows = list(
        session.connection().execute(
            affected_contracts_query(
                service=outage.service,
                scope=outage.scope,
                values=json.loads(outage.scope_values or "[]"),
                started_at=outage.started_at,
                ended_at=outage.ended_at,
                timezone=settings.timezone,
            )
        )
    )
    commitment = outage_commitment(session, outage.service, outage.started_at)
    created = applied = awaiting = recorded = already = applied_minor = awaiting_minor = 0
    if commitment is not None:
        # Contracts compensated for this outage already (an earlier close): skipped
        # here with one range read of the claims' unique key, counted below.
        done = set(
            session.scalars(
                select(CompensationClaim.contract_id).where(
                    CompensationClaim.source == CompensationSource.OUTAGE,
                    CompensationClaim.source_id == outage.id,
                    CompensationClaim.commitment_code == commitment.code,
                )
            )
        )
        fresh = [row for row in rows if row[0] not in done] if done else rows
        already = len(rows) - len(fresh)
        # Each agency's credits count in that agency's open business day (its closing
        # shows them apart from the takings); a line with no agency counts in none.
        by_agency: dict[int | None, list[Any]] = {}
        for row in fresh:
            by_agency.setdefault(row[3], []).append(row)
        for agency_id, agency_rows in sorted(by_agency.items(), key=lambda kv: kv[0] or 0):
            proposals = proposals_for(
                agency_rows,
                commitment,
                outage_id=outage.id,
                number=outage.number,
                minutes=minutes,
                currency=settings.currency,
            )
            outcome = propose_claims(
                session,
                ctx.signer,
                commitment,
                proposals,
                now=now,
                agency_id=agency_id,
                business_day=_open_day(session, agency_id, now, settings.timezone),
            )
            created += outcome.created
            applied += outcome.applied
            awaiting += outcome.awaiting_approval
            recorded += outcome.recorded
            already += outcome.already_there
            applied_minor += outcome.applied_minor
            awaiting_minor += outcome.awaiting_minor
        outage.charter_id = commitment.charter_id
    first_close = outage.closed_at is None
    if first_close:
        outage.closed_at = now
        outage.closed_by_id = actor.staff_id if actor is not None else None
    total = _applied_total(session, outage.id)
    outage.affected_contracts = len(rows)
    outage.compensated_minor = total
    session.flush()
    result = CloseOutcome(
        number=outage.number,
        affected=len(rows),
        created=created,
        applied=applied,
        awaiting_approval=awaiting,
        recorded=recorded,
        already_there=already,
        applied_minor=applied_minor,
        awaiting_minor=awaiting_minor,
        compensated_minor=total,
        currency=settings.currency,
        commitment_code=commitment.code if commitment is not None else None,
        downtime_minutes=minutes,
        first_close=first_close,
    )
    details = {
        "affected": result.affected,
        "created": result.created,
        "applied": result.applied,
        "awaiting_approval": result.awaiting_approval,
        "recorded": result.recorded,
        "already_there": result.already_there,
        "applied_minor": result.applied_minor,
        "awaiting_minor": result.awaiting_minor,
        "compensated_minor": result.compensated_minor,
        "currency": result.currency,
        "commitment": result.commitment_code,
        "charter_id": outage.charter_id,
        "downtime_minutes": minutes,
        "first_close": first_close,
    }
    if actor is not None:
        record_action(
            session, ctx, EventKind.OUTAGE_CLOSED, actor, subject=outage.number, details=details
        )
    else:
        record_event(
            session,
            ctx.signer,
            EventKind.OUTAGE_CLOSED,
            actor_login=SYSTEM_LOGIN,
            subject=outage.number,
            details=details,
            occurred_at=now,
        )
    return result


def close_outage_in_transaction(
    session: Session, ctx: AppContext, outage_ref: int | str
) -> CloseOutcome:
    """:func:`close_outage_as_system` in the caller's transaction (an import closes the
    outages it brings with the rest of its batch: all or nothing)."""
    return _close(session, ctx, outage_ref, None)


def close_outage(ctx: AppContext, actor: Actor, outage_ref: int | str) -> CloseOutcome:
    """Close an ended outage: find the contracts it hit and compensate each once.

    Closing again (or at the same moment as another supervisor) writes only what is
    missing: contracts already compensated for it are skipped and counted. One
    transaction. Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    return write_transaction(ctx.db, lambda session: _close(session, ctx, outage_ref, actor))


def close_outage_as_system(ctx: AppContext, outage_ref: int | str) -> CloseOutcome:
    """:func:`close_outage` for an import from the operator's systems (no actor;
    journaled as ``import``).

    Lowest role: system (an import; no actor).
    """
    return write_transaction(ctx.db, lambda session: _close(session, ctx, outage_ref, None))
