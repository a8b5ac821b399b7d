"""The signed content of each kind of record, built from plain values.

The same functions build a record when it is signed (from the ORM objects the
services hold) and when `verify` checks it (from rows streamed with plain SQL),
so a changed column, tender or allocation shows up as a bad signature.

A payment names its counter (``ALG01-G01``), agency and till (cash session)
by stable identifiers, so takings cannot be moved between counters or tills.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from app.integrity.canonical import instant
from app.workstations import workstation_ref
from db.models import JOURNAL_CHAIN, JournalEvent, Payment


class PaymentValues(NamedTuple):
    """The scalar part of a payment's record, in the order `verify` selects it."""

    uid: str
    kind: str
    receipt: str
    voids: str | None  # the receipt number of the payment it voids
    account: str | None
    series: str | None
    workstation: str | None  # AGENCY-WORKSTATION
    agency: str | None
    till: int | None  # the cash session's id
    agent: str | None
    approved_by: str | None
    reason: str | None
    at: str  # the instant as signed: canonical.instant(created_at)
    currency: str
    tendered: int
    change: int
    allocated: int
    topups: int
    credit_used: int
    credit_added: int
    # The business day (ISO date) when it is stored; payments made before closings
    # existed have none and are signed without it, so their signatures still hold.
    business_day: str | None = None


class TenderValues(NamedTuple):
    position: int
    kind: str
    amount: int
    cheque: str | None
    bank: str | None
    authorisation: str | None
    transfer: str | None


class AllocationValues(NamedTuple):
    position: int
    invoice: str | None  # the invoice number
    amount: int


class TopUpValues(NamedTuple):
    position: int
    product: str | None  # the product code
    target: str
    quantity: int
    unit: int
    amount: int


def payment_record_of(
    values: PaymentValues,
    tenders: Sequence[TenderValues],
    allocations: Sequence[AllocationValues],
    topup_sales: Sequence[TopUpValues],
    reconnected_contracts: Sequence[str],
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "uid": values.uid,
        "kind": values.kind,
        "receipt": values.receipt,
        "voids": values.voids,
        "account": values.account,
        "series": values.series,
        "workstation": values.workstation,
        "agency": values.agency,
        "till": values.till,
        "agent": values.agent,
        "approved_by": values.approved_by,
        "reason": values.reason,
        "at": values.at,
        "currency": values.currency,
        "tendered": values.tendered,
        "change": values.change,
        "allocated": values.allocated,
        "topups": values.topups,
        "credit_used": values.credit_used,
        "credit_added": values.credit_added,
        "tenders": [
            {
                "kind": t.kind,
                "amount": t.amount,
                "cheque": t.cheque,
                "bank": t.bank,
                "authorisation": t.authorisation,
                "transfer": t.transfer,
            }
            for t in sorted(tenders, key=lambda t: t.position)
        ],
        "allocations": [
            {"invoice": a.invoice, "amount": a.amount}
            for a in sorted(allocations, key=lambda a: a.position)
        ],
        "topup_sales": [
            {
                "product": s.product,
                "target": s.target,
                "quantity": s.quantity,
                "unit": s.unit,
                "amount": s.amount,
            }
            for s in sorted(topup_sales, key=lambda s: s.position)
        ],
        "reconnections": sorted(reconnected_contracts),
    }
    if values.business_day is not None:
        record["business_day"] = values.business_day
    return record


def payment_record(payment: Payment, reconnected_contracts: list[str]) -> dict[str, Any]:
    """The record of a payment the services hold as an ORM object."""
    station = payment.workstation
    values = PaymentValues(
        uid=payment.uid,
        kind=str(payment.kind),
        receipt=payment.receipt_no,
        voids=payment.voids.receipt_no if payment.voids is not None else None,
        account=payment.subscriber.account_number,
        series=payment.series.code,
        workstation=workstation_ref(station.agency.code, station.code),
        agency=station.agency.code,
        till=payment.cash_session_id,
        agent=payment.agent.login,
        approved_by=payment.approved_by.login if payment.approved_by is not None else None,
        reason=payment.reason,
        at=instant(payment.created_at),
        currency=payment.currency,
        tendered=payment.tendered_minor,
        change=payment.change_minor,
        allocated=payment.allocated_minor,
        topups=payment.topups_minor,
        credit_used=payment.credit_used_minor,
        credit_added=payment.credit_added_minor,
        business_day=payment.business_day.isoformat() if payment.business_day else None,
    )
    return payment_record_of(
        values,
        [
            TenderValues(
                t.position,
                str(t.kind),
                t.amount_minor,
                t.cheque_number,
                t.bank,
                t.authorisation_code,
                t.transfer_reference,
            )
            for t in payment.tenders
        ],
        [
            AllocationValues(a.position, a.invoice.number, a.amount_minor)
            for a in payment.allocations
        ],
        [
            TopUpValues(
                s.position,
                s.product.code,
                s.target_number,
                s.quantity,
                s.unit_minor,
                s.amount_minor,
            )
            for s in payment.topups
        ],
        reconnected_contracts,
    )


def journal_record_of(
    kind: str,
    occurred_at: str,  # as signed: canonical.instant(...)
    actor_login: str | None,
    workstation: str | None,
    subject: str | None,
    details: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "at": occurred_at,
        "actor": actor_login,
        "workstation": workstation,
        "subject": subject,
        "details": json.loads(details),
    }


def journal_record(event: JournalEvent) -> dict[str, Any]:
    return journal_record_of(
        event.kind,
        instant(event.occurred_at),
        event.actor_login,
        event.workstation,
        event.subject,
        event.details,
    )


class ClosingValues(NamedTuple):
    """A closing's signed values, in the order `verify` selects them."""

    kind: str
    agency: str | None  # the agency's code
    period_start: str  # ISO dates
    period_end: str
    closed_at: str  # as signed: canonical.instant(...)
    closed_by: str | None  # the supervisor's login
    automatic: bool
    currency: str
    payments: int
    payments_total: int
    voids: int
    voids_total: int
    bills: int
    topups: int
    credit: int
    period_total: int
    perpetual_total: int
    perpetual_absolute: int
    breakdown: str  # canonical JSON: per tender and per till


def closing_record_of(values: ClosingValues) -> dict[str, Any]:
    record = values._asdict()
    record["automatic"] = bool(values.automatic)
    # Not JSON: signed over the text, so its signature fails.
    with contextlib.suppress(ValueError):
        record["breakdown"] = json.loads(values.breakdown)
    return record


def password_fingerprint(password_hash: str) -> str:
    """What the journal keeps of a password: a digest of its stored argon2 hash.

    The hash is salted, so the digest says nothing of the password; it only lets
    `verify` see a hash replaced outside the application.
    """
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


__all__ = [
    "JOURNAL_CHAIN",
    "AllocationValues",
    "ClosingValues",
    "PaymentValues",
    "TenderValues",
    "TopUpValues",
    "closing_record_of",
    "journal_record",
    "journal_record_of",
    "password_fingerprint",
    "payment_record",
    "payment_record_of",
]
