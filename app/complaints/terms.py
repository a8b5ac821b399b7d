"""What a complaint is judged against: the charter's commitment and the clock it runs on.

The charter (:mod:`app.charter.charters`) and the agencies' calendars
(:mod:`app.charter.calendar_store`) answer; this module only asks them, so tests
can hand in a calendar of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.complaints.clock import BusinessCalendar, ClockRule
from db.models import Agency, CharterCommitment, CommitmentClock, Complaint


def agency_calendar(session: Session, agency_id: int) -> BusinessCalendar:
    """The agency's calendar (its hours, holidays and exceptions)."""
    from app.charter.calendar_store import agency_calendar as load

    return load(session, agency_id)


def commitment_for(session: Session, *, category: str, service: str | None, at: datetime) -> Any:
    """The commitment of the charter in force at ``at`` covering this category and
    service (a ``CommitmentView``), or None."""
    from app.charter.charters import commitment_for as find

    return find(session, category=category, service=service, at=at)


def clock_rule(session: Session, agency_id: int, clock: str | None) -> ClockRule | None:
    """How a complaint of this agency counts on ``clock`` (None: no commitment)."""
    if clock is None:
        return None
    timezone = session.scalar(select(Agency.timezone).where(Agency.id == agency_id)) or "UTC"
    calendar = (
        agency_calendar(session, agency_id) if clock == CommitmentClock.BUSINESS_HOURS else None
    )
    return ClockRule(clock, timezone, calendar)


def rule_of(session: Session, complaint: Complaint) -> ClockRule | None:
    return clock_rule(session, complaint.agency_id, complaint.clock)


@dataclass(frozen=True)
class JudgedCommitment:
    """The commitment a complaint was judged against, as its breach needs it."""

    code: str
    charter_id: int
    clock: str
    target_minutes: int
    rule_kind: str
    rule: dict[str, Any]
    automatic: bool
    approval_above_minor: int | None
    texts: dict[str, dict[str, str]]

    def title(self, language: str) -> str:
        for candidate in (language, "fr", "en", "ar"):
            title = self.texts.get(candidate, {}).get("title")
            if title:
                return title
        return self.code


def judged_commitment(session: Session, complaint: Complaint) -> JudgedCommitment | None:
    """The commitment of the complaint's own charter version (not today's charter)."""
    if complaint.charter_id is None or complaint.commitment_code is None:
        return None
    row = session.scalars(
        select(CharterCommitment).where(
            CharterCommitment.charter_id == complaint.charter_id,
            CharterCommitment.code == complaint.commitment_code,
        )
    ).first()
    if row is None:
        return None
    return JudgedCommitment(
        code=row.code,
        charter_id=row.charter_id,
        clock=row.clock,
        target_minutes=row.target_minutes,
        rule_kind=row.rule_kind,
        rule=json.loads(row.rule or "{}"),
        automatic=bool(row.automatic),
        approval_above_minor=row.approval_above_minor,
        texts=json.loads(row.texts or "{}"),
    )
