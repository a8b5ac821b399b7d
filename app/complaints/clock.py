"""The SLA clock of a complaint: started, paused, resumed, breached, recomputed.

A commitment's target is counted on one of three clocks (``CommitmentClock``):

- calendar days: every day counts, open or not, in the agency's timezone: a
  complaint opened at 10:00 with a 7-day target is due at 10:00 local time seven
  days later, across a change of summer time too (wall-clock minutes are counted);
- business hours: only while the agency is open, on its calendar (weekly hours,
  lunch breaks, holidays, exceptions): ``AgencyCalendar`` answers;
- real time: minutes of elapsed time (a hotline's answer).

The state lives on the complaint row (see db/models/complaints.py): ``used_minutes``
consumed before ``running_since``; while running, ``due_at`` is ``running_since``
plus what is left on its clock. A pause adds what ran to ``used_minutes`` and
clears both; a resume starts again from what was left. Nothing here commits or
journals: the callers (lifecycle, breaches, a calendar change) do, in their
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.integrity.keys import Signer
from db.models import Agency, CommitmentClock, Complaint, ComplaintStatus

MINUTES_PER_DAY = 1440


class BusinessCalendar(Protocol):
    """What the clock asks an agency's calendar (app.charter.calendar.AgencyCalendar)."""

    def is_open(self, t: datetime) -> bool: ...

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime: ...

    def business_minutes_between(self, a: datetime, b: datetime) -> int: ...


# agency id -> its calendar, e.g. ``lambda agency_id: agency_calendar(session, agency_id)``.
CalendarLookup = Callable[[int], BusinessCalendar]


@dataclass(frozen=True)
class ClockRule:
    """How one complaint's clock counts: which clock, where, on which calendar."""

    clock: str  # CommitmentClock
    timezone: str
    calendar: BusinessCalendar | None = None  # needed for business hours only

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _wall(value: datetime, zone: ZoneInfo) -> datetime:
    """The local wall-clock time, naive: what calendar days count in."""
    return value.astimezone(zone).replace(tzinfo=None)


def add_on_clock(rule: ClockRule, start: datetime, minutes: int) -> datetime:
    """``start`` plus ``minutes`` counted on the rule's clock (an aware UTC instant)."""
    minutes = max(0, minutes)
    if rule.clock == CommitmentClock.BUSINESS_HOURS:
        if rule.calendar is None:
            raise ValueError("a business-hours clock needs the agency's calendar")
        return rule.calendar.add_business_minutes(start, minutes).astimezone(UTC)
    if rule.clock == CommitmentClock.CALENDAR_DAYS:
        zone = rule.zone
        local = _wall(start, zone) + timedelta(minutes=minutes)
        return local.replace(tzinfo=zone).astimezone(UTC)
    return (start + timedelta(minutes=minutes)).astimezone(UTC)


