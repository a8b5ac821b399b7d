"""An agency's calendar from the database, public holidays from the ``holidays`` package.

Public holidays are not copied into the database: they come live from the
``holidays`` package for the operator's country (DZ, TN, FR, lunar ones included
and flagged as estimated), and the supervisors' ``HolidayDecision`` rows confirm,
move or cancel them; the latest decision that applies to the agency counts (one
for the agency itself or one for every agency of the country). ``AgencyDayException``
rows are only the exceptional openings and closures.

A calendar is kept in ``session.info`` for the session's lifetime; the services
that change a calendar forget it (``forget_calendars``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_package
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.charter.calendar import AgencyCalendar, DayException, Holiday, Hours
from app.context import AppContext
from app.errors import NotFoundError
from app.i18n import N_
from db.models import Role
from db.models.charter import HolidayDecision
from db.models.organisation import Agency, AgencyDayException, OpeningHours, OperatorSettings

_CACHE_KEY = "guichet.agency_calendars"
_ESTIMATED = re.compile(r"\s*\(estimated\)\s*$")


@dataclass(frozen=True)
class PackageHoliday:
    """One day of a public holiday as the ``holidays`` package gives it."""

    name: str  # English, without "(estimated)": the key decisions name
    day: date
    estimated: bool


@lru_cache(maxsize=256)
def package_holidays(country: str, year: int) -> tuple[PackageHoliday, ...]:
    """The public holidays of ``country`` in ``year``, one per (day, name), by date."""
    try:
        found = holidays_package.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        return ()
    result: list[PackageHoliday] = []
    for day in sorted(found):
        for raw in found.get_list(day):
            name = _ESTIMATED.sub("", raw)
            result.append(PackageHoliday(name, day, name != raw))
    return tuple(result)


# The holidays package names Tunisian holidays in Arabic or English only; the
# counters there work in French too.
_FRENCH_NAMES = {
    "TN": {
        "New Year's Day": "Jour de l'An",
        "Revolution and Youth Day": "Fête de la Révolution et de la Jeunesse",
        "Independence Day": "Fête de l'Indépendance",
        "Martyrs' Day": "Journée des Martyrs",
        "Labor Day": "Fête du Travail",
        "Republic Day": "Fête de la République",
        "Women's Day": "Fête de la Femme",
        "Evacuation Day": "Fête de l'Évacuation",
        "Eid al-Fitr": "Aïd el-Fitr",
        "Eid al-Fitr Holiday": "Aïd el-Fitr",
        "Day of Arafah": "Jour d'Arafat",
        "Eid al-Adha": "Aïd el-Adha",
        "Eid al-Adha Holiday": "Aïd el-Adha",
        "Islamic New Year": "Ras el-Am el-Hijri",
        "Prophet's Birthday": "Mouled",
    }
}


@lru_cache(maxsize=256)
def _localized(country: str, year: int, language: str) -> dict[tuple[date, str], str]:
    try:
        probe = holidays_package.country_holidays(country, years=year)
        supported = set(probe.supported_languages)
        wanted = {"fr": "fr", "ar": "ar", "en": "en_US"}.get(language, "en_US")
        if wanted not in supported:
            wanted = "en_US" if language != "ar" else (probe.default_language or "en_US")
        try:  # the screen marks estimated dates itself
            local = holidays_package.country_holidays(
                country, years=year, language=wanted, islamic_show_estimated=False
            )
        except ValueError:  # a country without lunar holidays has no such option
            local = holidays_package.country_holidays(country, years=year, language=wanted)
        english = holidays_package.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        return {}
    names: dict[tuple[date, str], str] = {}
    for day in english:
        keys = english.get_list(day)
        shown = local.get_list(day)
        for key, text in zip(keys, shown, strict=False):
            names[(day, _ESTIMATED.sub("", key))] = text
    return names


def holiday_display_name(country: str, holiday: Holiday, language: str) -> str:
    """The holiday's name in ``language`` (fr, ar, en) as the package words it."""
    french = _FRENCH_NAMES.get(country) if language == "fr" else None
    if french is not None and holiday.name in french:
        return french[holiday.name]
    names = _localized(country, holiday.estimated_on.year, language)
    return names.get((holiday.estimated_on, holiday.name), holiday.name)


