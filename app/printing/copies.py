"""Copies of a receipt: DUPLICATA n on the counter's printer, on any printer, or as a PDF.

Every copy gets the next number for its receipt (``receipt_copies``) and a
journal event in the same transaction, whatever the medium: the customer's
second paper copy and a PDF sent by e-mail are "DUPLICATA 2" and "DUPLICATA 3",
never two "DUPLICATA 2".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import GuichetError, NotFoundError
from app.i18n import N_
from app.journal import EventKind, record_action
from app.payments.service import receipt_language
from app.payments.summary import load_payment
from app.printing import devices
from app.printing.devices import parse_printer_uri
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.queue import claim_direct, queue_job, register_copy
from app.printing.receipt import receipt_document, receipt_slip
from app.printing.worker import print_claimed
from app.workstations import find_workstation, operator_settings
from db.models import Invoice, Payment, PrintJobKind, Role


@dataclass(frozen=True)
class CopyIssued:
    receipt_no: str
    copy_number: int
    job_id: int | None  # the print job, for a paper copy
    language: str = "fr"  # the language the copy was printed in


def copy_language(session: Session, payment: Payment, asked: str | None) -> str:
    """A copy reads like the original: the language asked for, else the customer's
    (the subscriber's own, else the operator's), never the screen's by accident."""
    return receipt_language(asked, payment.subscriber, operator_settings(session))


def reprint(
    ctx: AppContext,
    actor: Actor,
    receipt_no: str,
    *,
    workstation: str,
    language: str | None = None,
) -> CopyIssued:
    """Queue DUPLICATA n of a receipt on this workstation's printer.

    ``language`` None: the customer's (see :func:`copy_language`).

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        payment = load_payment(session, receipt_no=receipt_no)
        language = copy_language(session, payment, language)
        number = register_copy(
            session, ctx, actor, payment, medium="thermal", workstation=station.series.code
        )
        job = queue_job(
            session,
            kind=PrintJobKind.RECEIPT,
            workstation=station,
            payment=payment,
            document_ref=payment.receipt_no,
            copy_number=number,
            language=language,
            now=ctx.now(),
            created_by_id=actor.staff_id,
        )
        return CopyIssued(payment.receipt_no, number, job.id, language)


def print_copy_now(
    ctx: AppContext,
    receipt_no: str,
    printer_uri: str,
    *,
    language: str | None = None,
    actor: Actor | None = None,
) -> CopyIssued:
    """Print DUPLICATA n on ``printer_uri`` at once (the command line), outside any queue.

    Raises the printer's error when it does not print; the copy number stays
    used (and journaled), as a copy that was attempted. ``language`` None: the
    customer's (see :func:`copy_language`).

    Lowest role: system (the command line run by IT; no actor).
    """
    address = parse_printer_uri(printer_uri)
    with ctx.db.write() as session:
        payment = load_payment(session, receipt_no=receipt_no)
        language = copy_language(session, payment, language)
        number = register_copy(session, ctx, actor, payment, medium="thermal", workstation=None)
        job = queue_job(
            session,
            kind=PrintJobKind.RECEIPT,
            workstation=None,  # in no workstation's queue: nobody else prints it
            payment=payment,
            document_ref=payment.receipt_no,
            copy_number=number,
            language=language,
            printer_uri=address.uri,
            now=ctx.now(),
            created_by_id=actor.staff_id if actor else None,
        )
        job_id, receipt = job.id, payment.receipt_no
    claimed = claim_direct(ctx.db, job_id)
    error: GuichetError | None = print_claimed(
        ctx, claimed, lambda a, data: devices.send(a, data), final=True
    )
    if error is not None:
        raise error
    return CopyIssued(receipt, number, job_id, language)


def copy_pdf(
    ctx: AppContext,
    receipt_no: str,
    *,
    language: str | None = None,
    paper: PdfPaper = PdfPaper.ROLL_80,
    actor: Actor | None = None,
) -> tuple[CopyIssued, bytes]:
    """DUPLICATA n of a receipt as a PDF (80 mm roll or A5); ``language`` None: the
    customer's (see :func:`copy_language`).

    Lowest role: system (the command line run by IT; no actor).
    """
    with ctx.db.write() as session:
        payment = load_payment(session, receipt_no=receipt_no)
        chosen = copy_language(session, payment, language)
        number = register_copy(session, ctx, actor, payment, medium="pdf", workstation=None)
        document = receipt_document(session, ctx.signer, payment)
    pdf = slip_pdf(receipt_slip(document, chosen, number), paper)
    return CopyIssued(document.summary.receipt_no, number, None, chosen), pdf


def print_bill_copy(
    ctx: AppContext, actor: Actor, invoice_number: str, *, workstation: str, language: str
) -> int:
    """Queue the duplicate of a bill on the counter's thermal printer; journaled.

    The same content as the A5 copy (:mod:`app.documents.bill_copy`), laid out
    as a slip; returns the print job's id.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    typed = invoice_number.strip().upper()
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        if session.scalar(select(Invoice.id).where(Invoice.number == typed)) is None:
            raise NotFoundError(
                N_("No invoice with number {number}."), field="invoice_number", number=typed
            )
        job = queue_job(
            session,
            kind=PrintJobKind.BILL_COPY,
            workstation=station,
            document_ref=typed,
            language=language,
            now=ctx.now(),
            created_by_id=actor.staff_id,
        )
        record_action(
            session,
            ctx,
            EventKind.BILL_COPY_ISSUED,
            actor,
            workstation=station.series.code,
            subject=typed,
            details={"language": language, "medium": "thermal"},
        )
        return job.id
