"""Taking a payment, and voiding one: each exactly once, signed, in one transaction.

Exactly once: the caller's idempotency key is stored with the payment under a
unique constraint. The key is checked *after* the series' chain head is locked,
so a concurrent retry of the same request waits for the first attempt and then
finds it; a retry after a crash between commit and answer finds it too. Either
way the caller gets the same receipt back, marked ``replayed``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import Actor, check_supervisor, require_role
from app.cash import open_session_for
from app.context import AppContext
from app.errors import (
    ConflictError,
    IdempotencyConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.i18n import N_
from app.integrity import chain
from app.integrity.records import payment_record
from app.journal import EventKind, record_event
from app.money import Currency, currency, to_minor
from app.payments.allocation import OpenInvoice, TenderAmount, plan_payment
from app.payments.requests import PaymentRequest, check_request_shape, check_tenders
from app.payments.summary import (
    PaymentSummary,
    credit_balance_minor,
    load_payment,
    summarize,
)
from app.workstations import find_workstation, operator_settings, receipt_number
from db.models import (
    Allocation,
    CashSession,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PrepaidProduct,
    ReconnectionRequest,
    Role,
    Staff,
    Subscriber,
    Tender,
    TopUpSale,
    Workstation,
)

OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)


def _replay_or_conflict(session: Session, key: str, fingerprint: str) -> PaymentSummary | None:
    existing = session.scalars(select(Payment).where(Payment.idempotency_key == key)).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise IdempotencyConflictError(
            N_("This payment key was already used for a different payment ({receipt_no})."),
            field="idempotency_key",
            receipt_no=existing.receipt_no,
        )
    return summarize(session, load_payment(session, payment_id=existing.id), replayed=True)


def _require_open_session(session: Session, station: Workstation) -> CashSession:
    cash_session = open_session_for(session, station.id)
    if cash_session is None:
        raise ConflictError(
            N_("Open a cash session at {workstation} before taking payments."),
            field="workstation",
            workstation=station.series.code,
        )
    return cash_session


def _find_subscriber(session: Session, account_number: str) -> Subscriber:
    subscriber = session.scalars(
        select(Subscriber).where(Subscriber.account_number == account_number.strip().upper())
    ).first()
    if subscriber is None:
        raise NotFoundError(
            N_("No subscriber with account number {account}."),
            field="account_number",
            account=account_number,
        )
    return subscriber


def _invoices_to_pay(
    session: Session, subscriber: Subscriber, numbers: tuple[str, ...] | None
) -> list[Invoice]:
    """Open invoices, locked against concurrent payments, oldest due first."""
    statement = (
        select(Invoice)
        .where(Invoice.subscriber_id == subscriber.id, Invoice.status.in_(OPEN_STATUSES))
        .order_by(Invoice.due_date, Invoice.issue_date, Invoice.id)
        .with_for_update()
    )
    open_invoices = [i for i in session.scalars(statement) if i.outstanding_minor > 0]
    if numbers is None:
        return open_invoices
    by_number = {invoice.number: invoice for invoice in open_invoices}
    wanted = []
    for index, number in enumerate(numbers, start=1):
        invoice = by_number.get(number.strip().upper())
        if invoice is None:
            raise ValidationError(
                N_("Invoice {number} is not an open invoice of this subscriber."),
                field=f"invoice_numbers[{index}]",
                number=number,
            )
        wanted.append(invoice)
    return [invoice for invoice in open_invoices if invoice in wanted]


def _topup_lines(
    session: Session, request: PaymentRequest, cur: Currency
) -> list[tuple[PrepaidProduct, str, int, int]]:
    lines = []
    for index, topup in enumerate(request.topups, start=1):
        product = session.scalars(
            select(PrepaidProduct).where(
                PrepaidProduct.code == topup.product_code.strip().upper(),
                PrepaidProduct.active.is_(True),
            )
        ).first()
        if product is None:
            raise ValidationError(
                N_("Top-up {index}: no product {code} is on sale."),
                field=f"topups[{index}].product_code",
                index=index,
                code=topup.product_code,
            )
        lines.append(
            (product, topup.target_number.strip(), topup.quantity, product.face_value_minor)
        )
    return lines


def _set_invoice_status(invoice: Invoice) -> None:
    if invoice.outstanding_minor <= 0:
        invoice.status = InvoiceStatus.PAID
    elif invoice.paid_minor > 0:
        invoice.status = InvoiceStatus.PARTLY_PAID
    else:
        invoice.status = InvoiceStatus.OPEN


def take_payment(ctx: AppContext, actor: Actor, request: PaymentRequest) -> PaymentSummary:
    """Commit one payment and return its receipt; a retry returns the same receipt."""
    require_role(actor, Role.AGENT)
    check_request_shape(request)
    fingerprint = request.fingerprint()
    key = request.idempotency_key.strip()
    try:
        with ctx.db.write() as session:
            return _take_payment(ctx, session, actor, request, key, fingerprint)
    except IntegrityError:
        # Another workstation committed the same key between our check and insert.
        with ctx.db.read() as session:
            replay = _replay_or_conflict(session, key, fingerprint)
        if replay is None:
            raise
        return replay


def _take_payment(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    request: PaymentRequest,
    key: str,
    fingerprint: str,
) -> PaymentSummary:
    station = find_workstation(session, request.workstation)
    chain_name = station.series.chain_name
    chain.lock_head(session, chain_name)
    replay = _replay_or_conflict(session, key, fingerprint)
    if replay is not None:
        return replay

    settings = operator_settings(session)
    cur = currency(settings.currency)
    tenders = check_tenders(request.tenders, cur)
    amount = (
        to_minor(request.amount, cur, field="amount", allow_zero=True)
        if request.amount is not None
        else None
    )
    cash_session = _require_open_session(session, station)
    subscriber = _find_subscriber(session, request.account_number)
    invoices = _invoices_to_pay(session, subscriber, request.invoice_numbers)
    topups = _topup_lines(session, request, cur)
    plan = plan_payment(
        currency=cur,
        invoices=[OpenInvoice(i.id, i.outstanding_minor) for i in invoices],
        tenders=[TenderAmount(t.kind, t.amount_minor) for t in tenders],
        topups_minor=sum(unit * quantity for _, _, quantity, unit in topups),
        credit_available_minor=credit_balance_minor(session, subscriber.id),
        amount_minor=amount,
        use_credit=request.use_credit,
        keep_change_as_credit=request.keep_change_as_credit,
    )

    now = ctx.now()
    payment = Payment(
        uid=str(uuid.uuid4()),
        idempotency_key=key,
        request_hash=fingerprint,
        kind=PaymentKind.PAYMENT,
        series=station.series,
        subscriber=subscriber,
        workstation=station,
        cash_session_id=cash_session.id,
        agent=session.get(Staff, actor.staff_id),
        created_at=now,
        currency=cur.code,
        tendered_minor=plan.tendered_minor,
        change_minor=plan.change_minor,
        allocated_minor=plan.allocated_minor,
        topups_minor=plan.topups_minor,
        credit_used_minor=plan.credit_used_minor,
        credit_added_minor=plan.credit_added_minor,
        seq=0,
        receipt_no=f"pending-{uuid.uuid4()}",
        key_id="",
        prev_signature="",
        signature="",
    )
    # The row is written once, complete: it is numbered and signed before its INSERT.
    by_id = {invoice.id: invoice for invoice in invoices}
    paid = []
    for invoice_id, share in plan.allocations:
        invoice = by_id[invoice_id]
        invoice.paid_minor += share
        _set_invoice_status(invoice)
        payment.allocations.append(
            Allocation(position=len(payment.allocations) + 1, invoice=invoice, amount_minor=share)
        )
        paid.append(invoice)
    for position, tender in enumerate(tenders, start=1):
        payment.tenders.append(
            Tender(
                position=position,
                kind=tender.kind,
                amount_minor=tender.amount_minor,
                cheque_number=tender.cheque_number,
                bank=tender.bank,
                authorisation_code=tender.authorisation_code,
                transfer_reference=tender.transfer_reference,
            )
        )
    for product, target, quantity, unit in topups:
        payment.topups.append(
            TopUpSale(
                position=len(payment.topups) + 1,
                product=product,
                target_number=target,
                quantity=quantity,
                unit_minor=unit,
                amount_minor=unit * quantity,
            )
        )
    _numbered_insert(session, ctx, payment, chain_name, subscriber, paid, settings.timezone, now)
    return summarize(session, payment)


def _numbered_insert(
    session: Session,
    ctx: AppContext,
    payment: Payment,
    chain_name: str,
    subscriber: Subscriber,
    paid: list[Invoice],
    timezone: str,
    now: datetime,
) -> None:
    """Number, sign and insert a payment with all its lines, in one flush."""
    agency_timezone = payment.workstation.agency.timezone or timezone

    def build(seq: int) -> dict[str, object]:
        payment.seq = seq
        payment.receipt_no = receipt_number(payment.series.code, seq)
        reconnections = _reconnections_for(session, subscriber, paid, now, agency_timezone)
        payment._pending_reconnections = reconnections  # type: ignore[attr-defined]
        return payment_record(payment, [contract.number for contract in reconnections])

    link = chain.append(session, ctx.signer, chain_name, build)
    payment.key_id = link.key_id
    payment.prev_signature = link.prev_signature
    payment.signature = link.signature
    session.add(payment)
    session.flush()
    for contract in payment._pending_reconnections:  # type: ignore[attr-defined]
        contract.reconnection_requested_at = now
        session.add(
            ReconnectionRequest(payment_id=payment.id, contract_id=contract.id, requested_at=now)
        )
    session.flush()


def _reconnections_for(
    session: Session, subscriber: Subscriber, paid: list[Invoice], now: datetime, timezone: str
) -> list[Contract]:
    """Suspended lines of this subscriber whose overdue balance this payment clears."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    touched = {invoice.contract_id for invoice in paid}
    if not touched:
        return []
    cleared = []
    for contract in session.scalars(
        select(Contract)
        .where(
            Contract.id.in_(touched),
            Contract.status == ContractStatus.SUSPENDED,
            Contract.reconnection_requested_at.is_(None),
        )
        .order_by(Contract.number)
    ):
        open_invoices = session.scalars(
            select(Invoice).where(
                Invoice.contract_id == contract.id, Invoice.status.in_(OPEN_STATUSES)
            )
        )
        if not any(invoice.is_overdue(today) for invoice in open_invoices):
            cleared.append(contract)
    return cleared


def _numbered_insert_void(session: Session, ctx: AppContext, void: Payment, chain_name: str) -> None:
    """Number, sign and insert a void; voids request no reconnection."""

    def build(seq: int) -> dict[str, object]:
        void.seq = seq
        void.receipt_no = receipt_number(void.series.code, seq)
        return payment_record(void, [])

    link = chain.append(session, ctx.signer, chain_name, build)
    void.key_id = link.key_id
    void.prev_signature = link.prev_signature
    void.signature = link.signature
    session.add(void)
    session.flush()