@dataclass(frozen=True)
class Decision:
    """What the calendar needs of a ``HolidayDecision`` row."""

    name: str
    estimated_on: date
    actual_on: date | None
    agency_id: int | None


def apply_decisions(
    package: Iterable[PackageHoliday], decisions: Sequence[Decision]
) -> list[Holiday]:
    """The holidays after the decisions, which are in the order they were taken."""
    latest: dict[tuple[str, date], Decision] = {}
    for taken in decisions:
        latest[(taken.name, taken.estimated_on)] = taken
    result: list[Holiday] = []
    for item in package:
        decision = latest.get((item.name, item.day))
        if decision is None:
            result.append(Holiday(item.name, item.day, item.day, estimated=item.estimated))
        else:
            result.append(
                Holiday(
                    item.name,
                    item.day,
                    decision.actual_on,
                    estimated=False,
                    decided=True,
                    decided_for_agency=decision.agency_id,
                )
            )
    return result


def holiday_source(country: str, decisions: Sequence[Decision]) -> Callable[[int], list[Holiday]]:
    """The holidays kept in a year: the package's of that year and its neighbours
    (a holiday moved across New Year), after the decisions."""

    def holidays_of(year: int) -> list[Holiday]:
        package = [h for y in (year - 1, year, year + 1) for h in package_holidays(country, y)]
        kept = apply_decisions(package, decisions)
        return [h for h in kept if h.day is not None and h.day.year == year]

    return holidays_of


def public_holidays(session: Session, agency_id: int, first: date, last: date) -> list[Holiday]:
    """The agency's public holidays estimated from ``first`` to ``last``, cancelled
    ones included, each after its latest decision (for the supervisor's screen)."""
    country = operator_country(session)
    decisions = _decisions(session, country, agency_id)
    package = [
        h
        for year in range(first.year, last.year + 1)
        for h in package_holidays(country, year)
        if first <= h.day <= last
    ]
    return apply_decisions(package, decisions)


def operator_country(session: Session) -> str:
    country = session.scalar(select(OperatorSettings.country).limit(1))
    return (country or "FR").upper()


def _decisions(session: Session, country: str, agency_id: int) -> list[Decision]:
    rows = session.execute(
        select(
            HolidayDecision.name,
            HolidayDecision.estimated_on,
            HolidayDecision.actual_on,
            HolidayDecision.agency_id,
        )
        .where(
            HolidayDecision.country == country,
            or_(HolidayDecision.agency_id.is_(None), HolidayDecision.agency_id == agency_id),
        )
        .order_by(HolidayDecision.decided_at, HolidayDecision.id)
    ).all()
    return [Decision(r.name, r.estimated_on, r.actual_on, r.agency_id) for r in rows]


