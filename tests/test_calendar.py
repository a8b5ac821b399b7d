"""Deadlines on agency calendars: weekly hours, lunch breaks, holidays (lunar ones from the
``holidays`` package, moved by a decision), exceptions and DST, as a table of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.charter.calendar import AgencyCalendar, DayException, Holiday
from app.charter.calendar_store import Decision, holiday_source, package_holidays

ALGIERS = "Africa/Algiers"
TUNIS = "Africa/Tunis"
PARIS = "Europe/Paris"

# Algiers: Saturday to Thursday 08:00-16:30, Friday off.
DZ_WEEK = {weekday: [(time(8), time(16, 30))] for weekday in (5, 6, 0, 1, 2, 3)}
# Tunis: Monday to Friday with a lunch break, Saturday morning.
TN_WEEK = {
    **{weekday: [(time(8), time(12)), (time(14), time(17))] for weekday in range(5)},
    5: [(time(8), time(12))],
}
# Paris: Monday to Friday with a lunch break, Saturday morning.
FR_WEEK = {
    **{weekday: [(time(9), time(12, 30)), (time(13, 30), time(17, 30))] for weekday in range(5)},
    5: [(time(9), time(12))],
}


def calendar(
    zone: str,
    week: dict[int, list[tuple[time, time]]],
    country: str | None = None,
    decisions: tuple[Decision, ...] = (),
    exceptions: tuple[DayException, ...] = (),
) -> AgencyCalendar:
    source = holiday_source(country, decisions) if country else ()
    return AgencyCalendar(zone, week, exceptions=exceptions, holidays=source)


def local(zone: str, text: str) -> datetime:
    """An instant given as the agency's wall-clock time 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def eid_moved_by_a_day(name: str, days: tuple[date, ...]) -> tuple[Decision, ...]:
    return tuple(Decision(name, d, d + timedelta(days=1), None) for d in days)


EID_FITR_2026 = (date(2026, 3, 20), date(2026, 3, 21), date(2026, 3, 22))

