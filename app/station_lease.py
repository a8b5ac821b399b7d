"""One running counter per workstation: a lease in the database.

Two counters on one workstation would share its receipt series, its till and
its print queue, and each agent would believe the drawer is theirs. So a
counter takes its workstation's lease before the sign-in screen accepts anyone,
renews it every :data:`HEARTBEAT_SECONDS` and deletes it when it closes. A
counter that dies without closing stops renewing: its lease expires after
:data:`LEASE_SECONDS` and the next start takes it over. On the same computer a
dead process's lease is taken over at once (its process id no longer runs).

The lease row is keyed by the workstation, and taking it is one INSERT ... ON
CONFLICT DO NOTHING followed, when a row was there, by an UPDATE whose WHERE
names the holder or an expired lease: whatever the number of processes
starting at once, PostgreSQL lets exactly one of them change the row, and
SQLite serialises the writers. Clocks: on PostgreSQL a lease is measured by
the database server's clock, so a counter PC whose clock runs ahead cannot
take a live lease for an expired one; SQLite lives on one computer, whose
clock every counter on it shares.

The heartbeat carries the counter's printer as its print worker last read it
(:class:`PrinterState`): a printer on the counter's USB or serial port or
behind its CUPS queue can be read on that computer only, and the supervisor's
dashboard reads it from the leases (:func:`printer_states`). The moment it was
read is written by the lease's clock (the counter sends how old its reading
is, never its own clock), so a counter PC whose clock is wrong cannot make a
stale state look fresh.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.auth import Actor
from app.context import AppContext
from app.errors import ConflictError
from app.i18n import N_, babel_locale, gettext, is_right_to_left
from app.printing.status import PrinterStatus
from app.workstations import find_workstation, workstation_ref
from db.models import Agency, Workstation, WorkstationLease
from db.types import utcnow

# A crashed counter frees its workstation after this long; three missed heartbeats,
# so a counter held up by a slow network for one beat does not lose it.
LEASE_SECONDS = 90
HEARTBEAT_SECONDS = 30
# A printer state read longer ago than this is no longer shown as the printer's state:
# as long as a lease, so three missed heartbeats.
PRINTER_STATE_FRESH_SECONDS = LEASE_SECONDS

_HOST_LENGTH = 255


@dataclass(frozen=True)
class Holder:
    """A running counter process: where it runs and a token of its own."""

    host: str
    pid: int
    token: str


@cache
def this_process() -> Holder:
    """This process as a lease holder; the same token for its whole life."""
    host = (socket.gethostname() or "?")[:_HOST_LENGTH]
    return Holder(host=host, pid=os.getpid(), token=str(uuid.uuid4()))


@dataclass(frozen=True)
class Lease:
    workstation: str  # AGENCY-WORKSTATION
    workstation_id: int
    holder: Holder
    expires_at: datetime


@dataclass(frozen=True)
class PrinterState:
    """A counter's printer as its print worker last read it; ``read_at`` by the
    counter's own clock (``ctx.now()``)."""

    status: PrinterStatus
    read_at: datetime


@dataclass(frozen=True)
class ReportedPrinter:
    """What a running (or crashed) counter last said of its printer, for the dashboard.

    ``age_seconds`` is measured by the lease's clock, like ``alive``; both are
    None/False-safe for a counter that has not read its printer yet.
    """

    status: PrinterStatus | None
    read_at: datetime | None
    age_seconds: float | None
    alive: bool  # the lease has not expired: the counter still runs

    @property
    def fresh(self) -> bool:
        """Whether the state may be shown as the printer's state now."""
        return (
            self.alive
            and self.status is not None
            and self.age_seconds is not None
            and self.age_seconds <= PRINTER_STATE_FRESH_SECONDS
        )


