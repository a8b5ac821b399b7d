"""A till belongs to the agent who opened it: only they (or a supervisor) act on it.

Another agent signing in at that counter gets a handover
(:mod:`app.closing.handover`) instead of working in someone else's till, so
every difference found at the count has one name on it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import Actor
from app.errors import PermissionDeniedError
from app.i18n import N_
from db.models import CashSession, Role, Staff


def holder_login(session: Session, till: CashSession) -> str:
    holder = session.get(Staff, till.opened_by_id)
    return holder.login if holder is not None else f"#{till.opened_by_id}"


def require_till_holder(session: Session, actor: Actor, till: CashSession) -> None:
    """Refuse an agent acting on a till another agent opened; supervisors may."""
    if till.opened_by_id == actor.staff_id or actor.has_role(Role.SUPERVISOR):
        return
    raise PermissionDeniedError(
        N_(
            "This till belongs to {login}: they count it out in a handover, "
            "or a supervisor closes it."
        ),
        field="workstation",
        login=holder_login(session, till),
    )


def require_own_till_for_payment(session: Session, actor: Actor, opened_by_id: int) -> None:
    """A payment goes into the till of the agent who takes it: the count at the end of
    the day has one name on it. Supervisors may take a payment at any till."""
    if opened_by_id == actor.staff_id or actor.has_role(Role.SUPERVISOR):
        return
    holder = session.get(Staff, opened_by_id)
    raise PermissionDeniedError(
        N_(
            "The till of this counter is {login}'s: payments go into the till of the "
            "agent who takes them. Sign in again to hand the till over."
        ),
        field="workstation",
        login=holder.login if holder is not None else f"#{opened_by_id}",
    )
