"""Calendar changes on SQLite and PostgreSQL: holiday decisions, exceptional days and
weekly hours, each journaled and followed by the running deadlines counted again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth import Actor, add_user
from app.charter import calendar_changes
from app.charter.calendar_changes import (
    add_day_exception,
    confirm_holiday,
    decide_holiday,
    parse_hours,
    remove_day_exception,
    set_weekly_hours,
)
from app.charter.calendar_store import agency_calendar, calendar_overview, load_agency_calendar
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.journal import EventKind
from db.engine import Database
from db.models import Agency, HolidayDecision, JournalEvent, OpeningHours
from tests.factories import PASSWORD, World, build_world

# In the world of tests.factories it is Saturday 21 November 2026 in Algiers.
EID_2027 = (date(2027, 3, 9), date(2027, 3, 10), date(2027, 3, 11))


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path)


@pytest.fixture
def agency_id(world: World) -> int:
    with world.db.read() as session:
        found = session.scalar(select(Agency.id).where(Agency.code == "ALG01"))
        assert found is not None
        return found


@pytest.fixture
def admin(world: World) -> Actor:
    return add_user(world.ctx, "nadia", role="admin", password=PASSWORD, full_name="Nadia Admin")


def holiday_on(world: World, agency_id: int, day: date) -> str | None:
    with world.db.read() as session:
        return load_agency_calendar(session, agency_id).holiday_on(day)


def events(world: World, kind: str) -> list[JournalEvent]:
    with world.db.read() as session:
        return list(
            session.scalars(
                select(JournalEvent).where(JournalEvent.kind == kind).order_by(JournalEvent.id)
            )
        )


def test_move_a_lunar_feast_by_a_day(world: World, agency_id: int) -> None:
    assert [holiday_on(world, agency_id, d) for d in EID_2027] == ["Eid al-Fitr"] * 3
    change = decide_holiday(
        world.ctx,
        world.supervisor,
        "Eid al-Fitr",
        EID_2027[0],
        date(2027, 3, 10),
        whole_feast=True,
        note="Announced by the ministry",
    )
    assert change.deadlines_moved == 0
    assert holiday_on(world, agency_id, date(2027, 3, 9)) is None
    assert [holiday_on(world, agency_id, date(2027, 3, d)) for d in (10, 11, 12)] == [
        "Eid al-Fitr"
    ] * 3
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HolidayDecision)) == 3
        held = load_agency_calendar(session, agency_id).holiday(date(2027, 3, 12))
        assert held is not None and held.decided and not held.estimated
    (event,) = events(world, EventKind.CALENDAR_HOLIDAY_DECIDED)
    assert event.actor_login == "karim"
    assert event.subject == "DZ"


def test_the_latest_decision_counts(world: World, agency_id: int) -> None:
    decide_holiday(world.ctx, world.supervisor, "Eid al-Fitr", EID_2027[0], None)
    assert holiday_on(world, agency_id, EID_2027[0]) is None
    confirm_holiday(world.ctx, world.supervisor, "Eid al-Fitr", EID_2027[0])
    assert holiday_on(world, agency_id, EID_2027[0]) == "Eid al-Fitr"
    # Only for this agency: the next decision applies to it too.
    decide_holiday(
        world.ctx, world.supervisor, "Eid al-Fitr", EID_2027[0], None, agency_id=agency_id
    )
    assert holiday_on(world, agency_id, EID_2027[0]) is None


def test_overview_lists_coming_holidays(world: World, agency_id: int) -> None:
    confirm_holiday(world.ctx, world.supervisor, "Eid al-Fitr", EID_2027[0], whole_feast=True)
    view = calendar_overview(world.ctx, world.supervisor, agency_id, "fr")
    assert view.today == date(2026, 11, 21)
    assert view.weekly[5] == ((time(8), time(16)),)
    eid = [h for h in view.holidays if h.name == "Eid al-Fitr" and h.estimated_on.year == 2027]
    assert [(h.day, h.decided, h.estimated) for h in eid] == [(d, True, False) for d in EID_2027]
    adha = next(h for h in view.holidays if h.name == "Eid al-Adha")
    assert adha.estimated and not adha.decided
    assert adha.label == "Aïd el-Adha"
    arabic = calendar_overview(world.ctx, world.supervisor, agency_id, "ar")
    assert "عيد" in next(h.label for h in arabic.holidays if h.name == "Eid al-Adha")
    assert all(h.estimated_on >= date(2026, 11, 21) for h in view.holidays)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("Eid al-Fitr", date(2027, 3, 8), None), "holiday"),
        (("Christmas", date(2026, 12, 25), None), "holiday"),
        (("Eid al-Fitr", EID_2027[0], date(2027, 5, 9)), "actual_on"),
        (("Revolution Day", date(2026, 11, 1), None), "holiday"),  # has passed
    ],
)
def test_bad_holiday_decisions(world: World, args: tuple[Any, ...], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        decide_holiday(world.ctx, world.supervisor, *args)
    assert caught.value.field == field
    assert "\n" not in caught.value.translated("fr")


def test_agents_do_not_change_calendars(world: World, agency_id: int) -> None:
    with pytest.raises(PermissionDeniedError):
        confirm_holiday(world.ctx, world.agent, "Eid al-Fitr", EID_2027[0])
    with pytest.raises(PermissionDeniedError):
        add_day_exception(
            world.ctx, world.agent, agency_id, date(2026, 12, 3), is_open=False, reason="Works"
        )
    with pytest.raises(PermissionDeniedError):
        set_weekly_hours(world.ctx, world.supervisor, agency_id, {0: [(time(8), time(16))]})


def test_exceptional_closure_and_opening(world: World, agency_id: int) -> None:
    closed = date(2026, 12, 2)  # a Wednesday
    add_day_exception(world.ctx, world.supervisor, agency_id, closed, is_open=False, reason="Works")
    friday = date(2026, 12, 4)
    add_day_exception(
        world.ctx,
        world.supervisor,
        agency_id,
        friday,
        is_open=True,
        hours=[(time(13), time(16)), (time(8), time(12))],
        reason="Bills due on Saturday",
    )
    with world.db.read() as session:
        cal = load_agency_calendar(session, agency_id)
        assert cal.local_hours(closed) == ()
        assert cal.local_hours(friday) == ((time(8), time(12)), (time(13), time(16)))
    view = calendar_overview(world.ctx, world.supervisor, agency_id, "en")
    assert [(e.day, e.is_open, e.reason) for e in view.exceptions] == [
        (closed, False, "Works"),
        (friday, True, "Bills due on Saturday"),
    ]
    (event, _) = events(world, EventKind.CALENDAR_EXCEPTION_ADDED)
    assert event.subject == "ALG01"

    with pytest.raises(ConflictError) as conflict:
        add_day_exception(
            world.ctx,
            world.supervisor,
            agency_id,
            closed,
            is_open=True,
            hours=[(time(8), time(12))],
            reason="x",
        )
    assert conflict.value.field == "day"
    remove_day_exception(world.ctx, world.supervisor, agency_id, closed)
    with world.db.read() as session:
        assert load_agency_calendar(session, agency_id).local_hours(closed) == (
            (time(8), time(16)),
        )
    assert len(events(world, EventKind.CALENDAR_EXCEPTION_REMOVED)) == 1
    with pytest.raises(NotFoundError):
        remove_day_exception(world.ctx, world.supervisor, agency_id, closed)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"day": date(2026, 11, 20), "is_open": False, "reason": "Strike"}, "day"),
        ({"day": date(2026, 12, 4), "is_open": True, "reason": "Open"}, "hours"),
        ({"day": date(2026, 12, 4), "is_open": False, "reason": "  "}, "reason"),
        ({"day": date(2026, 12, 4), "is_open": False, "reason": "x" * 201}, "reason"),
        (
            {
                "day": date(2026, 12, 4),
                "is_open": True,
                "hours": [(time(12), time(8))],
                "reason": "Open",
            },
            "hours",
        ),
    ],
)
def test_bad_exceptions(world: World, agency_id: int, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_day_exception(world.ctx, world.supervisor, agency_id, **kwargs)
    assert caught.value.field == field


def test_unknown_agency(world: World) -> None:
    with pytest.raises(NotFoundError) as caught:
        add_day_exception(
            world.ctx, world.supervisor, 999, date(2026, 12, 4), is_open=False, reason="x"
        )
    assert caught.value.field == "agency"


def test_admin_sets_weekly_hours(world: World, agency_id: int, admin: Actor) -> None:
    week = {weekday: [(time(8), time(12)), (time(13), time(16, 30))] for weekday in (6, 0, 1, 2, 3)}
    week[5] = [(time(8), time(16, 30))]
    set_weekly_hours(world.ctx, admin, agency_id, week)
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OpeningHours)) == 11
        cal = load_agency_calendar(session, agency_id)
        assert cal.weekly_hours(4) == ()
        assert cal.weekly_hours(0) == ((time(8), time(12)), (time(13), time(16, 30)))
    (event,) = events(world, EventKind.CALENDAR_HOURS_CHANGED)
    assert event.subject == "ALG01"
    with pytest.raises(ValidationError) as caught:
        set_weekly_hours(
            world.ctx, admin, agency_id, {0: [(time(8), time(12)), (time(11), time(14))]}
        )
    assert caught.value.field == "hours.0"
    with pytest.raises(ValidationError):
        set_weekly_hours(world.ctx, admin, agency_id, {})


def test_changes_recompute_the_deadlines_they_touch(
    world: World, agency_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = pytest.importorskip("app.complaints.clock")
    if not hasattr(clock, "recompute_open_deadlines"):
        pytest.skip("app.complaints.clock.recompute_open_deadlines is not there yet")
    calls: list[tuple[list[int], Any]] = []

    def fake(session: Any, lookup: Any, agency_ids: Any, now: Any, **kwargs: Any) -> int:
        ids = list(agency_ids)
        # The calendar the deadlines are counted on already holds the change.
        calls.append((ids, lookup(ids[0]).local_hours(date(2026, 12, 2))))
        return 2

    monkeypatch.setattr(clock, "recompute_open_deadlines", fake)
    change = add_day_exception(
        world.ctx, world.supervisor, agency_id, date(2026, 12, 2), is_open=False, reason="Works"
    )
    assert change.deadlines_moved == 2
    assert calls == [([agency_id], ())]
    (event,) = events(world, EventKind.CALENDAR_EXCEPTION_ADDED)
    assert event.details is not None and '"deadlines_moved": 2' in event.details.replace(
        '":2', '": 2'
    )


def test_calendar_is_kept_for_the_session(world: World, agency_id: int) -> None:
    with world.db.read() as session:
        assert agency_calendar(session, agency_id) is agency_calendar(session, agency_id)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("08:00-12:00, 13:00-16:30", ((time(8), time(12)), (time(13), time(16, 30)))),
        ("8h00 – 16h30", ((time(8), time(16, 30)),)),
        ("", ()),
        ("00:00-24:00", ((time(0), time(0)),)),
    ],
)
def test_parse_hours(text: str, hours: tuple[Any, ...]) -> None:
    assert parse_hours(text) == hours


@pytest.mark.parametrize("text", ["8-12", "08:00-25:00", "12:00-08:00", "08:00-12:00,11:00-13:00"])
def test_parse_bad_hours(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_hours(text, field="hours.5")
    assert caught.value.field == "hours.5"


def test_module_names_its_lowest_roles() -> None:
    for name in ("confirm_holiday", "decide_holiday", "add_day_exception", "remove_day_exception"):
        assert "Lowest role: supervisor." in (getattr(calendar_changes, name).__doc__ or "")
    assert "Lowest role: admin." in (set_weekly_hours.__doc__ or "")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-04", date(2026, 12, 4)),
        ("4/12/2026", date(2026, 12, 4)),
        ("04.12.26", date(2026, 12, 4)),
        ("4/12", date(2026, 12, 4)),
        ("1/1", date(2027, 1, 1)),
        ("٤/١٢/٢٠٢٦", date(2026, 12, 4)),
    ],
)
def test_parse_day(text: str, day: date) -> None:
    assert calendar_changes.parse_day(text, date(2026, 11, 21)) == day


@pytest.mark.parametrize("text", ["", "31/02/2026", "tomorrow", "2026/13/01"])
def test_parse_bad_day(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        calendar_changes.parse_day(text, date(2026, 11, 21), field="exception_day")
    assert caught.value.field == "exception_day"


def test_a_closure_moves_a_running_complaint_deadline(database: Database, tmp_path: Path) -> None:
    """A complaint opened Saturday 11:30 in Algiers with 8 business hours is due Monday
    11:30; closing the agency on Monday moves it to Tuesday 11:30, and Monday's
    reopening brings it back."""
    complaint_world = pytest.importorskip("tests.test_complaint_world")
    from db.models import Complaint

    world, subscriber = complaint_world.complaint_world(database, tmp_path)
    opened = complaint_world.record(world, subscriber)
    monday = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    assert opened.due_at == monday
    with world.db.read() as session:
        agency = session.scalar(select(Agency.id).where(Agency.code == "ALG01"))
        assert agency is not None

    def due() -> datetime | None:
        with world.db.read() as session:
            complaint = session.scalar(select(Complaint).where(Complaint.number == opened.number))
            assert complaint is not None
            return complaint.due_at

    change = add_day_exception(
        world.ctx, world.supervisor, agency, date(2026, 11, 23), is_open=False, reason="Grève"
    )
    assert change.deadlines_moved == 1
    assert due() == monday + timedelta(days=1)
    change = remove_day_exception(world.ctx, world.supervisor, agency, date(2026, 11, 23))
    assert change.deadlines_moved == 1
    assert due() == monday
    # A holiday decision for every agency moves it too (the Amazigh New Year is far
    # ahead: nothing moves).
    change = decide_holiday(
        world.ctx, world.supervisor, "Amazigh New Year", date(2027, 1, 12), None
    )
    assert change.deadlines_moved == 0
