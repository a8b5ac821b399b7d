"""Cash sessions: a till is opened with a float before taking money and closed after.

Opening and closing are journaled with everything that defines the session (its
id, counter, float, who opened and closed it, when), so `verify` can check every
``cash_sessions`` row against the signed journal. Counting and closing reports
come with the closing issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import ConflictError, PermissionDeniedError
from app.i18n import N_
from app.integrity.canonical import instant
from app.journal import EventKind, record_action
from app.money import currency, from_minor, to_minor
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.engine import Database
from db.models import CashSession, Role, Staff, Workstation


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
    """Open the till of ``workstation`` with its float. Lowest role: agent."""
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        cur = currency(operator_settings(session).currency)
        float_minor = to_minor(opening_float, cur, field="opening_float", allow_zero=True)
        if open_session_for(session, station.id) is not None:
            raise ConflictError(
                N_("A cash session is already open at {workstation}."),
                field="workstation",
                workstation=workstation,
            )
        cash_session = CashSession(
            workstation_id=station.id,
            opened_by_id=actor.staff_id,
            opened_at=ctx.now(),
            opening_float_minor=float_minor,
        )
        session.add(cash_session)
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
                "float": float_minor,
                "opened_by": actor.login,
                "opened_at": instant(cash_session.opened_at),
            },
        )
        return CashSessionInfo(
            cash_session.id,
            station.series.code,
            cash_session.opened_at,
            actor.login,
            Decimal(opening_float),
        )


def close_cash_session(
    ctx: AppContext, actor: Actor, workstation: str, *, till: str | None = None
) -> None:
    """Close a till. ``workstation`` is where ``actor`` is signed in; ``till`` the
    counter whose till is closed, by default that same one.

    Lowest role: agent, for their own counter's till; supervisor for any other.
    """
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
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
        cash_session = open_session_for(session, station.id)
        if cash_session is None:
            raise ConflictError(
                N_("No cash session is open at {workstation}."),
                field="workstation",
                workstation=_ref(station),
            )
        cash_session.closed_at = ctx.now()
        cash_session.closed_by_id = actor.staff_id
        record_action(
            session,
            ctx,
            EventKind.CASH_SESSION_CLOSED,
            actor,
            workstation=here.series.code,
            subject=str(cash_session.id),
            details={
                "session": cash_session.id,
                "workstation": _ref(station),
                "closed_by": actor.login,
                "closed_at": instant(cash_session.closed_at),
            },
        )


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
