"""Closings of an agency's business days, months and years: signed, append-only.

A closing freezes the figures of a period as the ledger had them when it was
closed: counts and totals, per tender, per till, the period total and the
perpetual grand totals since the agency's first day. Each agency's closings
form their own signed chain (``closings/<agency code>``): dailies in date order,
a monthly after the last daily of its month, a yearly after its last monthly.
Rows are never updated or deleted (database triggers refuse it, migration 0008).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class ClosingKind:
    DAILY = "daily"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class Closing(Base):
    __tablename__ = "closings"
    # One closing per agency, kind and period; the index also answers "the agency's
    # last closed day" (max period_start of its dailies) for every payment.
    __table_args__ = (UniqueConstraint("agency_id", "kind", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime]
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # A day without activity closed along with a later day, so the sequence has no gap.
    automatic: Mapped[bool] = mapped_column(Boolean)

    currency: Mapped[str] = mapped_column(String(3))
    payments_count: Mapped[int] = mapped_column(Integer)
    payments_minor: Mapped[int] = mapped_column(BigInteger)
    voids_count: Mapped[int] = mapped_column(Integer)
    voids_minor: Mapped[int] = mapped_column(BigInteger)  # negative: money handed back
    bills_minor: Mapped[int] = mapped_column(BigInteger)
    topups_minor: Mapped[int] = mapped_column(BigInteger)
    credit_minor: Mapped[int] = mapped_column(BigInteger)  # credit added less credit used
    period_minor: Mapped[int] = mapped_column(BigInteger)
    perpetual_minor: Mapped[int] = mapped_column(BigInteger)
    # The perpetual total with voids added in absolute value: it only ever grows.
    perpetual_absolute_minor: Mapped[int] = mapped_column(BigInteger)
    # Canonical JSON: {"tenders": {kind: minor}, "tills": [{till, workstation, ...}]}.
    breakdown: Mapped[str] = mapped_column(Text)

    seq: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(100))

    @staticmethod
    def chain_name_of(agency_code: str) -> str:
        """The signed chain of the agency's closings."""
        return f"closings/{agency_code}"
