"""Compensation claims: what the charter owes one contract for one cause, once.

A claim is written once per (source, source id, contract, commitment): the
database's unique key refuses a second one, and inserts skip what exists, so
closing an outage twice, recomputing a late activation or a retried breach never
pays twice. A claim is then:

- applied at once when the commitment's compensation is automatic and the amount
  is within its approval limit (its money enters the signed ledger);
- awaiting a supervisor's approval otherwise (:func:`approve_claim`,
  :func:`refuse_claim`);
- recorded when the rule gives nothing (for the operator's statistics).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.compensation.ledger import CompensationEntry, write_compensations
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, ValidationError
from app.i18n import N_
from app.integrity.keys import Signer
from app.journal import record_action
from app.transactions import write_transaction
from db.models import (
    ClaimStatus,
    CompensationClaim,
    CompensationKind,
    Invoice,
    InvoiceStatus,
    Role,
    Subscriber,
)

_CLAIMS = cast(Table, CompensationClaim.__table__)
_INSERT_CHUNK = 5_000  # rows per statement: well under SQLite's variable limit


class ClaimCommitment(Protocol):
    """What a claim needs of the commitment (a CommitmentView or a CharterCommitment)."""

    @property
    def code(self) -> str: ...

    @property
    def charter_id(self) -> int | None: ...

    @property
    def rule_kind(self) -> str: ...

    @property
    def automatic(self) -> bool: ...

    @property
    def approval_above_minor(self) -> int | None: ...


@dataclass(frozen=True)
class ClaimProposal:
    """One contract's compensation for one cause, as a rule computed it."""

    source: str  # CompensationSource
    source_id: int
    subscriber_id: int
    contract_id: int
    amount_minor: int
    currency: str
    kind: str  # CompensationKind
    invoice_id: int | None = None
    basis: dict[str, Any] = field(default_factory=dict)


@dataclass
class ClaimsOutcome:
    """What :func:`propose_claims` did."""

    created: int = 0
    applied: int = 0
    awaiting_approval: int = 0
    recorded: int = 0
    already_there: int = 0
    applied_minor: int = 0
    awaiting_minor: int = 0
    claim_ids: list[int] = field(default_factory=list)


def initial_status(commitment: ClaimCommitment, amount_minor: int) -> str:
    """Applied, awaiting approval or only recorded, by the commitment's terms."""
    if amount_minor <= 0:
        return ClaimStatus.RECORDED
    limit = commitment.approval_above_minor
    if commitment.automatic and (limit is None or amount_minor <= limit):
        return ClaimStatus.APPLIED
    return ClaimStatus.AWAITING_APPROVAL


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(_CLAIMS).on_conflict_do_nothing(
        index_elements=["source", "source_id", "contract_id", "commitment_code"]
    )


def propose_claims(
    session: Session,
    signer: Signer,
    commitment: ClaimCommitment,
    proposals: Sequence[ClaimProposal],
    *,
    now: datetime,
    agency_id: int | None = None,
    business_day: date | None = None,
) -> ClaimsOutcome:
    """Write the claims not written yet and apply those the charter applies by itself.

    Runs in the caller's transaction. Existing claims are left as they are (even if
    the amount computed now differs: what was decided stays decided).
    """
    outcome = ClaimsOutcome()
    if not proposals:
        return outcome
    connection = session.connection()
    keys = [(p.source, p.source_id, p.contract_id, commitment.code) for p in proposals]
    rows: list[dict[str, Any]] = [
        {
            "source": p.source,
            "source_id": p.source_id,
            "subscriber_id": p.subscriber_id,
            "contract_id": p.contract_id,
            "charter_id": commitment.charter_id,
            "commitment_code": commitment.code,
            "rule_kind": commitment.rule_kind,
            "basis": json.dumps(p.basis, sort_keys=True, ensure_ascii=False),
            "kind": p.kind,
            "invoice_id": p.invoice_id,
            "amount_minor": p.amount_minor,
            "currency": p.currency,
            "status": initial_status(commitment, p.amount_minor),
            "created_at": now,
        }
        for p in proposals
    ]
    # Which of them exist already: those are skipped (and counted).
    existing: set[tuple[str, int, int, str]] = set()
    for start in range(0, len(keys), _INSERT_CHUNK):
        chunk = keys[start : start + _INSERT_CHUNK]
        found = connection.execute(
            select(
                _CLAIMS.c.source,
                _CLAIMS.c.source_id,
                _CLAIMS.c.contract_id,
                _CLAIMS.c.commitment_code,
            ).where(
                tuple_(
                    _CLAIMS.c.source,
                    _CLAIMS.c.source_id,
                    _CLAIMS.c.contract_id,
                    _CLAIMS.c.commitment_code,
                ).in_(chunk)
            )
        )
        existing.update((r[0], r[1], r[2], r[3]) for r in found)
    fresh = [row for row, key in zip(rows, keys, strict=True) if key not in existing]
    outcome.already_there = len(rows) - len(fresh)
    statement = _insert(session).returning(
        _CLAIMS.c.id,
        _CLAIMS.c.source,
        _CLAIMS.c.source_id,
        _CLAIMS.c.contract_id,
        _CLAIMS.c.status,
    )
    inserted: dict[tuple[str, int, int], tuple[int, str]] = {}
    for start in range(0, len(fresh), _INSERT_CHUNK):
        for new in connection.execute(statement, fresh[start : start + _INSERT_CHUNK]):
            inserted[(new.source, new.source_id, new.contract_id)] = (new.id, new.status)
    # A concurrent writer may have inserted one between the check and the insert:
    # ON CONFLICT skipped it, and it is theirs to apply.
    outcome.already_there += len(fresh) - len(inserted)
    entries: list[CompensationEntry] = []
    row: dict[str, Any]
    for row in fresh:
        claim = inserted.get((row["source"], row["source_id"], row["contract_id"]))
        if claim is None:
            continue
        claim_id, status = claim
        outcome.created += 1
        outcome.claim_ids.append(claim_id)
        if status == ClaimStatus.APPLIED:
            outcome.applied += 1
            outcome.applied_minor += row["amount_minor"]
            entries.append(_entry(claim_id, row))
        elif status == ClaimStatus.AWAITING_APPROVAL:
            outcome.awaiting_approval += 1
            outcome.awaiting_minor += row["amount_minor"]
        else:
            outcome.recorded += 1
    write_compensations(
        session, signer, entries, now=now, agency_id=agency_id, business_day=business_day
    )
    return outcome


