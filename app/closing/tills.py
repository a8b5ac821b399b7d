"""Cash sessions: a till is opened with a float before taking money and closed after.

Opening and closing are journaled with everything that defines the session (its
id, counter, float, who opened and closed it, when, how and why), so `verify`
can check every ``cash_sessions`` row against the signed journal.

A till opens with its float counted by denomination and closes with the agent's
blind count (:mod:`app.closing.counts`); the supervisor then reviews it
(:mod:`app.closing.review`). Handovers and forced closes live in
:mod:`app.closing.handover`. Every close with a count, a handover or a forced
close queues the till's Z report in its own transaction
(:mod:`app.closing.z_prints`: the agent's copy, without the expected figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.closing.counts import (
    CountedFigures,
    CountInput,
    CountPurpose,
    counted_figures,
    write_count,
)
from app.closing.ownership import require_till_holder
from app.closing.till_lock import lock_open_till, lock_series
from app.closing.z_prints import closing_language, queue_closing_z
from app.context import AppContext
from app.errors import ConflictError, PermissionDeniedError
from app.i18n import N_
from app.integrity.canonical import instant
from app.journal import EventKind, record_action
from app.money import Currency, currency, from_minor, to_minor
from app.transactions import write_transaction
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.engine import Database
from db.models import CashSession, Role, Staff, TillCount, Workstation

# How a till closed (cash_sessions.closed_how).
CLOSED_BY_COUNT = "count"
CLOSED_BY_HANDOVER = "handover"
CLOSED_FORCED = "forced"


@dataclass(frozen=True)
class CashSessionInfo:
    session_id: int
    workstation: str
    opened_at: datetime
    opened_by: str
    opening_float: Decimal


# Built once: every payment asks, and building a statement costs more than running it.
_OPEN_SESSION = select(CashSession).where(
    CashSession.workstation_id == bindparam("workstation_id"), CashSession.closed_at.is_(None)
)


def open_session_for(session: Session, workstation_id: int) -> CashSession | None:
    return session.scalars(_OPEN_SESSION, {"workstation_id": workstation_id}).first()


def _ref(station: Workstation) -> str:
    return workstation_ref(station.agency.code, station.code)


def open_cash_session(
    ctx: AppContext, actor: Actor, workstation: str, opening_float: Decimal | str = "0"
) -> CashSessionInfo:
    """Open the till of ``workstation`` with its float given as one amount.

    Kept for callers that have no count by denomination; a counter opens with
    :func:`open_counted_till`. Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        cur = currency(operator_settings(session).currency)
        float_minor = to_minor(opening_float, cur, field="opening_float", allow_zero=True)
        cash_session = open_till(session, ctx, actor, station, float_minor)
        return till_info(cash_session, station, actor.login, cur)


def open_counted_till(
    ctx: AppContext, actor: Actor, workstation: str, count: CountInput
) -> CashSessionInfo:
    """Open the till of ``workstation`` with its float counted note by note, coin by coin.

    The count is stored (purpose ``opening``) and journaled beside the opening.
    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)

    def work(session: Session) -> CashSessionInfo:
        station = find_workstation(session, workstation)
        cur = currency(operator_settings(session).currency)
        cash_session = open_till(session, ctx, actor, station, None, count=count, cur=cur)
        return till_info(cash_session, station, actor.login, cur)

    return write_transaction(ctx.db, work)


def till_info(
    cash_session: CashSession, station: Workstation, opened_by: str, cur: Currency
) -> CashSessionInfo:
    return CashSessionInfo(
        cash_session.id,
        station.series.code,
        cash_session.opened_at,
        opened_by,
        from_minor(cash_session.opening_float_minor, cur),
    )


def open_till(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    station: Workstation,
    float_minor: int | None,
    *,
    count: CountInput | None = None,
    cur: Currency | None = None,
) -> CashSession:
    """Open a till in the caller's transaction: the float as an amount, or counted."""
    lock_series(session, station)  # one opening at a time per counter
    if open_session_for(session, station.id) is not None:
        raise ConflictError(
            N_("A cash session is already open at {workstation}."),
            field="workstation",
            workstation=_ref(station),
        )
    cash_session = CashSession(
        workstation_id=station.id,
        opened_by_id=actor.staff_id,
        opened_at=ctx.now(),
        opening_float_minor=float_minor or 0,
    )
    session.add(cash_session)
    session.flush()
    if count is not None:
        assert cur is not None
        counted = write_count(
            session,
            ctx,
            actor,
            cash_session,
            CountPurpose.OPENING,
            count,
            cur,
            workstation=station.series.code,
        )
        cash_session.opening_float_minor = counted.cash_minor
        session.flush()
    record_action(
        session,
        ctx,
        EventKind.CASH_SESSION_OPENED,
        actor,
        workstation=station.series.code,
        subject=str(cash_session.id),
        details={
            "session": cash_session.id,
            "workstation": _ref(station),
            "float": cash_session.opening_float_minor,
            "opened_by": actor.login,
            "opened_at": instant(cash_session.opened_at),
        },
    )
    return cash_session