CASES = [
    # (case, calendar, start (local), minutes, deadline (local))
    (
        "dz: within a day",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-03-18 10:00",
        60,
        "2026-03-18 11:00",
    ),
    (
        "dz: a full day later",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-03-18 10:00",
        510,
        "2026-03-19 10:00",
    ),
    (
        "dz: Thursday evening over Friday and the three days of Eid al-Fitr",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-03-19 16:20",
        60,
        "2026-03-23 08:50",
    ),
    (
        "dz: Eid al-Adha Wednesday to Friday",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-05-26 16:00",
        60,
        "2026-05-30 08:30",
    ),
    (
        "dz: started on a Friday",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-04-03 10:00",
        30,
        "2026-04-04 08:30",
    ),
    (
        "dz: Saturday is open",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-04-04 16:00",
        30,
        "2026-04-04 16:30",
    ),
    (
        "dz: 10 minutes before closing on the eve of Revolution Day (a Sunday)",
        calendar(ALGIERS, DZ_WEEK, "DZ"),
        "2026-10-31 16:20",
        60,
        "2026-11-02 08:50",
    ),
    (
        "dz: Eid al-Fitr moved by a day by a decision",
        calendar(ALGIERS, DZ_WEEK, "DZ", eid_moved_by_a_day("Eid al-Fitr", EID_FITR_2026)),
        "2026-03-19 16:20",
        60,
        "2026-03-24 08:50",
    ),
    (
        "dz: the last day of Eid cancelled",
        calendar(ALGIERS, DZ_WEEK, "DZ", (Decision("Eid al-Fitr", date(2026, 3, 22), None, None),)),
        "2026-03-19 16:20",
        60,
        "2026-03-22 08:50",
    ),
    (
        "dz: exceptional closure (a whole day)",
        calendar(ALGIERS, DZ_WEEK, "DZ", exceptions=(DayException(date(2026, 4, 15), False),)),
        "2026-04-14 16:00",
        60,
        "2026-04-16 08:30",
    ),
    (
        "dz: exceptional closure of a morning",
        calendar(
            ALGIERS,
            DZ_WEEK,
            "DZ",
            exceptions=(DayException(date(2026, 4, 15), False, ((time(8), time(12)),)),),
        ),
        "2026-04-14 16:00",
        60,
        "2026-04-15 12:30",
    ),
    (
        "dz: exceptional opening on a Friday",
        calendar(
            ALGIERS,
            DZ_WEEK,
            "DZ",
            exceptions=(DayException(date(2026, 4, 17), True, ((time(9), time(12)),)),),
        ),
        "2026-04-16 16:00",
        60,
        "2026-04-17 09:30",
    ),
    (
        "dz: exceptional opening on a day of Eid",
        calendar(
            ALGIERS,
            DZ_WEEK,
            "DZ",
            exceptions=(DayException(date(2026, 3, 21), True, ((time(8), time(12)),)),),
        ),
        "2026-03-19 16:20",
        60,
        "2026-03-21 08:50",
    ),
    (
        "tn: Eid al-Fitr on Independence Day, then the weekend",
        calendar(TUNIS, TN_WEEK, "TN"),
        "2026-03-19 16:50",
        20,
        "2026-03-23 08:10",
    ),
    (
        "tn: over the lunch break",
        calendar(TUNIS, TN_WEEK, "TN"),
        "2026-04-13 11:50",
        20,
        "2026-04-13 14:10",
    ),
    (
        "tn: started during lunch",
        calendar(TUNIS, TN_WEEK, "TN"),
        "2026-04-13 12:30",
        20,
        "2026-04-13 14:20",
    ),
    (
        "tn: Saturday morning then Monday (Martyrs' Day is a Thursday)",
        calendar(TUNIS, TN_WEEK, "TN"),
        "2026-04-11 11:30",
        60,
        "2026-04-13 08:30",
    ),
    (
        "fr: over the spring-forward Sunday",
        calendar(PARIS, FR_WEEK, "FR"),
        "2026-03-28 11:30",
        60,
        "2026-03-30 09:30",
    ),
    (
        "fr: over the fall-back Sunday",
        calendar(PARIS, FR_WEEK, "FR"),
        "2026-10-24 11:00",
        120,
        "2026-10-26 10:00",
    ),
    (
        "fr: 10 minutes before closing on the eve of Ascension",
        calendar(PARIS, FR_WEEK, "FR"),
        "2026-05-13 17:20",
        30,
        "2026-05-15 09:20",
    ),
    (
        "fr: ends exactly at closing time",
        calendar(PARIS, FR_WEEK, "FR"),
        "2026-05-12 17:00",
        30,
        "2026-05-12 17:30",
    ),
]


@pytest.mark.parametrize(
    ("cal", "start", "minutes", "deadline"),
    [pytest.param(c, s, m, d, id=name) for name, c, s, m, d in CASES],
)
def test_deadline(cal: AgencyCalendar, start: str, minutes: int, deadline: str) -> None:
    begin = local(cal.timezone, start)
    due = cal.add_business_minutes(begin, minutes)
    assert due == local(cal.timezone, deadline)
    assert due.tzinfo == UTC
    assert cal.business_minutes_between(begin, due) == minutes


def test_eid_comes_from_the_package_and_is_estimated() -> None:
    eid = [h for h in package_holidays("DZ", 2026) if h.name == "Eid al-Fitr"]
    assert [h.day for h in eid] == list(EID_FITR_2026)
    assert all(h.estimated for h in eid)
    cal = calendar(ALGIERS, DZ_WEEK, "DZ")
    assert cal.holiday_on(date(2026, 3, 21)) == "Eid al-Fitr"
    assert cal.holiday_on(date(2026, 3, 23)) is None
    assert cal.holiday_on(date(2026, 11, 1)) == "Revolution Day"
    held = cal.holiday(date(2026, 3, 21))
    assert held is not None and held.estimated and not held.decided


