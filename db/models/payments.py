"""The payment ledger: append-only, gapless per series, signed in a chain.

Rows here are never updated or deleted (database triggers refuse it); a mistake
is undone by a VOID payment that names the original and carries the opposite
amounts.
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.enums import PaymentKind, TenderKind
from db.models.organisation import ReceiptSeries, Workstation
from db.models.staff import Staff
from db.models.subscribers import Subscriber


class CashSession(Base):
    """A till session at a workstation, from opening float to closing."""

    __tablename__ = "cash_sessions"
    __table_args__ = (
        # At most one open session per workstation.
        Index(
            "uq_cash_sessions_open_per_workstation",
            "workstation_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstations.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime]
    opening_float_minor: Mapped[int] = mapped_column(BigInteger)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None]
    # How it closed: count (the agent's blind count), handover (counted out for the
    # next agent), forced (a supervisor closed an abandoned till, with a reason);
    # None for tills closed before counts existed (migration 0007).
    closed_how: Mapped[str | None] = mapped_column(String(16))
    close_reason: Mapped[str | None] = mapped_column(Text)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("series_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PaymentKind] = mapped_column(String(8))
    voids_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)

    series_id: Mapped[int] = mapped_column(ForeignKey("receipt_series.id"))
    seq: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str] = mapped_column(String(64), unique=True)

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstations.id"))
    cash_session_id: Mapped[int | None] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    # The agency's business day the payment belongs to: the local date it was made
    # on, or the next day still open when that day was already closed. None for
    # payments made before closings existed (migration 0008): their local date.
    business_day: Mapped[date | None] = mapped_column(Date)

    currency: Mapped[str] = mapped_column(String(3))
    tendered_minor: Mapped[int] = mapped_column(BigInteger)
    change_minor: Mapped[int] = mapped_column(BigInteger)
    allocated_minor: Mapped[int] = mapped_column(BigInteger)
    topups_minor: Mapped[int] = mapped_column(BigInteger)
    credit_used_minor: Mapped[int] = mapped_column(BigInteger)
    credit_added_minor: Mapped[int] = mapped_column(BigInteger)

    key_id: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(100))

    series: Mapped[ReceiptSeries] = relationship()
    subscriber: Mapped[Subscriber] = relationship()
    workstation: Mapped[Workstation] = relationship()
    agent: Mapped[Staff] = relationship(foreign_keys=[agent_id])
    approved_by: Mapped[Staff | None] = relationship(foreign_keys=[approved_by_id])
    voids: Mapped[Payment | None] = relationship(remote_side=[id])
    tenders: Mapped[list[Tender]] = relationship(order_by="Tender.position")
    allocations: Mapped[list[Allocation]] = relationship(order_by="Allocation.position")
    topups: Mapped[list[TopUpSale]] = relationship(order_by="TopUpSale.position")


class Tender(Base):
    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[TenderKind] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    cheque_number: Mapped[str | None] = mapped_column(String(32))
    bank: Mapped[str | None] = mapped_column(String(100))
    authorisation_code: Mapped[str | None] = mapped_column(String(32))
    transfer_reference: Mapped[str | None] = mapped_column(String(64))


class Allocation(Base):
    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    invoice = relationship("Invoice")


class TopUpSale(Base):
    __tablename__ = "topup_sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("prepaid_products.id"))
    target_number: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    product = relationship("PrepaidProduct")


class ReconnectionRequest(Base):
    """A suspended line whose overdue balance a payment cleared: reconnect it."""

    __tablename__ = "reconnection_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    requested_at: Mapped[datetime]

    contract = relationship("Contract")