def load_agency_calendar(session: Session, agency_id: int) -> AgencyCalendar:
    """Read the agency's calendar from the database (no cache)."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(N_("There is no agency #{agency}."), field="agency", agency=agency_id)
    weekly: dict[int, list[Hours]] = {}
    for weekday, opens, closes in session.execute(
        select(OpeningHours.weekday, OpeningHours.opens_at, OpeningHours.closes_at).where(
            OpeningHours.agency_id == agency_id
        )
    ):
        weekly.setdefault(weekday, []).append((opens, closes))
    by_day: dict[tuple[date, bool, str | None], list[Hours]] = {}
    for row in session.execute(
        select(
            AgencyDayException.day,
            AgencyDayException.is_open,
            AgencyDayException.opens_at,
            AgencyDayException.closes_at,
            AgencyDayException.reason,
        )
        .where(AgencyDayException.agency_id == agency_id)
        .order_by(AgencyDayException.day, AgencyDayException.id)
    ):
        hours = by_day.setdefault((row.day, row.is_open, row.reason), [])
        if row.opens_at is not None and row.closes_at is not None:
            hours.append((row.opens_at, row.closes_at))
    exceptions = [
        DayException(day, is_open, tuple(hours), reason)
        for (day, is_open, reason), hours in by_day.items()
    ]
    country = operator_country(session)
    return AgencyCalendar(
        timezone=agency.timezone,
        weekly=weekly,
        exceptions=exceptions,
        holidays=holiday_source(country, _decisions(session, country, agency_id)),
    )


def agency_calendar(session: Session, agency_id: int) -> AgencyCalendar:
    """The agency's calendar, read once per session (see ``forget_calendars``).

    Holidays are taken from the package year by year as the calendar needs them,
    so there is no range of years to choose.
    """
    cache: dict[int, AgencyCalendar] = session.info.setdefault(_CACHE_KEY, {})
    calendar = cache.get(agency_id)
    if calendar is None:
        calendar = cache[agency_id] = load_agency_calendar(session, agency_id)
    return calendar


def calendar_lookup(session: Session) -> Callable[[int], AgencyCalendar]:
    """A function from an agency id to its calendar (what the SLA clocks ask)."""
    return lambda agency_id: agency_calendar(session, agency_id)


def forget_calendars(session: Session) -> None:
    """Drop the calendars kept in this session (after a change of calendar)."""
    session.info.pop(_CACHE_KEY, None)


# -- what the supervisor's screen shows -------------------------------------------------


@dataclass(frozen=True)
class HolidayView:
    """A coming public holiday as the supervisor decides on it."""

    name: str  # the key (English, as the package names it)
    label: str  # in the language asked for
    estimated_on: date
    day: date | None  # kept on; None: not a holiday this time
    estimated: bool  # the package's estimate, not confirmed yet
    decided: bool
    for_this_agency_only: bool

    @property
    def moved(self) -> bool:
        return self.day is not None and self.day != self.estimated_on


@dataclass(frozen=True)
class ExceptionView:
    day: date
    is_open: bool
    hours: tuple[Hours, ...]
    reason: str | None


@dataclass(frozen=True)
class CalendarOverview:
    agency_id: int
    agency_code: str
    agency_name: str
    timezone: str
    country: str
    today: date  # the agency's local date
    weekly: dict[int, tuple[Hours, ...]]  # 0 = Monday ... 6 = Sunday
    holidays: tuple[HolidayView, ...]
    exceptions: tuple[ExceptionView, ...]  # from today on


def calendar_overview(
    ctx: AppContext, actor: Actor, agency: int | str, language: str, *, days_ahead: int = 400
) -> CalendarOverview:
    """The agency's weekly hours, its coming public holidays and exceptional days;
    ``agency`` is its id or its code (as the workstation knows it).

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with ctx.db.read() as session:
        found = (
            session.scalars(select(Agency).where(Agency.code == agency)).first()
            if isinstance(agency, str)
            else session.get(Agency, agency)
        )
        if found is None:
            raise NotFoundError(N_("There is no agency #{agency}."), field="agency", agency=agency)
        agency_id = found.id
        today = ctx.now().astimezone(ZoneInfo(found.timezone)).date()
        calendar = load_agency_calendar(session, agency_id)
        country = operator_country(session)
        last = today + timedelta(days=days_ahead)
        held = public_holidays(session, agency_id, today - timedelta(days=MOVE_WINDOW), last)
        views = tuple(
            HolidayView(
                h.name,
                holiday_display_name(country, h, language),
                h.estimated_on,
                h.day,
                h.estimated,
                h.decided,
                h.decided_for_agency is not None,
            )
            for h in held
            if max(h.estimated_on, h.day or h.estimated_on) >= today
        )
        exceptions = tuple(
            ExceptionView(e.day, e.is_open, e.hours, e.reason)
            for day in sorted(d for d in _exception_days(calendar) if d >= today)
            for e in calendar.exceptions_on(day)
        )
        return CalendarOverview(
            agency_id=found.id,
            agency_code=found.code,
            agency_name=found.name,
            timezone=found.timezone,
            country=country,
            today=today,
            weekly={d: calendar.weekly_hours(d) for d in range(7)},
            holidays=views,
            exceptions=exceptions,
        )


# A holiday estimated this many days ago may still be ahead once moved.
MOVE_WINDOW = 31


def _exception_days(calendar: AgencyCalendar) -> list[date]:
    return sorted({e.day for e in calendar.exceptions})
