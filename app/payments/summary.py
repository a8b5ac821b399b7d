"""A payment as the counter, the receipt and the CLI read it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFoundError
from app.i18n import N_
from app.money import currency, from_minor
from db.engine import Database
from db.models import (
    Allocation,
    Compensation,
    CompensationKind,
    Contract,
    Payment,
    ReconnectionRequest,
    TopUpSale,
)


@dataclass(frozen=True)
class AllocationLine:
    invoice_number: str
    period_start: date
    period_end: date
    amount: Decimal
    left_after: Decimal


@dataclass(frozen=True)
class TenderLine:
    kind: str
    amount: Decimal
    reference: str | None


@dataclass(frozen=True)
class TopUpLine:
    product_code: str
    product_name: str
    target_number: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class PaymentSummary:
    payment_id: int
    uid: str
    receipt_no: str
    kind: str
    voids_receipt_no: str | None
    account_number: str
    subscriber_name: str
    workstation: str
    agent_login: str
    approved_by_login: str | None
    created_at: datetime
    currency: str
    tendered: Decimal
    change: Decimal
    allocated: Decimal
    topups: Decimal
    credit_used: Decimal
    credit_added: Decimal
    credit_balance_after: Decimal
    allocations: tuple[AllocationLine, ...]
    tenders: tuple[TenderLine, ...]
    topup_lines: tuple[TopUpLine, ...]
    reconnections: tuple[str, ...]
    signature: str
    replayed: bool = False
    # The agency's business day it belongs to (None: made before closings existed).
    business_day: date | None = None


@dataclass(frozen=True)
class JustWritten:
    """What the service that has just written a payment knows, so it is not read again."""

    credit_balance_after: int
    reconnections: tuple[str, ...]


# Built once: a payment asks for the credit, and building costs more than running.
# Credit comes from two ledgers: what payments left (added minus used) and the
# charter's compensation credits (app.compensation.ledger), in one statement.
_COMPENSATED = (
    select(func.coalesce(func.sum(Compensation.amount_minor), 0))
    .where(
        Compensation.subscriber_id == bindparam("subscriber_id"),
        Compensation.kind == CompensationKind.CREDIT,
    )
    .scalar_subquery()
)
_PAID_CREDIT = (
    select(func.coalesce(func.sum(Payment.credit_added_minor - Payment.credit_used_minor), 0))
    .where(Payment.subscriber_id == bindparam("subscriber_id"))
    .scalar_subquery()
)
_CREDIT = select(_PAID_CREDIT + _COMPENSATED)
# As it stood right after one payment: its predecessors' credit, and the
# compensations written before it.
_PAYMENT_AT = (
    select(Payment.created_at).where(Payment.id == bindparam("payment_id")).scalar_subquery()
)
_CREDIT_UP_TO = select(
    select(func.coalesce(func.sum(Payment.credit_added_minor - Payment.credit_used_minor), 0))
    .where(
        Payment.subscriber_id == bindparam("subscriber_id"),
        Payment.id <= bindparam("payment_id"),
    )
    .scalar_subquery()
    + select(func.coalesce(func.sum(Compensation.amount_minor), 0))
    .where(
        Compensation.subscriber_id == bindparam("subscriber_id"),
        Compensation.kind == CompensationKind.CREDIT,
        Compensation.created_at <= _PAYMENT_AT,
    )
    .scalar_subquery()
)


def credit_balance_minor(
    session: Session, subscriber_id: int, up_to_payment_id: int | None = None
) -> int:
    """Account credit is derived from the ledgers, never stored: what payments added
    minus what they used, plus the credits the charter's compensations gave.

    Ledger rows are only ever written with plain INSERTs (app.payments.ledger,
    app.compensation.ledger), so nothing the session holds is pending for this
    sum: it runs on the connection. Compensation credits only ever add: a payment
    that reads the balance while one is being written sees the older, smaller one.
    """
    connection = session.connection()
    if up_to_payment_id is None:
        return int(connection.scalar(_CREDIT, {"subscriber_id": subscriber_id}) or 0)
    parameters = {"subscriber_id": subscriber_id, "payment_id": up_to_payment_id}
    return int(connection.scalar(_CREDIT_UP_TO, parameters) or 0)


def tender_reference(tender: object) -> str | None:
    for name in ("cheque_number", "authorisation_code", "transfer_reference"):
        value = getattr(tender, name)
        if value:
            bank = getattr(tender, "bank", None)
            return f"{value} ({bank})" if name == "cheque_number" and bank else value
    return None


def load_payment(
    session: Session, *, payment_id: int | None = None, receipt_no: str | None = None
) -> Payment:
    statement = select(Payment).options(
        selectinload(Payment.tenders),
        selectinload(Payment.allocations).selectinload(Allocation.invoice),
        selectinload(Payment.topups).selectinload(TopUpSale.product),
    )
    if payment_id is not None:
        statement = statement.where(Payment.id == payment_id)
    else:
        statement = statement.where(Payment.receipt_no == (receipt_no or "").strip().upper())
    payment = session.scalars(statement).first()
    if payment is None:
        raise NotFoundError(
            N_("No receipt {receipt_no}."), field="receipt_no", receipt_no=receipt_no or payment_id
        )
    return payment


def reconnected_contracts(session: Session, payment_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Contract.number)
            .join(ReconnectionRequest, ReconnectionRequest.contract_id == Contract.id)
            .where(ReconnectionRequest.payment_id == payment_id)
            .order_by(Contract.number)
        )
    )


def summarize(
    session: Session,
    payment: Payment,
    *,
    replayed: bool = False,
    just_written: JustWritten | None = None,
) -> PaymentSummary:
    """``just_written``: the payment was written in this transaction, under its locks,
    so no later money can be on its bills yet and its credit and reconnections are known."""
    cur = currency(payment.currency)

    def money(minor: int) -> Decimal:
        return from_minor(minor, cur)

    allocations = []
    for allocation in sorted(payment.allocations, key=lambda a: a.position):
        invoice = allocation.invoice
        later = 0
        if just_written is None:
            later = int(
                session.scalar(
                    select(func.coalesce(func.sum(Allocation.amount_minor), 0)).where(
                        Allocation.invoice_id == invoice.id, Allocation.payment_id > payment.id
                    )
                )
                or 0
            )
        # What was left on the bill right after this payment, whatever came later.
        left_after = invoice.outstanding_minor + later
        allocations.append(
            AllocationLine(
                invoice.number,
                invoice.period_start,
                invoice.period_end,
                money(allocation.amount_minor),
                money(left_after),
            )
        )
    return PaymentSummary(
        payment_id=payment.id,
        uid=payment.uid,
        receipt_no=payment.receipt_no,
        kind=str(payment.kind),
        voids_receipt_no=payment.voids.receipt_no if payment.voids else None,
        account_number=payment.subscriber.account_number,
        subscriber_name=payment.subscriber.display_name,
        workstation=payment.series.code,
        agent_login=payment.agent.login,
        approved_by_login=payment.approved_by.login if payment.approved_by else None,
        created_at=payment.created_at,
        currency=payment.currency,
        tendered=money(payment.tendered_minor),
        change=money(payment.change_minor),
        allocated=money(payment.allocated_minor),
        topups=money(payment.topups_minor),
        credit_used=money(payment.credit_used_minor),
        credit_added=money(payment.credit_added_minor),
        credit_balance_after=money(
            just_written.credit_balance_after
            if just_written is not None
            else credit_balance_minor(session, payment.subscriber_id, payment.id)
        ),
        allocations=tuple(allocations),
        tenders=tuple(
            TenderLine(str(t.kind), money(t.amount_minor), tender_reference(t))
            for t in sorted(payment.tenders, key=lambda t: t.position)
        ),
        topup_lines=tuple(
            TopUpLine(
                s.product.code, s.product.name, s.target_number, s.quantity, money(s.amount_minor)
            )
            for s in sorted(payment.topups, key=lambda s: s.position)
        ),
        reconnections=(
            just_written.reconnections
            if just_written is not None
            else tuple(reconnected_contracts(session, payment.id))
        ),
        signature=payment.signature,
        replayed=replayed,
        business_day=payment.business_day,
    )


def receipt_summary(db: Database, receipt_no: str) -> PaymentSummary:
    """A past receipt, read back for a reprint or a look.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        return summarize(session, load_payment(session, receipt_no=receipt_no))
