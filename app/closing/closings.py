"""Closing an agency's business days, months and years: signed, gapless, perpetual.

A supervisor closes the agency's business day once every till of the agency is
closed. The closing freezes the day's figures from the ledger
(:mod:`app.closing.figures`), the period total and the perpetual grand totals
since the agency's first day, and is signed in the agency's own chain
(``closings/<agency>``). Days follow each other without a gap: the days before
it still open are closed with it when nothing was recorded in them (a Friday,
a holiday), and the closing is refused while one of them has payments. Months
and years are closed from the dailies, once every day of them is closed.

Locks, in the order of :mod:`app.payments.ledger`: every receipt series head of
the agency (by name), then the agency's closings head, then the journal's. A
payment holds its series head from before it reads the last closed day until
it commits, so it either commits before the close reads the ledger (and is in
the closed day) or reads the closing once it is committed (and goes to the next
day). Two supervisors closing the same day queue on the same heads: the second
finds the first one's closing and is told who closed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.closing.days import (
    ONE_DAY,
    agency_zone,
    as_date,
    days_between,
    last_closed_day,
    local_date,
)
from app.closing.figures import Figures, day_figures
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, ValidationError
from app.i18n import N_, join_list
from app.integrity import chain
from app.integrity.canonical import instant
from app.integrity.records import ClosingValues, closing_record_of
from app.jet import jet_code, jet_details
from app.journal import EventKind, record_action
from app.money import currency, from_minor
from app.transactions import write_transaction
from app.workstations import operator_settings, workstation_ref
from db.engine import Database
from db.models import (
    Agency,
    CashSession,
    ChainHead,
    Closing,
    ClosingKind,
    Payment,
    ReceiptSeries,
    Role,
    Staff,
    Workstation,
)


@dataclass(frozen=True)
class ClosingInfo:
    """A closing as the screens and the command line show it."""

    kind: str
    agency: str
    period_start: date
    period_end: date
    closed_at: datetime
    closed_by: str
    automatic: bool
    currency: str
    payments: int
    payments_total: Decimal
    voids: int
    voids_total: Decimal
    period_total: Decimal
    perpetual_total: Decimal
    perpetual_absolute: Decimal
    gap_days: tuple[date, ...] = ()  # closed with it, empty, so the sequence has no gap


@dataclass(frozen=True)
class _Agency:
    id: int
    code: str
    zone: ZoneInfo
    currency: str
    stations: dict[int, str]  # workstation id -> AGENCY-WS
    series: tuple[str, ...]  # the chain names of its receipt series


def _agency(session: Session, code: str) -> _Agency:
    agency = session.scalars(select(Agency).where(Agency.code == code.strip().upper())).first()
    if agency is None:
        raise NotFoundError(N_("Unknown agency {agency}."), field="agency", agency=code)
    settings = operator_settings(session)
    rows = session.execute(
        select(Workstation.id, Workstation.code, ReceiptSeries.code)
        .join(ReceiptSeries, ReceiptSeries.id == Workstation.series_id)
        .where(Workstation.agency_id == agency.id)
        .order_by(Workstation.code)
    ).all()
    return _Agency(
        agency.id,
        agency.code,
        agency_zone(agency.timezone, settings.timezone),
        settings.currency,
        {row[0]: workstation_ref(agency.code, row[1]) for row in rows},
        tuple(sorted(ReceiptSeries.chain_name_of(row[2]) for row in rows)),
    )


def _lock_for_closing(session: Session, agency: _Agency, *, series: bool) -> ChainHead:
    """Take the agency's series heads (by name: the payment path's first lock), when
    a day is closed, then its closings head; returns the closings head."""
    if series:
        for name in agency.series:
            chain.lock_head(session, name)
    return chain.lock_head(session, Closing.chain_name_of(agency.code))


def _existing(session: Session, agency: _Agency, kind: str, start: date) -> Closing | None:
    return session.scalars(
        select(Closing).where(
            Closing.agency_id == agency.id, Closing.kind == kind, Closing.period_start == start
        )
    ).first()


def _already_closed(session: Session, agency: _Agency, closing: Closing) -> ConflictError:
    closer = session.get(Staff, closing.closed_by_id)
    messages = {
        ClosingKind.DAILY: N_(
            "The business day {period} of {agency} was already closed by {login} at {time}."
        ),
        ClosingKind.MONTHLY: N_(
            "The month {period} of {agency} was already closed by {login} at {time}."
        ),
        ClosingKind.YEARLY: N_(
            "The year {period} of {agency} was already closed by {login} at {time}."
        ),
    }
    return ConflictError(
        messages[closing.kind],
        field="period",
        period=period_label(closing.kind, closing.period_start),
        agency=agency.code,
        login=closer.login if closer is not None else "?",
        time=closing.closed_at.astimezone(agency.zone).strftime("%Y-%m-%d %H:%M"),
    )


def period_label(kind: str, start: date) -> str:
    """How a period is named: 2026-11-21, 2026-11 or 2026."""
    if kind == ClosingKind.YEARLY:
        return f"{start:%Y}"
    if kind == ClosingKind.MONTHLY:
        return f"{start:%Y-%m}"
    return start.isoformat()


def _last_closing(session: Session, agency: _Agency) -> Closing | None:
    """The agency's last daily closing: where the perpetual totals stand."""
    return session.scalars(
        select(Closing)
        .where(Closing.agency_id == agency.id, Closing.kind == ClosingKind.DAILY)
        .order_by(Closing.period_start.desc())
        .limit(1)
    ).first()