class WorkstationInUseError(ConflictError):
    """Another running counter holds this workstation."""

    def __init__(
        self,
        *,
        workstation: str,
        host: str,
        pid: int,
        since: datetime,
        timezone: str,
        agent: str | None,
        seconds_left: int,
    ) -> None:
        message = (
            N_(
                "Workstation {workstation} is already open on {host} (process {pid}) "
                "since {since}, {agent} signed in. Use that one or close it first; "
                "if it crashed, the workstation is free within {seconds} s."
            )
            if agent
            else N_(
                "Workstation {workstation} is already open on {host} (process {pid}) "
                "since {since}, nobody signed in. Use that one or close it first; "
                "if it crashed, the workstation is free within {seconds} s."
            )
        )
        super().__init__(
            message,
            field="workstation",
            workstation=workstation,
            host=host,
            pid=pid,
            agent=agent,
            seconds=seconds_left,
        )
        self.since = since
        self.timezone = timezone

    def translated(self, language: str | None = None) -> str:
        # The date is written in the reader's language, so it is formatted here and
        # not when the error is raised (the command line may translate it again).
        from babel.dates import format_datetime

        since = format_datetime(
            self.since, "short", tzinfo=ZoneInfo(self.timezone), locale=babel_locale(language)
        )
        params: dict[str, Any] = {**self.params, "since": since}
        if is_right_to_left(language):
            # Host names, process ids and dates keep their own direction in Arabic.
            params = {key: f"\u2068{value}\u2069" for key, value in params.items()}
        return gettext(self.message, language).format(**params)


def _lease_now(session: Session, ctx: AppContext) -> datetime:
    """The moment leases are measured by (see the module's note on clocks).

    A context given a clock of its own (a test's frozen clock) keeps it.
    """
    if ctx.clock is utcnow and session.get_bind().dialect.name == "postgresql":
        server: datetime = session.scalars(select(func.now())).one()
        return server.astimezone(UTC)
    return ctx.now()


def _agent_columns(agent: Actor | None) -> dict[str, str | None]:
    if agent is None:
        return {"agent_login": None, "agent_name": None}
    return {"agent_login": agent.login, "agent_name": agent.full_name}


def _printer_columns(
    ctx: AppContext, now: datetime, printer: PrinterState | None
) -> dict[str, str | datetime | None]:
    """The printer's state and when it was read, moved onto the lease's clock."""
    if printer is None:
        return {}
    age = max(timedelta(0), ctx.now() - printer.read_at)
    return {"printer_state": printer.status.value, "printer_state_at": now - age}


