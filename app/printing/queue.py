"""The durable print queue: jobs written with the payment, printed in order, never lost.

A workstation's jobs print one at a time in the order they were queued: the
oldest unprinted job holds back the others, so receipts come out of the printer
in payment order after an outage. A job is marked printed only once the printer
took every byte (:func:`app.printing.devices.send`); until then it waits with the
reason of its last failure and the time of its next attempt. A job left
"printing" by an application that died is put back in the queue when the
workstation's worker starts again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import GuichetError, NotFoundError, PermissionDeniedError, ValidationError
from app.i18n import N_, gettext
from app.journal import EventKind, record_action, record_event
from app.workstations import find_workstation, workstation_ref
from db.engine import Database
from db.models import (
    Agency,
    Payment,
    PrintJob,
    PrintJobKind,
    PrintJobStatus,
    ReceiptCopy,
    Role,
    Workstation,
)

UNFINISHED = (PrintJobStatus.PENDING, PrintJobStatus.PRINTING)


def backoff_seconds(attempts: int) -> float:
    """Wait before the next attempt: 2, 4, 8 ... seconds, at most a minute.

    Short at first (a printer switched back on is used at once), capped so a
    printer repaired after an hour does not wait an hour more.
    """
    return float(min(60, 2 ** max(1, attempts)))  # ok: seconds, not money


@dataclass(frozen=True)
class ClaimedJob:
    """A job taken by a worker, with what it needs to render and send it."""

    id: int
    kind: PrintJobKind
    payment_id: int | None
    document_ref: str
    copy_number: int
    language: str
    workstation: str
    printer_uri: str | None  # the redirect, else the workstation's printer
    printer_profile: str | None
    paper_width_mm: int | None
    attempts: int


@dataclass(frozen=True)
class JobView:
    """A job as the counter's and the supervisor's queue views list it."""

    id: int
    workstation: str
    kind: str
    document_ref: str
    copy_number: int
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    printer_uri: str | None
    error: str | None  # translated

    @property
    def failing(self) -> bool:
        return self.error is not None


def error_record(error: GuichetError) -> str:
    """A failure as stored: msgid and parameters, translated when it is shown."""
    return json.dumps(
        {"message": error.message, "params": {k: str(v) for k, v in error.params.items()}},
        ensure_ascii=False,
    )


def describe_error(record: str | None, language: str | None = None) -> str | None:
    if not record:
        return None
    data = json.loads(record)
    message: str = data["message"]  # a msgid stored by error_record
    return gettext(message, language).format(**data["params"])


# -- queueing ------------------------------------------------------------------
def queue_job(
    session: Session,
    *,
    kind: PrintJobKind,
    workstation: Workstation | None,
    document_ref: str,
    language: str,
    now: datetime,
    payment: Payment | None = None,
    copy_number: int = 0,
    printer_uri: str | None = None,
    created_by_id: int | None = None,
    flush: bool = True,
) -> PrintJob:
    """Add a job in the caller's transaction: it exists if and only if that commits.

    ``flush=False`` writes it with one plain INSERT and returns it unattached,
    without an id: the payment path, where the ORM's flush costs more than the rest.
    """
    values = _job_values(
        kind=kind,
        workstation_id=workstation.id if workstation is not None else None,
        # By id: a payment just written by the ledger is not in the session (see
        # app.payments.ledger.insert_signed), and must not be added to it here.
        payment_id=payment.id if payment is not None else None,
        document_ref=document_ref,
        copy_number=copy_number,
        language=language,
        printer_uri=printer_uri,
        now=now,
        created_by_id=created_by_id,
    )
    job = PrintJob(**values)
    if not flush:
        session.connection().execute(_INSERT_JOB, [values])
        return job
    session.add(job)
    session.flush()
    return job


def queue_receipt(
    session: Session,
    payment: Payment,
    *,
    workstation: Workstation,
    language: str,
    now: datetime,
    created_by_id: int,
) -> PrintJob:
    """The original receipt of a payment or a void, queued in its own transaction:
    the receipt's job commits with the payment, or neither does."""
    return queue_job(
        session,
        kind=PrintJobKind.RECEIPT,
        workstation=workstation,
        payment=payment,
        document_ref=payment.receipt_no,
        language=language,
        now=now,
        created_by_id=created_by_id,
        flush=False,  # written with the payment's commit: one flush for the whole payment
    )