def _first_activity(session: Session, agency: _Agency) -> date | None:
    """The local date of the agency's first ledger row: where its sequence of days starts."""
    if not agency.stations:
        return None
    first = session.scalar(
        select(func.min(Payment.created_at)).where(Payment.workstation_id.in_(agency.stations))
    )
    return None if first is None else local_date(first, agency.zone)


def _refuse_open_tills(session: Session, agency: _Agency) -> None:
    rows = session.execute(
        select(CashSession.workstation_id, Staff.login)
        .join(Staff, Staff.id == CashSession.opened_by_id)
        .where(CashSession.workstation_id.in_(agency.stations), CashSession.closed_at.is_(None))
        .order_by(CashSession.workstation_id)
    ).all()
    if rows:
        raise ConflictError(
            N_("Tills still open at {agency}: {tills}. Close them before closing the day."),
            field="agency",
            agency=agency.code,
            tills=join_list(f"{agency.stations[station]} ({login})" for station, login in rows),
        )


def _append(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    agency: _Agency,
    head: ChainHead,
    *,
    kind: str,
    start: date,
    end: date,
    figures: Figures,
    perpetual: tuple[int, int],
    automatic: bool = False,
) -> Closing:
    """Sign and insert one closing; ``perpetual``: the grand totals it ends at."""
    now = ctx.now()
    breakdown = figures.breakdown_text()
    values = ClosingValues(
        kind=kind,
        agency=agency.code,
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        closed_at=instant(now),
        closed_by=actor.login,
        automatic=automatic,
        currency=agency.currency,
        payments=figures.payments_count,
        payments_total=figures.payments_minor,
        voids=figures.voids_count,
        voids_total=figures.voids_minor,
        bills=figures.bills_minor,
        topups=figures.topups_minor,
        credit=figures.credit_minor,
        period_total=figures.period_minor,
        perpetual_total=perpetual[0],
        perpetual_absolute=perpetual[1],
        breakdown=breakdown,
    )
    link = chain.append(
        session,
        ctx.signer,
        Closing.chain_name_of(agency.code),
        lambda _seq: closing_record_of(values),
        head=head,
    )
    closing = Closing(
        agency_id=agency.id,
        kind=kind,
        period_start=start,
        period_end=end,
        closed_at=now,
        closed_by_id=actor.staff_id,
        automatic=automatic,
        currency=agency.currency,
        **figures.columns(),
        period_minor=figures.period_minor,
        perpetual_minor=perpetual[0],
        perpetual_absolute_minor=perpetual[1],
        breakdown=breakdown,
        seq=link.seq,
        key_id=link.key_id,
        prev_signature=link.prev_signature,
        signature=link.signature,
    )
    session.add(closing)
    session.flush()
    return closing


