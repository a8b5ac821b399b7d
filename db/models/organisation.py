"""The operator, its agencies, their calendars and workstations."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.enums import WorkstationKind
from db.types import utcnow


class OperatorSettings(Base):
    """One row: who runs these counters, in which country and currency."""

    __tablename__ = "operator_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    default_language: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    hotline: Mapped[str | None] = mapped_column(String(40))
    receipt_footer: Mapped[str | None] = mapped_column(Text)
    # PNG printed at the top of receipts; black on white reads best on thermal paper.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    # JSON list of {login, password, role, full_name}; set by the demo builder only.
    demo_logins: Mapped[str | None] = mapped_column(Text)
    # A till difference above this (minor units, either way) needs the supervisor's
    # reason; None: the currency's default (resources/denominations.json).
    count_difference_threshold_minor: Mapped[int | None] = mapped_column(BigInteger)
    # A bill delivered fewer than this many days before its due date was delivered
    # late: its late fee is not due until delivery + this many days. None: 10.
    late_delivery_days: Mapped[int | None] = mapped_column(Integer)
    # Days past the due date before a line is proposed for suspension. None: 15.
    cutoff_grace_days: Mapped[int | None] = mapped_column(Integer)
    # When the billing system took the extract its cut-off decisions rest on: payments
    # at the counter since then exclude a line from the cut-off list.
    billing_extract_at: Mapped[datetime | None]


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="agency", order_by="(OpeningHours.weekday, OpeningHours.opens_at)"
    )
    exceptions: Mapped[list[AgencyDayException]] = relationship(
        back_populates="agency", order_by="AgencyDayException.day"
    )
    workstations: Mapped[list[Workstation]] = relationship(back_populates="agency")


class OpeningHours(Base):
    """One opening interval on a weekday (0 = Monday ... 5 = Saturday, 6 = Sunday).

    A day may have two intervals (morning and afternoon).
    """

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)

    agency: Mapped[Agency] = relationship(back_populates="opening_hours")


class AgencyDayException(Base):
    """An exceptional closure (strike, works) or opening (a Saturday before a deadline)."""

    __tablename__ = "agency_day_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean)
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str | None] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="exceptions")


class ReceiptSeries(Base):
    """A gapless numbering of receipts; each workstation prints from its own series."""

    __tablename__ = "receipt_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)

    @property
    def chain_name(self) -> str:
        return self.chain_name_of(self.code)

    @staticmethod
    def chain_name_of(code: str) -> str:
        """The signed chain of the series ``code``."""
        return f"receipts/{code}"


class Workstation(Base):
    __tablename__ = "workstations"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[WorkstationKind] = mapped_column(String(16))
    series_id: Mapped[int] = mapped_column(ForeignKey("receipt_series.id"), unique=True)
    # The receipt printer: a URI (tcp://, usb://, serial://, file://, cups://), the
    # python-escpos capability profile and the paper width; None: no printer yet.
    printer_uri: Mapped[str | None] = mapped_column(String(300))
    printer_profile: Mapped[str | None] = mapped_column(String(64))
    paper_width_mm: Mapped[int | None] = mapped_column(Integer)

    agency: Mapped[Agency] = relationship(back_populates="workstations")
    series: Mapped[ReceiptSeries] = relationship()


class SigningKey(Base):
    """Public half of a signing key; the private half never enters the database."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
