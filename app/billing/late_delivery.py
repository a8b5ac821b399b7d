"""Bills delivered late: their late fee is due later, and waived when paid in time.

A bill reached the subscriber late when it was delivered fewer than N days before
its due date (N: the operator's ``late_delivery_days``, 10 when unset). Its due
date *for late fees* then moves to delivery + N days (:func:`late_fee_due_date`):
a late fee the billing system put on it is not owed if the bill is paid at the
counter by then. The counter waives it in the payment's own transaction
(:func:`write_late_fee_waivers`): a claim of source ``late_delivery`` per bill,
applied at once by the small internal commitment ``LATE_BILL``, so the waiver is
signed in the compensations ledger like any other and `verify` sees it.

A waiver is written once per bill (the claim's unique key): a retried or second
payment never waives twice. What a void does to it: see :data:`WAIVER_SURVIVES_VOID`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.compensation.claims import ClaimProposal, ClaimsOutcome, propose_claims
from app.integrity.keys import Signer
from app.money import currency, from_minor
from app.payments.ledger import OPEN_STATUSES
from db.engine import Database
from db.models import (
    ClaimStatus,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    Invoice,
    OperatorSettings,
)
from db.models.billing import outstanding_minor
from db.models.charter import CompensationRuleKind

DEFAULT_LATE_DELIVERY_DAYS = 10
LATE_BILL_CODE = "LATE_BILL"

# Decision on voids: a void reverses the payment's money only; the late fee waived
# stays waived. The waiver is the operator's debt for delivering late, earned when
# the customer came in time; a void corrects the counter (wrong account, wrong
# amount, approved by a supervisor), not the customer's timeliness. The compensations
# ledger is append-only with positive entries only, so taking the waiver back would
# need a reversing entry kind it does not have; and since the claim is once per bill,
# paying the bill again never waives a second time (the fee is simply not asked).
WAIVER_SURVIVES_VOID = True


@dataclass(frozen=True)
class LateBillCommitment:
    """The internal commitment a late-fee waiver is claimed under: automatic, no limit."""

    code: str = LATE_BILL_CODE
    charter_id: int | None = None
    rule_kind: str = CompensationRuleKind.FIXED_AMOUNT
    automatic: bool = True
    approval_above_minor: int | None = None


LATE_BILL = LateBillCommitment()


def delivered_late(delivery_date: date | None, due_date: date, days: int) -> bool:
    """Delivered fewer than ``days`` days before the due date (exactly ``days``: in time)."""
    return delivery_date is not None and (due_date - delivery_date).days < days


def late_fee_due_date(delivery_date: date | None, due_date: date, days: int) -> date:
    """The date a late fee becomes owed: delivery + N for a bill delivered late."""
    if delivery_date is not None and delivered_late(delivery_date, due_date, days):
        return delivery_date + timedelta(days=days)
    return due_date


def days_setting(value: int | None) -> int:
    return DEFAULT_LATE_DELIVERY_DAYS if value is None else value


_DAYS = select(OperatorSettings.late_delivery_days).limit(1)


def late_delivery_days(session: Session) -> int:
    """The operator's N (10 when unset)."""
    return days_setting(session.connection().scalar(_DAYS))


def waivable_late_fee(
    *,
    late_fee_minor: int,
    outstanding_minor: int,
    delivery_date: date | None,
    due_date: date,
    days: int,
    today: date,
) -> int:
    """The late fee not owed if the bill is paid in full ``today`` (0: none).

    Only a bill delivered late, carrying a fee, paid by delivery + N; never more
    than what is left on it.
    """
    if late_fee_minor <= 0 or outstanding_minor <= 0 or delivery_date is None:
        return 0
    if not delivered_late(delivery_date, due_date, days):
        return 0
    if today > late_fee_due_date(delivery_date, due_date, days):
        return 0
    return min(late_fee_minor, outstanding_minor)


def might_waive(late_fee_minor: int, delivery_date: date | None) -> bool:
    """Cheap first test on the payment path: only such bills need the settings read."""
    return late_fee_minor > 0 and delivery_date is not None


@dataclass(frozen=True)
class LateFeeWaiver:
    """A late fee the payment being made waives on one bill."""

    invoice_id: int
    invoice_number: str
    subscriber_id: int
    contract_id: int
    delivery_date: date
    late_fee_due_date: date
    amount_minor: int


