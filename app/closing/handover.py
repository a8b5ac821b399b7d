"""A till changing hands, and a till nobody came back to.

Handover: another agent signs in at a counter whose till is open. The outgoing
agent counts it out (blind, as at any closing), which closes it; the incoming
agent counts their float and opens their own. One transaction: the counter is
never left with the old till closed and no new one, nor with two.

Forced close: the agent left (ill, gone home) without closing. A supervisor
closes the till with a reason, and may count it there and then; otherwise the
count comes as a recount before the review.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.closing.counts import (
    CountedFigures,
    CountInput,
    CountPurpose,
    counted_figures,
    write_count,
)
from app.closing.ownership import holder_login
from app.closing.till_lock import lock_open_till
from app.closing.tills import (
    CLOSED_BY_HANDOVER,
    CLOSED_FORCED,
    CashSessionInfo,
    close_till_row,
    count_and_close,
    open_till,
    till_info,
)
from app.closing.z_prints import closing_language, queue_closing_z
from app.context import AppContext
from app.errors import PermissionDeniedError, ValidationError
from app.i18n import N_
from app.integrity.canonical import instant
from app.journal import EventKind, record_action
from app.money import currency
from app.transactions import write_transaction
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.models import Role

REASON_MAX = 500


@dataclass(frozen=True)
class Handover:
    """What each agent counted: the outgoing one's close and the incoming one's opening."""

    closed: CountedFigures
    opened: CashSessionInfo


def handover_till(
    ctx: AppContext,
    incoming: Actor,
    outgoing: Actor,
    workstation: str,
    *,
    closing_count: CountInput,
    opening_count: CountInput,
    language: str | None = None,
) -> Handover:
    """The outgoing agent's blind count closes their till; the incoming agent opens theirs.

    Both are signed in (each typed their own password to become an Actor); the
    outgoing agent must be the one holding the open till. The closed till's Z (the
    agent's copy) is queued on the counter's printer in the same transaction, in
    ``language`` (None: the outgoing agent's, else the operator's).

    Lowest role: agent.
    """
    require_role(incoming, Role.AGENT)
    require_role(outgoing, Role.AGENT)
    if incoming.staff_id == outgoing.staff_id:
        raise ValidationError(
            N_("A handover is between two people; {login} already holds this till."),
            field="login",
            login=incoming.login,
        )

    def work(session: Session) -> Handover:
        station = find_workstation(session, workstation)
        settings = operator_settings(session)
        cur = currency(settings.currency)
        till = lock_open_till(session, station)
        if till.opened_by_id != outgoing.staff_id:
            raise PermissionDeniedError(
                N_("This till belongs to {login}; only they can count it out."),
                field="login",
                login=holder_login(session, till),
            )
        here = station.series.code
        counted = count_and_close(
            session,
            ctx,
            outgoing,
            till,
            station,
            closing_count,
            cur,
            here=here,
            how=CLOSED_BY_HANDOVER,
        )
        queue_closing_z(
            session,
            ctx,
            outgoing,
            till,
            station,
            language=closing_language(outgoing, language, settings),
        )
        opened = open_till(session, ctx, incoming, station, None, count=opening_count, cur=cur)
        record_action(
            session,
            ctx,
            EventKind.TILL_HANDED_OVER,
            incoming,
            workstation=here,
            subject=str(till.id),
            details={
                "workstation": workstation_ref(station.agency.code, station.code),
                "from_session": till.id,
                "to_session": opened.id,
                "outgoing": outgoing.login,
                "incoming": incoming.login,
                "at": instant(ctx.now()),
            },
        )
        return Handover(
            counted_figures(counted, outgoing.login, cur),
            till_info(opened, station, incoming.login, cur),
        )

    return write_transaction(ctx.db, work)


def force_close_till(
    ctx: AppContext,
    actor: Actor,
    workstation: str,
    till: str,
    reason: str,
    *,
    count: CountInput | None = None,
    language: str | None = None,
) -> CountedFigures | None:
    """Close an abandoned till at counter ``till``, with the reason; counted now or later.

    ``workstation`` is where the supervisor is signed in. Without ``count``, the
    till is counted later by :func:`app.closing.review.recount_till`. The till's Z
    is queued on the printer of ``workstation`` in the same transaction, in
    ``language`` (None: the supervisor's, else the operator's), as the agent's copy
    whoever closes (a supervisor's full Z comes from the dashboard after the review).

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    reason = reason.strip()
    if not reason:
        raise ValidationError(N_("Give the reason for closing this till."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            N_("The reason has at most {count} characters."), field="reason", count=REASON_MAX
        )

    def work(session: Session) -> CountedFigures | None:
        here = find_workstation(session, workstation)
        station = find_workstation(session, till)
        settings = operator_settings(session)
        cur = currency(settings.currency)
        cash_session = lock_open_till(session, station)
        close_till_row(
            session,
            ctx,
            actor,
            cash_session,
            station,
            here=here.series.code,
            how=CLOSED_FORCED,
            reason=reason,
        )
        queue_closing_z(
            session,
            ctx,
            actor,
            cash_session,
            here,
            language=closing_language(actor, language, settings),
        )
        if count is None:
            return None
        counted = write_count(
            session,
            ctx,
            actor,
            cash_session,
            CountPurpose.CLOSING,
            count,
            cur,
            workstation=here.series.code,
        )
        return counted_figures(counted, actor.login, cur)

    return write_transaction(ctx.db, work)
