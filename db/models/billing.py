"""Invoices from the billing system and the prepaid products sold at the counter."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from db.models.base import Base
from db.models.enums import InvoiceStatus, ServiceType
from db.models.organisation import OperatorSettings
from db.models.subscribers import Contract, Subscriber


def outstanding_minor(status: str, total_minor: int, paid_minor: int) -> int:
    """What is left to pay on a bill; a cancelled bill asks for nothing.

    A function of plain values, so that a bill read as a plain row (the payment
    path) and an :class:`Invoice` object say the same.
    """
    if status == InvoiceStatus.CANCELLED:
        return 0
    return total_minor - paid_minor


def status_after_payment(total_minor: int, paid_minor: int) -> InvoiceStatus:
    """A bill's status once ``paid_minor`` is paid on it (by payments, voids or elsewhere)."""
    if total_minor - paid_minor <= 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTLY_PAID if paid_minor > 0 else InvoiceStatus.OPEN


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_subscriber_due", "subscriber_id", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issue_date: Mapped[date] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    late_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Paid outside this ledger (post office, online), as the billing system reported
    # it; `verify` checks paid_minor = this + the bill's allocations in the ledger.
    paid_elsewhere_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The part of paid_minor that was waived, not paid: compensation waivers and late
    # fees waived for a bill delivered late (the ledger ``compensations`` holds each).
    waived_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    status: Mapped[InvoiceStatus] = mapped_column(String(16))
    barcode: Mapped[str] = mapped_column(String(64), unique=True)

    contract: Mapped[Contract] = relationship()
    subscriber: Mapped[Subscriber] = relationship()

    @property
    def total_minor(self) -> int:
        return self.amount_minor + self.late_fee_minor

    @property
    def outstanding_minor(self) -> int:
        return outstanding_minor(self.status, self.total_minor, self.paid_minor)

    def is_overdue(self, today: date) -> bool:
        return self.outstanding_minor > 0 and self.due_date < today

    @property
    def delivered_late(self) -> bool:
        """The bill reached the subscriber fewer than N days before it was due.

        N is the operator's ``late_delivery_days`` (None: 10), read once per session;
        app.billing.late_delivery holds the rule and what follows from it.
        """
        if self.delivery_date is None:
            return False
        days = 10
        session = object_session(self)
        if session is not None:
            if "late_delivery_days" not in session.info:
                with session.no_autoflush:
                    session.info["late_delivery_days"] = session.scalar(
                        select(OperatorSettings.late_delivery_days).limit(1)
                    )
            if session.info["late_delivery_days"] is not None:
                days = session.info["late_delivery_days"]
        return (self.due_date - self.delivery_date).days < days


class PrepaidProduct(Base):
    __tablename__ = "prepaid_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    service: Mapped[ServiceType] = mapped_column(String(16))
    face_value_minor: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