def _info(closing: Closing, agency: str, login: str, gaps: tuple[date, ...] = ()) -> ClosingInfo:
    cur = currency(closing.currency)

    def money(minor: int) -> Decimal:
        return from_minor(minor, cur)

    return ClosingInfo(
        kind=closing.kind,
        agency=agency,
        period_start=closing.period_start,
        period_end=closing.period_end,
        closed_at=closing.closed_at,
        closed_by=login,
        automatic=closing.automatic,
        currency=closing.currency,
        payments=closing.payments_count,
        payments_total=money(closing.payments_minor),
        voids=closing.voids_count,
        voids_total=money(closing.voids_minor),
        period_total=money(closing.period_minor),
        perpetual_total=money(closing.perpetual_minor),
        perpetual_absolute=money(closing.perpetual_absolute_minor),
        gap_days=gaps,
    )


def _closing_transaction(ctx: AppContext, work: Callable[[Session], ClosingInfo]) -> ClosingInfo:
    """Run a closing; a unique-constraint clash (only outside Guichet's own locks)
    is answered as the refusal the locks would have given."""
    try:
        return write_transaction(ctx.db, work)
    except IntegrityError as error:
        raise ConflictError(
            N_("This period was closed at the same moment by someone else. Check the closings."),
            field="period",
        ) from error


# -- the day ----------------------------------------------------------------------------


