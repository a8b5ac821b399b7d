"""The operator's service charter, versioned, and the holiday decisions of its calendars.

A charter is loaded from a file (``python main.py charter load FILE``) and never
edited: a new file makes a new version, in force from its ``effective_from``. A
complaint or an outage is judged against the version in force when it happened,
so each keeps the id of that version.
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base


class CommitmentClock:
    """What a commitment's target is counted in."""

    CALENDAR_DAYS = "calendar_days"  # every day counts, open or not
    BUSINESS_HOURS = "business_hours"  # only while the agency is open (its calendar)
    REAL_TIME = "real_time"  # minutes of wall-clock time (a hotline's answer)


class CompensationRuleKind:
    """How a breached commitment compensates the customer (the rule's figures in ``rule``)."""

    WAIVE_FIRST_MONTH = "waive_first_month"  # the first month's subscription is not billed
    DAYS_CREDIT = "days_credit"  # N days of subscription per started period beyond a threshold
    REFUND_ON_PROOF = "refund_on_proof"  # what the proof shows, up to a cap
    FIXED_AMOUNT = "fixed_amount"
    NONE = "none"  # recorded for the operator's statistics only


class Charter(Base):
    __tablename__ = "charters"
    __table_args__ = (UniqueConstraint("version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    # The charter applies to complaints and outages that start at or after this instant.
    effective_from: Mapped[datetime]
    title: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[str | None] = mapped_column(String(64))
    # The file exactly as loaded, and its SHA-256: `charter show` prints it back and
    # the journal event of the load names the hash.
    source_text: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))

    commitments: Mapped[list[CharterCommitment]] = relationship(
        back_populates="charter", order_by="CharterCommitment.position"
    )


class CharterCommitment(Base):
    __tablename__ = "charter_commitments"
    __table_args__ = (UniqueConstraint("charter_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    # JSON {"fr": {"title": ..., "text": ...}, "ar": {...}, "en": {...}}
    texts: Mapped[str] = mapped_column(Text)
    # JSON lists: the services (ServiceType values) and complaint categories it covers.
    services: Mapped[str] = mapped_column(Text)
    categories: Mapped[str] = mapped_column(Text)
    clock: Mapped[str] = mapped_column(String(16))  # CommitmentClock
    # The target in the clock's unit, as minutes (calendar days x 1440, business hours x 60).
    target_minutes: Mapped[int] = mapped_column(Integer)
    pauses_when_waiting: Mapped[bool] = mapped_column(Boolean)
    needs_proof: Mapped[bool] = mapped_column(Boolean)
    rule_kind: Mapped[str] = mapped_column(String(24))  # CompensationRuleKind
    # JSON with the rule's figures, e.g. {"days": 1, "per_hours": 24, "threshold_hours": 24,
    # "cap_days": 30} or {"cap_minor": 9900}.
    rule: Mapped[str] = mapped_column(Text)
    automatic: Mapped[bool] = mapped_column(Boolean)
    # Above this amount an automatic compensation waits for a supervisor's approval.
    approval_above_minor: Mapped[int | None] = mapped_column(BigInteger)

    charter: Mapped[Charter] = relationship(back_populates="commitments")


class HolidayDecision(Base):
    """A supervisor's word on a public holiday: confirmed on its date, or moved.

    Lunar holidays (Eid, Mawlid, Ashura, Islamic new year) are estimated by the
    ``holidays`` package; the official date is announced a day or two before. A
    decision names the estimated date and the actual one (None: not a holiday at
    all this year). Decisions are appended, never changed: the latest one counts.
    """

    __tablename__ = "holiday_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    # None: for every agency of the country; else that agency only.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    estimated_on: Mapped[date] = mapped_column(Date)
    actual_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(300))
