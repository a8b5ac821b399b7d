"""Every till of an agency: open or closed, whose, since when, with what float.

:func:`till_statuses` is what IT's ``till status`` and a dashboard show to
anyone: it never says what a till should hold. :func:`tills_expected_cash`
adds that, for a supervisor only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.closing.expected import expected_for
from app.closing.ownership import holder_login
from app.closing.review import counted_since_close
from app.closing.tills import open_session_for
from app.context import AppContext
from app.errors import NotFoundError
from app.i18n import N_
from app.money import currency, from_minor
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.engine import Database
from db.models import Agency, CashSession, Role, Staff, TillReview, Workstation

# What a sign-in at a counter leads to.
OPEN_ONE = "open"  # no till is open: count the float and open one
CARRY_ON = "carry_on"  # the agent's own till is open
HANDOVER = "handover"  # another agent's till is open: they count it out first

# The state of a counter's till, as shown.
OPEN = "open"
COUNTED = "counted"  # closed, awaiting the supervisor's review
REVIEWED = "reviewed"
CLOSED = "closed"  # closed without a count (before counts existed, or forced and not counted)
NONE = "none"  # never opened


@dataclass(frozen=True)
class TillStatus:
    workstation: str
    state: str
    session_id: int | None
    agent: str | None
    opened_at: datetime | None
    opening_float: Decimal | None
    closed_at: datetime | None
    closed_how: str | None
    currency: str


def _stations(session: Session, agency: str | None, workstation: str | None) -> list[Workstation]:
    if workstation is not None:
        return [find_workstation(session, workstation)]
    statement = select(Workstation).join(Agency).order_by(Agency.code, Workstation.code)
    if agency is not None:
        statement = statement.where(Agency.code == agency.strip().upper())
    found = list(session.scalars(statement))
    if agency is not None and not found:
        raise NotFoundError(N_("Unknown agency {code}."), field="agency", code=agency)
    return found


def _latest(session: Session, station: Workstation) -> CashSession | None:
    return session.scalars(
        select(CashSession)
        .where(CashSession.workstation_id == station.id)
        .order_by(CashSession.opened_at.desc(), CashSession.id.desc())
        .limit(1)
    ).first()


def _state(session: Session, till: CashSession | None) -> str:
    if till is None:
        return NONE
    if till.closed_at is None:
        return OPEN
    if session.scalar(select(TillReview.id).where(TillReview.cash_session_id == till.id)):
        return REVIEWED
    return COUNTED if counted_since_close(session, till) else CLOSED


def till_statuses(
    db: Database, *, agency: str | None = None, workstation: str | None = None
) -> list[TillStatus]:
    """The latest till of each counter (of ``agency``, or one ``workstation``, or all).

    Lowest role: system.
    """
    with db.read() as session:
        cur = currency(operator_settings(session).currency)
        answer = []
        for station in _stations(session, agency, workstation):
            till = _latest(session, station)
            opener = session.get(Staff, till.opened_by_id) if till is not None else None
            answer.append(
                TillStatus(
                    workstation=workstation_ref(station.agency.code, station.code),
                    state=_state(session, till),
                    session_id=till.id if till else None,
                    agent=opener.login if opener else None,
                    opened_at=till.opened_at if till else None,
                    opening_float=from_minor(till.opening_float_minor, cur) if till else None,
                    closed_at=till.closed_at if till else None,
                    closed_how=till.closed_how if till else None,
                    currency=cur.code,
                )
            )
        return answer


def tills_expected_cash(
    ctx: AppContext, actor: Actor, session_ids: list[int]
) -> dict[int, Decimal]:
    """What each of these tills should hold in cash now.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with ctx.db.read() as session:
        cur = currency(operator_settings(session).currency)
        answer = {}
        for till_id in session_ids:
            till = session.get(CashSession, till_id)
            if till is not None:
                answer[till_id] = from_minor(expected_for(session, till).cash.total_minor, cur)
        return answer


@dataclass(frozen=True)
class TillAtSignIn:
    next_step: str  # OPEN_ONE, CARRY_ON or HANDOVER
    session_id: int | None
    holder: str | None  # who holds the open till


def till_at_sign_in(db: Database, actor: Actor, workstation: str) -> TillAtSignIn:
    """What ``actor`` signing in at ``workstation`` must do about its till: open one,
    carry on with their own, or take over another agent's through a handover
    (:func:`app.closing.handover.handover_till`).

    A supervisor is told the same: nobody works in another's till (a supervisor
    may force-close an abandoned one instead). Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    with db.read() as session:
        station = find_workstation(session, workstation)
        till = open_session_for(session, station.id)
        if till is None:
            return TillAtSignIn(OPEN_ONE, None, None)
        step = CARRY_ON if till.opened_by_id == actor.staff_id else HANDOVER
        return TillAtSignIn(step, till.id, holder_login(session, till))
