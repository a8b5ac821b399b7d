"""Reading compensation: the claims a supervisor must decide, a subscriber's, one claim.

Reads only; each function takes a session (inside a caller's transaction) or the
database (a read of its own). Amounts come back as Decimal in the claim's currency,
the basis (what the rule was computed from) as a mapping, the charter's commitment
as its code and its title in the language asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.closing.days import agency_zone, business_day, last_closed_day
from app.errors import NotFoundError
from app.i18n import N_, current_language
from app.money import currency, from_minor
from app.workstations import operator_settings
from db.engine import Database
from db.models import (
    Agency,
    CharterCommitment,
    ClaimStatus,
    Compensation,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    Complaint,
    Contract,
    Invoice,
    Outage,
    Subscriber,
)

# Human names of the vocabularies (msgids: translate when shown).
CLAIM_STATUSES = {
    ClaimStatus.APPLIED: N_("Applied"),
    ClaimStatus.AWAITING_APPROVAL: N_("Awaiting approval"),
    ClaimStatus.REFUSED: N_("Refused"),
    ClaimStatus.RECORDED: N_("Recorded"),
}
COMPENSATION_KINDS = {
    CompensationKind.CREDIT: N_("Credit on the account"),
    CompensationKind.WAIVER: N_("Waived on the bill"),
}
COMPENSATION_SOURCES = {
    CompensationSource.OUTAGE: N_("Outage"),
    CompensationSource.LATE_ACTIVATION: N_("Late activation"),
    CompensationSource.COMPLAINT: N_("Complaint"),
    CompensationSource.LATE_DELIVERY: N_("Bill delivered late"),
}
# How many claims a screen lists at most (the oldest first).
AWAITING_LIMIT = 500


@dataclass(frozen=True)
class ClaimLine:
    """One compensation claim as the screens, the notice and the CLI show it."""

    claim_id: int
    created_at: datetime
    status: str  # ClaimStatus
    source: str  # CompensationSource
    cause: str  # the outage's or complaint's number, or the contract's (late activation)
    account_number: str
    subscriber_name: str
    contract_number: str
    commitment_code: str
    commitment_title: str  # in the language asked for ('' when the charter is gone)
    kind: str  # CompensationKind
    amount: Decimal
    currency: str
    amount_minor: int
    invoice_number: str | None = None
    basis: Mapping[str, Any] = field(default_factory=dict)
    decided_at: datetime | None = None
    decision_note: str | None = None
    applied_on: date | None = None  # the business day its money entered the ledger
    subscriber_id: int = 0
    charter_id: int | None = None
    subscriber_language: str | None = None


@contextmanager
def _session(session_or_db: Session | Database) -> Iterator[Session]:
    if isinstance(session_or_db, Session):
        yield session_or_db
    else:
        with session_or_db.read() as session:
            yield session


def _texts(session: Session, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Any]:
    if not pairs:
        return {}
    charters = {charter_id for charter_id, _code in pairs}
    rows = session.execute(
        select(CharterCommitment.charter_id, CharterCommitment.code, CharterCommitment.texts).where(
            CharterCommitment.charter_id.in_(charters)
        )
    )
    texts: dict[tuple[int, str], Any] = {}
    for charter_id, code, raw in rows:
        if (charter_id, code) in pairs:
            try:
                texts[(charter_id, code)] = json.loads(raw or "{}")
            except ValueError:
                texts[(charter_id, code)] = {}
    return texts


def commitment_part(texts: Mapping[str, Any], part: str, language: str) -> str:
    """The commitment's title or text in ``language``, else French, else English."""
    for wanted in (language, "fr", "en"):
        value = (texts.get(wanted) or {}).get(part)
        if value:
            return str(value)
    return ""


def _causes(session: Session, claims: list[CompensationClaim]) -> dict[tuple[str, int], str]:
    outages = {c.source_id for c in claims if c.source == CompensationSource.OUTAGE}
    complaints = {c.source_id for c in claims if c.source == CompensationSource.COMPLAINT}
    causes: dict[tuple[str, int], str] = {}
    if outages:
        for outage_id, number in session.execute(
            select(Outage.id, Outage.number).where(Outage.id.in_(outages))
        ):
            causes[(CompensationSource.OUTAGE, outage_id)] = number
    if complaints:
        for complaint_id, number in session.execute(
            select(Complaint.id, Complaint.number).where(Complaint.id.in_(complaints))
        ):
            causes[(CompensationSource.COMPLAINT, complaint_id)] = number
    return causes