def _process_gone(row: WorkstationLease, holder: Holder) -> bool:
    """Whether the holder is a process of this computer that no longer runs."""
    if row.host != holder.host or os.name != "posix":
        return False  # another computer's processes cannot be seen (and kill() on
        # Windows would end the process, not probe it)
    try:
        os.kill(row.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it runs, as another user
    return False


def acquire(
    ctx: AppContext,
    workstation: str,
    holder: Holder,
    *,
    agent: Actor | None = None,
    printer: PrinterState | None = None,
) -> Lease:
    """Take ``workstation``'s lease for ``holder``, or raise :class:`WorkstationInUseError`.

    Free, expired, held by a dead process of this computer, or already the
    holder's own: taken (renewed). Held by another live counter: refused,
    naming it. ``printer``: the printer's state as this counter read it; a
    lease taken without it says nothing of the printer (not what a previous
    holder said).

    Lowest role: none (the workstation itself, before sign-in).
    """
    with ctx.db.write() as session:
        now = _lease_now(session, ctx)
        expires = now + timedelta(seconds=LEASE_SECONDS)
        station = find_workstation(session, workstation)
        ref = workstation_ref(station.agency.code, station.code)
        taken = {
            "token": holder.token,
            "host": holder.host,
            "pid": holder.pid,
            **_agent_columns(agent),
            "renewed_at": now,
            "expires_at": expires,
            "printer_state": None,
            "printer_state_at": None,
            **_printer_columns(ctx, now, printer),
        }
        if _insert_if_absent(session, station.id, {**taken, "acquired_at": now}):
            return Lease(ref, station.id, holder, expires)
        # A row is there: take it only if it is ours or its holder is gone. The WHERE
        # is evaluated again on the row as committed by any racing counter.
        row = session.get(WorkstationLease, station.id)
        gone = row is not None and _process_gone(row, holder)
        still_there = [WorkstationLease.token == holder.token, WorkstationLease.expires_at < now]
        if gone and row is not None:
            still_there.append(WorkstationLease.token == row.token)
        changed = session.execute(
            update(WorkstationLease)
            .where(WorkstationLease.workstation_id == station.id, or_(*still_there))
            .values(**taken, acquired_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:  # type: ignore[attr-defined]
            return Lease(ref, station.id, holder, expires)
        session.expire_all()
        holding = session.scalars(
            select(WorkstationLease).where(WorkstationLease.workstation_id == station.id)
        ).one()
        agent_named = (
            f"{holding.agent_name} ({holding.agent_login})" if holding.agent_login else None
        )
        raise WorkstationInUseError(
            workstation=ref,
            host=holding.host,
            pid=holding.pid,
            since=holding.acquired_at,
            timezone=station.agency.timezone,
            agent=agent_named,
            seconds_left=max(0, int((holding.expires_at - now).total_seconds()) + 1),
        )


def _insert_if_absent(session: Session, workstation_id: int, values: dict[str, Any]) -> bool:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    inserted = session.execute(
        insert(WorkstationLease)
        .values(workstation_id=workstation_id, **values)
        .on_conflict_do_nothing(index_elements=["workstation_id"])
    )
    return bool(inserted.rowcount == 1)  # type: ignore[attr-defined]


def renew(
    ctx: AppContext,
    lease: Lease,
    *,
    agent: Actor | None = None,
    printer: PrinterState | None = None,
) -> Lease:
    """The heartbeat: push the expiry back, name who is signed in now and, with
    ``printer``, what the counter last read of its printer (without it, the state
    written before stays).

    A lease lost meanwhile (this counter was stopped longer than the lease, and
    another took the workstation) is taken again if it is free, or raises
    :class:`WorkstationInUseError` naming the counter that holds it now.

    Lowest role: none (the workstation itself, before sign-in).
    """
    with ctx.db.write() as session:
        now = _lease_now(session, ctx)
        expires = now + timedelta(seconds=LEASE_SECONDS)
        changed = session.execute(
            update(WorkstationLease)
            .where(
                WorkstationLease.workstation_id == lease.workstation_id,
                WorkstationLease.token == lease.holder.token,
            )
            .values(
                renewed_at=now,
                expires_at=expires,
                **_agent_columns(agent),
                **_printer_columns(ctx, now, printer),
            )
            .execution_options(synchronize_session=False)
        )
        renewed = changed.rowcount == 1  # type: ignore[attr-defined]
    if renewed:
        return Lease(lease.workstation, lease.workstation_id, lease.holder, expires)
    return acquire(ctx, lease.workstation, lease.holder, agent=agent, printer=printer)


def release(ctx: AppContext, lease: Lease) -> None:
    """Free the workstation at a clean exit (only if this holder still has it).

    Lowest role: none (the workstation itself, before sign-in).
    """
    with ctx.db.write() as session:
        session.execute(
            delete(WorkstationLease)
            .where(
                WorkstationLease.workstation_id == lease.workstation_id,
                WorkstationLease.token == lease.holder.token,
            )
            .execution_options(synchronize_session=False)
        )


def _status(value: str | None) -> PrinterStatus | None:
    if value is None:
        return None
    try:
        return PrinterStatus(value)
    except ValueError:  # written by a newer counter: a state this one cannot name
        return PrinterStatus.UNKNOWN


def printer_states(ctx: AppContext, agency_code: str) -> dict[str, ReportedPrinter]:
    """What each counter of the agency holding a lease last said of its printer,
    by workstation (AGENCY-WORKSTATION); a workstation no counter holds is absent.

    Lowest role: none (a read with no actor: the dashboard's printer column).
    """
    with ctx.db.read() as session:
        now = _lease_now(session, ctx)
        rows = session.execute(
            select(Workstation.code, WorkstationLease)
            .join(WorkstationLease, WorkstationLease.workstation_id == Workstation.id)
            .join(Agency, Agency.id == Workstation.agency_id)
            .where(Agency.code == agency_code)
        ).all()
        states: dict[str, ReportedPrinter] = {}
        for code, row in rows:
            read_at = row.printer_state_at
            age = None if read_at is None else max(0.0, (now - read_at).total_seconds())
            states[workstation_ref(agency_code, code)] = ReportedPrinter(
                status=_status(row.printer_state),
                read_at=read_at,
                age_seconds=age,
                alive=row.expires_at > now,
            )
        return states
