"""Everything the counter shows about one subscriber, read in one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.compensation.queries import ClaimLine, subscriber_claims
from app.errors import NotFoundError
from app.i18n import N_
from app.lookup.normalize import phone_for_display
from app.money import currency, from_minor
from app.payments.ledger import OPEN_STATUSES
from app.payments.service import receipt_language
from app.payments.summary import credit_balance_minor
from app.workstations import operator_settings
from db.engine import Database
from db.models import Contract, Invoice, Payment, PhoneKind, Subscriber

RECENT_PAYMENTS = 10
RECENT_COMPENSATIONS = 10


@dataclass(frozen=True)
class ContractLine:
    number: str
    service: str
    line_or_meter: str | None
    offer: str
    offer_ar: str | None
    status: str
    reconnection_requested: bool


@dataclass(frozen=True)
class OpenInvoiceLine:
    number: str
    contract_number: str
    period_start: date
    period_end: date
    due_date: date
    total: Decimal
    left_to_pay: Decimal
    overdue: bool
    delivered_late: bool
    barcode: str | None = None  # what a scanner reads off the paper bill


@dataclass(frozen=True)
class RecentPayment:
    receipt_no: str
    kind: str
    created_at: datetime
    amount: Decimal
    voided: bool


@dataclass(frozen=True)
class SubscriberView:
    subscriber_id: int
    account_number: str
    display_name: str
    name_ar: str | None
    phones: tuple[str, ...]
    address: str | None
    city: str | None
    currency: str
    contracts: tuple[ContractLine, ...]
    open_invoices: tuple[OpenInvoiceLine, ...]  # oldest due first: the default paying order
    credit: Decimal
    recent_payments: tuple[RecentPayment, ...]
    mobile: str | None = None  # the first mobile phone: where a top-up goes by default
    language: str | None = None  # the subscriber's own preferred language, if known
    # The language their receipts print in unless the agent picks another: their own,
    # else the operator's (app.payments.service.receipt_language).
    receipt_language: str = "fr"
    # The charter's compensations, newest first, whatever their status (applied,
    # awaiting a supervisor's approval, refused, recorded); their credit is in ``credit``.
    compensations: tuple[ClaimLine, ...] = ()

    @property
    def total_due(self) -> Decimal:
        return sum((line.left_to_pay for line in self.open_invoices), Decimal(0))

    @property
    def overdue(self) -> Decimal:
        return sum((line.left_to_pay for line in self.open_invoices if line.overdue), Decimal(0))


def load_subscriber_view(
    db: Database,
    *,
    subscriber_id: int | None = None,
    account_number: str | None = None,
    now: datetime,
) -> SubscriberView:
    """What the counter shows of one subscriber: lines, open bills, receipts.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        settings = operator_settings(session)
        cur = currency(settings.currency)
        today = now.astimezone(ZoneInfo(settings.timezone)).date()
        statement = select(Subscriber).options(
            selectinload(Subscriber.phones),
            selectinload(Subscriber.contracts).selectinload(Contract.offer),
        )
        if subscriber_id is not None:
            statement = statement.where(Subscriber.id == subscriber_id)
        else:
            statement = statement.where(
                Subscriber.account_number == (account_number or "").strip().upper()
            )
        subscriber = session.scalars(statement).first()
        if subscriber is None:
            raise NotFoundError(N_("No such subscriber."), field="account_number")
        contracts = {contract.id: contract for contract in subscriber.contracts}
        invoices = session.scalars(
            select(Invoice)
            .where(Invoice.subscriber_id == subscriber.id, Invoice.status.in_(OPEN_STATUSES))
            .order_by(Invoice.due_date, Invoice.issue_date, Invoice.id)
        ).all()
        payments = session.scalars(
            select(Payment)
            .where(Payment.subscriber_id == subscriber.id)
            .order_by(Payment.id.desc())
            .limit(RECENT_PAYMENTS)
        ).all()
        voided = set(
            session.scalars(
                select(Payment.voids_payment_id).where(
                    Payment.voids_payment_id.in_([p.id for p in payments])
                )
            )
        )
        return SubscriberView(
            subscriber_id=subscriber.id,
            account_number=subscriber.account_number,
            display_name=subscriber.display_name,
            name_ar=subscriber.name_ar,
            phones=tuple(
                phone_for_display(p.number_e164, settings.country) for p in subscriber.phones
            ),
            address=subscriber.address,
            city=subscriber.city,
            currency=cur.code,
            contracts=tuple(
                ContractLine(
                    number=c.number,
                    service=str(c.service),
                    line_or_meter=phone_for_display(c.line_e164, settings.country)
                    if c.line_e164
                    else c.meter_number,
                    offer=c.offer.name,
                    offer_ar=c.offer.name_ar,
                    status=str(c.status),
                    reconnection_requested=c.reconnection_requested_at is not None,
                )
                for c in subscriber.contracts
            ),
            open_invoices=tuple(
                OpenInvoiceLine(
                    number=i.number,
                    contract_number=contracts[i.contract_id].number
                    if i.contract_id in contracts
                    else "",
                    period_start=i.period_start,
                    period_end=i.period_end,
                    due_date=i.due_date,
                    total=from_minor(i.total_minor, cur),
                    left_to_pay=from_minor(i.outstanding_minor, cur),
                    overdue=i.is_overdue(today),
                    delivered_late=i.delivered_late,
                    barcode=i.barcode,
                )
                for i in invoices
                if i.outstanding_minor > 0
            ),
            credit=from_minor(credit_balance_minor(session, subscriber.id), cur),
            recent_payments=tuple(
                RecentPayment(
                    receipt_no=p.receipt_no,
                    kind=str(p.kind),
                    created_at=p.created_at,
                    amount=from_minor(p.tendered_minor - p.change_minor, cur),
                    voided=p.id in voided,
                )
                for p in payments
            ),
            mobile=next(
                (
                    phone_for_display(p.number_e164, settings.country)
                    for p in sorted(subscriber.phones, key=lambda p: p.id)
                    if p.kind == PhoneKind.MOBILE
                ),
                None,
            ),
            language=subscriber.language,
            receipt_language=receipt_language(None, subscriber, settings),
            compensations=tuple(
                subscriber_claims(session, subscriber.id, limit=RECENT_COMPENSATIONS)
            ),
        )