def close_day(ctx: AppContext, actor: Actor, agency_code: str, day: date) -> ClosingInfo:
    """Close the business day ``day`` of an agency, and the empty days before it
    that are still open. Refused while a till of the agency is open, while an
    earlier day with payments is still open, for a day not yet begun, and for a
    day already closed (naming who closed it).

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    return _closing_transaction(
        ctx, lambda session: _close_day(ctx, session, actor, agency_code, day)
    )


def _close_day(
    ctx: AppContext, session: Session, actor: Actor, agency_code: str, day: date
) -> ClosingInfo:
    agency = _agency(session, agency_code)
    today = local_date(ctx.now(), agency.zone)
    if day > today:
        raise ValidationError(
            N_("The business day {day} of {agency} has not begun yet (today is {today})."),
            field="date",
            day=day.isoformat(),
            agency=agency.code,
            today=today.isoformat(),
        )
    head = _lock_for_closing(session, agency, series=True)
    # Read once the locks are held: a closing committed meanwhile is seen now.
    existing = _existing(session, agency, ClosingKind.DAILY, day)
    if existing is not None:
        raise _already_closed(session, agency, existing)
    last = last_closed_day(session, agency.id)
    if last is not None and day < last:
        raise ConflictError(
            N_(
                "The business day {day} of {agency} comes before its first closed day "
                "({first}): there is nothing to close there."
            ),
            field="date",
            day=day.isoformat(),
            agency=agency.code,
            first=_first_daily(session, agency).isoformat(),
        )
    _refuse_open_tills(session, agency)
    first = last + ONE_DAY if last is not None else (_first_activity(session, agency) or day)
    connection = session.connection()
    gaps = []
    for gap in days_between(first, day - ONE_DAY):
        figures = day_figures(connection, agency.stations, gap, agency.zone)
        if figures.active:
            raise ConflictError(
                N_(
                    "The business day {gap} of {agency} has payments and is not closed: "
                    "close it before {day}."
                ),
                field="date",
                gap=gap.isoformat(),
                agency=agency.code,
                day=day.isoformat(),
            )
        gaps.append((gap, figures))
    previous = _last_closing(session, agency)
    perpetual = (
        (previous.perpetual_minor, previous.perpetual_absolute_minor) if previous else (0, 0)
    )
    days = [*gaps, (day, day_figures(connection, agency.stations, day, agency.zone))]
    closing = None
    for index, (each, figures) in enumerate(days):
        perpetual = (
            perpetual[0] + figures.period_minor,
            perpetual[1] + figures.payments_minor + abs(figures.voids_minor),
        )
        closing = _append(
            ctx,
            session,
            actor,
            agency,
            head,
            kind=ClosingKind.DAILY,
            start=each,
            end=each,
            figures=figures,
            perpetual=perpetual,
            automatic=index < len(gaps),
        )
    assert closing is not None
    record_action(
        session,
        ctx,
        EventKind.DAY_CLOSED,
        actor,
        subject=f"{agency.code} {day.isoformat()}",
        details={
            "agency": agency.code,
            "day": day.isoformat(),
            "empty_days_closed": [gap.isoformat() for gap, _figures in gaps],
            "period_total": closing.period_minor,
            "perpetual_total": closing.perpetual_minor,
            "closing_seq": closing.seq,
            **jet_details(jet_code(EventKind.DAY_CLOSED)),
        },
    )
    return _info(closing, agency.code, actor.login, tuple(gap for gap, _figures in gaps))


def _first_daily(session: Session, agency: _Agency) -> date:
    first = session.scalar(
        select(func.min(Closing.period_start)).where(
            Closing.agency_id == agency.id, Closing.kind == ClosingKind.DAILY
        )
    )
    found = as_date(first)
    assert found is not None  # called only once a daily closing exists
    return found


# -- months and years -------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - ONE_DAY


def close_month(
    ctx: AppContext, actor: Actor, agency_code: str, year: int, month: int
) -> ClosingInfo:
    """Close a month of an agency from its daily closings; refused until every day
    of it (from the agency's first closed day on) is closed.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    if not 1 <= month <= 12:
        raise ValidationError(N_("{month} is not a month (1 to 12)."), field="month", month=month)
    start, end = date(year, month, 1), _month_end(year, month)
    return _closing_transaction(
        ctx,
        lambda session: _close_period(
            ctx, session, actor, agency_code, ClosingKind.MONTHLY, start, end
        ),
    )


def close_year(ctx: AppContext, actor: Actor, agency_code: str, year: int) -> ClosingInfo:
    """Close a year of an agency from its monthly closings; refused until every month
    of it (from the agency's first closed day on) is closed.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    start, end = date(year, 1, 1), date(year, 12, 31)
    return _closing_transaction(
        ctx,
        lambda session: _close_period(
            ctx, session, actor, agency_code, ClosingKind.YEARLY, start, end
        ),
    )


_PARTS = {ClosingKind.MONTHLY: ClosingKind.DAILY, ClosingKind.YEARLY: ClosingKind.MONTHLY}


def _expected_parts(kind: str, first: date, end: date) -> list[date]:
    """The period starts of the closings a period is built from, from ``first`` on."""
    if kind == ClosingKind.MONTHLY:
        return days_between(first, end)
    return [date(first.year, month, 1) for month in range(first.month, 13)]


def _close_period(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    agency_code: str,
    kind: str,
    start: date,
    end: date,
) -> ClosingInfo:
    agency = _agency(session, agency_code)
    head = _lock_for_closing(session, agency, series=False)
    existing = _existing(session, agency, kind, start)
    if existing is not None:
        raise _already_closed(session, agency, existing)
    part = _PARTS[kind]
    last = last_closed_day(session, agency.id)
    if last is None:
        raise ConflictError(
            N_("No business day of {agency} is closed yet: close the days of {period} first."),
            field="period",
            period=period_label(kind, start),
            agency=agency.code,
        )
    first_day = _first_daily(session, agency)
    if first_day > end:
        raise ConflictError(
            N_("{period} of {agency} comes before its first closed day: nothing to close."),
            field="period",
            period=period_label(kind, start),
            agency=agency.code,
        )
    parts = session.scalars(
        select(Closing)
        .where(
            Closing.agency_id == agency.id,
            Closing.kind == part,
            Closing.period_start >= start,
            Closing.period_start <= end,
        )
        .order_by(Closing.period_start)
    ).all()
    have = {closing.period_start for closing in parts}
    for expected in _expected_parts(kind, max(start, first_day), end):
        if expected not in have:
            raise ConflictError(
                N_(
                    "{period} of {agency} cannot be closed yet: {missing} is not closed. "
                    "Close every day (and, for a year, every month) first."
                ),
                field="period",
                period=period_label(kind, start),
                agency=agency.code,
                missing=period_label(part, expected),
            )
    figures = Figures()
    for closing in parts:
        figures.add(Figures.of_closing(closing_columns(closing), closing.breakdown))
    perpetual = (parts[-1].perpetual_minor, parts[-1].perpetual_absolute_minor)
    closing = _append(
        ctx,
        session,
        actor,
        agency,
        head,
        kind=kind,
        start=start,
        end=end,
        figures=figures,
        perpetual=perpetual,
    )
    event = EventKind.MONTH_CLOSED if kind == ClosingKind.MONTHLY else EventKind.YEAR_CLOSED
    record_action(
        session,
        ctx,
        event,
        actor,
        subject=f"{agency.code} {period_label(kind, start)}",
        details={
            "agency": agency.code,
            "period": period_label(kind, start),
            "period_total": closing.period_minor,
            "perpetual_total": closing.perpetual_minor,
            "closing_seq": closing.seq,
            **jet_details(jet_code(event)),
        },
    )
    return _info(closing, agency.code, actor.login)


def closing_columns(closing: Closing) -> dict[str, int]:
    return {
        "payments_count": closing.payments_count,
        "payments_minor": closing.payments_minor,
        "voids_count": closing.voids_count,
        "voids_minor": closing.voids_minor,
        "bills_minor": closing.bills_minor,
        "topups_minor": closing.topups_minor,
        "credit_minor": closing.credit_minor,
    }


# -- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosingStatus:
    agency: str
    last_closed_day: date | None
    open_tills: tuple[str, ...]  # AGENCY-WS (agent)
    closings: tuple[ClosingInfo, ...]  # newest first


def closing_status(
    db: Database,
    agency_code: str,
    *,
    limit: int = 10,
    start: date | None = None,
    end: date | None = None,
) -> ClosingStatus:
    """The agency's last closings, its last closed day and its tills still open.

    With ``start`` and ``end``: only the closings whose period meets those business
    days (a day's, and the month's and the year's that hold it), newest first.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        agency = _agency(session, agency_code)
        query = select(Closing, Staff.login).join(Staff, Staff.id == Closing.closed_by_id)
        query = query.where(Closing.agency_id == agency.id)
        if start is not None:
            query = query.where(Closing.period_end >= start)
        if end is not None:
            query = query.where(Closing.period_start <= end)
        rows = session.execute(query.order_by(Closing.seq.desc()).limit(limit)).all()
        tills = session.execute(
            select(CashSession.workstation_id, Staff.login)
            .join(Staff, Staff.id == CashSession.opened_by_id)
            .where(CashSession.workstation_id.in_(agency.stations), CashSession.closed_at.is_(None))
            .order_by(CashSession.workstation_id)
        ).all()
        return ClosingStatus(
            agency=agency.code,
            last_closed_day=last_closed_day(session, agency.id),
            open_tills=tuple(f"{agency.stations[ws]} ({login})" for ws, login in tills),
            closings=tuple(_info(closing, agency.code, login) for closing, login in rows),
        )
