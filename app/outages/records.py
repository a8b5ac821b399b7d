"""Recording an outage: the service, where it struck, when; checked, numbered, journaled.

Where is one of four scopes (:class:`db.models.OutageScope`): agency codes, communes,
exchange codes, or a list of lines typed any usual way (normalised to E.164 as the
lookup does). Every value must name something the database knows, so that a typo
is refused at once rather than found later as an outage that hit nobody.

An outage is numbered ``INT-<year>-<00001>`` (interruption) in the operator's year of
its recording. Its end may be unknown when it is recorded (:func:`end_outage` sets
it later); it is closed (:mod:`app.outages.fanout`) once it has ended.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.auth import Actor, require_role
from app.charter.charters import charter_in_force
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, ValidationError
from app.i18n import N_
from app.journal import EventKind, record_action
from app.lookup.normalize import phone_to_e164
from app.transactions import write_transaction
from app.workstations import operator_settings
from db.engine import Database
from db.models import (
    Agency,
    Contract,
    OperatorSettings,
    Outage,
    OutageScope,
    Role,
    ServiceType,
    Staff,
)

DESCRIPTION_MAX = 2000
SCOPE_VALUES_MAX = 10_000
NUMBER_PREFIX = "INT"


class OutageState:
    """Where an outage stands (derived from its columns, not stored)."""

    OPEN = "open"  # the service is still down (no end yet)
    ENDED = "ended"  # the end is known; not closed yet
    CLOSED = "closed"  # its contracts found and compensated

    ALL = (OPEN, ENDED, CLOSED)


@dataclass(frozen=True)
class OutageRequest:
    """What the supervisor typed, or an import read."""

    service: str
    scope: str
    values: Sequence[str]
    start: datetime
    end: datetime | None = None
    description: str | None = None


@dataclass(frozen=True)
class OutageSummary:
    """One outage as the screens and the command line show it."""

    id: int
    number: str
    service: str
    scope: str
    values: tuple[str, ...]
    description: str | None
    started_at: datetime
    ended_at: datetime | None
    recorded_at: datetime
    recorded_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    affected_contracts: int | None
    compensated_minor: int | None
    currency: str
    timezone: str

    @property
    def state(self) -> str:
        if self.closed_at is not None:
            return OutageState.CLOSED
        if self.ended_at is not None:
            return OutageState.ENDED
        return OutageState.OPEN

    @property
    def downtime_minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return downtime_minutes(self.started_at, self.ended_at)


def operator_timezone(db: Database) -> str:
    """The operator's time zone, in which outage times are typed and shown.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        return operator_settings(session).timezone


def downtime_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes between the start and the end (a started minute does not count)."""
    return max(int((end - start).total_seconds()) // 60, 0)


# --- checking what was typed -----------------------------------------------------------

_NOT_A_TIME = {
    "start": N_("{value} is not a time for the outage's start: give it as YYYY-MM-DD HH:MM."),
    "end": N_("{value} is not a time for the outage's end: give it as YYYY-MM-DD HH:MM."),
}


def parse_when(text: str, timezone: str, field: str) -> datetime:
    """``YYYY-MM-DD HH:MM`` in the operator's zone, or an ISO instant with its offset
    (how the command line and the screen take a time); ``field`` is start or end."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(_NOT_A_TIME[field], field=field, value=text) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value


_NAIVE = {
    "start": N_("Give the outage's start with its time zone."),
    "end": N_("Give the outage's end with its time zone."),
}


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(_NAIVE[field], field=field)
    return value


def check_times(start: datetime, end: datetime | None, now: datetime) -> None:
    """The start is past, the end (if known) after the start and not in the future."""
    _aware(start, "start")
    _aware(end, "end")
    if start > now:
        raise ValidationError(
            N_("The outage's start is in the future: record it once the service is down."),
            field="start",
        )
    if end is not None:
        if end <= start:
            raise ValidationError(N_("The outage's end must come after its start."), field="end")
        if end > now:
            raise ValidationError(
                N_("The outage's end is in the future: set it once the service is back."),
                field="end",
            )


def _check_service(service: str) -> str:
    value = (service or "").strip().lower()
    if value not in {str(s) for s in ServiceType}:
        raise ValidationError(
            N_("{value} is not a service: choose one of {choices}."),
            field="service",
            value=service,
            choices=", ".join(str(s) for s in ServiceType),
        )
    return value


