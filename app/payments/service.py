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

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from app.i18n import LANGUAGES, N_
from app.money import Currency, currency, to_minor
from app.payments.allocation import OpenInvoice, TenderAmount, plan_payment
from app.payments.ledger import (
    OPEN_STATUSES,
    apply_to_invoice,
    insert_signed,
    lock_series,
    replay_or_conflict,
    require_open_session,
)
from app.payments.requests import PaymentRequest, check_request_shape, check_tenders
from app.payments.summary import (
    JustWritten,
    PaymentSummary,
    credit_balance_minor,
    summarize,
)
from app.printing.queue import queue_receipt
from app.transactions import write_transaction
from app.workstations import find_workstation, operator_settings
from db.models import (
    Allocation,
    Contract,
    ContractStatus,
    Invoice,
    OperatorSettings,
    Payment,
    PaymentKind,
    PrepaidProduct,
    Role,
    Staff,
    Subscriber,
    Tender,
    TopUpSale,
)

# Built once, run with parameters: building a statement costs more than running it.
_SUBSCRIBER_LOCKED = (
    select(Subscriber)
    .where(Subscriber.account_number == bindparam("account"))
    .with_for_update(key_share=True)
)
_OPEN_INVOICES_LOCKED = (
    select(Invoice)
    .where(Invoice.subscriber_id == bindparam("subscriber_id"), Invoice.status.in_(OPEN_STATUSES))
    .order_by(Invoice.id)
    .with_for_update(key_share=True)
    .execution_options(populate_existing=True)
)
_SUSPENDED_TO_RECONNECT = (
    select(Contract)
    .where(
        Contract.id.in_(bindparam("contract_ids", expanding=True)),
        Contract.status == ContractStatus.SUSPENDED,
        Contract.reconnection_requested_at.is_(None),
    )
    .order_by(Contract.number)
)


def _find_and_lock_subscriber(session: Session, account_number: str) -> Subscriber:
    """The subscriber, held until commit (lock step 3 of app.payments.ledger)."""
    subscriber = session.scalars(
        _SUBSCRIBER_LOCKED, {"account": account_number.strip().upper()}
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
    """Open invoices, locked (by id) against every other counter, oldest due first.

    The subscriber is locked already, and every writer of bills locks it first,
    so the set of open invoices cannot change while this payment is made.
    """
    locked = session.scalars(_OPEN_INVOICES_LOCKED, {"subscriber_id": subscriber.id})
    open_invoices = sorted(
        (i for i in locked if i.outstanding_minor > 0),
        key=lambda i: (i.due_date, i.issue_date, i.id),
    )
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


def take_payment(ctx: AppContext, actor: Actor, request: PaymentRequest) -> PaymentSummary:
    """Commit one payment and return its receipt; a retry returns the same receipt.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    check_request_shape(request)
    fingerprint = request.fingerprint()
    key = request.idempotency_key.strip()
    try:
        return write_transaction(
            ctx.db, lambda session: _take_payment(ctx, session, actor, request, key, fingerprint)
        )
    except IntegrityError as error:
        # Another workstation committed the same key between our check and insert.
        with ctx.db.read() as session:
            replay = replay_or_conflict(session, key, fingerprint)
        if replay is None:
            raise ConflictError(
                N_(
                    "The payment could not be saved because of a clash with another counter. Try again."
                )
            ) from error
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
    head = lock_series(session, station)
    replay = replay_or_conflict(session, key, fingerprint)
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
    cash_session = require_open_session(session, station)
    subscriber = _find_and_lock_subscriber(session, request.account_number)
    invoices = _invoices_to_pay(session, subscriber, request.invoice_numbers)
    topups = _topup_lines(session, request, cur)
    credit_before = credit_balance_minor(session, subscriber.id)
    plan = plan_payment(
        currency=cur,
        invoices=[OpenInvoice(i.id, i.outstanding_minor) for i in invoices],
        tenders=[TenderAmount(t.kind, t.amount_minor) for t in tenders],
        topups_minor=sum(unit * quantity for _, _, quantity, unit in topups),
        credit_available_minor=credit_before,
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
    # Empty collections are set, not loaded: a new payment has no lines yet.
    payment.allocations, payment.tenders, payment.topups = [], [], []
    # The row is written once, complete: it is numbered and signed before its INSERT.
    by_id = {invoice.id: invoice for invoice in invoices}
    paid = []
    for invoice_id, share in plan.allocations:
        invoice = by_id[invoice_id]
        apply_to_invoice(session, invoice, share)
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
    timezone = station.agency.timezone or settings.timezone
    reconnected = insert_signed(
        session,
        ctx.signer,
        payment,
        head=head,
        reconnections=lambda: _reconnections_for(session, paid, invoices, now, timezone),
        now=now,
    )
    queue_receipt(
        session,
        payment,
        workstation=station,
        language=receipt_language(request.receipt_language, subscriber, settings),
        now=now,
        created_by_id=actor.staff_id,
    )
    return summarize(
        session,
        payment,
        just_written=JustWritten(
            credit_balance_after=credit_before - plan.credit_used_minor + plan.credit_added_minor,
            reconnections=tuple(sorted(contract.number for contract in reconnected)),
        ),
    )


def receipt_language(asked: str | None, subscriber: Subscriber, settings: OperatorSettings) -> str:
    for language in (asked, subscriber.language, settings.default_language):
        if language in LANGUAGES:
            return language
    return "fr"


def _reconnections_for(
    session: Session,
    paid: list[Invoice],
    open_invoices: list[Invoice],
    now: datetime,
    timezone: str,
) -> list[Contract]:
    """Suspended lines of this subscriber whose overdue balance this payment clears.

    ``open_invoices`` are every open bill of the subscriber, locked and carrying
    this payment's money, so a line's bills need no second read.
    """
    today = now.astimezone(ZoneInfo(timezone)).date()
    touched = {invoice.contract_id for invoice in paid}
    if not touched:
        return []
    suspended = session.scalars(_SUSPENDED_TO_RECONNECT, {"contract_ids": sorted(touched)}).all()
    return [
        contract
        for contract in suspended
        if not any(
            invoice.is_overdue(today)
            for invoice in open_invoices
            if invoice.contract_id == contract.id
        )
    ]
