"""Changes to agency calendars: holiday decisions, exceptional days, weekly hours.

Each change is one transaction: its rows, a journal event naming what changed, and
the running business-hours complaint deadlines of the agencies it touches counted
again on the new calendar (``app.complaints.clock.recompute_open_deadlines``), so a
deadline never keeps running on hours the agency no longer opens.

Holiday decisions are appended, never changed (the latest counts); a lunar feast of
several days is moved as a whole when asked. A calendar changes from today on: a
day that has passed keeps the calendar its deadlines were counted on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.charter.calendar import Hours
from app.charter.calendar_store import (
    PackageHoliday,
    calendar_lookup,
    forget_calendars,
    operator_country,
    package_holidays,
)
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, ValidationError
from app.i18n import N_
from app.journal import EventKind, record_action
from app.transactions import write_transaction
from db.models import Agency, AgencyDayException, HolidayDecision, OpeningHours, Role

REASON_MAX = 200  # agency_day_exceptions.reason
NOTE_MAX = 300  # holiday_decisions.note
# How far an announced date may be from the estimated one (a lunar holiday moves by a
# day or two; a month is room enough and catches a wrong year).
MOVE_MAX_DAYS = 30
# The days after the first one of a feast that may belong to it (Eid al-Adha: 4 days).
FEAST_MAX_DAYS = 4
MAX_INTERVALS = 3  # per day: morning, afternoon, an evening at most

_HOURS = re.compile(r"^\s*(\d{1,2})[:h.](\d{2})\s*[-–—]\s*(\d{1,2})[:h.](\d{2})\s*$")


@dataclass(frozen=True)
class CalendarChange:
    """What a change did: the journal event and how many running deadlines moved."""

    event_id: int
    deadlines_moved: int


# -- input ----------------------------------------------------------------------------


def parse_hours(text: str, *, field: str = "hours") -> tuple[Hours, ...]:
    """Opening hours typed as "08:00-12:00, 13:00-16:30" (empty: closed).

    Raises ValidationError naming ``field`` on anything else.
    """
    hours: list[Hours] = []
    for part in re.split(r"[,;/]", text):
        if not part.strip():
            continue
        match = _HOURS.match(part)
        if match is None:
            raise ValidationError(
                N_('Write the hours as 08:00-12:00, 13:00-16:30 (not "{text}").'),
                field=field,
                text=part.strip(),
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValidationError(
                N_('"{text}" is not a time of day.'), field=field, text=part.strip()
            )
        hours.append((time(h1, m1), time(0) if h2 == 24 else time(h2, m2)))
    return check_hours(hours, field=field)


_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_day(text: str, today: date, *, field: str = "day") -> date:
    """A date typed at the counter: 2026-12-04, 4/12/2026, 04.12.26 or 4/12 (the next
    such day from ``today``), Arabic-Indic digits too. ValidationError naming ``field``."""
    value = text.translate(_EASTERN_DIGITS)
    try:
        iso = _ISO.match(value)
        if iso is not None:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        match = _DAY_FIRST.match(value)
        if match is not None:
            day, month = int(match[1]), int(match[2])
            if match[3] is None:
                found = date(today.year, month, day)
                return found if found >= today else date(today.year + 1, month, day)
            year = int(match[3])
            return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        pass
    raise ValidationError(
        N_('Write the date as 04/12/2026 (not "{text}").'), field=field, text=text.strip()
    )


def check_hours(hours: Iterable[Hours], *, field: str = "hours") -> tuple[Hours, ...]:
    """The intervals in order, or ValidationError naming ``field``."""
    ordered = sorted(hours)
    if len(ordered) > MAX_INTERVALS:
        raise ValidationError(
            N_("A day has at most {count} opening intervals."), field=field, count=MAX_INTERVALS
        )
    previous_end: time | None = None
    for opens, closes in ordered:
        if closes != time(0) and closes <= opens:
            raise ValidationError(
                N_("The closing time {closes} is not after the opening time {opens}."),
                field=field,
                opens=opens.strftime("%H:%M"),
                closes=closes.strftime("%H:%M"),
            )
        if previous_end is not None and (previous_end == time(0) or opens < previous_end):
            raise ValidationError(
                N_("The opening intervals overlap at {time}."),
                field=field,
                time=opens.strftime("%H:%M"),
            )
        previous_end = closes
    return tuple(ordered)


def _reason(text: str | None, *, required: bool, field: str, limit: int) -> str | None:
    value = (text or "").strip() or None
    if value is None and required:
        raise ValidationError(N_("Give the reason."), field=field)
    if value is not None and len(value) > limit:
        raise ValidationError(
            N_("The reason has at most {count} characters."), field=field, count=limit
        )
    return value


# -- shared ---------------------------------------------------------------------------


def _agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(N_("There is no agency #{agency}."), field="agency", agency=agency_id)
    return agency


def _local_today(ctx: AppContext, agency: Agency) -> date:
    from zoneinfo import ZoneInfo

    return ctx.now().astimezone(ZoneInfo(agency.timezone)).date()


def _not_past(ctx: AppContext, agency: Agency, day: date, *, field: str) -> None:
    if day < _local_today(ctx, agency):
        raise ValidationError(
            N_("{day} has passed: a calendar changes from today on."),
            field=field,
            day=day.isoformat(),
        )


def _recompute(session: Session, ctx: AppContext, agency_ids: Iterable[int]) -> int:
    """Count the running business-hours deadlines of these agencies again."""
    session.flush()
    forget_calendars(session)
    try:
        from app.complaints.clock import recompute_open_deadlines
    except ImportError:  # pragma: no cover - the complaints package is not there yet
        return 0
    return recompute_open_deadlines(
        session, calendar_lookup(session), sorted(set(agency_ids)), ctx.now(), signer=ctx.signer
    )


def _journal(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    kind: str,
    subject: str,
    details: dict[str, Any],
    agency_ids: Iterable[int],
) -> CalendarChange:
    moved = _recompute(session, ctx, agency_ids)
    event = record_action(
        session, ctx, kind, actor, subject=subject, details={**details, "deadlines_moved": moved}
    )
    return CalendarChange(event.id, moved)


def _hours_text(hours: Sequence[Hours]) -> list[str]:
    return [
        f"{a.strftime('%H:%M')}-{'24:00' if b == time(0) else b.strftime('%H:%M')}"
        for a, b in hours
    ]


# -- holidays -------------------------------------------------------------------------


def _package_holiday(country: str, name: str, estimated_on: date) -> PackageHoliday:
    for holiday in package_holidays(country, estimated_on.year):
        if holiday.name == name and holiday.day == estimated_on:
            return holiday
    raise ValidationError(
        N_("{name} is not a public holiday on {day}."),
        field="holiday",
        name=name,
        day=estimated_on.isoformat(),
    )


def _feast_base(name: str) -> str:
    return name.removesuffix(" Holiday")


def feast_days(country: str, name: str, estimated_on: date) -> list[PackageHoliday]:
    """The holiday and the days that follow it as one feast (Eid's second and third day)."""
    first = _package_holiday(country, name, estimated_on)
    days = [first]
    following = {
        (h.day, _feast_base(h.name)): h
        for year in {estimated_on.year, (estimated_on + timedelta(FEAST_MAX_DAYS)).year}
        for h in package_holidays(country, year)
    }
    for step in range(1, FEAST_MAX_DAYS + 1):
        nxt = following.get((estimated_on + timedelta(days=step), _feast_base(name)))
        if nxt is None:
            break
        days.append(nxt)
    return days


def confirm_holiday(
    ctx: AppContext,
    actor: Actor,
    name: str,
    estimated_on: date,
    *,
    agency_id: int | None = None,
    whole_feast: bool = False,
    note: str | None = None,
) -> CalendarChange:
    """Confirm a public holiday on its estimated date (for one agency, or for all; with
    ``whole_feast``, the feast's following days too).

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    return decide_holiday(
        ctx,
        actor,
        name,
        estimated_on,
        estimated_on,
        agency_id=agency_id,
        whole_feast=whole_feast,
        note=note,
    )


def decide_holiday(
    ctx: AppContext,
    actor: Actor,
    name: str,
    estimated_on: date,
    actual_on: date | None,
    *,
    agency_id: int | None = None,
    whole_feast: bool = False,
    note: str | None = None,
) -> CalendarChange:
    """Keep the public holiday ``name`` estimated on ``estimated_on`` on ``actual_on``
    (the same day: confirmed; another: moved; None: not a holiday this time).

    With ``whole_feast``, the feast's following days move by as many days (or are
    cancelled too). ``agency_id`` None decides for every agency of the country.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    why = _reason(note, required=False, field="note", limit=NOTE_MAX)

    def work(session: Session) -> CalendarChange:
        country = operator_country(session)
        agency = _agency(session, agency_id) if agency_id is not None else None
        days = (
            feast_days(country, name, estimated_on)
            if whole_feast
            else [_package_holiday(country, name, estimated_on)]
        )
        shift = None if actual_on is None else actual_on - estimated_on
        if shift is not None and abs(shift.days) > MOVE_MAX_DAYS:
            raise ValidationError(
                N_("The new date must be within {count} days of the estimated one."),
                field="actual_on",
                count=MOVE_MAX_DAYS,
            )
        agencies = (
            [agency]
            if agency is not None
            else list(session.scalars(select(Agency).order_by(Agency.id)))
        )
        if agencies:
            earliest = min([estimated_on, *([actual_on] if actual_on else [])])
            _not_past(ctx, agencies[0], earliest, field="actual_on" if actual_on else "holiday")
        decided: list[dict[str, str | None]] = []
        for holiday in days:
            new_day = None if shift is None else holiday.day + shift
            session.add(
                HolidayDecision(
                    country=country,
                    agency_id=agency_id,
                    name=holiday.name,
                    estimated_on=holiday.day,
                    actual_on=new_day,
                    decided_by_id=actor.staff_id,
                    decided_at=ctx.now(),
                    note=why,
                )
            )
            decided.append(
                {
                    "name": holiday.name,
                    "estimated_on": holiday.day.isoformat(),
                    "actual_on": new_day.isoformat() if new_day else None,
                }
            )
        return _journal(
            session,
            ctx,
            actor,
            EventKind.CALENDAR_HOLIDAY_DECIDED,
            agency.code if agency is not None else country,
            {
                "country": country,
                "agency": agency.code if agency is not None else None,
                "holidays": decided,
                "note": why,
            },
            [a.id for a in agencies],
        )

    return write_transaction(ctx.db, work)


