"""The subscriber and the open bills a payment settles, locked and read as plain rows.

Lock steps 3 and 4 of :mod:`app.payments.ledger`: the subscriber first, then
their open bills by ascending id. Each bill comes with its line's state, so
whether paying it clears a suspended line needs no further read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.i18n import N_
from app.payments.ledger import OPEN_STATUSES
from db.models import Contract, ContractStatus, Invoice, OperatorSettings, Subscriber
from db.models.billing import outstanding_minor


@dataclass(frozen=True)
class PayingSubscriber:
    id: int
    account_number: str
    display_name: str
    language: str | None


@dataclass(frozen=True)
class OpenBill:
    id: int
    number: str
    contract_id: int
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    total_minor: int
    paid_minor: int
    status: str
    contract_number: str
    line_awaits_reconnection: bool  # suspended, and no reconnection asked for yet
    late_fee_minor: int = 0
    delivery_date: date | None = None
    late_delivery_days: int | None = None  # the operator's setting (None: the default)

    @property
    def outstanding_minor(self) -> int:
        return outstanding_minor(self.status, self.total_minor, self.paid_minor)

    def is_overdue(self, today: date) -> bool:
        return self.outstanding_minor > 0 and self.due_date < today


_SUBSCRIBER = (
    select(
        Subscriber.id,
        Subscriber.account_number,
        Subscriber.first_name,
        Subscriber.last_name,
        Subscriber.language,
    )
    .where(Subscriber.account_number == bindparam("account"))
    .with_for_update(key_share=True)
)


def lock_subscriber_by_account(session: Session, account_number: str) -> PayingSubscriber:
    """The subscriber, held until commit (FOR NO KEY UPDATE: see ledger.lock_subscriber)."""
    row = (
        session.connection()
        .execute(_SUBSCRIBER, {"account": account_number.strip().upper()})
        .first()
    )
    if row is None:
        raise NotFoundError(
            N_("No subscriber with account number {account}."),
            field="account_number",
            account=account_number,
        )
    name = Subscriber.display_name_of(row.first_name, row.last_name)
    return PayingSubscriber(row.id, row.account_number, name, row.language)


_OPEN_BILLS = (
    select(
        Invoice.id,
        Invoice.number,
        Invoice.contract_id,
        Invoice.period_start,
        Invoice.period_end,
        Invoice.issue_date,
        Invoice.due_date,
        Invoice.delivery_date,
        Invoice.amount_minor,
        Invoice.late_fee_minor,
        Invoice.paid_minor,
        Invoice.status,
        Contract.number.label("contract_number"),
        Contract.status.label("contract_status"),
        Contract.reconnection_requested_at,
        # The operator's N for bills delivered late, in the same statement (no extra
        # round trip on the payment path): app.billing.late_delivery.
        select(OperatorSettings.late_delivery_days).limit(1).scalar_subquery().label("late_days"),
    )
    .join(Contract, Contract.id == Invoice.contract_id)
    .where(Invoice.subscriber_id == bindparam("subscriber_id"), Invoice.status.in_(OPEN_STATUSES))
    .order_by(Invoice.id)
    # The bills only: a line is changed under the subscriber's lock, held already.
    .with_for_update(key_share=True, of=Invoice)
)


def lock_open_bills(session: Session, subscriber_id: int) -> list[OpenBill]:
    """The subscriber's bills with something left to pay, locked, oldest due first.

    The subscriber is locked already and every writer of bills locks it first,
    so the set of open bills cannot change while this payment is made.
    """
    rows = session.connection().execute(_OPEN_BILLS, {"subscriber_id": subscriber_id})
    bills = [
        OpenBill(
            id=row.id,
            number=row.number,
            contract_id=row.contract_id,
            period_start=row.period_start,
            period_end=row.period_end,
            issue_date=row.issue_date,
            due_date=row.due_date,
            total_minor=row.amount_minor + row.late_fee_minor,
            paid_minor=row.paid_minor,
            status=row.status,
            contract_number=row.contract_number,
            line_awaits_reconnection=(
                row.contract_status == ContractStatus.SUSPENDED
                and row.reconnection_requested_at is None
            ),
            late_fee_minor=row.late_fee_minor,
            delivery_date=row.delivery_date,
            late_delivery_days=row.late_days,
        )
        for row in rows
    ]
    return sorted(
        (bill for bill in bills if bill.outstanding_minor > 0),
        key=lambda bill: (bill.due_date, bill.issue_date, bill.id),
    )
