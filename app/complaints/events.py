"""A complaint's history: each change appended as a ComplaintEvent and journaled."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth import Actor
from app.integrity.canonical import instant
from app.integrity.keys import Signer
from app.journal import EventKind, record_event
from db.models import Complaint, ComplaintEvent


class Step:
    """What a ComplaintEvent records (its ``kind``)."""

    OPENED = "opened"
    STATUS = "status"
    ASSIGNED = "assigned"
    NOTE = "note"
    BREACHED = "breached"
    DEADLINE_MOVED = "deadline_moved"
    SLIP_PRINTED = "slip_printed"
    COMPENSATION = "compensation"


def record_step(
    session: Session,
    signer: Signer | None,
    complaint: Complaint,
    *,
    step: str,
    journal_kind: str | None,
    at: datetime,
    actor: Actor | None,
    workstation: str | None = None,
    status_from: str | None = None,
    status_to: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """Append one step to the complaint's history and, with ``journal_kind`` (and a
    signer), journal it."""
    event = ComplaintEvent(
        complaint_id=complaint.id,
        at=at,
        by_id=actor.staff_id if actor is not None else None,
        kind=step,
        status_from=status_from,
        status_to=status_to,
        note=note,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(event)
    if journal_kind is not None and signer is not None:
        journal_details: dict[str, Any] = {"step": step, **(details or {})}
        if status_from or status_to:
            journal_details["from"] = status_from
            journal_details["to"] = status_to
        record_event(
            session,
            signer,
            journal_kind,
            actor_id=actor.staff_id if actor is not None else None,
            actor_login=actor.login if actor is not None else None,
            workstation=workstation,
            subject=complaint.number,
            details={k: _plain(v) for k, v in journal_details.items() if v is not None},
            occurred_at=at,
        )
    return event


def _plain(value: Any) -> Any:
    """A value as the journal signs it: instants as UTC text, the rest as it is."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def deadlines_recomputed(
    session: Session,
    signer: Signer | None,
    moved: Sequence[tuple[Complaint, datetime | None]],
    agency_ids: Sequence[int],
    now: datetime,
) -> None:
    """A calendar change moved these deadlines: one step each, one journal event for all."""
    for complaint, before in moved:
        record_step(
            session,
            None,
            complaint,
            step=Step.DEADLINE_MOVED,
            journal_kind=None,
            at=now,
            actor=None,
            details={"from": before, "to": complaint.due_at},
        )
    if signer is not None:
        record_event(
            session,
            signer,
            EventKind.COMPLAINT_DEADLINES_RECOMPUTED,
            subject=None,
            details={
                "agencies": [int(agency_id) for agency_id in agency_ids],
                "moved": len(moved),
                "complaints": [complaint.number for complaint, _ in moved][:100],
            },
            occurred_at=now,
        )
    session.flush()
