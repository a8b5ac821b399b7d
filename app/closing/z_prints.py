"""Every print of a till's Z report, numbered and journaled where it is made.

A till's Z report is one document. Its first print, the original, is queued by
the close itself (the agent's blind count, a handover, a supervisor's forced
close) in the close's own transaction: the job exists if and only if the close
commits, so printing never holds the close back and a close never goes without
its Z. Every later print, on paper or as a PDF, is a copy and says DUPLICATE n;
copies are numbered from the journal events of the earlier prints, taken with
the till locked (the lock order of :mod:`app.closing.till_lock`), so two copies
never get one number.

Which figures a print holds (the blind count rule):

- the Z printed at the close is the till's copy, **without** what the till
  should have held nor the difference, whoever closed it: it comes out of a
  counter's printer where an agent may stand (a supervisor's forced close from
  the handover screen prints at the abandoned counter), and nobody has
  reviewed the count yet. Its job has no author, so it renders as a copy
  queued without a sign-in does (:func:`app.reports.till_report.report_as`);
  who closed is in the journal.
- a copy asked for later prints as its author may read it: an agent's
  without those figures, a supervisor's with the expected cash, the
  difference per tender and the review (the dashboard's Shift+F9, or
  ``report z --supervisor``).

X reports are new documents each time (an X changes nothing): an X on paper
is not journaled; an X written as a PDF is, like a Z's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import Actor
from app.context import AppContext
from app.journal import EventKind, record_action, record_event
from app.printing.queue import UNFINISHED, describe_error, queue_job
from app.workstations import workstation_ref
from db.engine import Database
from db.models import (
    CashSession,
    JournalEvent,
    OperatorSettings,
    PrintJob,
    PrintJobKind,
    PrintJobStatus,
    Role,
    Workstation,
)

# Whose figures a print holds.
AGENT_COPY = "agent"  # without what the till should hold and the difference
SUPERVISOR_COPY = "supervisor"  # with them

MEDIUM_PAPER = "thermal"
MEDIUM_PDF = "pdf"

_PRINT_KINDS = (EventKind.TILL_REPORT_PRINTED, EventKind.TILL_REPORT_PDF_WRITTEN)


def z_ref(till_id: int) -> str:
    """The Z report's reference, as its print jobs and journal events name it: ``Z-42``."""
    return f"Z-{till_id}"


def copy_for(actor: Actor | None) -> str:
    """Whose figures ``actor`` gets on a report (None: the command line without a sign-in)."""
    return SUPERVISOR_COPY if actor is not None and actor.has_role(Role.SUPERVISOR) else AGENT_COPY


def next_z_copy(session: Session, till_id: int) -> int:
    """How many times the Z of ``till_id`` was printed or written before: 0 for the
    original, n for DUPLICATE n. Call it with the till locked."""
    return int(
        session.scalar(
            select(func.count(JournalEvent.id)).where(
                JournalEvent.subject == z_ref(till_id), JournalEvent.kind.in_(_PRINT_KINDS)
            )
        )
        or 0
    )


def journal_report_print(
    session: Session,
    ctx: AppContext,
    actor: Actor | None,
    *,
    till_id: int,
    ref: str,
    copy: int,
    copy_of: str,
    medium: str,
    language: str,
    workstation: str | None,
    job_id: int | None = None,
    at_close: bool = False,
) -> None:
    """One event per print (paper) or PDF of a till report: who, which till, which copy."""
    details: dict[str, Any] = {
        "till": till_id,
        "report": ref.partition("-")[0].lower(),
        "copy": copy,
        "figures": copy_of,
        "medium": medium,
        "language": language,
    }
    if job_id is not None:
        details["job"] = job_id
    if at_close:
        details["at_close"] = True
    event = (
        EventKind.TILL_REPORT_PRINTED
        if medium == MEDIUM_PAPER
        else EventKind.TILL_REPORT_PDF_WRITTEN
    )
    if actor is None:  # the command line without a sign-in: the operator's IT
        record_event(
            session,
            ctx.signer,
            event,
            workstation=workstation,
            subject=ref,
            details=details,
            occurred_at=ctx.now(),
        )
    else:
        record_action(
            session, ctx, event, actor, workstation=workstation, subject=ref, details=details
        )