# -- exceptional days ----------------------------------------------------------------


def add_day_exception(
    ctx: AppContext,
    actor: Actor,
    agency_id: int,
    day: date,
    *,
    is_open: bool,
    hours: Sequence[Hours] = (),
    reason: str,
) -> CalendarChange:
    """An exceptional opening (on ``hours``) or closure (the whole day, or only ``hours``)
    of the agency on ``day``, with its reason.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    why = _reason(reason, required=True, field="reason", limit=REASON_MAX)
    intervals = check_hours(hours)
    if is_open and not intervals:
        raise ValidationError(N_("Give the opening hours."), field="hours")

    def work(session: Session) -> CalendarChange:
        agency = _agency(session, agency_id)
        _not_past(ctx, agency, day, field="day")
        existing = session.scalar(
            select(AgencyDayException.id).where(
                AgencyDayException.agency_id == agency_id, AgencyDayException.day == day
            )
        )
        if existing is not None:
            raise ConflictError(
                N_("{day} is already an exceptional day: remove it first."),
                field="day",
                day=day.isoformat(),
            )
        rows: list[tuple[time | None, time | None]] = list(intervals) or [(None, None)]
        for opens, closes in rows:
            session.add(
                AgencyDayException(
                    agency_id=agency_id,
                    day=day,
                    is_open=is_open,
                    opens_at=opens,
                    closes_at=closes,
                    reason=why,
                )
            )
        return _journal(
            session,
            ctx,
            actor,
            EventKind.CALENDAR_EXCEPTION_ADDED,
            agency.code,
            {
                "agency": agency.code,
                "day": day.isoformat(),
                "open": is_open,
                "hours": _hours_text(intervals),
                "reason": why,
            },
            [agency_id],
        )

    return write_transaction(ctx.db, work)


def remove_day_exception(
    ctx: AppContext, actor: Actor, agency_id: int, day: date
) -> CalendarChange:
    """Take back the exceptional opening or closure of the agency on ``day``.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)

    def work(session: Session) -> CalendarChange:
        agency = _agency(session, agency_id)
        _not_past(ctx, agency, day, field="day")
        rows = list(
            session.scalars(
                select(AgencyDayException)
                .where(AgencyDayException.agency_id == agency_id, AgencyDayException.day == day)
                .order_by(AgencyDayException.id)
            )
        )
        if not rows:
            raise NotFoundError(
                N_("{day} is not an exceptional day."), field="day", day=day.isoformat()
            )
        details = {
            "agency": agency.code,
            "day": day.isoformat(),
            "open": rows[0].is_open,
            "hours": _hours_text(
                [(r.opens_at, r.closes_at) for r in rows if r.opens_at and r.closes_at]
            ),
            "reason": rows[0].reason,
        }
        for row in rows:
            session.delete(row)
        return _journal(
            session,
            ctx,
            actor,
            EventKind.CALENDAR_EXCEPTION_REMOVED,
            agency.code,
            details,
            [agency_id],
        )

    return write_transaction(ctx.db, work)