def minutes_on_clock(rule: ClockRule, a: datetime, b: datetime) -> int:
    """Minutes of the rule's clock between ``a`` and ``b`` (0 if ``b`` is not after ``a``)."""
    if b <= a:
        return 0
    if rule.clock == CommitmentClock.BUSINESS_HOURS:
        if rule.calendar is None:
            raise ValueError("a business-hours clock needs the agency's calendar")
        return max(0, int(rule.calendar.business_minutes_between(a, b)))
    if rule.clock == CommitmentClock.CALENDAR_DAYS:
        zone = rule.zone
        delta = _wall(b, zone) - _wall(a, zone)
    else:
        delta = b - a
    return max(0, int(delta.total_seconds() // 60))


def has_clock(complaint: Complaint) -> bool:
    return complaint.clock is not None and complaint.target_minutes is not None


def start_clock(complaint: Complaint, rule: ClockRule, at: datetime) -> None:
    """Start the clock at ``at`` (the opening): nothing used yet, the deadline set."""
    if not has_clock(complaint):
        return
    complaint.used_minutes = 0
    complaint.running_since = at
    complaint.due_at = add_on_clock(rule, at, complaint.target_minutes or 0)


def pause_clock(complaint: Complaint, rule: ClockRule, at: datetime) -> None:
    """Stop the clock (waiting for the customer): what ran is added to ``used_minutes``."""
    if not has_clock(complaint) or complaint.running_since is None:
        return
    complaint.used_minutes = (complaint.used_minutes or 0) + minutes_on_clock(
        rule, complaint.running_since, at
    )
    complaint.running_since = None
    complaint.due_at = None


def resume_clock(complaint: Complaint, rule: ClockRule, at: datetime) -> None:
    """Run again from what was left: the deadline moves by the time the clock stood still."""
    if not has_clock(complaint) or complaint.running_since is not None:
        return
    complaint.running_since = at
    complaint.due_at = add_on_clock(rule, at, minutes_left_at_resume(complaint))


def stop_clock(complaint: Complaint, rule: ClockRule, at: datetime) -> None:
    """The operator answered (resolved): what ran is kept, the last deadline too."""
    if not has_clock(complaint) or complaint.running_since is None:
        return
    complaint.used_minutes = (complaint.used_minutes or 0) + minutes_on_clock(
        rule, complaint.running_since, at
    )
    complaint.running_since = None


def minutes_left_at_resume(complaint: Complaint) -> int:
    return max(0, (complaint.target_minutes or 0) - (complaint.used_minutes or 0))


def recompute_deadline(complaint: Complaint, rule: ClockRule) -> bool:
    """``due_at`` of a running clock counted again (its calendar changed); True if it moved."""
    if not has_clock(complaint) or complaint.running_since is None:
        return False
    due = add_on_clock(rule, complaint.running_since, minutes_left_at_resume(complaint))
    if complaint.due_at is not None and complaint.due_at == due:
        return False
    complaint.due_at = due
    return True


def is_overdue(complaint: Complaint, now: datetime) -> bool:
    """The deadline passed while the complaint is still being handled, not yet marked."""
    return (
        complaint.status in ComplaintStatus.ACTIVE
        and complaint.breached_at is None
        and complaint.due_at is not None
        and complaint.due_at <= now
    )


@dataclass(frozen=True)
class TimeLeft:
    """What a screen shows of a clock, in the clock's own terms.

    ``minutes`` is on the clock (business minutes for business hours), negative
    once the deadline passed; None: no commitment, no clock.
    """

    clock: str | None
    minutes: int | None
    due_at: datetime | None
    paused: bool
    stopped: bool  # resolved or closed: the clock no longer runs
    breached: bool

    @property
    def overdue(self) -> bool:
        return self.breached or (self.minutes is not None and self.minutes < 0)


def time_left(complaint: Complaint, rule: ClockRule | None, now: datetime) -> TimeLeft:
    """How much is left (or how late it is) at ``now``, counted on the complaint's clock."""
    breached = complaint.breached_at is not None or (
        complaint.due_at is not None
        and complaint.due_at <= now
        and complaint.status in ComplaintStatus.ACTIVE
    )
    if not has_clock(complaint):
        return TimeLeft(None, None, None, False, False, False)
    stopped = complaint.status not in ComplaintStatus.ACTIVE
    target = complaint.target_minutes or 0
    used = complaint.used_minutes or 0
    due = complaint.due_at
    # A running clock always has its deadline: what is left is counted to it.
    if due is None or stopped or rule is None:
        return TimeLeft(
            complaint.clock,
            target - used,
            due,
            paused=complaint.status == ComplaintStatus.WAITING_CUSTOMER and due is None,
            stopped=stopped,
            breached=breached,
        )
    left = minutes_on_clock(rule, now, due) if due > now else -minutes_on_clock(rule, due, now)
    return TimeLeft(complaint.clock, left, due, False, False, breached)


# -- a calendar changed ------------------------------------------------------------
def recompute_open_deadlines(
    session: Session,
    calendar_lookup: CalendarLookup,
    agency_ids: Iterable[int],
    now: datetime,
    *,
    signer: Signer | None = None,
) -> int:
    """Count again the deadline of every running business-hours complaint of these
    agencies (their calendar changed); returns how many moved.

    Called by the calendar's services in their own transaction, which journals the
    change of calendar; each complaint moved gets a ``deadline_moved`` event and, with
    the ``signer``, one journal event names how many moved and which agencies.
    """
    from app.complaints.events import deadlines_recomputed

    ids = sorted(set(agency_ids))
    if not ids:
        return 0
    zones: dict[int, str] = {
        agency_id: timezone
        for agency_id, timezone in session.execute(
            select(Agency.id, Agency.timezone).where(Agency.id.in_(ids))
        )
    }
    complaints = session.scalars(
        select(Complaint)
        .where(
            Complaint.agency_id.in_(ids),
            Complaint.status.in_(ComplaintStatus.ACTIVE),
            Complaint.running_since.is_not(None),
            Complaint.clock == CommitmentClock.BUSINESS_HOURS,
        )
        .order_by(Complaint.id)
    ).all()
    calendars: dict[int, BusinessCalendar] = {}
    moved: list[tuple[Complaint, datetime | None]] = []
    for complaint in complaints:
        agency_id = complaint.agency_id
        if agency_id not in calendars:
            calendars[agency_id] = calendar_lookup(agency_id)
        rule = ClockRule(
            CommitmentClock.BUSINESS_HOURS, zones.get(agency_id) or "UTC", calendars[agency_id]
        )
        before = complaint.due_at
        if recompute_deadline(complaint, rule):
            complaint.updated_at = now
            moved.append((complaint, before))
    deadlines_recomputed(session, signer, moved, ids, now)
    return len(moved)
