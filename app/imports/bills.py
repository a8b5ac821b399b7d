"""Invoices (created or corrected by number) and their delivery dates arriving later.

A bill the counter was already paid against (``paid_minor`` above zero: payments,
payments elsewhere or waivers) keeps its amount, late fee and contract: a line
that would change them is refused, since what was paid was paid for that bill.
Dates and the barcode may still be corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table

from app.i18n import N_
from app.imports import kinds
from app.imports.batch import Batch, FileInfo, Record
from app.imports.upsert import kept, present, rows_by, upsert
from app.money import currency, format_amount, from_minor
from db.models import Contract, Invoice, InvoiceStatus

INVOICES = cast(Table, Invoice.__table__)
CONTRACTS = cast(Table, Contract.__table__)


def money(batch: Batch, minor: int) -> str:
    return format_amount(from_minor(minor, currency(batch.currency)), batch.currency)


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
    barcodes = rows_by(
        connection,
        INVOICES,
        INVOICES.c.barcode,
        (r.values["barcode"] for r in live),
        [INVOICES.c.barcode, INVOICES.c.number],
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

    upsert(batch, file, records, INVOICES, "number", wanted)


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