def close_till_row(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    cash_session: CashSession,
    station: Workstation,
    *,
    here: str,
    how: str | None,
    reason: str | None = None,
) -> None:
    """Mark the till closed and journal it (a forced close under its own event kind)."""
    cash_session.closed_at = ctx.now()
    cash_session.closed_by_id = actor.staff_id
    cash_session.closed_how = how
    cash_session.close_reason = reason
    details: dict[str, Any] = {
        "session": cash_session.id,
        "workstation": _ref(station),
        "closed_by": actor.login,
        "closed_at": instant(cash_session.closed_at),
    }
    if how is not None:  # tills closed without a count keep their original record
        details |= {"how": how, "reason": reason}
    record_action(
        session,
        ctx,
        EventKind.TILL_FORCE_CLOSED if how == CLOSED_FORCED else EventKind.CASH_SESSION_CLOSED,
        actor,
        workstation=here,
        subject=str(cash_session.id),
        details=details,
    )


def _station_to_close(
    session: Session, actor: Actor, workstation: str, till: str | None
) -> tuple[Workstation, Workstation]:
    here = find_workstation(session, workstation)
    station = here if till is None else find_workstation(session, till)
    if station.id != here.id and not actor.has_role(Role.SUPERVISOR):
        raise PermissionDeniedError(
            N_(
                "An agent closes only the till of their own counter ({workstation}); "
                "a supervisor closes the others."
            ),
            field="workstation",
            workstation=_ref(here),
        )
    return here, station


def close_cash_session(
    ctx: AppContext, actor: Actor, workstation: str, *, till: str | None = None
) -> None:
    """Close a till without a count. ``workstation`` is where ``actor`` is signed in;
    ``till`` the counter whose till is closed, by default that same one.

    Kept for the demo's past days and older callers; a counter closes with the
    blind count of :func:`close_till`.

    Lowest role: agent, for their own counter's till; supervisor for any other.
    """
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
        here, station = _station_to_close(session, actor, workstation, till)
        cash_session = open_session_for(session, station.id)
        if cash_session is None:
            raise ConflictError(
                N_("No cash session is open at {workstation}."),
                field="workstation",
                workstation=_ref(station),
            )
        close_till_row(session, ctx, actor, cash_session, station, here=here.series.code, how=None)


def close_till(
    ctx: AppContext,
    actor: Actor,
    workstation: str,
    count: CountInput,
    *,
    till: str | None = None,
    language: str | None = None,
) -> CountedFigures:
    """Close a till with its blind count: cash by denomination, cheques, card and postal totals.

    The answer holds only what was counted: what the till should have held and
    the difference are for the supervisor's review (:mod:`app.closing.review`).
    The till's Z report is queued on the printer of ``workstation`` in the same
    transaction, in ``language`` (None: the closer's own, else the operator's),
    as the agent's copy (:mod:`app.closing.z_prints`).

    Lowest role: agent, for the till they opened at their own counter; supervisor for any.
    """
    require_role(actor, Role.AGENT)

    def work(session: Session) -> CountedFigures:
        here, station = _station_to_close(session, actor, workstation, till)
        settings = operator_settings(session)
        cur = currency(settings.currency)
        cash_session = lock_open_till(session, station)
        require_till_holder(session, actor, cash_session)
        counted = count_and_close(
            session, ctx, actor, cash_session, station, count, cur, here=here.series.code
        )
        queue_closing_z(
            session,
            ctx,
            actor,
            cash_session,
            here,
            language=closing_language(actor, language, settings),
        )
        return counted_figures(counted, actor.login, cur)

    return write_transaction(ctx.db, work)


def count_and_close(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    cash_session: CashSession,
    station: Workstation,
    count: CountInput,
    cur: Currency,
    *,
    here: str,
    how: str = CLOSED_BY_COUNT,
) -> TillCount:
    """The closing count, then the close, in the caller's transaction (till locked)."""
    counted = write_count(
        session, ctx, actor, cash_session, CountPurpose.CLOSING, count, cur, workstation=here
    )
    close_till_row(session, ctx, actor, cash_session, station, here=here, how=how)
    return counted


def current_cash_session(db: Database, workstation: str) -> CashSessionInfo | None:
    """The open till session of a workstation, if any.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        station = find_workstation(session, workstation)
        cash_session = open_session_for(session, station.id)
        if cash_session is None:
            return None
        cur = currency(operator_settings(session).currency)
        opener = session.get(Staff, cash_session.opened_by_id)
        return CashSessionInfo(
            cash_session.id,
            station.series.code,
            cash_session.opened_at,
            opener.login if opener else "",
            from_minor(cash_session.opening_float_minor, cur),
        )