# -- weekly hours ---------------------------------------------------------------------


def set_weekly_hours(
    ctx: AppContext, actor: Actor, agency_id: int, hours: Mapping[int, Sequence[Hours]]
) -> CalendarChange:
    """Replace the agency's weekly hours (0 = Monday ... 6 = Sunday; a missing or empty
    day is closed).

    Lowest role: admin.
    """
    require_role(actor, Role.ADMIN)
    week: dict[int, tuple[Hours, ...]] = {}
    for weekday, intervals in hours.items():
        if not 0 <= weekday <= 6:
            raise ValidationError(
                N_("{weekday} is not a day of the week."), field="weekday", weekday=weekday
            )
        week[weekday] = check_hours(intervals, field=f"hours.{weekday}")
    if not any(week.values()):
        raise ValidationError(N_("The agency must open on at least one day."), field="hours")

    def work(session: Session) -> CalendarChange:
        agency = _agency(session, agency_id)
        rows = list(
            session.scalars(select(OpeningHours).where(OpeningHours.agency_id == agency_id))
        )
        before: dict[int, list[Hours]] = {}
        for row in rows:
            before.setdefault(row.weekday, []).append((row.opens_at, row.closes_at))
        for row in rows:
            session.delete(row)
        session.flush()
        for weekday in sorted(week):
            for opens, closes in week[weekday]:
                session.add(
                    OpeningHours(
                        agency_id=agency_id, weekday=weekday, opens_at=opens, closes_at=closes
                    )
                )
        return _journal(
            session,
            ctx,
            actor,
            EventKind.CALENDAR_HOURS_CHANGED,
            agency.code,
            {
                "agency": agency.code,
                "before": {str(d): _hours_text(sorted(h)) for d, h in sorted(before.items())},
                "after": {str(d): _hours_text(h) for d, h in sorted(week.items()) if h},
            },
            [agency_id],
        )

    return write_transaction(ctx.db, work)
