"""The demo's outage: one exchange lost its wired service for four days and three
hours, a few days before the demo's clock; recorded and closed by the supervisor, so
a fresh demo shows its compensations (credits on the accounts of the lines it hit).

Call it after the charter is loaded (its "no service" commitment gives the credit)
and with the supervisor of the demo; the outage ends three days before the clock.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth import Actor, require_role
from app.context import AppContext
from app.outages.fanout import CloseOutcome, close_outage, outage_commitment
from app.outages.records import OutageRequest, record_outage
from db.models import Contract, ContractStatus, OutageScope, Role, ServiceType

# Beyond the DZ and TN charters' 72 hours and the FR one's 24: a credit of days.
DOWNTIME = timedelta(days=4, hours=3)
ENDED_BEFORE_NOW = timedelta(days=3)
SERVICES = (ServiceType.ADSL, ServiceType.FTTH, ServiceType.FIXED_LINE)
DESCRIPTION = (
    "Câble de transmission sectionné lors de travaux de voirie ; "
    "lignes rétablies après remplacement du tronçon."
)


def record_demo_outage(ctx: AppContext, supervisor: Actor) -> CloseOutcome | None:
    """Record and close the demo's outage; None when the charter covers none of the
    wired services or no line has an exchange.

    Lowest role: supervisor (the demo builder hands in the demo's supervisor).
    """
    require_role(supervisor, Role.SUPERVISOR)  # also when there is nothing to record
    now = ctx.now().replace(second=0, microsecond=0)
    end = now - ENDED_BEFORE_NOW
    start = end - DOWNTIME
    with ctx.db.read() as session:
        service = next(
            (s for s in SERVICES if outage_commitment(session, s.value, start) is not None), None
        )
        if service is None:
            return None
        counts = session.execute(
            select(Contract.exchange_code, func.count())
            .where(
                Contract.service == service.value,
                Contract.exchange_code.is_not(None),
                Contract.status == ContractStatus.ACTIVE.value,
            )
            .group_by(Contract.exchange_code)
            .order_by(func.count(), Contract.exchange_code)
        ).all()
    if not counts:
        return None
    exchange = str(counts[len(counts) // 2][0])  # a middling exchange, not the largest
    summary = record_outage(
        ctx,
        supervisor,
        OutageRequest(
            service=service.value,
            scope=OutageScope.EXCHANGES,
            values=[exchange],
            start=start,
            end=end,
            description=DESCRIPTION,
        ),
    )
    return close_outage(ctx, supervisor, summary.id)
