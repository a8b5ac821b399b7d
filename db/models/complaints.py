"""Complaints against the charter and their history.

The complaint row holds its current state and its clock; every change is also an
appended ``ComplaintEvent`` (and a journal event), and nothing is deleted.

The clock: ``used_minutes`` of the commitment's target were consumed before
``running_since``; while running, the deadline ``due_at`` is ``running_since`` plus
what is left, counted on the commitment's clock (the agency's calendar for business
hours). Waiting for the customer stops it (``running_since`` and ``due_at`` None)
when the commitment says so; a change of calendar recomputes ``due_at``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base


class ComplaintCategory:
    NO_SERVICE = "no_service"
    SLOW_SERVICE = "slow_service"
    BILLING = "billing"
    BILL_NOT_RECEIVED = "bill_not_received"
    UNJUST_CUTOFF = "unjust_cutoff"
    ACTIVATION_LATE = "activation_late"
    INSTALLATION = "installation"
    HOTLINE = "hotline"
    SWITCHING_FEES = "switching_fees"
    OTHER = "other"

    ALL = (
        NO_SERVICE,
        SLOW_SERVICE,
        BILLING,
        BILL_NOT_RECEIVED,
        UNJUST_CUTOFF,
        ACTIVATION_LATE,
        INSTALLATION,
        HOTLINE,
        SWITCHING_FEES,
        OTHER,
    )


class ComplaintChannel:
    COUNTER = "counter"
    PHONE = "phone"
    KIOSK = "kiosk"

    ALL = (COUNTER, PHONE, KIOSK)


class ComplaintStatus:
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    ALL = (OPEN, IN_PROGRESS, WAITING_CUSTOMER, RESOLVED, CLOSED)
    ACTIVE = (OPEN, IN_PROGRESS, WAITING_CUSTOMER)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_subscriber", "subscriber_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstations.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text)
    proof_reference: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(5))
    opened_at: Mapped[datetime]
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(16))

    # The commitment it is judged against (None: no commitment covers it).
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id"))
    commitment_code: Mapped[str | None] = mapped_column(String(32))
    clock: Mapped[str | None] = mapped_column(String(16))
    target_minutes: Mapped[int | None] = mapped_column(Integer)
    used_minutes: Mapped[int] = mapped_column(Integer, default=0)
    running_since: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]

    resolved_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    events: Mapped[list[ComplaintEvent]] = relationship(order_by="ComplaintEvent.id")


class ComplaintEvent(Base):
    """One step in a complaint's life: appended, never changed (triggers refuse it)."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: the system
    kind: Mapped[str] = mapped_column(String(24))  # opened, status, assigned, note, ...
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="{}")