def test_moved_holiday_is_decided_and_not_estimated() -> None:
    cal = calendar(ALGIERS, DZ_WEEK, "DZ", eid_moved_by_a_day("Eid al-Fitr", EID_FITR_2026))
    assert cal.holiday_on(date(2026, 3, 20)) is None
    moved = cal.holiday(date(2026, 3, 23))
    assert moved is not None and moved.decided and moved.moved and not moved.estimated
    assert moved.estimated_on == date(2026, 3, 22)


def test_holiday_moved_across_new_year() -> None:
    decision = Decision("Christmas Day", date(2026, 12, 25), date(2027, 1, 4), None)
    cal = calendar(PARIS, FR_WEEK, "FR", (decision,))
    assert cal.holiday_on(date(2026, 12, 25)) is None
    assert cal.holiday_on(date(2027, 1, 4)) == "Christmas Day"


def test_is_open_and_intervals_with_lunch_break() -> None:
    cal = calendar(TUNIS, TN_WEEK, "TN")
    assert cal.is_open(local(TUNIS, "2026-04-13 08:00"))
    assert not cal.is_open(local(TUNIS, "2026-04-13 12:00"))
    assert not cal.is_open(local(TUNIS, "2026-04-13 13:59"))
    assert cal.is_open(local(TUNIS, "2026-04-13 14:00"))
    assert not cal.is_open(local(TUNIS, "2026-04-12 10:00"))  # Sunday
    assert not cal.is_open(local(TUNIS, "2026-04-09 10:00"))  # Martyrs' Day
    intervals = cal.open_intervals(date(2026, 4, 13))
    assert [(iv.start, iv.end) for iv in intervals] == [
        (local(TUNIS, "2026-04-13 08:00"), local(TUNIS, "2026-04-13 12:00")),
        (local(TUNIS, "2026-04-13 14:00"), local(TUNIS, "2026-04-13 17:00")),
    ]
    assert cal.open_intervals(date(2026, 4, 12)) == ()


def test_next_opening() -> None:
    cal = calendar(ALGIERS, DZ_WEEK, "DZ")
    during = local(ALGIERS, "2026-04-14 10:00")
    assert cal.next_opening(during) == during
    assert cal.next_opening(local(ALGIERS, "2026-04-16 16:30")) == local(
        ALGIERS, "2026-04-18 08:00"
    )
    assert cal.next_closing(during) == local(ALGIERS, "2026-04-14 16:30")


def test_paris_opening_hours_stay_local_across_dst() -> None:
    cal = calendar(PARIS, FR_WEEK, "FR")
    winter = cal.open_intervals(date(2026, 3, 27))[0].start
    summer = cal.open_intervals(date(2026, 3, 30))[0].start
    assert (winter.hour, summer.hour) == (8, 7)  # 09:00 local, in UTC
    # A Saturday-to-Monday span counts the same open minutes whatever the clocks do.
    sat = local(PARIS, "2026-03-28 09:00")
    mon = local(PARIS, "2026-03-30 09:00")
    assert cal.business_minutes_between(sat, mon) == 180


@pytest.mark.parametrize(
    ("day", "minutes"),
    [(date(2026, 3, 29), 23 * 60), (date(2026, 10, 25), 25 * 60), (date(2026, 6, 7), 24 * 60)],
)
def test_round_the_clock_day_has_23_or_25_hours_on_dst_sundays(day: date, minutes: int) -> None:
    cal = AgencyCalendar(PARIS, {6: [(time(0), time(0))]})
    intervals = cal.open_intervals(day)
    assert sum((iv.end - iv.start for iv in intervals), timedelta()) == timedelta(minutes=minutes)
    start = intervals[0].start
    assert cal.add_business_minutes(start, minutes) == intervals[-1].end


def test_start_while_closed_counts_from_the_next_opening() -> None:
    cal = calendar(ALGIERS, DZ_WEEK, "DZ")
    friday_night = local(ALGIERS, "2026-04-10 22:00")
    assert cal.add_business_minutes(friday_night, 1) == local(ALGIERS, "2026-04-11 08:01")
    assert cal.add_business_minutes(friday_night, 0) == friday_night
    assert cal.business_minutes_between(friday_night, local(ALGIERS, "2026-04-11 08:01")) == 1