_PRINT_JOBS = cast(Table, PrintJob.__table__)
_INSERT_JOB = insert(_PRINT_JOBS)


def queue_receipt_row(
    session: Session,
    *,
    payment_id: int,
    receipt_no: str,
    workstation_id: int,
    language: str,
    now: datetime,
    created_by_id: int,
) -> None:
    """:func:`queue_receipt` by ids, for the payment path that holds no ORM objects."""
    values = _job_values(
        kind=PrintJobKind.RECEIPT,
        workstation_id=workstation_id,
        payment_id=payment_id,
        document_ref=receipt_no,
        copy_number=0,
        language=language,
        printer_uri=None,
        now=now,
        created_by_id=created_by_id,
    )
    session.connection().execute(_INSERT_JOB, [values])


def _job_values(
    *,
    kind: PrintJobKind,
    workstation_id: int | None,
    payment_id: int | None,
    document_ref: str,
    copy_number: int,
    language: str,
    printer_uri: str | None,
    now: datetime,
    created_by_id: int | None,
) -> dict[str, object]:
    """A new job's row: pending, due now."""
    return {
        "workstation_id": workstation_id,
        "kind": kind,
        "payment_id": payment_id,
        "document_ref": document_ref,
        "copy_number": copy_number,
        "language": language,
        "printer_uri": printer_uri,
        "status": PrintJobStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "created_by_id": created_by_id,
    }


def next_copy_number(session: Session, payment_id: int) -> int:
    last = session.scalar(
        select(func.max(ReceiptCopy.copy_number)).where(ReceiptCopy.payment_id == payment_id)
    )
    return int(last or 0) + 1


def register_copy(
    session: Session,
    ctx: AppContext,
    actor: Actor | None,
    payment: Payment,
    *,
    medium: str,
    workstation: str | None,
) -> int:
    """Number the next copy of ``payment`` (DUPLICATA n) and journal it.

    Called with the payment's chain head locked or inside a write transaction:
    the unique (payment, copy number) pair makes a concurrent copy fail rather
    than print the same number twice.
    """
    number = next_copy_number(session, payment.id)
    session.add(
        ReceiptCopy(
            payment_id=payment.id,
            copy_number=number,
            medium=medium,
            issued_at=ctx.now(),
            issued_by_id=actor.staff_id if actor else None,
            workstation=workstation,
        )
    )
    details = {"copy": number, "medium": medium}
    if actor is None:  # the command line: the operator's IT, not a signed-in agent
        record_event(
            session,
            ctx.signer,
            EventKind.RECEIPT_COPY_ISSUED,
            workstation=workstation,
            subject=payment.receipt_no,
            details=details,
            occurred_at=ctx.now(),
        )
    else:
        record_action(
            session,
            ctx,
            EventKind.RECEIPT_COPY_ISSUED,
            actor,
            workstation=workstation,
            subject=payment.receipt_no,
            details=details,
        )
    session.flush()
    return number


