"""Outages reported by the network system: recorded or corrected by their reference,
then closed in the import's own transaction once they have an end.

The reference is the outage's number. Its place is checked as a supervisor's is
(:func:`app.outages.records.resolve_scope`: every agency, commune, exchange or line
must be known, contracts of the same batch included) and its times as well
(:func:`app.outages.records.check_times`). A new outage is recorded by nobody (an
import), judged by the charter in force at its start and journaled as a supervisor's
is. An outage not closed yet may be corrected by a later file (its end set, above
all); a closed one was compensated from its service, place and times, so a line
changing any of them is refused (its description may still change). A blank end
keeps the end already known.

Every outage of the batch with an end and not closed yet is closed by
:func:`close_pending` before the commit, exactly as ``close_outage_as_system`` does:
its contracts found and compensated once; a second import of the same file finds
nothing to change and nothing to close.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.charter.charters import charter_in_force
from app.context import AppContext
from app.errors import ValidationError
from app.i18n import N_
from app.imports.batch import Batch, FileInfo, Record
from app.journal import EventKind, record_event
from app.outages.fanout import SYSTEM_LOGIN, CloseOutcome, close_outage_in_transaction
from app.outages.records import check_times, resolve_scope
from db.models import Outage

# What a closed outage's compensations were computed from: the file's column of each.
_FROZEN = (
    ("service", "service"),
    ("scope", "scope"),
    ("scope_values", "where"),
    ("started_at", "started_at"),
    ("ended_at", "ended_at"),
)
_TIME_COLUMNS = {"start": "started_at", "end": "ended_at"}


def apply_outages(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    session = batch.session
    created = updated = unchanged = 0
    for record in records:
        if record.refused:
            continue
        outage = session.scalars(
            select(Outage)
            .where(Outage.number == record.key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        wanted = _wanted(batch, file, record, outage)
        if wanted is None:
            continue
        if outage is None:
            outage = _record(batch, record, wanted)
            created += 1
        elif _update(batch, file, record, outage, wanted):
            updated += 1
        elif not record.refused:
            unchanged += 1
        if not record.refused and outage.ended_at is not None and outage.closed_at is None:
            batch.outages_to_close.setdefault(outage.id, record.line)
    batch.count(file.kind, created=created, updated=updated, unchanged=unchanged)


def _wanted(
    batch: Batch, file: FileInfo, record: Record, outage: Outage | None
) -> dict[str, Any] | None:
    """The outage's columns as the line gives them, or None after refusing the line."""
    values = record.values
    start: datetime = values["started_at"]
    end: datetime | None = values.get("ended_at")
    if end is None and outage is not None:
        end = outage.ended_at  # a blank end keeps the end already known
    try:
        check_times(start, end, batch.now)
    except ValidationError as error:
        column = _TIME_COLUMNS.get(error.field or "", "started_at")
        batch.refuse(file, record, column, error.message, **error.params)
        return None
    try:
        places = resolve_scope(batch.session, values["scope"], values["where"])
    except ValidationError as error:
        batch.refuse(file, record, "where", error.message, **error.params)
        return None
    if "description" in file.columns:
        description = values.get("description") or None
    else:
        description = outage.description if outage is not None else None
    return {
        "service": values["service"],
        "scope": values["scope"],
        "scope_values": json.dumps(places, ensure_ascii=False),
        "started_at": start,
        "ended_at": end,
        "description": description,
    }


def _record(batch: Batch, record: Record, wanted: dict[str, Any]) -> Outage:
    session = batch.session
    charter = charter_in_force(session, wanted["started_at"])
    outage = Outage(
        number=record.key,
        recorded_at=batch.now,
        recorded_by_id=None,  # an import
        charter_id=charter.id if charter is not None else None,
        **wanted,
    )
    session.add(outage)
    session.flush()
    end = wanted["ended_at"]
    _journal(
        batch,
        EventKind.OUTAGE_RECORDED,
        outage.number,
        {
            "service": wanted["service"],
            "scope": wanted["scope"],
            "values": json.loads(wanted["scope_values"]),
            "started_at": wanted["started_at"].isoformat(),
            "ended_at": end.isoformat() if end else None,
        },
    )
    return outage


def _update(
    batch: Batch, file: FileInfo, record: Record, outage: Outage, wanted: dict[str, Any]
) -> bool:
    """Apply the line's changes to a known outage; False when there are none (or the
    line was refused)."""
    changes = {name: value for name, value in wanted.items() if getattr(outage, name) != value}
    if not changes:
        return False
    if outage.closed_at is not None:
        frozen = [column for name, column in _FROZEN if name in changes]
        if frozen:
            batch.refuse(
                file,
                record,
                frozen[0],
                N_(
                    "outage {number} is closed and its contracts compensated: its service, "
                    "scope, places and times can no longer change"
                ),
                number=outage.number,
            )
            return False
    before = {name: getattr(outage, name) for name in changes}
    for name, value in changes.items():
        setattr(outage, name, value)
    if "started_at" in changes:
        charter = charter_in_force(batch.session, outage.started_at)
        outage.charter_id = charter.id if charter is not None else None
    batch.session.flush()
    if "ended_at" in changes:
        previous = before.pop("ended_at")
        _journal(
            batch,
            EventKind.OUTAGE_END_SET,
            outage.number,
            {
                "ended_at": outage.ended_at.isoformat() if outage.ended_at else None,
                "previous": previous.isoformat() if previous else None,
            },
        )
    if before:
        _journal(
            batch,
            EventKind.OUTAGE_CORRECTED,
            outage.number,
            {
                name: {"before": _shown(value), "after": _shown(getattr(outage, name))}
                for name, value in sorted(before.items())
            },
        )
    return True


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _journal(batch: Batch, kind: str, number: str, details: dict[str, Any]) -> None:
    record_event(
        batch.session,
        batch.signer,
        kind,
        actor_login=SYSTEM_LOGIN,
        subject=number,
        details={**details, "batch": batch.batch_id},
        occurred_at=batch.now,
    )


def close_pending(batch: Batch, ctx: AppContext) -> list[CloseOutcome]:
    """Close the batch's ended outages (their contracts compensated once), in its
    transaction; called once every file of the batch is written. Returns what each
    close did, for the report."""
    return [
        close_outage_in_transaction(batch.session, ctx, outage_id)
        for outage_id in sorted(batch.outages_to_close)
    ]
