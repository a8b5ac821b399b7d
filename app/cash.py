"""Cash sessions: a till is opened with a float before taking money and closed after.

Counting and closing reports come with the closing issue; this is open/close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import ConflictError
from app.i18n import N_
from app.journal import EventKind, record_action
from app.money import currency, from_minor, to_minor
from app.workstations import find_workstation, operator_settings
from db.engine import Database
from db.models import CashSession, Role, Staff


@dataclass(frozen=True)
class CashSessionInfo:
    session_id: int
    workstation: str
    opened_at: datetime
    opened_by: str
    opening_float: Decimal


def open_session_for(session: Session, workstation_id: int) -> CashSession | None:
    return session.scalars(
        select(CashSession).where(
            CashSession.workstation_id == workstation_id, CashSession.closed_at.is_(None)
        )
    ).first()


def open_cash_session(
    ctx: AppContext, actor: Actor, workstation: str, opening_float: Decimal | str = "0"
) -> CashSessionInfo:
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
            details={"float": float_minor},
        )
        return CashSessionInfo(
            cash_session.id,
            station.series.code,
            cash_session.opened_at,
            actor.login,
            Decimal(opening_float),
        )


def close_cash_session(ctx: AppContext, actor: Actor, workstation: str) -> None:
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        cash_session = open_session_for(session, station.id)
        if cash_session is None:
            raise ConflictError(
                N_("No cash session is open at {workstation}."),
                field="workstation",
                workstation=workstation,
            )
        cash_session.closed_at = ctx.now()
        cash_session.closed_by_id = actor.staff_id
        record_action(
            session,
            ctx,
            EventKind.CASH_SESSION_CLOSED,
            actor,
            workstation=station.series.code,
            subject=str(cash_session.id),
        )


def current_cash_session(db: Database, workstation: str) -> CashSessionInfo | None:
    """The open till session of a workstation, if any."""
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
