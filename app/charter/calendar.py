"""An agency's calendar: is it open at an instant, and when have N business minutes passed.

Opening hours are local wall-clock times in the agency's IANA timezone: an agency
that opens at 08:00 opens at 08:00 on the day Europe/Paris springs forward too, so
that day's 23 hours and the fall-back day's 25 hours never shift the counter's hours.
Every instant given to or returned by the calendar is timezone-aware; results are UTC.

What decides a day, strongest first:
1. an exception for the agency on that day (an exceptional opening opens even a
   holiday; an exceptional closure closes the whole day, or only its hours);
2. a public holiday (after the supervisors' decisions): closed;
3. the weekly hours of that weekday (0 = Monday ... 6 = Sunday); a lunch break is
   the gap between two intervals.

The calendar walks days, not minutes, and keeps each day's intervals once computed,
so thousands of deadlines cost thousands of short walks. It is pure: no database,
no clock; ``app.charter.calendar_store`` builds one from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

# A day without any opening for this long means the calendar never opens again:
# a deadline on it has no answer (rather than an endless walk).
MAX_CLOSED_DAYS = 3 * 366

_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)


class Interval(NamedTuple):
    """An opening interval as UTC instants: open from ``start`` (included) to ``end``."""

    start: datetime
    end: datetime


# Local hours of one interval: opens at the first time, closes at the second. A
# closing time of 00:00 means midnight at the end of the day.
Hours = tuple[time, time]


@dataclass(frozen=True)
class Holiday:
    """A public holiday as it stands after the supervisors' decisions.

    ``name`` is the package's English name without its "(estimated)" mark: with
    ``estimated_on`` it identifies the holiday in decisions. ``day`` is the date it
    is kept on (None: a decision says it is not a holiday this time). ``estimated``
    says the package only estimates the date (lunar holidays) and nobody has
    confirmed it yet.
    """

    name: str
    estimated_on: date
    day: date | None
    estimated: bool = False
    decided: bool = False
    # The agency the decision was for (None: every agency of the country, or no decision).
    decided_for_agency: int | None = None

    @property
    def moved(self) -> bool:
        return self.day is not None and self.day != self.estimated_on

    @property
    def cancelled(self) -> bool:
        return self.day is None


@dataclass(frozen=True)
class DayException:
    """An exceptional opening or closure of one day.

    An opening with ``hours`` opens the day on those hours only; without hours, on the
    weekday's usual hours. A closure without hours closes the whole day; with hours,
    only those hours (a strike in the morning).
    """

    day: date
    is_open: bool
    hours: tuple[Hours, ...] = ()
    reason: str | None = None


HolidaySource = Iterable[Holiday] | Callable[[int], Iterable[Holiday]]


def _check_hours(hours: Iterable[Hours]) -> tuple[Hours, ...]:
    result = sorted(hours)
    for opens, closes in result:
        if closes != _MIDNIGHT and closes <= opens:
            raise ValueError(f"closing time {closes} is not after opening time {opens}")
    for (_, closes), (next_opens, _) in pairwise(result):
        if closes == _MIDNIGHT or next_opens < closes:
            raise ValueError(f"opening intervals overlap at {next_opens}")
    return tuple(result)


def _subtract(hours: Sequence[Hours], closed: Sequence[Hours]) -> tuple[Hours, ...]:
    """``hours`` without the ``closed`` ones (local times, same day)."""

    def minutes(t: time, end: bool) -> int:
        return 24 * 60 if end and t == _MIDNIGHT else t.hour * 60 + t.minute

    def as_time(m: int) -> time:
        return _MIDNIGHT if m >= 24 * 60 else time(m // 60, m % 60)

    spans = [(minutes(a, False), minutes(b, True)) for a, b in hours]
    for ca, cb in closed:
        c0, c1 = minutes(ca, False), minutes(cb, True)
        kept: list[tuple[int, int]] = []
        for s0, s1 in spans:
            if c1 <= s0 or c0 >= s1:
                kept.append((s0, s1))
                continue
            if s0 < c0:
                kept.append((s0, c0))
            if c1 < s1:
                kept.append((c1, s1))
        spans = kept
    return tuple((as_time(a), as_time(b)) for a, b in spans if b > a)


@dataclass(frozen=True, eq=False)
class AgencyCalendar:
    """One agency's opening time: weekly hours, exceptions and public holidays.

    ``holidays`` is either the holidays themselves or a function giving those kept
    on days of a year (it is asked once per year the calendar needs).
    """

    timezone: str
    weekly: Mapping[int, Sequence[Hours]]
    exceptions: Iterable[DayException] = ()
    holidays: HolidaySource = ()
    _zone: ZoneInfo = field(init=False, repr=False)
    _weekly: dict[int, tuple[Hours, ...]] = field(init=False, repr=False)
    _exceptions: dict[date, tuple[DayException, ...]] = field(init=False, repr=False)
    _holiday_source: Callable[[int], Iterable[Holiday]] = field(init=False, repr=False)
    _holidays_by_year: dict[int, dict[date, Holiday]] = field(init=False, repr=False)
    _days: dict[date, tuple[Interval, ...]] = field(init=False, repr=False)
    _last_exception_opening: date | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "_zone", ZoneInfo(self.timezone))
        weekly: dict[int, tuple[Hours, ...]] = {}
        for weekday, hours in self.weekly.items():
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
            weekly[weekday] = _check_hours(hours)
        put(self, "_weekly", weekly)
        by_day: dict[date, list[DayException]] = {}
        for exception in self.exceptions:
            _check_hours(exception.hours)
            by_day.setdefault(exception.day, []).append(exception)
        put(self, "_exceptions", {day: tuple(items) for day, items in by_day.items()})
        openings = [day for day, items in by_day.items() if any(e.is_open for e in items)]
        put(self, "_last_exception_opening", max(openings) if openings else None)
        if callable(self.holidays):
            put(self, "_holiday_source", self.holidays)
        else:
            fixed = tuple(self.holidays)

            def from_list(year: int) -> Iterable[Holiday]:
                return [h for h in fixed if h.day is not None and h.day.year == year]

            put(self, "_holiday_source", from_list)
        put(self, "_holidays_by_year", {})
        put(self, "_days", {})

    # -- days -------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def local_date(self, t: datetime) -> date:
        """The agency's calendar day at the instant ``t``."""
        return _aware(t).astimezone(self._zone).date()

    def _holidays_of(self, year: int) -> dict[date, Holiday]:
        found = self._holidays_by_year.get(year)
        if found is None:
            found = {}
            for holiday in self._holiday_source(year):
                if holiday.day is not None and holiday.day.year == year:
                    found.setdefault(holiday.day, holiday)
            self._holidays_by_year[year] = found
        return found

    def holiday_on(self, day: date) -> str | None:
        """The name of the public holiday kept on ``day``, or None."""
        holiday = self._holidays_of(day.year).get(day)
        return holiday.name if holiday is not None else None

    def holiday(self, day: date) -> Holiday | None:
        """The public holiday kept on ``day``, or None."""
        return self._holidays_of(day.year).get(day)

    def holidays_between(self, first: date, last: date) -> list[Holiday]:
        """The holidays kept from ``first`` to ``last`` included, by date."""
        found: list[Holiday] = []
        for year in range(first.year, last.year + 1):
            found.extend(h for d, h in self._holidays_of(year).items() if first <= d <= last)
        return sorted(found, key=lambda h: (h.day or h.estimated_on, h.name))

    def exceptions_on(self, day: date) -> tuple[DayException, ...]:
        return self._exceptions.get(day, ())

    def weekly_hours(self, weekday: int) -> tuple[Hours, ...]:
        """The usual hours of a weekday (0 = Monday ... 6 = Sunday)."""
        return self._weekly.get(weekday, ())

    def local_hours(self, day: date) -> tuple[Hours, ...]:
        """The local opening hours of ``day`` after exceptions and holidays."""
        exceptions = self._exceptions.get(day, ())
        usual = self._weekly.get(day.weekday(), ())
        openings = [e for e in exceptions if e.is_open]
        closures = [e for e in exceptions if not e.is_open]
        if openings:
            hours: tuple[Hours, ...] = tuple(sorted(h for e in openings for h in e.hours))
            if not hours:
                hours = usual or self._typical_hours()
        elif self.holiday(day) is not None:
            return ()
        else:
            hours = usual
        for closure in closures:
            if not closure.hours:
                return ()
            hours = _subtract(hours, closure.hours)
        return hours

    def _typical_hours(self) -> tuple[Hours, ...]:
        """The hours of the first weekday that opens (an opening on a usually closed day)."""
        for weekday in range(7):
            if self._weekly.get(weekday):
                return self._weekly[weekday]
        return ()

    def open_intervals(self, day: date) -> tuple[Interval, ...]:
        """The opening intervals of the local ``day`` as UTC instants, in order."""
        cached = self._days.get(day)
        if cached is None:
            cached = tuple(
                self._to_utc(day, opens, closes) for opens, closes in self.local_hours(day)
            )
            self._days[day] = cached
        return cached

    def _to_utc(self, day: date, opens: time, closes: time) -> Interval:
        start = datetime.combine(day, opens, tzinfo=self._zone).astimezone(UTC)
        if closes == _MIDNIGHT:
            end_local = datetime.combine(day + _DAY, _MIDNIGHT, tzinfo=self._zone)
        else:
            end_local = datetime.combine(day, closes, tzinfo=self._zone)
        return Interval(start, end_local.astimezone(UTC))

    # -- instants ---------------------------------------------------------------------

    def is_open(self, t: datetime) -> bool:
        """Whether the agency is open at the instant ``t`` (opening included, closing not)."""
        t = _aware(t)
        day = self.local_date(t)
        return any(iv.start <= t < iv.end for iv in self.open_intervals(day))

    def next_opening(self, t: datetime) -> datetime:
        """The first instant at or after ``t`` when the agency is open (``t`` if open)."""
        t = _aware(t).astimezone(UTC)
        for iv in self._intervals_from(t):
            if iv.end > t:
                return max(t, iv.start)
        raise AssertionError("unreachable")  # pragma: no cover

    def next_closing(self, t: datetime) -> datetime:
        """The end of the opening interval at or after ``t`` (when the counter closes next)."""
        t = _aware(t).astimezone(UTC)
        for iv in self._intervals_from(t):
            if iv.end > t:
                return iv.end
        raise AssertionError("unreachable")  # pragma: no cover

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant when ``minutes`` of opening time have passed after ``start``.

        Counting starts at ``start`` if the agency is open then, else at its next
        opening; a deadline that uses up an interval exactly ends at its closing time,
        not at the next opening. Zero minutes: ``start`` itself.
        """
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        start = _aware(start).astimezone(UTC)
        if minutes == 0:
            return start
        left = timedelta(minutes=minutes)
        for iv in self._intervals_from(start):
            if iv.end <= start:
                continue
            begin = max(start, iv.start)
            available = iv.end - begin
            if left <= available:
                return begin + left
            left -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def business_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole minutes of opening time from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        a = _aware(a).astimezone(UTC)
        b = _aware(b).astimezone(UTC)
        if b < a:
            return -self.business_minutes_between(b, a)
        return int(self.business_time_between(a, b).total_seconds() // 60)

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Opening time from ``a`` to ``b`` (zero when ``b`` is not after ``a``)."""
        a = _aware(a).astimezone(UTC)
        b = _aware(b).astimezone(UTC)
        total = timedelta(0)
        if b <= a:
            return total
        day = self.local_date(a)
        last = self.local_date(b)
        while day <= last:
            for iv in self.open_intervals(day):
                lo = max(a, iv.start)
                hi = min(b, iv.end)
                if hi > lo:
                    total += hi - lo
            day += _DAY
        return total

    def _intervals_from(self, t: datetime) -> Iterable[Interval]:
        """Opening intervals from the local day of ``t`` on; stops after a long closure."""
        day = self.local_date(t)
        closed_days = 0
        while True:
            intervals = self.open_intervals(day)
            if intervals:
                closed_days = 0
                yield from intervals
            else:
                closed_days += 1
                if closed_days > MAX_CLOSED_DAYS and (
                    self._last_exception_opening is None or day > self._last_exception_opening
                ):
                    raise ValueError(f"the agency never opens after {day - _DAY * closed_days}")
            day += _DAY


def _aware(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("the calendar needs timezone-aware instants")
    return t