def _lines(session: Session, claims: list[CompensationClaim], language: str) -> list[ClaimLine]:
    if not claims:
        return []
    subscribers = {
        row.id: row
        for row in session.scalars(
            select(Subscriber).where(Subscriber.id.in_({c.subscriber_id for c in claims}))
        )
    }
    contracts: dict[int, str] = {
        key: value
        for key, value in session.execute(
            select(Contract.id, Contract.number).where(
                Contract.id.in_({c.contract_id for c in claims})
            )
        )
    }
    invoices: dict[int, str] = {
        key: value
        for key, value in session.execute(
            select(Invoice.id, Invoice.number).where(
                Invoice.id.in_({c.invoice_id for c in claims if c.invoice_id is not None})
            )
        )
    }
    applied: dict[int, date | None] = {
        key: value
        for key, value in session.execute(
            select(Compensation.claim_id, Compensation.business_day).where(
                Compensation.claim_id.in_([c.id for c in claims])
            )
        )
    }
    texts = _texts(
        session, {(c.charter_id, c.commitment_code) for c in claims if c.charter_id is not None}
    )
    causes = _causes(session, claims)
    lines = []
    for claim in claims:
        subscriber = subscribers.get(claim.subscriber_id)
        contract_number = contracts.get(claim.contract_id, f"#{claim.contract_id}")
        try:
            basis = json.loads(claim.basis or "{}")
        except ValueError:
            basis = {}
        cur = currency(claim.currency)
        lines.append(
            ClaimLine(
                claim_id=claim.id,
                created_at=claim.created_at,
                status=claim.status,
                source=claim.source,
                cause=causes.get((claim.source, claim.source_id), contract_number),
                account_number=subscriber.account_number if subscriber else "",
                subscriber_name=subscriber.display_name if subscriber else "",
                contract_number=contract_number,
                commitment_code=claim.commitment_code,
                commitment_title=commitment_part(
                    texts.get((claim.charter_id or 0, claim.commitment_code), {}),
                    "title",
                    language,
                )
                or claim.commitment_code,
                kind=claim.kind,
                amount=from_minor(claim.amount_minor, cur),
                currency=cur.code,
                amount_minor=claim.amount_minor,
                invoice_number=invoices.get(claim.invoice_id) if claim.invoice_id else None,
                basis=basis if isinstance(basis, dict) else {},
                decided_at=claim.decided_at,
                decision_note=claim.decision_note,
                applied_on=applied.get(claim.id),
                subscriber_id=claim.subscriber_id,
                charter_id=claim.charter_id,
                subscriber_language=subscriber.language if subscriber else None,
            )
        )
    return lines


def awaiting_claims(
    session_or_db: Session | Database,
    *,
    agency_id: int | None = None,
    language: str | None = None,
    limit: int = AWAITING_LIMIT,
) -> list[ClaimLine]:
    """Claims waiting for a supervisor's approval, the oldest first (``agency_id``:
    only those of contracts that agency serves).

    Lowest role: none (a read; no actor: the supervisor's approvals screen reads it).
    """
    with _session(session_or_db) as session:
        statement = (
            select(CompensationClaim)
            .where(CompensationClaim.status == ClaimStatus.AWAITING_APPROVAL)
            .order_by(CompensationClaim.created_at, CompensationClaim.id)
            .limit(limit)
        )
        if agency_id is not None:
            statement = statement.join(
                Contract, Contract.id == CompensationClaim.contract_id
            ).where(Contract.agency_id == agency_id)
        return _lines(session, list(session.scalars(statement)), language or current_language())


def subscriber_claims(
    session_or_db: Session | Database,
    subscriber_id: int,
    *,
    language: str | None = None,
    limit: int = 50,
) -> list[ClaimLine]:
    """A subscriber's compensation claims, newest first, whatever their status.

    Lowest role: none (a read; no actor).
    """
    with _session(session_or_db) as session:
        claims = list(
            session.scalars(
                select(CompensationClaim)
                .where(CompensationClaim.subscriber_id == subscriber_id)
                .order_by(CompensationClaim.created_at.desc(), CompensationClaim.id.desc())
                .limit(limit)
            )
        )
        return _lines(session, claims, language or current_language())


def claim_line(
    session_or_db: Session | Database, claim_id: int, *, language: str | None = None
) -> ClaimLine:
    """One claim (NotFoundError if there is none).

    Lowest role: none (a read; no actor).
    """
    with _session(session_or_db) as session:
        claim = session.get(CompensationClaim, claim_id)
        if claim is None:
            raise NotFoundError(N_("There is no compensation claim {claim}."), claim=claim_id)
        return _lines(session, [claim], language or current_language())[0]


def listed_claims(
    session_or_db: Session | Database,
    *,
    status: str | None = None,
    language: str | None = None,
    limit: int = AWAITING_LIMIT,
) -> list[ClaimLine]:
    """Claims, newest first, of one status or all (the CLI's list).

    Lowest role: none (a read; the command line).
    """
    with _session(session_or_db) as session:
        statement = select(CompensationClaim).order_by(
            CompensationClaim.created_at.desc(), CompensationClaim.id.desc()
        )
        if status is not None:
            statement = statement.where(CompensationClaim.status == status)
        claims = list(session.scalars(statement.limit(limit)))
        return _lines(session, claims, language or current_language())


def ledger_day_of_claim(
    session_or_db: Session | Database, claim_id: int, now: datetime
) -> tuple[int | None, date | None]:
    """The agency and business day whose closing counts a claim's money if it is
    applied now: the agency serving its contract, its open business day (None, None
    when the contract has no agency).

    Lowest role: none (a read; no actor).
    """
    with _session(session_or_db) as session:
        row = session.execute(
            select(Agency.id, Agency.timezone)
            .join(Contract, Contract.agency_id == Agency.id)
            .join(CompensationClaim, CompensationClaim.contract_id == Contract.id)
            .where(CompensationClaim.id == claim_id)
        ).first()
        if row is None:
            return None, None
        zone = agency_zone(row.timezone, operator_settings(session).timezone)
        return row.id, business_day(now, zone, last_closed_day(session, row.id))
