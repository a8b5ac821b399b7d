"""The SLA clock, table-driven: each clock's deadline (an Algiers agency open Saturday to
Thursday with Eid, a Paris agency across the change of time, ten minutes before closing
on the eve of a holiday), a pause over a weekend, and a change of calendar that moves the
running deadlines (journaled once)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from app.charter.calendar import AgencyCalendar, Holiday
from app.charter.calendar_store import calendar_lookup
from app.complaints.clock import (
    ClockRule,
    add_on_clock,
    minutes_on_clock,
    pause_clock,
    recompute_open_deadlines,
    resume_clock,
    start_clock,
    time_left,
)
from db.engine import Database
from db.models import (
    AgencyDayException,
    CommitmentClock,
    Complaint,
    ComplaintEvent,
    JournalEvent,
)
from tests.test_complaint_world import complaint_world, record

ALGIERS_HOURS = {d: [(time(8), time(12)), (time(13), time(16, 30))] for d in (5, 6, 0, 1, 2, 3)}
EID = Holiday("Eid al-Fitr", date(2026, 3, 20), date(2026, 3, 20))
ALGIERS = AgencyCalendar("Africa/Algiers", ALGIERS_HOURS, holidays=[EID])
PARIS = AgencyCalendar(
    "Europe/Paris",
    {d: [(time(9), time(18))] for d in range(6)},  # Monday to Saturday
)
TUNIS = AgencyCalendar(
    "Africa/Tunis",
    {d: [(time(8), time(17))] for d in range(5)} | {5: [(time(8), time(12))]},
    holidays=[Holiday("Independence Day", date(2026, 3, 20), date(2026, 3, 20))],
)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


CASES = [
    # (name, calendar, clock, start, minutes, deadline)
    (
        "algiers: Thursday 16:20 with 1 h, Friday off: Saturday 08:50",
        ALGIERS,
        CommitmentClock.BUSINESS_HOURS,
        utc(2026, 3, 12, 15, 20),  # Thursday 16:20 local
        60,
        utc(2026, 3, 14, 7, 50),  # Saturday 08:50 local
    ),
    (
        "algiers: ten minutes before closing on the eve of Eid",
        ALGIERS,
        CommitmentClock.BUSINESS_HOURS,
        utc(2026, 3, 19, 15, 20),  # Thursday 19 March 16:20; Friday 20 is Eid and off
        30,
        utc(2026, 3, 21, 7, 20),  # Saturday 08:20 local
    ),
    (
        "algiers: the lunch break does not count",
        ALGIERS,
        CommitmentClock.BUSINESS_HOURS,
        utc(2026, 3, 14, 10, 30),  # Saturday 11:30 local
        60,
        utc(2026, 3, 14, 12, 30),  # 13:30 local: 30 min before lunch, 30 after
    ),
    (
        "tunis: Friday 16:00 with 3 h, Saturday morning, then Monday",
        TUNIS,
        CommitmentClock.BUSINESS_HOURS,
        utc(2026, 3, 13, 15, 0),  # Friday 16:00 local (UTC+1)
        180,
        utc(2026, 3, 14, 9, 0),  # 1 h on Friday, 2 h on Saturday morning: 10:00 local
    ),
    (
        "paris: 10 calendar days across the change to summer time keep the wall clock",
        PARIS,
        CommitmentClock.CALENDAR_DAYS,
        utc(2026, 3, 25, 9, 0),  # 10:00 CET
        10 * 1440,
        utc(2026, 4, 4, 8, 0),  # 10:00 CEST
    ),
    (
        "paris: business hours across the change of time",
        PARIS,
        CommitmentClock.BUSINESS_HOURS,
        utc(2026, 3, 28, 16, 0),  # Saturday 17:00 CET; Sunday 29 closed (DST)
        120,
        utc(2026, 3, 30, 8, 0),  # Monday 10:00 CEST
    ),
    (
        "real time: three minutes are three minutes, open or not",
        PARIS,
        CommitmentClock.REAL_TIME,
        utc(2026, 3, 29, 0, 59),
        3,
        utc(2026, 3, 29, 1, 2),
    ),
]


@pytest.mark.parametrize(
    ("calendar", "clock", "start", "minutes", "deadline"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_deadlines(
    calendar: AgencyCalendar, clock: str, start: datetime, minutes: int, deadline: datetime
) -> None:
    rule = ClockRule(clock, calendar.timezone, calendar)
    assert add_on_clock(rule, start, minutes) == deadline
    assert minutes_on_clock(rule, start, deadline) == minutes


def _complaint(clock: str, target: int) -> Any:
    return SimpleNamespace(
        clock=clock,
        target_minutes=target,
        used_minutes=0,
        running_since=None,
        due_at=None,
        breached_at=None,
        status="open",
    )


def test_a_pause_over_a_weekend_moves_the_deadline_by_the_time_stood_still() -> None:
    rule = ClockRule(CommitmentClock.BUSINESS_HOURS, "Europe/Paris", PARIS)
    complaint = _complaint(CommitmentClock.BUSINESS_HOURS, 8 * 60)
    start_clock(complaint, rule, utc(2026, 3, 13, 15, 0))  # Friday 16:00 CET
    assert complaint.due_at == utc(2026, 3, 14, 14, 0)  # 2 h on Friday, 6 h on Saturday
    pause_clock(complaint, rule, utc(2026, 3, 13, 16, 0))  # Friday 17:00: 60 minutes used
    assert (complaint.used_minutes, complaint.due_at) == (60, None)
    complaint.status = "waiting_customer"
    left = time_left(complaint, rule, utc(2026, 3, 15, 12, 0))
    assert left.paused and left.minutes == 420
    resume_clock(complaint, rule, utc(2026, 3, 16, 8, 0))  # Monday 09:00 CET
    complaint.status = "in_progress"
    assert complaint.due_at == utc(2026, 3, 16, 15, 0)  # 420 minutes on: Monday 16:00 CET


def test_a_closure_added_to_the_calendar_moves_running_deadlines(
    database: Database, tmp_path: Path
) -> None:
    world, subscriber = complaint_world(database, tmp_path)
    fault = record(world, subscriber)  # due Monday 23 November 11:30 local
    billing = record(world, subscriber, "billing")  # calendar days: not moved
    with database.write() as session:
        session.add(
            AgencyDayException(agency_id=1, day=date(2026, 11, 23), is_open=False, reason="Grève")
        )
        session.flush()
        moved = recompute_open_deadlines(
            session, calendar_lookup(session), [1], world.ctx.now(), signer=world.ctx.signer
        )
    assert moved == 1
    with database.read() as session:
        due: dict[str, datetime | None] = {
            number: due_at
            for number, due_at in session.execute(select(Complaint.number, Complaint.due_at))
        }
        steps = session.scalars(
            select(ComplaintEvent.kind).where(ComplaintEvent.kind == "deadline_moved")
        ).all()
        journal = session.scalars(
            select(JournalEvent.details).where(
                JournalEvent.kind == "complaint.deadlines_recomputed"
            )
        ).all()
        count = session.scalar(select(func.count()).select_from(ComplaintEvent))
    assert fault.due_at is not None
    assert due[fault.number] == fault.due_at + timedelta(days=1)  # Tuesday, same hour
    assert due[billing.number] == billing.due_at
    assert steps == ["deadline_moved"] and count == 3
    assert len(journal) == 1 and '"moved":1' in journal[0]
