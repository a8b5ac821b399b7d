"""`verify` on the outside payments ledger (payments made at the post office, online
or by direct debit, imported from the billing system).

Two checks: the chain ``outside_payments`` itself (numbers without gaps, each entry
carrying its predecessor's signature and a valid signature of the trusted key over
its content, the last one matching the chain head), and every bill that has entries
against them: its ``paid_elsewhere_minor`` must equal the sum of its entries.
Bills without entries (paid elsewhere before imports existed) are not judged here.
Rows are streamed; memory does not grow with the ledger.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from app.i18n import N_
from app.imports.outside import outside_payment_record_of
from app.integrity.canonical import signing_input
from app.integrity.crosschecks import Reporter
from app.integrity.keys import Verifier
from app.integrity.streams import stream
from app.money import currency, from_minor
from db.models import OUTSIDE_PAYMENT_CHAIN, ChainHead, Invoice, OperatorSettings, OutsidePayment

OUTSIDE_PAYMENTS = N_("outside payments checked against their bills")


def check_outside_payments(
    connection: Connection, report: Reporter, verifier: Verifier | None = None
) -> None:
    """The chain (signatures checked when ``verifier`` is given) and the bills' sums."""
    entries = connection.scalar(select(func.count()).select_from(OutsidePayment.__table__)) or 0
    if not entries:
        return
    report.count(OUTSIDE_PAYMENTS, entries)
    _check_chain(connection, report, verifier)
    _check_bills(connection, report)


def _check_chain(connection: Connection, report: Reporter, verifier: Verifier | None) -> None:
    entry = OutsidePayment.__table__.c
    expected_seq = 1
    previous = ""
    for row in stream(connection, select(OutsidePayment.__table__).order_by(entry.seq)):
        label = f"{row.seq} ({row.reference})"
        if row.seq != expected_seq:
            report.problem(
                OUTSIDE_PAYMENT_CHAIN,
                label,
                N_("entry number {seq} follows {previous}: entries are missing (deleted?)"),
                seq=row.seq,
                previous=expected_seq - 1,
            )
            return
        if row.prev_signature != previous:
            report.problem(
                OUTSIDE_PAYMENT_CHAIN,
                label,
                N_("the entry does not carry its predecessor's signature (altered or re-ordered)"),
            )
            return
        if verifier is not None:
            message = signing_input(
                OUTSIDE_PAYMENT_CHAIN,
                row.seq,
                outside_payment_record_of(dict(row._mapping)),
                row.prev_signature,
            )
            if row.key_id != verifier.key_id or not verifier.verify(row.signature, message):
                report.problem(
                    OUTSIDE_PAYMENT_CHAIN,
                    label,
                    N_("the entry's signature does not match its content (altered?)"),
                )
                return
        previous = row.signature
        expected_seq += 1
    head = connection.execute(
        select(ChainHead.__table__.c.last_seq, ChainHead.__table__.c.last_signature).where(
            ChainHead.__table__.c.name == OUTSIDE_PAYMENT_CHAIN
        )
    ).first()
    if head is None or head.last_seq != expected_seq - 1 or head.last_signature != previous:
        report.problem(
            OUTSIDE_PAYMENT_CHAIN,
            "head",
            N_("the chain head does not match the last entry ({seq}): entries were removed?"),
            seq=expected_seq - 1,
        )


def _check_bills(connection: Connection, report: Reporter) -> None:
    entry = OutsidePayment.__table__.c
    invoice = Invoice.__table__.c
    sums = (
        select(entry.invoice_id, func.sum(entry.amount_minor).label("total"))
        .group_by(entry.invoice_id)
        .subquery()
    )
    statement = (
        select(invoice.number, invoice.paid_elsewhere_minor, sums.c.total)
        .select_from(sums.join(Invoice.__table__, invoice.id == sums.c.invoice_id))
        .where(invoice.paid_elsewhere_minor != sums.c.total)
        .order_by(invoice.number)
    )
    code = connection.scalar(select(OperatorSettings.__table__.c.currency).limit(1))

    def money(minor: int) -> str:
        if code is None:
            return str(minor)
        cur = currency(code)
        return f"{from_minor(int(minor), cur)} {cur.code}"

    for number, elsewhere, total in stream(connection, statement):
        report.problem(
            "invoices",
            number,
            N_("the bill says {elsewhere} paid elsewhere, its outside payments add up to {total}"),
            elsewhere=money(elsewhere),
            total=money(total),
        )
