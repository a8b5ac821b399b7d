"""Holding one till while it changes: a movement, a count, a close, a handover.

The lock order of :mod:`app.payments.ledger` applies: the workstation's series
chain head first (as every payment and void of that counter takes it), then the
till's row. A payment reads which till is open only once it holds the series
head, so a till closed meanwhile refuses the payment rather than taking it into
a till already counted; two supervisors, or a movement and the close, on one
till wait for each other here instead of both reading the till as open.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.errors import ConflictError, NotFoundError
from app.i18n import N_
from app.integrity import chain
from app.workstations import workstation_ref
from db.models import CashSession, Workstation


def lock_series(session: Session, station: Workstation) -> None:
    """The workstation's series chain head, as :func:`app.payments.ledger.lock_series`
    takes it (not imported: the ledger imports the tills)."""
    chain.lock_head(session, station.series.chain_name)


def _lock_row(session: Session, *where: ColumnElement[bool]) -> CashSession | None:
    # populate_existing: what was read before the lock may be stale.
    statement = (
        select(CashSession)
        .where(*where)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(statement).first()


def lock_open_till(session: Session, station: Workstation) -> CashSession:
    """Lock the series, then the till open at ``station``; refuse when none is open."""
    lock_series(session, station)
    till = _lock_row(
        session, CashSession.workstation_id == station.id, CashSession.closed_at.is_(None)
    )
    if till is None:
        raise ConflictError(
            N_("No cash session is open at {workstation}."),
            field="workstation",
            workstation=workstation_ref(station.agency.code, station.code),
        )
    return till


def lock_till(session: Session, till_id: int) -> tuple[CashSession, Workstation]:
    """Lock till ``till_id`` (open or closed) after its workstation's series."""
    found = session.get(CashSession, till_id)
    if found is None:
        raise NotFoundError(N_("There is no till #{till}."), field="till", till=till_id)
    station = session.get(Workstation, found.workstation_id)
    assert station is not None  # a foreign key
    lock_series(session, station)
    till = _lock_row(session, CashSession.id == till_id)
    assert till is not None  # tills are never deleted by the application
    return till, station
