"""The agency's business day: which day a payment belongs to, and that day's instants.

A day is the agency's local calendar date, in the agency's timezone (else the
operator's): a payment at 23:59 local time belongs to that day whatever UTC
says, Saturdays are days like any other, and a day may last 23 or 25 hours when
the clocks change (Europe/Paris). Nothing is recorded into a closed day: a
payment made after its day was closed belongs to the next day still open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from db.models import Closing, ClosingKind

ONE_DAY = timedelta(days=1)


def agency_zone(agency_timezone: str | None, operator_timezone: str) -> ZoneInfo:
    """The agency's timezone, else the operator's."""
    return ZoneInfo(agency_timezone or operator_timezone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date at the agency when ``instant`` (aware) happened."""
    return instant.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local day starts and the next one starts.

    Built from local midnights, so a day the clocks change on lasts 23 or 25 hours.
    """
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + ONE_DAY, time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def business_day(instant: datetime, zone: ZoneInfo, last_closed: date | None) -> date:
    """The business day of something recorded at ``instant``: its local date, or the
    day after the last closed day when its own day is already closed."""
    day = local_date(instant, zone)
    if last_closed is not None and day <= last_closed:
        return last_closed + ONE_DAY
    return day


def days_between(first: date, last: date) -> list[date]:
    """Every calendar day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


_CLOSINGS = cast(Table, Closing.__table__)

# "The agency's last closed day", as a scalar subquery: the payment path folds it
# into a read it already makes (app.payments.station), so it costs no statement.
# The unique index (agency_id, kind, period_start) answers it without a scan.
LAST_CLOSED_DAY = (
    select(func.max(_CLOSINGS.c.period_start))
    .where(
        _CLOSINGS.c.agency_id == bindparam("agency_id"),
        _CLOSINGS.c.kind == ClosingKind.DAILY,
    )
    .scalar_subquery()
)


def last_closed_day(session: Session, agency_id: int) -> date | None:
    """The agency's last closed business day, or None before its first closing."""
    value = session.connection().execute(select(LAST_CLOSED_DAY), {"agency_id": agency_id}).scalar()
    return as_date(value)


def as_date(value: object) -> date | None:
    """A date as a driver returns it from an aggregate (SQLite: ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
