"""The compensations ledger: signed, append-only entries of money the charter gave.

Each applied claim becomes one entry in the chain ``compensations``: a credit on
the subscriber's account (later payments may use it, as credit left by an
overpayment) or a waiver on one invoice (that much of the bill is no longer
asked: ``invoices.paid_minor`` and ``invoices.waived_minor`` grow by it).

Written in bulk: an outage over 100,000 contracts signs 100,000 entries in one
transaction, so entries are plain rows inserted with executemany, not ORM objects.

Lock order (the payment path's): a waiver's caller already holds the
subscriber's row and the invoice's, then this module takes the chain head.
Credits lock no invoice; a payment that reads the credit balance while an
outage's credits are written sees the smaller, older balance, never more.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from app.integrity import chain
from app.integrity.canonical import instant
from app.integrity.keys import Signer
from db.models import (
    COMPENSATION_CHAIN,
    Compensation,
    CompensationKind,
    Invoice,
    InvoiceStatus,
)

_COMPENSATIONS = cast(Table, Compensation.__table__)
_INVOICES = cast(Table, Invoice.__table__)


@dataclass(frozen=True)
class CompensationEntry:
    """One applied claim's money, before it is signed."""

    claim_id: int
    subscriber_id: int
    contract_id: int
    invoice_id: int | None
    kind: str  # CompensationKind
    source: str  # CompensationSource
    amount_minor: int
    currency: str


def compensation_record_of(values: dict[str, Any]) -> dict[str, Any]:
    """What an entry's signature covers: every column but the link fields."""
    created_at = values["created_at"]
    business_day = values["business_day"]
    return {
        "uid": values["uid"],
        "claim_id": values["claim_id"],
        "subscriber_id": values["subscriber_id"],
        "contract_id": values["contract_id"],
        "invoice_id": values["invoice_id"],
        "kind": values["kind"],
        "source": values["source"],
        "amount_minor": values["amount_minor"],
        "currency": values["currency"],
        "created_at": instant(created_at) if isinstance(created_at, datetime) else created_at,
        "agency_id": values["agency_id"],
        "business_day": business_day.isoformat() if isinstance(business_day, date) else None,
    }


def write_compensations(
    session: Session,
    signer: Signer,
    entries: Sequence[CompensationEntry],
    *,
    now: datetime,
    agency_id: int | None,
    business_day: date | None,
) -> int:
    """Sign and insert ``entries`` in the caller's transaction; apply the waivers.

    Returns how much was written, in minor units. Zero amounts are not entries:
    the caller records such a claim without money.
    """
    rows: list[dict[str, Any]] = []
    head = chain.lock_head_row(session, COMPENSATION_CHAIN)
    for entry in entries:
        if entry.amount_minor <= 0:
            raise ValueError("a compensation entry moves a positive amount")
        if (entry.kind == CompensationKind.WAIVER) != (entry.invoice_id is not None):
            raise ValueError("a waiver names its invoice; a credit names none")
        values: dict[str, Any] = {
            "uid": str(uuid.uuid4()),
            "claim_id": entry.claim_id,
            "subscriber_id": entry.subscriber_id,
            "contract_id": entry.contract_id,
            "invoice_id": entry.invoice_id,
            "kind": entry.kind,
            "source": entry.source,
            "amount_minor": entry.amount_minor,
            "currency": entry.currency,
            "created_at": now,
            "agency_id": agency_id,
            "business_day": business_day,
        }
        rows.append(values)
    if not rows:
        return 0
    records = [compensation_record_of(values) for values in rows]
    links = chain.append_many(session, signer, COMPENSATION_CHAIN, records, head=head)
    for values, link in zip(rows, links, strict=True):
        values.update(
            seq=link.seq,
            key_id=link.key_id,
            prev_signature=link.prev_signature,
            signature=link.signature,
        )
    connection = session.connection()
    connection.execute(insert(_COMPENSATIONS), rows)
    waivers = [row for row in rows if row["kind"] == CompensationKind.WAIVER]
    if waivers:
        _apply_waivers(session, waivers)
    return sum(row["amount_minor"] for row in rows)


_WAIVE = (
    update(_INVOICES)
    .where(_INVOICES.c.id == bindparam("invoice"))
    .values(
        paid_minor=_INVOICES.c.paid_minor + bindparam("amount"),
        waived_minor=_INVOICES.c.waived_minor + bindparam("amount"),
        status=case(
            (
                _INVOICES.c.amount_minor
                + _INVOICES.c.late_fee_minor
                - _INVOICES.c.paid_minor
                - bindparam("amount")
                <= 0,
                InvoiceStatus.PAID.value,
            ),
            else_=InvoiceStatus.PARTLY_PAID.value,
        ),
    )
)


def _apply_waivers(session: Session, waivers: list[dict[str, Any]]) -> None:
    session.connection().execute(
        _WAIVE,
        [{"invoice": row["invoice_id"], "amount": row["amount_minor"]} for row in waivers],
    )
    # Objects the session already holds must not write their stale amounts back.
    for row in waivers:
        held = session.identity_map.get(session.identity_key(Invoice, row["invoice_id"]))
        if held is not None:
            session.expire(held)


def credit_compensated_minor(session: Session, subscriber_id: int) -> int:
    """Credit the charter put on the subscriber's account, from the ledger."""
    total = session.execute(
        select(func.coalesce(func.sum(Compensation.amount_minor), 0)).where(
            Compensation.subscriber_id == subscriber_id,
            Compensation.kind == CompensationKind.CREDIT,
        )
    ).scalar_one()
    return int(total)
