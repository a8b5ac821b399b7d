"""What an export covers: a period of business days, at one agency or at all of them.

A payment (or void) belongs to its business day (``payments.business_day``, or
its local date for payments made before closings existed); cash movements, till
counts and reviews to the local date at their agency when they were made;
closings whose whole period lies inside the export's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from app.closing.days import agency_zone, day_bounds, last_closed_day
from app.errors import NotFoundError, ValidationError
from app.i18n import N_
from app.workstations import operator_settings
from db.models import Agency, Payment, Workstation

# The longest span a period may have: ten years of business days.
MAX_DAYS = 3660


@dataclass(frozen=True)
class AgencyZone:
    id: int
    code: str
    zone: ZoneInfo

    def bounds(self, start: date, end: date) -> tuple[datetime, datetime]:
        """The UTC instants where the agency's day ``start`` begins and ``end`` ends."""
        return day_bounds(start, self.zone)[0], day_bounds(end, self.zone)[1]


@dataclass(frozen=True)
class ExportScope:
    start: date
    end: date
    agency: str | None  # None: every agency
    agencies: tuple[AgencyZone, ...]
    operator: dict[str, Any]  # code, name, country, currency
    # Each agency's last closed business day (ISO), None before its first closing.
    closed_through: dict[str, str | None]
    # Agencies whose ledger is empty: they have no day to close.
    idle: frozenset[str] = frozenset()

    @property
    def not_closed(self) -> dict[str, str | None]:
        """The agencies with days of the period still open, and their last closed day."""
        end = self.end.isoformat()
        return {
            code: last
            for code, last in self.closed_through.items()
            if (last is None and code not in self.idle) or (last is not None and last < end)
        }

    @cached_property
    def by_id(self) -> dict[int, AgencyZone]:
        return {agency.id: agency for agency in self.agencies}

    def business_days(
        self, agency_id: Any, business_day: Any, created_at: Any
    ) -> ColumnElement[bool]:
        """Ledger rows of the period at the scope's agencies (columns given by the caller).

        The outer instant bounds let the created_at index find them: a payment
        belongs to its local date or, when that day was already closed, the next."""
        clauses = []
        for agency in self.agencies:
            first, last = agency.bounds(self.start, self.end)
            clauses.append(
                and_(
                    agency_id == agency.id,
                    created_at >= first - timedelta(days=2),
                    created_at < last + timedelta(days=1),
                    or_(
                        and_(business_day >= self.start, business_day <= self.end),
                        and_(business_day.is_(None), created_at >= first, created_at < last),
                    ),
                )
            )
        return or_(*clauses) if clauses else false()

    def local_days(self, agency_id: Any, moment: Any) -> ColumnElement[bool]:
        """Rows made on a local date of the period at their agency."""
        clauses = []
        for agency in self.agencies:
            first, last = agency.bounds(self.start, self.end)
            clauses.append(and_(agency_id == agency.id, moment >= first, moment < last))
        return or_(*clauses) if clauses else false()


def check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError(
            N_("The period ends on {end}, before it starts on {start}."),
            field="to",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(
            N_("The period from {start} to {end} is longer than ten years: export it in parts."),
            field="to",
            start=start.isoformat(),
            end=end.isoformat(),
        )


def load_scope(session: Session, start: date, end: date, agency: str | None) -> ExportScope:
    settings = operator_settings(session)
    query = select(Agency).order_by(Agency.code)
    if agency is not None:
        query = query.where(Agency.code == agency.strip().upper())
    rows = session.scalars(query).all()
    if agency is not None and not rows:
        raise NotFoundError(N_("Unknown agency {agency}."), field="agency", agency=agency)
    return ExportScope(
        start=start,
        end=end,
        agency=rows[0].code if agency is not None else None,
        agencies=tuple(
            AgencyZone(row.id, row.code, agency_zone(row.timezone, settings.timezone))
            for row in rows
        ),
        idle=frozenset(row.code for row in rows if not _has_ledger(session, row.id)),
        closed_through={row.code: _iso(last_closed_day(session, row.id)) for row in rows},
        operator={
            "code": settings.code,
            "name": settings.name,
            "country": settings.country,
            "currency": settings.currency,
        },
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _has_ledger(session: Session, agency_id: int) -> bool:
    return (
        session.scalar(
            select(Payment.id)
            .join(Workstation, Workstation.id == Payment.workstation_id)
            .where(Workstation.agency_id == agency_id)
            .limit(1)
        )
        is not None
    )
