"""Printer and receipt commands: test a printer, reprint, export a PDF, check a QR code."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app import config
from app.bootstrap import open_context, open_database, require_current_schema
from app.cli.commands import given_verifier
from app.cli.output import say, warn
from app.db_faults import FAULTS, faults_explained
from app.errors import GuichetError, ValidationError
from app.i18n import N_, current_language, gettext
from app.integrity.keys import Verifier, load_signer
from app.integrity.receipt_proof import parse_proof, signature_holds
from app.integrity.verify import trusted_verifier_from_database
from app.money import currency, from_minor
from app.printing import devices
from app.printing.copies import copy_pdf, print_copy_now
from app.printing.documents import test_page_slip
from app.printing.escpos_render import check_printer_model, slip_escpos
from app.printing.pdf_render import PdfPaper
from app.printing.status import STATUS_LABELS
from db.engine import Database
from db.models import OperatorSettings, Payment
from db.types import utcnow


def _language(args: Namespace) -> str:
    """A test page reads in the language asked for, else the messages' language."""
    return str(getattr(args, "receipt_language", None) or current_language())


def _customer_language(args: Namespace) -> str | None:
    """A receipt's copy: the language asked for, else None, and the service applies the
    customer's (app.printing.copies.copy_language), not the language of the messages."""
    asked = getattr(args, "receipt_language", None)
    return str(asked) if asked else None


def printer_test(args: Namespace) -> int:
    """Print the test page straight to a printer; works before any database exists."""
    address = devices.parse_printer_uri(args.device)
    model = check_printer_model(args.profile, args.paper)
    operator, timezone = "Guichet", "UTC"
    try:  # with a database, the page names the operator; without one it still prints
        database = open_database(args.database)
        require_current_schema(database)
        with database.read() as session:
            settings = session.scalars(select(OperatorSettings)).first()
            if settings is not None:
                operator, timezone = settings.name, settings.timezone
    except GuichetError:
        pass
    except FAULTS:  # no usable database: the page still prints
        pass
    status = devices.query_status(address, timeout=args.timeout)
    say(
        N_("Printer {printer}: {status}."),
        printer=address.uri,
        status=gettext(STATUS_LABELS[status]),
    )
    slip = test_page_slip(
        operator_name=operator,
        workstation=config.workstation_code(args.workstation) or "-",
        printer_uri=address.uri,
        model=model,
        language=_language(args),
        timezone=timezone,
        now=utcnow(),
    )
    data = slip_escpos(slip, model)
    delivery = devices.send(address, data, timeout=args.timeout)
    if delivery == devices.Delivery.CONFIRMED:
        say(N_("Test page printed: the printer took all {size} bytes."), size=len(data))
    else:
        say(
            N_("Test page sent ({size} bytes); this printer does not confirm, check the paper."),
            size=len(data),
        )
    return 0


def printer_status(args: Namespace) -> int:
    address = devices.parse_printer_uri(args.device)
    status = devices.query_status(address, timeout=args.timeout)
    say(
        N_("Printer {printer}: {status}."),
        printer=address.uri,
        status=gettext(STATUS_LABELS[status]),
    )
    return 0 if status.value in ("online", "paper_low") else 1


def receipt_print(args: Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    issued = print_copy_now(ctx, args.receipt_no, args.device, language=_customer_language(args))
    say(
        N_("Receipt {receipt_no} printed as copy {copy} on {printer}."),
        receipt_no=issued.receipt_no,
        copy=issued.copy_number,
        printer=devices.parse_printer_uri(args.device).uri,
    )
    return 0


def receipt_pdf(args: Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    out = Path(args.out)
    if out.is_dir():
        raise ValidationError(
            N_("--out {path} is a folder: give the name of the PDF file to write."),
            field="out",
            path=str(out),
        )
    partial = out.with_name(out.name + ".part")
    # Open the file before the copy is journaled: a path that cannot be written must
    # not leave a DUPLICATA counted in the ledger with no PDF to show for it.
    with faults_explained():
        stream = partial.open("wb")
    try:
        with stream:
            issued, pdf = copy_pdf(
                ctx, args.receipt_no, language=_customer_language(args), paper=PdfPaper(args.paper)
            )
            stream.write(pdf)
        partial.replace(out)  # a viewer opened on the path never sees half a file
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    say(
        N_("Receipt {receipt_no}, copy {copy}, written to {path}."),
        receipt_no=issued.receipt_no,
        copy=issued.copy_number,
        path=str(out),
    )
    return 0


def verify_receipt(args: Namespace) -> int:
    """Check a receipt's QR text: its signature, and the ledger when there is one."""
    proof = parse_proof(args.qr_text)
    verifier, database = _receipt_verifier(args)
    if verifier is None:
        warn(N_("No public key to check with: give --public-key (see: python main.py key show)."))
        return 2
    if not signature_holds(proof, verifier):
        warn(
            N_(
                "FORGED OR ALTERED: the signature of receipt {receipt_no} does not hold "
                "with key {key_id}."
            ),
            receipt_no=proof.receipt_no,
            key_id=verifier.key_id,
        )
        return 1
    say(
        N_(
            "Signature OK: receipt {receipt_no} of {moment} UTC, {amount} {currency}, "
            "signed with key {key_id}."
        ),
        receipt_no=proof.receipt_no,
        moment=proof.issued_at.strftime("%Y-%m-%d %H:%M:%S"),
        amount=proof.amount,
        currency=proof.currency,
        key_id=proof.key_id,
    )
    if database is None:
        return 0
    with database.read() as session:
        payment = session.scalars(
            select(Payment).where(Payment.receipt_no == proof.receipt_no)
        ).first()
        if payment is None:
            warn(
                N_("NOT IN THE LEDGER: this database has no receipt {receipt_no}."),
                receipt_no=proof.receipt_no,
            )
            return 1
        paid = from_minor(payment.tendered_minor - payment.change_minor, currency(payment.currency))
        if paid != proof.amount or payment.currency != proof.currency:
            warn(
                N_("MISMATCH: the ledger has {amount} {currency} for {receipt_no}."),
                amount=paid,
                currency=payment.currency,
                receipt_no=proof.receipt_no,
            )
            return 1
        voided_by = session.scalar(
            select(Payment.receipt_no).where(Payment.voids_payment_id == payment.id)
        )
    if voided_by:
        warn(
            N_("VOIDED: receipt {receipt_no} was cancelled by {void_no}."),
            receipt_no=proof.receipt_no,
            void_no=voided_by,
        )
        return 1
    say(
        N_("The ledger holds receipt {receipt_no} with the same amount; it is not voided."),
        receipt_no=proof.receipt_no,
    )
    return 0


def _receipt_verifier(args: Namespace) -> tuple[Verifier | None, Database | None]:
    """The key to trust and, when one opens, the database to cross-check."""
    database: Database | None = None
    try:
        database = open_database(args.database)
        require_current_schema(database)
    except (GuichetError, SQLAlchemyError):  # no usable database: the signature alone
        database = None
    if args.public_key:
        return given_verifier(args.public_key), database
    key_file = config.key_file(args.key_file)
    if key_file.exists():
        return load_signer(key_file).verifier, database
    if database is not None:
        return trusted_verifier_from_database(database), database
    return None, database
