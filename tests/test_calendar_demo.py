"""The demo's agency calendars: weekly hours per profile, public holidays live from the
``holidays`` package (not copied into exceptions), exceptional days off the holidays,
and a supervisor's decision on a past lunar holiday."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.charter.calendar_store import load_agency_calendar, package_holidays
from app.demo.profiles import PROFILES
from app.demo.reference import demo_holiday_decisions, write_reference
from db.engine import Database
from db.models import Agency, AgencyDayException, Role, Staff

TODAY = date(2026, 12, 2)


def _build(database: Database, key: str) -> None:
    with database.write() as session:
        write_reference(session, PROFILES[key], TODAY)


@pytest.mark.parametrize("key", ["dz", "tn", "fr"])
def test_demo_calendars(sqlite_database: Database, key: str) -> None:
    _build(sqlite_database, key)
    profile = PROFILES[key]
    with sqlite_database.read() as session:
        agencies = session.scalars(select(Agency).order_by(Agency.id)).all()
        exceptions = session.scalars(select(AgencyDayException)).all()
        assert 1 <= len(exceptions) <= 4, "only the exceptional days are written"
        holiday_days = {
            h.day
            for year in (TODAY.year, TODAY.year + 1)
            for h in package_holidays(profile.country, year)
        }
        assert not {e.day for e in exceptions} & holiday_days
        assert any(e.is_open and e.opens_at for e in exceptions)
        assert any(not e.is_open for e in exceptions)
        calendar = load_agency_calendar(session, agencies[0].id)
        saturday = TODAY + timedelta(days=(5 - TODAY.weekday()) % 7)
        assert calendar.local_hours(saturday), "agencies open on Saturdays"
        coming = calendar.holidays_between(TODAY, TODAY + timedelta(days=365))
        assert coming and all(not h.decided for h in coming)
        if key != "fr":
            assert any(h.estimated and h.name.startswith("Eid") for h in coming)


def test_algiers_opens_saturday_to_thursday(sqlite_database: Database) -> None:
    _build(sqlite_database, "dz")
    with sqlite_database.read() as session:
        agency_id = session.scalars(select(Agency.id).order_by(Agency.id)).first()
        assert agency_id is not None
        calendar = load_agency_calendar(session, agency_id)
    assert calendar.weekly_hours(4) == ()  # Friday
    for weekday in (5, 6, 0, 1, 2, 3):
        assert calendar.weekly_hours(weekday) == ((time(8), time(16, 30)),)
    assert calendar.holiday_on(date(2027, 3, 9)) == "Eid al-Fitr"


def test_tunis_has_a_lunch_break(sqlite_database: Database) -> None:
    _build(sqlite_database, "tn")
    with sqlite_database.read() as session:
        agency_id = session.scalars(select(Agency.id).order_by(Agency.id)).first()
        assert agency_id is not None
        calendar = load_agency_calendar(session, agency_id)
    assert calendar.weekly_hours(0) == ((time(8), time(12)), (time(14), time(17)))


@pytest.mark.parametrize(("key", "count"), [("dz", 1), ("tn", 1), ("fr", 0)])
def test_demo_decision_on_a_past_lunar_holiday(
    sqlite_database: Database, key: str, count: int
) -> None:
    _build(sqlite_database, key)
    with sqlite_database.write() as session:
        staff = Staff(
            login="chef", full_name="Chef d'agence", role=Role.SUPERVISOR, password_hash="x"
        )
        session.add(staff)
        session.flush()
        decisions = demo_holiday_decisions(session, PROFILES[key], TODAY, staff.id)
    assert len(decisions) >= count
    if decisions:
        assert all(d.actual_on == d.estimated_on + timedelta(days=1) for d in decisions)
        assert all(d.estimated_on < TODAY - timedelta(days=30) for d in decisions)
        with sqlite_database.read() as session:
            agency_id = session.scalars(select(Agency.id).order_by(Agency.id)).first()
            assert agency_id is not None
            calendar = load_agency_calendar(session, agency_id)
        last = decisions[-1]
        assert last.actual_on is not None
        assert calendar.holiday_on(last.actual_on) == last.name
