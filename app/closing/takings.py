"""An agent's own takings so far, in the till they hold: what they took, nothing more.

The answer is the agent's payments and voids in their open till, counted and
totalled per tender (cash net of the change handed back). It holds neither the
float nor the movements nor what the till should hold; and once the till is
being counted it is no longer open, so this answers nothing for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import Actor, require_role
from app.closing.tills import open_session_for
from app.context import AppContext
from app.money import currency, from_minor
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.models import Payment, PaymentKind, Role, TenderKind


@dataclass(frozen=True)
class AgentTakings:
    workstation: str
    session_id: int
    agent: str
    currency: str
    payments: int
    voids: int
    by_tender: dict[str, Decimal]  # tender kind -> net amount taken

    @property
    def total(self) -> Decimal:
        return sum(self.by_tender.values(), Decimal(0))


def my_takings(ctx: AppContext, actor: Actor, workstation: str) -> AgentTakings | None:
    """The actor's payments and totals per tender in the till they hold open at
    ``workstation``; None when they hold none there.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    with ctx.db.read() as session:
        station = find_workstation(session, workstation)
        till = open_session_for(session, station.id)
        if till is None or till.opened_by_id != actor.staff_id:
            return None
        cur = currency(operator_settings(session).currency)
        payments = session.scalars(
            select(Payment)
            .where(Payment.cash_session_id == till.id, Payment.agent_id == actor.staff_id)
            .options(selectinload(Payment.tenders))
        ).all()
        minor: dict[str, int] = defaultdict(int)
        for payment in payments:
            for tender in payment.tenders:
                minor[str(tender.kind)] += tender.amount_minor
            minor[TenderKind.CASH.value] -= payment.change_minor  # change leaves the drawer
        return AgentTakings(
            workstation=workstation_ref(station.agency.code, station.code),
            session_id=till.id,
            agent=actor.login,
            currency=cur.code,
            payments=sum(p.kind == PaymentKind.PAYMENT for p in payments),
            voids=sum(p.kind == PaymentKind.VOID for p in payments),
            by_tender={kind: from_minor(value, cur) for kind, value in minor.items() if value},
        )