def _cleaned(values: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        text = " ".join(str(value).split())
        if text:
            seen.setdefault(text, None)
    return list(seen)


def resolve_scope(session: Session, scope: str, values: Sequence[str]) -> list[str]:
    """The scope's values as stored and matched (agency codes upper case, lines in
    E.164), each checked against the database; refused with the first unknown one."""
    if scope not in OutageScope.ALL:
        raise ValidationError(
            N_("{value} is not a scope: choose agencies, communes, exchanges or lines."),
            field="scope",
            value=scope,
        )
    cleaned = _cleaned(values)
    if not cleaned:
        raise ValidationError(
            N_("Say where the outage struck: at least one agency, commune, exchange or line."),
            field="scope",
        )
    if len(cleaned) > SCOPE_VALUES_MAX:
        raise ValidationError(
            N_("An outage names at most {limit} places or lines; this one names {count}."),
            field="scope",
            limit=SCOPE_VALUES_MAX,
            count=len(cleaned),
        )
    if scope == OutageScope.AGENCIES:
        codes = [value.upper() for value in cleaned]
        known = set(session.scalars(select(Agency.code).where(Agency.code.in_(codes))))
        for code in codes:
            if code not in known:
                raise ValidationError(N_("There is no agency {code}."), field="scope", code=code)
        return codes
    if scope == OutageScope.LINES:
        country = operator_settings(session).country
        lines: list[str] = []
        for value in cleaned:
            line = phone_to_e164(value, country)
            if line is None:
                raise ValidationError(
                    N_("{value} is not a line number."), field="scope", value=value
                )
            lines.append(line)
        lines = list(dict.fromkeys(lines))
        _check_known(session, Contract.line_e164, lines, N_("No contract has the line {value}."))
        return lines
    if scope == OutageScope.EXCHANGES:
        codes = [value.upper() for value in cleaned]
        _check_known(
            session, Contract.exchange_code, codes, N_("No contract hangs on the exchange {value}.")
        )
        return codes
    _check_known(session, Contract.commune, cleaned, N_("No contract is in the commune {value}."))
    return cleaned


def _check_known(
    session: Session, column: InstrumentedAttribute[str | None], values: list[str], message: str
) -> None:
    known: set[str | None] = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        known.update(session.scalars(select(column).where(column.in_(chunk)).distinct()))
    for value in values:
        if value not in known:
            raise ValidationError(message, field="scope", value=value)


def _description(text: str | None) -> str | None:
    value = (text or "").strip() or None
    if value is not None and len(value) > DESCRIPTION_MAX:
        raise ValidationError(
            N_("An outage's description has at most {limit} characters; this one has {length}."),
            field="description",
            limit=DESCRIPTION_MAX,
            length=len(value),
        )
    return value


def _next_number(session: Session, settings: OperatorSettings, now: datetime) -> str:
    """The next number of the operator's year (its settings row locked meanwhile)."""
    session.execute(
        select(OperatorSettings.id).where(OperatorSettings.id == settings.id).with_for_update()
    )
    year = now.astimezone(ZoneInfo(settings.timezone)).year
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = session.scalar(select(func.max(Outage.number)).where(Outage.number.like(prefix + "%")))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


# --- the services -------------------------------------------------------------------


def record_outage(ctx: AppContext, actor: Actor, request: OutageRequest) -> OutageSummary:
    """Record an outage: checked, numbered, journaled, in one transaction.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    service = _check_service(request.service)
    description = _description(request.description)
    now = ctx.now()
    check_times(request.start, request.end, now)

    def work(session: Session) -> int:
        values = resolve_scope(session, request.scope, request.values)
        settings = operator_settings(session)
        charter = charter_in_force(session, request.start)
        outage = Outage(
            number=_next_number(session, settings, now),
            service=service,
            scope=request.scope,
            scope_values=json.dumps(values, ensure_ascii=False),
            description=description,
            started_at=request.start,
            ended_at=request.end,
            recorded_at=now,
            recorded_by_id=actor.staff_id,
            charter_id=charter.id if charter is not None else None,
        )
        session.add(outage)
        session.flush()
        record_action(
            session,
            ctx,
            EventKind.OUTAGE_RECORDED,
            actor,
            subject=outage.number,
            details={
                "service": service,
                "scope": request.scope,
                "values": values,
                "started_at": request.start.isoformat(),
                "ended_at": request.end.isoformat() if request.end else None,
            },
        )
        return outage.id

    outage_id = write_transaction(ctx.db, work)
    return outage_summary(ctx.db, outage_id)


def locked_outage(session: Session, outage_ref: int | str) -> Outage:
    """The outage by id or number, its row locked until the transaction ends."""
    query = select(Outage).with_for_update().execution_options(populate_existing=True)
    if isinstance(outage_ref, int):
        query = query.where(Outage.id == outage_ref)
    else:
        query = query.where(Outage.number == outage_ref.strip().upper())
    outage = session.scalars(query).first()
    if outage is None:
        raise NotFoundError(N_("There is no outage {ref}."), field="outage", ref=outage_ref)
    return outage


def end_outage(
    ctx: AppContext, actor: Actor, outage_ref: int | str, end: datetime
) -> OutageSummary:
    """Set (or correct) the end of an outage not closed yet; journaled.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    now = ctx.now()

    def work(session: Session) -> int:
        outage = locked_outage(session, outage_ref)
        if outage.closed_at is not None:
            raise ConflictError(
                N_("Outage {number} is closed: its end can no longer change."),
                field="end",
                number=outage.number,
            )
        check_times(outage.started_at, end, now)
        before = outage.ended_at
        outage.ended_at = end
        session.flush()
        record_action(
            session,
            ctx,
            EventKind.OUTAGE_END_SET,
            actor,
            subject=outage.number,
            details={
                "ended_at": end.isoformat(),
                "previous": before.isoformat() if before else None,
            },
        )
        return outage.id

    return outage_summary(ctx.db, write_transaction(ctx.db, work))


def _summaries(session: Session, where: object | None, limit: int | None) -> list[OutageSummary]:
    settings = operator_settings(session)
    recorder = aliased(Staff)
    closer = aliased(Staff)
    query = (
        select(Outage, recorder.login, closer.login)
        .outerjoin(recorder, recorder.id == Outage.recorded_by_id)
        .outerjoin(closer, closer.id == Outage.closed_by_id)
        .order_by(Outage.started_at.desc(), Outage.id.desc())
    )
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    if limit is not None:
        query = query.limit(limit)
    return [
        OutageSummary(
            id=outage.id,
            number=outage.number,
            service=outage.service,
            scope=outage.scope,
            values=tuple(json.loads(outage.scope_values or "[]")),
            description=outage.description,
            started_at=outage.started_at,
            ended_at=outage.ended_at,
            recorded_at=outage.recorded_at,
            recorded_by=recorded_by,
            closed_at=outage.closed_at,
            closed_by=closed_by,
            affected_contracts=outage.affected_contracts,
            compensated_minor=outage.compensated_minor,
            currency=settings.currency,
            timezone=settings.timezone,
        )
        for outage, recorded_by, closed_by in session.execute(query)
    ]


def list_outages(
    db: Database, *, state: str | None = None, limit: int | None = 200
) -> list[OutageSummary]:
    """The outages, latest first; ``state`` keeps open, ended or closed ones only.

    Lowest role: none (a read; no actor).
    """
    where: object | None = None
    if state == OutageState.CLOSED:
        where = Outage.closed_at.is_not(None)
    elif state == OutageState.ENDED:
        where = Outage.closed_at.is_(None) & Outage.ended_at.is_not(None)
    elif state == OutageState.OPEN:
        where = Outage.ended_at.is_(None)
    elif state is not None:
        raise ValidationError(
            N_("{value} is not a state of an outage: open, ended or closed."),
            field="state",
            value=state,
        )
    with db.read() as session:
        return _summaries(session, where, limit)


def outage_summary(db: Database, outage_ref: int | str) -> OutageSummary:
    """One outage by id or number.

    Lowest role: none (a read; no actor).
    """
    where = (
        Outage.id == outage_ref
        if isinstance(outage_ref, int)
        else Outage.number == outage_ref.strip().upper()
    )
    with db.read() as session:
        found = _summaries(session, where, 1)
    if not found:
        raise NotFoundError(N_("There is no outage {ref}."), field="outage", ref=outage_ref)
    return found[0]