def write_late_fee_waivers(
    session: Session,
    signer: Signer,
    waivers: Sequence[LateFeeWaiver],
    *,
    payment_uid: str,
    currency_code: str,
    now: datetime,
    agency_id: int | None,
    business_day: date | None,
) -> ClaimsOutcome:
    """Claim and apply the waivers in the caller's (the payment's) transaction.

    The caller holds the subscriber's and the bills' locks; the ledger takes the
    compensation chain's head after them. The claim's basis names the payment, so
    its receipt finds the waivers it made.
    """
    proposals = [
        ClaimProposal(
            source=CompensationSource.LATE_DELIVERY,
            source_id=w.invoice_id,
            subscriber_id=w.subscriber_id,
            contract_id=w.contract_id,
            amount_minor=w.amount_minor,
            currency=currency_code,
            kind=CompensationKind.WAIVER,
            invoice_id=w.invoice_id,
            basis={
                "payment": payment_uid,
                "invoice": w.invoice_number,
                "delivered_on": w.delivery_date.isoformat(),
                "late_fee_due_date": w.late_fee_due_date.isoformat(),
                "late_fee_minor": w.amount_minor,
            },
        )
        for w in waivers
    ]
    return propose_claims(
        session,
        signer,
        LATE_BILL,
        proposals,
        now=now,
        agency_id=agency_id,
        business_day=business_day,
    )


@dataclass(frozen=True)
class WaivedLateFee:
    """A late fee waived, as a screen or a receipt shows it."""

    invoice_number: str
    amount: Decimal
    delivered_on: date
    late_fee_due_date: date


_OPEN_LATE = select(
    Invoice.id,
    Invoice.number,
    Invoice.delivery_date,
    Invoice.due_date,
    Invoice.amount_minor,
    Invoice.late_fee_minor,
    Invoice.paid_minor,
    Invoice.status,
).where(
    Invoice.subscriber_id == bindparam("subscriber_id"),
    Invoice.status.in_(OPEN_STATUSES),
    Invoice.late_fee_minor > 0,
    Invoice.delivery_date.is_not(None),
)


def late_fees_to_waive(
    db: Database, subscriber_id: int, *, today: date, currency_code: str
) -> dict[str, WaivedLateFee]:
    """The late fees that paying each open bill in full today would waive, by bill number.

    For the payment dialog's preview; the payment service decides again under its
    locks. Lowest role: none (a read; no actor).
    """
    cur = currency(currency_code)
    with db.read() as session:
        rows = session.connection().execute(_OPEN_LATE, {"subscriber_id": subscriber_id}).all()
        if not rows:
            return {}
        days = late_delivery_days(session)
        waived = set(
            session.scalars(
                select(CompensationClaim.source_id).where(
                    CompensationClaim.source == CompensationSource.LATE_DELIVERY,
                    CompensationClaim.source_id.in_([row.id for row in rows]),
                )
            )
        )
    found: dict[str, WaivedLateFee] = {}
    for row in rows:
        if row.id in waived:
            continue
        amount = waivable_late_fee(
            late_fee_minor=row.late_fee_minor,
            outstanding_minor=outstanding_minor(
                row.status, row.amount_minor + row.late_fee_minor, row.paid_minor
            ),
            delivery_date=row.delivery_date,
            due_date=row.due_date,
            days=days,
            today=today,
        )
        if amount:
            found[row.number] = WaivedLateFee(
                row.number,
                from_minor(amount, cur),
                row.delivery_date,
                late_fee_due_date(row.delivery_date, row.due_date, days),
            )
    return found


def waived_by_payment(
    session: Session, payment_uid: str, invoice_ids: Sequence[int], currency_code: str
) -> tuple[WaivedLateFee, ...]:
    """The late fees a payment waived (read back for its receipt), in bill order."""
    if not invoice_ids:
        return ()
    cur = currency(currency_code)
    claims = session.execute(
        select(CompensationClaim.basis, CompensationClaim.amount_minor)
        .where(
            CompensationClaim.source == CompensationSource.LATE_DELIVERY,
            CompensationClaim.source_id.in_(list(invoice_ids)),
            CompensationClaim.status == ClaimStatus.APPLIED,
        )
        .order_by(CompensationClaim.id)
    ).all()
    found = []
    for basis_text, amount in claims:
        basis = json.loads(basis_text)
        if basis.get("payment") != payment_uid:
            continue
        found.append(
            WaivedLateFee(
                basis["invoice"],
                from_minor(amount, cur),
                date.fromisoformat(basis["delivered_on"]),
                date.fromisoformat(basis["late_fee_due_date"]),
            )
        )
    return tuple(found)


def already_waived(session: Session, invoice_ids: Sequence[int]) -> list[int]:
    """Those of the bills whose late fee a claim already covers (waived once per bill)."""
    return list(
        session.connection().scalars(
            select(CompensationClaim.source_id).where(
                CompensationClaim.source == CompensationSource.LATE_DELIVERY,
                CompensationClaim.source_id.in_(list(invoice_ids)),
                CompensationClaim.commitment_code == LATE_BILL_CODE,
            )
        )
    )