def _entry(claim_id: int, row: dict[str, Any]) -> CompensationEntry:
    return CompensationEntry(
        claim_id=claim_id,
        subscriber_id=row["subscriber_id"],
        contract_id=row["contract_id"],
        invoice_id=row["invoice_id"],
        kind=row["kind"],
        source=row["source"],
        amount_minor=row["amount_minor"],
        currency=row["currency"],
    )


def propose_claim(
    session: Session,
    signer: Signer,
    commitment: ClaimCommitment,
    proposal: ClaimProposal,
    *,
    now: datetime,
    agency_id: int | None = None,
    business_day: date | None = None,
) -> CompensationClaim | None:
    """:func:`propose_claims` for one contract: the new claim, or None if it existed."""
    outcome = propose_claims(
        session,
        signer,
        commitment,
        [proposal],
        now=now,
        agency_id=agency_id,
        business_day=business_day,
    )
    if not outcome.claim_ids:
        return None
    return session.get(CompensationClaim, outcome.claim_ids[0])


class CompensationEvent:
    """Journal event kinds of compensation (beside app.journal.EventKind's)."""

    CLAIM_APPROVED = "compensation.claim_approved"
    CLAIM_REFUSED = "compensation.claim_refused"


def _awaiting(session: Session, claim_id: int) -> CompensationClaim:
    claim = session.scalars(
        select(CompensationClaim)
        .where(CompensationClaim.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if claim is None:
        raise NotFoundError(N_("There is no compensation claim {claim}."), claim=claim_id)
    if claim.status != ClaimStatus.AWAITING_APPROVAL:
        raise ConflictError(
            N_("Compensation claim {claim} is not waiting for approval any more."),
            claim=claim_id,
        )
    return claim


def _waiver_or_credit(session: Session, claim: CompensationClaim) -> None:
    """A waiver approved after its bill was paid would overpay it: it becomes credit.

    Locks in the payment path's order, the subscriber then the bill (the ledger
    takes the chain head after), so a payment of the same bill waits or is waited for.
    """
    session.execute(
        select(Subscriber.id).where(Subscriber.id == claim.subscriber_id).with_for_update()
    )
    bill = session.execute(
        select(Invoice.amount_minor + Invoice.late_fee_minor - Invoice.paid_minor, Invoice.status)
        .where(Invoice.id == claim.invoice_id)
        .with_for_update()
    ).first()
    still_owed = 0 if bill is None or bill[1] == InvoiceStatus.CANCELLED else int(bill[0])
    if still_owed < claim.amount_minor:
        claim.kind = CompensationKind.CREDIT
        claim.invoice_id = None


def approve_claim(
    ctx: AppContext,
    actor: Actor,
    claim_id: int,
    *,
    note: str | None = None,
    agency_id: int | None = None,
    business_day: date | None = None,
) -> int:
    """Approve a claim waiting for approval: its money enters the signed ledger.

    Returns the amount applied in minor units. Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)

    def work(session: Session) -> int:
        claim = _awaiting(session, claim_id)
        now = ctx.now()
        if claim.kind == CompensationKind.WAIVER:
            _waiver_or_credit(session, claim)
        claim.status = ClaimStatus.APPLIED
        claim.decided_by_id, claim.decided_at = actor.staff_id, now
        claim.decision_note = (note or "").strip() or None
        session.flush()
        row = {
            "subscriber_id": claim.subscriber_id,
            "contract_id": claim.contract_id,
            "invoice_id": claim.invoice_id,
            "kind": claim.kind,
            "source": claim.source,
            "amount_minor": claim.amount_minor,
            "currency": claim.currency,
        }
        written = write_compensations(
            session,
            ctx.signer,
            [_entry(claim.id, row)],
            now=now,
            agency_id=agency_id,
            business_day=business_day,
        )
        record_action(
            session,
            ctx,
            CompensationEvent.CLAIM_APPROVED,
            actor,
            subject=f"claim:{claim.id}",
            details={"amount_minor": claim.amount_minor, "note": claim.decision_note},
        )
        return written

    return write_transaction(ctx.db, work)


def refuse_claim(ctx: AppContext, actor: Actor, claim_id: int, *, reason: str) -> None:
    """Refuse a claim waiting for approval, with the reason; nothing is paid.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            N_("Say why the compensation is refused: the customer will ask."), field="reason"
        )

    def work(session: Session) -> None:
        claim = _awaiting(session, claim_id)
        claim.status = ClaimStatus.REFUSED
        claim.decided_by_id, claim.decided_at = actor.staff_id, ctx.now()
        claim.decision_note = reason
        record_action(
            session,
            ctx,
            CompensationEvent.CLAIM_REFUSED,
            actor,
            subject=f"claim:{claim.id}",
            details={"amount_minor": claim.amount_minor, "reason": reason},
        )

    write_transaction(ctx.db, work)
