"""Payments made outside Guichet: signed entries of their own ledger, never cash.

Each new billing-system reference becomes one entry of the chain
``outside_payments`` and grows its bill's ``paid_elsewhere_minor`` and
``paid_minor`` (and so its status). A reference already imported with the same
values is unchanged; with other values it is refused: the ledger is append-only,
and the billing system undoes a payment with a reversal of its own reference
(a negative amount).

Lock order (the payment path's): the bills' subscribers, then the bills, then the
chain head. The head is held from the first chunk to the commit; later chunks lock
more subscribers and bills after it, which cannot deadlock, since only an import
takes this head and imports run one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, insert, select, update

from app.i18n import N_
from app.imports import kinds
from app.imports.batch import Batch, FileInfo, Record
from app.imports.bills import money
from app.imports.upsert import rows_by
from app.integrity import chain
from app.integrity.canonical import instant
from db.models import (
    OUTSIDE_PAYMENT_CHAIN,
    Invoice,
    InvoiceStatus,
    OutsidePayment,
    Subscriber,
)
from db.models.billing import status_after_payment

PAYMENTS = cast(Table, OutsidePayment.__table__)
INVOICES = cast(Table, Invoice.__table__)
SUBSCRIBERS = cast(Table, Subscriber.__table__)


def outside_payment_record_of(values: dict[str, Any]) -> dict[str, Any]:
    """What an entry's signature covers: every column but the id and the link fields."""
    imported_at = values["imported_at"]
    paid_on = values["paid_on"]
    return {
        "reference": values["reference"],
        "invoice_id": values["invoice_id"],
        "amount_minor": values["amount_minor"],
        "channel": values["channel"],
        "paid_on": paid_on.isoformat() if isinstance(paid_on, date) else paid_on,
        "imported_at": instant(imported_at) if isinstance(imported_at, datetime) else imported_at,
        "batch_id": values["batch_id"],
    }


def apply_payments(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    connection = batch.connection
    live = [record for record in records if not record.refused]
    already = rows_by(connection, PAYMENTS, PAYMENTS.c.reference, (r.key for r in live))
    numbers = {r.values["invoice_number"] for r in live}
    found = rows_by(
        connection,
        INVOICES,
        INVOICES.c.number,
        numbers,
        [INVOICES.c.id, INVOICES.c.number, INVOICES.c.subscriber_id],
    )
    # Lock in the fixed order: subscribers, then their bills (re-read under the lock).
    subscriber_ids = sorted({row.subscriber_id for row in found.values()})
    if subscriber_ids and batch.dialect == "postgresql":
        connection.execute(
            select(SUBSCRIBERS.c.id)
            .where(SUBSCRIBERS.c.id.in_(subscriber_ids))
            .order_by(SUBSCRIBERS.c.id)
            .with_for_update(key_share=True)
        ).all()
    bills = rows_by(connection, INVOICES, INVOICES.c.number, numbers, lock=True)
    state: dict[str, dict[str, Any]] = {number: dict(row._mapping) for number, row in bills.items()}
    entries: list[dict[str, Any]] = []
    unchanged = 0
    for record in live:
        values = record.values
        bill = state.get(values["invoice_number"])
        before = already.get(record.key)
        if before is not None:
            if _same(before, values, bill):
                unchanged += 1
            else:
                batch.refuse(
                    file,
                    record,
                    "payment_reference",
                    N_(
                        "this payment was already imported with other values: an outside "
                        "payment is never rewritten (send a reversal under its own reference)"
                    ),
                )
            continue
        if bill is None:
            batch.missing(file, record, "invoice_number", kinds.INVOICES, values["invoice_number"])
            continue
        amount = values["amount"]
        if not _acceptable(batch, file, record, bill, amount):
            continue
        bill["paid_minor"] += amount
        bill["paid_elsewhere_minor"] += amount
        bill["_touched"] = True
        entries.append(
            {
                "reference": record.key,
                "invoice_id": bill["id"],
                "amount_minor": amount,
                "channel": values["channel"],
                "paid_on": values["paid_on"],
                "imported_at": batch.now,
                "batch_id": batch.batch_id,
            }
        )
    batch.count(file.kind, created=len(entries), unchanged=unchanged)
    if not entries or batch.result.refused_total:
        return  # nothing will be committed: signing would be wasted work
    _sign_and_write(batch, entries, [bill for bill in state.values() if bill.get("_touched")])


def _same(before: Row[Any], values: dict[str, Any], bill: dict[str, Any] | None) -> bool:
    stored = before._mapping
    return (
        bill is not None
        and stored["invoice_id"] == bill["id"]
        and stored["amount_minor"] == values["amount"]
        and stored["channel"] == values["channel"]
        and stored["paid_on"] == values["paid_on"]
    )


def _acceptable(
    batch: Batch, file: FileInfo, record: Record, bill: dict[str, Any], amount: int
) -> bool:
    if amount == 0:
        batch.refuse(file, record, "amount", N_("a payment of nothing"))
        return False
    if bill["status"] == InvoiceStatus.CANCELLED.value:
        batch.refuse(file, record, "invoice_number", N_("the bill is cancelled"))
        return False
    outstanding = bill["amount_minor"] + bill["late_fee_minor"] - bill["paid_minor"]
    if amount > outstanding:
        batch.refuse(
            file,
            record,
            "amount",
            N_("more than the bill still asks ({outstanding})"),
            outstanding=money(batch, max(outstanding, 0)),
        )
        return False
    if amount < 0 and -amount > bill["paid_elsewhere_minor"]:
        batch.refuse(
            file,
            record,
            "amount",
            N_("a reversal of more than was paid elsewhere on this bill ({paid})"),
            paid=money(batch, bill["paid_elsewhere_minor"]),
        )
        return False
    return True


_PAY = (
    update(INVOICES)
    .where(INVOICES.c.id == bindparam("_id"))
    .values(
        paid_minor=bindparam("paid"),
        paid_elsewhere_minor=bindparam("elsewhere"),
        status=bindparam("state"),
    )
)


def _sign_and_write(
    batch: Batch, entries: list[dict[str, Any]], bills: list[dict[str, Any]]
) -> None:
    head = chain.lock_head_row(batch.session, OUTSIDE_PAYMENT_CHAIN)
    for values in entries:
        link = chain.append(
            batch.session,
            batch.signer,
            OUTSIDE_PAYMENT_CHAIN,
            _constant(outside_payment_record_of(values)),
            head=head,
        )
        values.update(
            seq=link.seq,
            key_id=link.key_id,
            prev_signature=link.prev_signature,
            signature=link.signature,
        )
    connection = batch.connection
    connection.execute(insert(PAYMENTS), entries)
    connection.execute(
        _PAY,
        [
            {
                "_id": bill["id"],
                "paid": bill["paid_minor"],
                "elsewhere": bill["paid_elsewhere_minor"],
                "state": status_after_payment(
                    bill["amount_minor"] + bill["late_fee_minor"], bill["paid_minor"]
                ).value,
            }
            for bill in bills
        ],
    )


def _constant(record: dict[str, Any]) -> Callable[[int], dict[str, Any]]:
    return lambda _seq: record
