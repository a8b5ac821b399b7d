"""Invoices (created or corrected by number) and their delivery dates arriving later.

A bill the counter was already paid against (``paid_minor`` above zero: payments,
payments elsewhere or waivers) keeps its amount, late fee and contract: a line
that would change them is refused, since what was paid was paid for that bill.
Dates and the barcode may still be corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, select

from app.i18n import N_
from app.imports import kinds
from app.imports.batch import Batch, FileInfo, Record
from app.imports.refusals import Amount
from app.imports.upsert import kept, present, rows_by, upsert
from db.models import Contract, Invoice, InvoiceStatus, Subscriber

INVOICES = cast(Table, Invoice.__table__)
CONTRACTS = cast(Table, Contract.__table__)
SUBSCRIBERS = cast(Table, Subscriber.__table__)


def money(batch: Batch, minor: int) -> Amount:
    """An amount for a refusal: formatted in the language the report is read in."""
    return Amount(minor, batch.currency)


def apply_invoices(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    connection = batch.connection
    batch.first_seen(
        "invoice_barcode", file, records, lambda r: r.values["barcode"], column="barcode"
    )
    live = [record for record in records if not record.refused]
    contracts = rows_by(
        connection,
        CONTRACTS,
        CONTRACTS.c.number,
        (r.values["contract_number"] for r in live),
        [CONTRACTS.c.id, CONTRACTS.c.number, CONTRACTS.c.subscriber_id],
    )
    if batch.dialect == "postgresql":
        _lock_bills_to_rewrite(batch, live, contracts)
    # A barcode this batch already gave is refused by first_seen above: on a table
    # empty when the batch began, no other bill can hold one.
    barcodes = (
        {}
        if INVOICES.name in batch.empty_tables
        else rows_by(
            connection,
            INVOICES,
            INVOICES.c.barcode,
            (r.values["barcode"] for r in live),
            [INVOICES.c.barcode, INVOICES.c.number],
        )
    )

    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any] | None:
        values = record.values
        contract = contracts.get(values["contract_number"])
        if contract is None:
            batch.missing(
                file, record, "contract_number", kinds.CONTRACTS, values["contract_number"]
            )
        holder = barcodes.get(values["barcode"])
        if holder is not None and holder.number != record.key:
            batch.refuse(
                file,
                record,
                "barcode",
                N_("the barcode is already invoice {number}'s"),
                number=holder.number,
            )
        if values["period_end"] < values["period_start"]:
            batch.refuse(file, record, "period_end", N_("the period ends before it starts"))
        if values["due_date"] < values["issue_date"]:
            batch.refuse(file, record, "due_date", N_("the bill is due before it is issued"))
        late_fee = present(file, record, "late_fee", row, "late_fee_minor", 0) or 0
        if contract is None or record.refused:
            return None
        out = {
            "number": record.key,
            "contract_id": contract.id,
            "subscriber_id": contract.subscriber_id,
            "period_start": values["period_start"],
            "period_end": values["period_end"],
            "issue_date": values["issue_date"],
            "delivery_date": kept(file, record, "delivery_date", row, "delivery_date"),
            "due_date": values["due_date"],
            "amount_minor": values["amount"],
            "late_fee_minor": late_fee,
            "barcode": values["barcode"],
        }
        if row is None:
            out.update(
                status=InvoiceStatus.OPEN.value,
                paid_minor=0,
                paid_elsewhere_minor=0,
                waived_minor=0,
            )
            return out
        stored = row._mapping
        if stored["paid_minor"] != 0 and (
            stored["amount_minor"] != out["amount_minor"]
            or stored["late_fee_minor"] != out["late_fee_minor"]
            or stored["contract_id"] != out["contract_id"]
        ):
            column = (
                "amount"
                if stored["amount_minor"] != out["amount_minor"]
                else (
                    "late_fee"
                    if stored["late_fee_minor"] != out["late_fee_minor"]
                    else "contract_number"
                )
            )
            batch.refuse(
                file,
                record,
                column,
                N_(
                    "{paid} is already paid on this bill: its amount and contract can no "
                    "longer change (send an adjustment bill)"
                ),
                paid=money(batch, stored["paid_minor"]),
            )
            return None
        return out

    upsert(batch, file, records, INVOICES, "number", wanted, creates=True)


def _lock_bills_to_rewrite(
    batch: Batch, live: list[Record], contracts: dict[Any, Row[Any]]
) -> None:
    """Lock the bills whose amount, late fee or contract the chunk changes, in the
    payment path's order (their subscribers, then the bills), before they are read
    for the update: a counter paying one of them meanwhile either commits first (and
    the change is refused as a change of a paid bill) or waits for this import.
    SQLite's write transaction already keeps counters out."""
    connection = batch.connection
    stored = rows_by(
        connection,
        INVOICES,
        INVOICES.c.number,
        (record.key for record in live),
        [
            INVOICES.c.id,
            INVOICES.c.number,
            INVOICES.c.subscriber_id,
            INVOICES.c.contract_id,
            INVOICES.c.amount_minor,
            INVOICES.c.late_fee_minor,
        ],
    )
    changing = []
    for record in live:
        row = stored.get(record.key)
        contract = contracts.get(record.values["contract_number"])
        if row is None or contract is None:
            continue
        late_fee = record.values.get("late_fee")
        if (
            row.amount_minor != record.values["amount"]
            or row.contract_id != contract.id
            or (late_fee is not None and row.late_fee_minor != late_fee)
        ):
            changing.append(row)
    if not changing:
        return
    subscriber_ids = sorted({row.subscriber_id for row in changing})
    connection.execute(
        select(SUBSCRIBERS.c.id)
        .where(SUBSCRIBERS.c.id.in_(subscriber_ids))
        .order_by(SUBSCRIBERS.c.id)
        .with_for_update(key_share=True)
    ).all()
    connection.execute(
        select(INVOICES.c.id)
        .where(INVOICES.c.id.in_(sorted(row.id for row in changing)))
        .order_by(INVOICES.c.id)
        .with_for_update(key_share=True)
    ).all()


def apply_deliveries(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any] | None:
        if row is None:
            batch.missing(file, record, "invoice_number", kinds.INVOICES, record.key)
            return None
        delivered = record.values["delivery_date"]
        if delivered < row._mapping["issue_date"]:
            batch.refuse(
                file, record, "delivery_date", N_("the bill is delivered before it is issued")
            )
            return None
        return {"delivery_date": delivered}

    upsert(batch, file, records, INVOICES, "number", wanted)
