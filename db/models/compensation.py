"""Outages and the compensation the charter owes for them (and for other breaches).

A ``CompensationClaim`` is the decision: what the rule gives one contract for one
cause, once (unique per source, source id, contract and commitment), applied at
once or waiting for a supervisor's approval. A ``Compensation`` is the money: a
signed, append-only ledger entry (chain ``compensations``), a credit on the account
or a waiver on an invoice. ``verify`` recomputes every credit and waiver from it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

COMPENSATION_CHAIN = "compensations"


class OutageScope:
    AGENCIES = "agencies"
    COMMUNES = "communes"
    EXCHANGES = "exchanges"
    LINES = "lines"

    ALL = (AGENCIES, COMMUNES, EXCHANGES, LINES)


class Outage(Base):
    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    service: Mapped[str] = mapped_column(String(16))  # ServiceType
    scope: Mapped[str] = mapped_column(String(16))  # OutageScope
    # JSON list of agency codes, communes, exchange codes or line numbers (E.164).
    scope_values: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: import
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id"))
    # Set once the affected contracts were found and compensated.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    affected_contracts: Mapped[int | None] = mapped_column(Integer)
    compensated_minor: Mapped[int | None] = mapped_column(BigInteger)


class CompensationSource:
    OUTAGE = "outage"
    LATE_ACTIVATION = "late_activation"
    COMPLAINT = "complaint"
    LATE_DELIVERY = "late_delivery"  # a late fee waived: the bill reached the customer late


class ClaimStatus:
    APPLIED = "applied"
    AWAITING_APPROVAL = "awaiting_approval"
    REFUSED = "refused"
    RECORDED = "recorded"  # a rule that pays nothing: kept for the operator's statistics


class CompensationKind:
    CREDIT = "credit"  # on the subscriber's account, used by later payments
    WAIVER = "waiver"  # on one invoice: that much is no longer asked


class CompensationClaim(Base):
    __tablename__ = "compensation_claims"
    __table_args__ = (
        UniqueConstraint("source", "source_id", "contract_id", "commitment_code"),
        Index("ix_compensation_claims_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # CompensationSource
    source_id: Mapped[int] = mapped_column(Integer)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id"))
    commitment_code: Mapped[str] = mapped_column(String(32))
    rule_kind: Mapped[str] = mapped_column(String(24))
    # JSON: what the rule was computed from (downtime minutes, days, proof amount...).
    basis: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))  # CompensationKind
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))  # ClaimStatus
    created_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class Compensation(Base):
    """The money of an applied claim: signed in the chain ``compensations``, append-only."""

    __tablename__ = "compensations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("compensation_claims.id"), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # CompensationKind
    source: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(index=True)
    # The agency and business day whose closing counts it (apart from cash); None when
    # no agency applied it (an outage closed by the operator's IT).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    business_day: Mapped[date | None] = mapped_column(Date)

    seq: Mapped[int] = mapped_column(Integer, unique=True)
    key_id: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(100))