def test_between_is_signed() -> None:
    cal = calendar(ALGIERS, DZ_WEEK, "DZ")
    a = local(ALGIERS, "2026-04-14 10:00")
    b = local(ALGIERS, "2026-04-14 11:15")
    assert cal.business_minutes_between(a, b) == 75
    assert cal.business_minutes_between(b, a) == -75


def test_bad_input() -> None:
    cal = calendar(ALGIERS, DZ_WEEK)
    with pytest.raises(ValueError):
        cal.is_open(datetime(2026, 4, 14, 10))
    with pytest.raises(ValueError):
        cal.add_business_minutes(local(ALGIERS, "2026-04-14 10:00"), -1)
    with pytest.raises(ValueError):
        AgencyCalendar(ALGIERS, {0: [(time(12), time(8))]})
    with pytest.raises(ValueError):
        AgencyCalendar(ALGIERS, {0: [(time(8), time(12)), (time(11), time(14))]})
    with pytest.raises(ValueError):
        AgencyCalendar(ALGIERS, {}).add_business_minutes(local(ALGIERS, "2026-04-14 10:00"), 1)


def test_a_year_of_deadlines_is_fast() -> None:
    cal = calendar(PARIS, FR_WEEK, "FR")
    start = local(PARIS, "2026-01-05 09:00")
    import time as clock

    began = clock.perf_counter()
    for i in range(5000):
        cal.add_business_minutes(start + timedelta(minutes=7 * i), 60 * 24 * 5)
    assert clock.perf_counter() - began < 5  # 5,000 deadlines of 5 days of business hours


# -- properties ----------------------------------------------------------------------

PROPERTY_CALENDARS = {
    "dz": calendar(ALGIERS, DZ_WEEK, "DZ"),
    "tn": calendar(TUNIS, TN_WEEK, "TN"),
    "fr": calendar(PARIS, FR_WEEK, "FR"),
}
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(PROPERTY_CALENDARS)), instants, st.integers(0, 60 * 24 * 30))
def test_between_inverts_add(which: str, t: datetime, minutes: int) -> None:
    cal = PROPERTY_CALENDARS[which]
    a = cal.next_opening(t).replace(second=0, microsecond=0)
    if not cal.is_open(a):
        a = cal.next_opening(a + timedelta(minutes=1))
    due = cal.add_business_minutes(a, minutes)
    assert cal.business_minutes_between(a, due) == minutes
    assert due == a or cal.is_open(due - timedelta(seconds=1))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(PROPERTY_CALENDARS)),
    instants,
    st.integers(0, 60 * 24 * 10),
    st.integers(0, 60 * 24 * 10),
)
def test_add_is_monotonic_and_additive(which: str, t: datetime, m: int, n: int) -> None:
    cal = PROPERTY_CALENDARS[which]
    lo, hi = sorted((m, n))
    assert cal.add_business_minutes(t, lo) <= cal.add_business_minutes(t, hi)
    if lo > 0:
        step = cal.add_business_minutes(cal.add_business_minutes(t, lo), hi)
        assert step == cal.add_business_minutes(t, lo + hi)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(PROPERTY_CALENDARS)), instants, instants, instants)
def test_between_adds_up(which: str, x: datetime, y: datetime, z: datetime) -> None:
    cal = PROPERTY_CALENDARS[which]
    a, b, c = sorted((x, y, z))
    whole = cal.business_time_between(a, c)
    assert whole == cal.business_time_between(a, b) + cal.business_time_between(b, c)
    assert cal.business_minutes_between(a, c) >= 0


def test_fixed_holidays_list() -> None:
    holiday = Holiday("Strike day", date(2026, 4, 14), date(2026, 4, 14))
    cal = AgencyCalendar(ALGIERS, DZ_WEEK, holidays=[holiday])
    assert cal.holiday_on(date(2026, 4, 14)) == "Strike day"
    assert not cal.is_open(local(ALGIERS, "2026-04-14 10:00"))
    assert cal.holidays_between(date(2026, 1, 1), date(2026, 12, 31)) == [holiday]