def queue_z_copy(
    session: Session,
    ctx: AppContext,
    actor: Actor | None,
    till: CashSession,
    printer: Workstation,
    *,
    language: str,
    at_close: bool = False,
) -> PrintJob:
    """Queue the Z of ``till`` on ``printer``'s queue and journal it, in the caller's
    transaction, the till locked by the caller.

    ``at_close``: the original printed by the close, always the agent's copy (the job
    has no author). Otherwise a copy as ``actor`` may read it.
    """
    copy = next_z_copy(session, till.id)
    copy_of = AGENT_COPY if at_close else copy_for(actor)
    ref = z_ref(till.id)
    job = queue_job(
        session,
        kind=PrintJobKind.TILL_REPORT,
        workstation=printer,
        document_ref=ref,
        copy_number=copy,
        language=language,
        now=ctx.now(),
        created_by_id=None if at_close or actor is None else actor.staff_id,
    )
    journal_report_print(
        session,
        ctx,
        actor,
        till_id=till.id,
        ref=ref,
        copy=copy,
        copy_of=copy_of,
        medium=MEDIUM_PAPER,
        language=language,
        workstation=printer.series.code,
        job_id=job.id,
        at_close=at_close,
    )
    return job


def closing_language(actor: Actor, asked: str | None, settings: OperatorSettings) -> str:
    """The Z printed at a close reads in the language asked for (the screen's), else
    the closer's own, else the operator's."""
    return asked or actor.language or settings.default_language


def queue_closing_z(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    till: CashSession,
    printer: Workstation,
    *,
    language: str,
) -> PrintJob:
    """The close's own Z, the agent's copy, on the printer of the counter where the
    till was closed; in the close's transaction (the till locked)."""
    return queue_z_copy(session, ctx, actor, till, printer, language=language, at_close=True)


# -- where the close's Z is ------------------------------------------------------------------
@dataclass(frozen=True)
class ZPrintState:
    """Where the Z printed at a till's close is: printing, printed or waiting."""

    job_id: int
    workstation: str  # whose printer
    status: str  # pending, printing, printed or failed
    ahead: int  # unprinted jobs queued before it at that printer
    has_printer: bool
    reason: str | None  # why that printer did not print, translated; None: no failure

    @property
    def printed(self) -> bool:
        return self.status == PrintJobStatus.PRINTED

    @property
    def waiting(self) -> bool:
        """It will not come out by itself soon: no printer, or the printer fails."""
        return not self.printed and (not self.has_printer or self.reason is not None)


def closing_z_state(
    db: Database, till_id: int, *, language: str | None = None
) -> ZPrintState | None:
    """Where the Z printed at the close of ``till_id`` is; None when the close queued none
    (a till closed before Z reports printed at the close).

    Lowest role: none (a read, no actor: a print job's state, shown at the counter).
    """
    with db.read() as session:
        job = session.scalars(
            select(PrintJob)
            .where(
                PrintJob.kind == PrintJobKind.TILL_REPORT, PrintJob.document_ref == z_ref(till_id)
            )
            .order_by(PrintJob.id)
            .limit(1)
        ).first()
        if job is None or job.workstation_id is None:
            return None
        station = session.get(Workstation, job.workstation_id)
        assert station is not None  # a foreign key
        status = str(job.status)
        ahead: list[PrintJob] = []
        if job.status in UNFINISHED:
            ahead = list(
                session.scalars(
                    select(PrintJob)
                    .where(
                        PrintJob.workstation_id == station.id,
                        PrintJob.status.in_(UNFINISHED),
                        PrintJob.id < job.id,
                    )
                    .order_by(PrintJob.id)
                )
            )
        failing = next((j.last_error for j in [*ahead, job] if j.last_error), None)
        return ZPrintState(
            job_id=job.id,
            workstation=workstation_ref(station.agency.code, station.code),
            status=status,
            ahead=len(ahead),
            has_printer=bool(job.printer_uri or station.printer_uri),
            reason=None if status == PrintJobStatus.PRINTED else describe_error(failing, language),
        )