# -- the worker's side -----------------------------------------------------------
def recover_interrupted(db: Database, workstation: str) -> int:
    """Put back jobs a dead application left "printing"; returns how many.

    Lowest role: system (the print worker; no actor).
    """
    with db.write() as session:
        station = find_workstation(session, workstation)
        result = session.execute(
            update(PrintJob)
            .where(
                PrintJob.workstation_id == station.id,
                PrintJob.status == PrintJobStatus.PRINTING,
            )
            .values(status=PrintJobStatus.PENDING)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def claim_next(db: Database, workstation: str, now: datetime) -> ClaimedJob | None:
    """Take the oldest unprinted job of ``workstation`` if its time has come.

    Lowest role: system (the print worker; no actor).
    """
    # The worker asks every second: look first without the write lock, which the
    # counter's payments need, and take it only when there is a job to claim.
    with db.read() as session:
        station = find_workstation(session, workstation)
        due = session.scalar(
            select(PrintJob.next_attempt_at)
            .where(PrintJob.workstation_id == station.id, PrintJob.status.in_(UNFINISHED))
            .order_by(PrintJob.id)
            .limit(1)
        )
    if due is None or due > now:
        return None
    with db.write() as session:
        station = find_workstation(session, workstation)
        job = session.scalars(
            select(PrintJob)
            .where(PrintJob.workstation_id == station.id, PrintJob.status.in_(UNFINISHED))
            .order_by(PrintJob.id)
            .limit(1)
            .with_for_update()
        ).first()
        if job is None or job.next_attempt_at > now:
            return None
        job.status = PrintJobStatus.PRINTING
        job.attempts += 1
        return _claimed(job, station)


def _claimed(job: PrintJob, station: Workstation | None) -> ClaimedJob:
    return ClaimedJob(
        id=job.id,
        kind=PrintJobKind(job.kind),
        payment_id=job.payment_id,
        document_ref=job.document_ref,
        copy_number=job.copy_number,
        language=job.language,
        workstation=workstation_ref(station.agency.code, station.code) if station else "",
        printer_uri=job.printer_uri or (station.printer_uri if station else None),
        printer_profile=station.printer_profile if station else None,
        paper_width_mm=station.paper_width_mm if station else None,
        attempts=job.attempts,
    )


def mark_printed(db: Database, job_id: int, printer_uri: str, now: datetime) -> None:
    """The printer took every byte of the job.

    Lowest role: system (the print worker; no actor).
    """
    with db.write() as session:
        job = session.get(PrintJob, job_id)
        assert job is not None
        job.status = PrintJobStatus.PRINTED
        job.printed_at = now
        job.printed_on = printer_uri
        job.last_error = None


def mark_failed(
    db: Database, job_id: int, error: GuichetError, now: datetime, *, final: bool = False
) -> None:
    """Record why the job did not print; it waits for its next attempt (or, for a
    direct print, ends as failed).

    Lowest role: system (the print worker; no actor).
    """
    with db.write() as session:
        job = session.get(PrintJob, job_id)
        assert job is not None
        job.last_error = error_record(error)
        if final:
            job.status = PrintJobStatus.FAILED
            return
        job.status = PrintJobStatus.PENDING
        job.next_attempt_at = now + timedelta(seconds=backoff_seconds(job.attempts))


def claim_direct(db: Database, job_id: int) -> ClaimedJob:
    """A job queued for the command line's direct print (no workstation queue).

    Lowest role: system (the command line's direct print; no actor).
    """
    with db.write() as session:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise NotFoundError(N_("No print job {job}."), field="job", job=job_id)
        job.status = PrintJobStatus.PRINTING
        job.attempts += 1
        station = job.payment.workstation if job.payment is not None else None
        claimed = _claimed(job, station)
        return ClaimedJob(**{**claimed.__dict__, "printer_uri": job.printer_uri})


# -- what people see and do ------------------------------------------------------
def pending_jobs(
    db: Database,
    actor: Actor,
    workstation: str,
    *,
    every_workstation: bool = False,
    language: str | None = None,
) -> list[JobView]:
    """Unprinted jobs, oldest first, of ``workstation`` (the one ``actor`` works at).

    Lowest role: agent (their own counter's queue; every counter's queue needs a supervisor).
    """
    require_role(actor, Role.SUPERVISOR if every_workstation else Role.AGENT)
    with db.read() as session:
        station = find_workstation(session, workstation)
        statement = (
            select(PrintJob, Workstation, Agency)
            .join(Workstation, PrintJob.workstation_id == Workstation.id)
            .join(Agency, Workstation.agency_id == Agency.id)
            .where(PrintJob.status.in_(UNFINISHED))
            .order_by(PrintJob.id)
        )
        if not every_workstation:
            statement = statement.where(PrintJob.workstation_id == station.id)
        return [
            JobView(
                id=job.id,
                workstation=workstation_ref(agency.code, station_row.code),
                kind=str(job.kind),
                document_ref=job.document_ref,
                copy_number=job.copy_number,
                status=str(job.status),
                attempts=job.attempts,
                created_at=job.created_at,
                next_attempt_at=job.next_attempt_at,
                printer_uri=job.printer_uri or station_row.printer_uri,
                error=describe_error(job.last_error, language),
            )
            for job, station_row, agency in session.execute(statement)
        ]


def agency_printers(db: Database, workstation: str) -> list[tuple[str, str]]:
    """(workstation, printer address) of every printer set up in ``workstation``'s agency:
    where an agent may send their counter's jobs.

    Lowest role: none (a read, no actor: printer addresses, shown at the counter).
    """
    with db.read() as session:
        station = find_workstation(session, workstation)
        printers = _agency_printers(session, station)
        return sorted((ref, uri) for uri, ref in printers.items())


def _agency_printers(session: Session, station: Workstation) -> dict[str, str]:
    """Printer address -> workstation, for the printers set up in ``station``'s agency."""
    from app.printing.devices import parse_printer_uri

    printers: dict[str, str] = {}
    rows = session.execute(
        select(Workstation.code, Workstation.printer_uri)
        .where(Workstation.agency_id == station.agency_id, Workstation.printer_uri.is_not(None))
        .order_by(Workstation.code)
    )
    for code, uri in rows:
        try:
            address = parse_printer_uri(uri).uri
        except GuichetError:
            continue  # a broken setting is no target; the settings screen says why
        printers.setdefault(address, workstation_ref(station.agency.code, code))
    return printers


def _unfinished(
    session: Session, actor: Actor, station: Workstation, job_ids: Sequence[int]
) -> list[PrintJob]:
    """The unprinted jobs among ``job_ids``; an agent's must all be ``station``'s."""
    if not job_ids:
        raise ValidationError(N_("Choose at least one print job."), field="jobs")
    jobs = list(
        session.scalars(
            select(PrintJob).where(PrintJob.id.in_(job_ids), PrintJob.status.in_(UNFINISHED))
        )
    )
    if not jobs:
        raise NotFoundError(N_("These print jobs are already printed."), field="jobs")
    if not actor.has_role(Role.SUPERVISOR) and any(
        job.workstation_id != station.id for job in jobs
    ):
        raise PermissionDeniedError(
            N_(
                "Only the print jobs of {workstation} can be handled here; "
                "another counter's jobs need a supervisor."
            ),
            field="jobs",
            workstation=workstation_ref(station.agency.code, station.code),
        )
    return jobs


def retry_now(ctx: AppContext, actor: Actor, job_ids: Sequence[int], *, workstation: str) -> int:
    """Try again at once instead of waiting for the next attempt.

    Lowest role: agent (jobs of their own counter ``workstation``; other counters' need a
    supervisor).
    """
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        jobs = _unfinished(session, actor, station, job_ids)
        for job in jobs:
            job.next_attempt_at = ctx.now()
        return len(jobs)


def redirect(
    ctx: AppContext, actor: Actor, job_ids: Sequence[int], printer_uri: str, *, workstation: str
) -> int:
    """Send these jobs to another printer (the one next door) from now on; journaled.

    Lowest role: agent (jobs of their own counter ``workstation``, to a printer set up for
    the agency); other counters' jobs and any other address need a supervisor: a
    ``file://`` address is a file written wherever the application may write.
    """
    from app.printing.devices import parse_printer_uri

    require_role(actor, Role.AGENT)
    address = parse_printer_uri(printer_uri)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        jobs = _unfinished(session, actor, station, job_ids)
        if not actor.has_role(Role.SUPERVISOR):
            printers = _agency_printers(session, station)
            if address.uri not in printers:
                raise PermissionDeniedError(
                    N_(
                        "{printer} is not a printer of agency {agency}; choose one of: "
                        "{printers}. Another address needs a supervisor."
                    )
                    if printers
                    else N_(
                        "Agency {agency} has no printer set up to send jobs to; "
                        "another address needs a supervisor."
                    ),
                    field="printer_uri",
                    printer=address.uri,
                    agency=station.agency.code,
                    printers=", ".join(f"{uri} ({ref})" for uri, ref in sorted(printers.items())),
                )
        for job in jobs:
            job.printer_uri = address.uri
            job.next_attempt_at = ctx.now()
        record_action(
            session,
            ctx,
            EventKind.PRINT_JOBS_REDIRECTED,
            actor,
            workstation=workstation_ref(station.agency.code, station.code),
            subject=workstation_ref(station.agency.code, station.code),
            details={  # an address may be longer than a subject
                "printer": address.uri,
                "jobs": sorted(job.document_ref for job in jobs),
            },
        )
        return len(jobs)
