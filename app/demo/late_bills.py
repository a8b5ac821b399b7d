"""Demo: bills delivered late and the billing system's extract, for the cut-off list.

:func:`add_late_bills` runs after the demo's bills and past payments exist. It
makes a few open bills late-delivered (deterministically, by bill id):

- some of the most recently due, with a late fee, delivered only two days ago (after
  their due date): still inside their extended term (delivery + N), so paying one
  at the counter shows the late fee waived on the preview and the receipt;
- some overdue beyond the grace but delivered so late that their extended term
  and its grace still run: the cut-off list excludes their lines ("bill delivered
  late");

and sets the billing system's extract time before the last counter payments
that settled bills overdue beyond the grace, so the list shows lines excluded as
"paid since the extract". (Complaint exclusions come with the complaints demo.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from app.billing.cutoff import DEFAULT_GRACE_DAYS
from app.billing.late_delivery import days_setting
from db.engine import Database
from db.models import (
    Allocation,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    OperatorSettings,
    Payment,
    PaymentKind,
)

LATE_IN_TERM = 12  # bills a counter payment waives the late fee of
LATE_PAST_DUE = 8  # overdue beyond the grace, spared by their late delivery
PAID_AFTER_EXTRACT = 10  # counter payments after the extract, on bills past the grace


@dataclass(frozen=True)
class LateBillsSummary:
    waivable: tuple[str, ...]  # bill numbers: pay one at the counter to see the waiver
    spared_late: tuple[str, ...]
    extract_at: datetime | None


def add_late_bills(database: Database, *, today: date) -> LateBillsSummary:
    """Give the demo its late-delivered bills and the billing extract's time.

    Lowest role: system (the demo builder; no actor).
    """
    with database.write() as session:
        settings = session.scalars(select(OperatorSettings)).one()
        days = days_setting(settings.late_delivery_days)
        grace = (
            DEFAULT_GRACE_DAYS if settings.cutoff_grace_days is None else settings.cutoff_grace_days
        )
        fee_floor = _typical_fee(session)
        open_bill = (
            select(
                Invoice.id,
                Invoice.number,
                Invoice.due_date,
                Invoice.amount_minor,
                Invoice.late_fee_minor,
            )
            .join(Contract, Contract.id == Invoice.contract_id)
            .where(
                Invoice.status == InvoiceStatus.OPEN,
                Invoice.paid_minor == 0,
                Contract.status == ContractStatus.ACTIVE,
            )
            .order_by(Invoice.id)
        )
        # The most recently due, delivered only two days ago (after their due date), late
        # fee on: their term runs to delivery + N, so a payment today waives the fee.
        delivered_recently = today - timedelta(days=2)
        recent = session.execute(
            open_bill.where(Invoice.due_date < today, Invoice.issue_date <= delivered_recently)
            .order_by(None)
            .order_by(Invoice.due_date.desc(), Invoice.id)
            .limit(LATE_IN_TERM)
        ).all()
        for row in recent:
            session.execute(
                update(Invoice)
                .where(Invoice.id == row.id)
                .values(
                    delivery_date=delivered_recently,
                    late_fee_minor=max(row.late_fee_minor, fee_floor, row.amount_minor // 20),
                )
            )
        # Overdue beyond the grace, delivered after the due date: extended to
        # delivery + N, whose grace has not run out on ``today``.
        delivered = today - timedelta(days=grace + days - 3)
        cut = today - timedelta(days=grace)
        other = aliased(Invoice)
        past = session.execute(
            open_bill.where(
                Invoice.due_date < cut,
                Invoice.issue_date <= delivered,
                Invoice.id.not_in([row.id for row in recent] or [0]),
                # The line's only overdue bill: otherwise the line is proposed anyway.
                ~exists().where(
                    other.contract_id == Invoice.contract_id,
                    other.id != Invoice.id,
                    other.status.in_((InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)),
                    other.due_date < cut,
                ),
            ).limit(LATE_PAST_DUE)
        ).all()
        for row in past:
            session.execute(
                update(Invoice).where(Invoice.id == row.id).values(delivery_date=delivered)
            )
        extract_at = _extract_time(session, today, grace)
        settings.billing_extract_at = extract_at
    return LateBillsSummary(
        tuple(row.number for row in recent), tuple(row.number for row in past), extract_at
    )


def _typical_fee(session: Session) -> int:
    fee = session.scalar(select(Invoice.late_fee_minor).where(Invoice.late_fee_minor > 0).limit(1))
    return int(fee or 0)


def _extract_time(session: Session, today: date, grace: int) -> datetime:
    """Just before the last few counter payments on bills overdue beyond the grace
    (two days before ``today`` when there are none)."""
    cut = today - timedelta(days=grace)
    times = list(
        session.scalars(
            select(Payment.created_at)
            .join(Allocation, Allocation.payment_id == Payment.id)
            .join(Invoice, Invoice.id == Allocation.invoice_id)
            .where(
                Payment.kind == PaymentKind.PAYMENT,
                Invoice.status == InvoiceStatus.PAID,
                Invoice.due_date < cut,
            )
            .order_by(Payment.created_at.desc())
            .limit(PAID_AFTER_EXTRACT)
        )
    )
    if not times:
        return datetime.combine(today - timedelta(days=2), time(5), UTC)
    earliest = min(times)
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    return earliest - timedelta(seconds=1)
