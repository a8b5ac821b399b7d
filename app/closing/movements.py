"""Cash moved in or out of a till during the day: drops to the safe, bank deposits, top-ups.

The rule: every movement is approved by a supervisor typing their own login and
password at that moment, as for voids, and the approver is another person than
the one recording it. A drop or a deposit lowers what the till should hold, so
without a second person an agent could hide a shortage behind one; a top-up
takes cash out of the safe, which is the supervisor's. Each movement names who
recorded it, who approved it, how much, when and why, and is journaled with
those figures; the expected cash counts it (:mod:`app.closing.expected`).

A movement recorded by mistake is answered by the opposite movement, never
edited (the table is append-only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.auth import Actor, check_supervisor, require_role
from app.closing.ownership import require_till_holder
from app.closing.till_lock import lock_open_till
from app.context import AppContext
from app.errors import PermissionDeniedError, ValidationError
from app.i18n import N_
from app.integrity.canonical import instant
from app.journal import EventKind, record_action
from app.money import currency, from_minor, to_minor
from app.transactions import write_transaction
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.models import CashMovement, Role


class MovementKind(StrEnum):
    DROP = "drop"  # to the agency's safe
    DEPOSIT = "deposit"  # straight to the bank
    TOP_UP = "top_up"  # more float, from the safe


# Which way each kind moves the till's cash.
MOVEMENT_SIGN = {
    MovementKind.DROP.value: -1,
    MovementKind.DEPOSIT.value: -1,
    MovementKind.TOP_UP.value: 1,
}
REFERENCE_MAX = 64


@dataclass(frozen=True)
class MovementRequest:
    workstation: str
    kind: MovementKind | str
    amount: Decimal | str
    reason: str
    supervisor_login: str
    supervisor_password: str
    reference: str | None = None  # a deposit slip's number, a safe bag's seal


@dataclass(frozen=True)
class MovementInfo:
    movement_id: int
    session_id: int
    workstation: str
    kind: str
    amount: Decimal
    currency: str
    recorded_by: str
    approved_by: str
    occurred_at: datetime
    reason: str
    reference: str | None


def _kind(value: MovementKind | str) -> MovementKind:
    try:
        return MovementKind(str(value))
    except ValueError:
        raise ValidationError(
            N_("{kind} is not a cash movement (drop, deposit or top_up)."),
            field="kind",
            kind=str(value),
        ) from None


def record_cash_movement(ctx: AppContext, actor: Actor, request: MovementRequest) -> MovementInfo:
    """Record cash taken out of or put into the open till, approved by a supervisor now.

    Lowest role: agent, with another person's supervisor login and password typed to approve.
    """
    require_role(actor, Role.AGENT)
    kind = _kind(request.kind)
    reason = request.reason.strip()
    if not reason:
        raise ValidationError(N_("Give the reason for the cash movement."), field="reason")
    reference = (request.reference or "").strip() or None
    if reference is not None and len(reference) > REFERENCE_MAX:
        raise ValidationError(
            N_("The reference has at most {count} characters."),
            field="reference",
            count=REFERENCE_MAX,
        )
    if not request.supervisor_login.strip() or not request.supervisor_password:
        raise ValidationError(
            N_("A supervisor must type their login and password to approve a cash movement."),
            field="supervisor_login",
        )
    info, refusal = write_transaction(
        ctx.db, lambda session: _record(ctx, session, actor, request, kind, reason, reference)
    )
    # Raised after commit: a wrong password's count and journal event must stay.
    if refusal is not None:
        raise refusal
    assert info is not None
    return info


def _record(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    request: MovementRequest,
    kind: MovementKind,
    reason: str,
    reference: str | None,
) -> tuple[MovementInfo | None, Exception | None]:
    station = find_workstation(session, request.workstation)
    cur = currency(operator_settings(session).currency)
    amount = to_minor(request.amount, cur, field="amount")
    till = lock_open_till(session, station)  # series head, then the till
    require_till_holder(session, actor, till)
    supervisor, refusal = check_supervisor(
        ctx, session, request.supervisor_login, request.supervisor_password, station.series.code
    )
    if supervisor is not None and supervisor.staff_id == actor.staff_id:
        supervisor, refusal = (
            None,
            PermissionDeniedError(
                N_("A supervisor other than the person recording it must approve the movement."),
                field="supervisor_login",
            ),
        )
    if supervisor is None:
        return None, refusal
    movement = CashMovement(
        cash_session_id=till.id,
        kind=kind.value,
        currency=cur.code,
        amount_minor=amount,
        recorded_by_id=actor.staff_id,
        approved_by_id=supervisor.staff_id,
        occurred_at=ctx.now(),
        reason=reason,
        reference=reference,
    )
    session.add(movement)
    session.flush()
    record_action(
        session,
        ctx,
        EventKind.CASH_MOVEMENT_RECORDED,
        actor,
        workstation=station.series.code,
        subject=str(till.id),
        details=movement_details(movement, actor.login, supervisor.login),
    )
    ref = workstation_ref(station.agency.code, station.code)
    return (
        MovementInfo(
            movement.id,
            till.id,
            ref,
            kind.value,
            from_minor(amount, cur),
            cur.code,
            actor.login,
            supervisor.login,
            movement.occurred_at,
            reason,
            reference,
        ),
        None,
    )


def movement_details(
    movement: CashMovement, recorded_by: str | None, approved_by: str | None
) -> dict[str, Any]:
    """What the journal keeps of a movement; ``verify`` compares the stored row with it."""
    return {
        "movement": movement.id,
        "session": movement.cash_session_id,
        "kind": movement.kind,
        "currency": movement.currency,
        "amount": movement.amount_minor,
        "recorded_by": recorded_by,
        "approved_by": approved_by,
        "occurred_at": instant(movement.occurred_at),
        "reason": movement.reason,
        "reference": movement.reference,
    }
