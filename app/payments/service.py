"""Taking a payment, and voiding one: each exactly once, signed, in one transaction.

Exactly once: the caller's idempotency key is stored with the payment under a
unique constraint. The key is checked *after* the series' chain head is locked,
so a concurrent retry of the same request waits for the first attempt and then
finds it; a retry after a crash between commit and answer finds it too. Either
way the caller gets the same receipt back, marked ``replayed``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.billing.late_delivery import (
    LateFeeWaiver,
    already_waived,
    days_setting,
    late_fee_due_date,
    might_waive,
    waivable_late_fee,
    write_late_fee_waivers,
)
from app.closing.days import business_day
from app.closing.ownership import require_own_till_for_payment
from app.context import AppContext
from app.errors import ConflictError, ValidationError
from app.i18n import LANGUAGES, N_
from app.integrity import chain
from app.integrity.canonical import instant
from app.integrity.records import (
    AllocationValues,
    PaymentValues,
    TenderValues,
    TopUpValues,
    payment_record_of,
)
from app.money import currency, from_minor, to_minor
from app.payments.allocation import OpenInvoice, TenderAmount, plan_payment
from app.payments.bills import (
    OpenBill,
    lock_open_bills,
    lock_subscriber_by_account,
)
from app.payments.ledger import (
    insert_ledger_rows,
    record_reconnections,
    replay_or_conflict,
    write_paid_amounts,
)
from app.payments.requests import PaymentRequest, check_request_shape, check_tenders
from app.payments.station import PayingStation, open_till, paying_station
from app.payments.summary import (
    AllocationLine,
    PaymentSummary,
    TenderLine,
    TopUpLine,
    credit_balance_minor,
    tender_reference,
)
from app.printing.queue import queue_receipt_row
from app.transactions import write_transaction
from app.workstations import receipt_number, workstation_ref
from db.models import (
    OperatorSettings,
    PaymentKind,
    PrepaidProduct,
    Role,
    Subscriber,
)
from db.models.billing import outstanding_minor

_PRODUCT_ON_SALE = select(
    PrepaidProduct.id, PrepaidProduct.code, PrepaidProduct.name, PrepaidProduct.face_value_minor
).where(PrepaidProduct.code == bindparam("code"), PrepaidProduct.active.is_(True))


@dataclass(frozen=True)
class _TopUpLine:
    product_id: int
    product_code: str
    product_name: str
    target_number: str
    quantity: int
    unit_minor: int

    @property
    def amount_minor(self) -> int:
        return self.unit_minor * self.quantity


def _bills_to_pay(open_bills: list[OpenBill], numbers: tuple[str, ...] | None) -> list[OpenBill]:
    """The bills asked for (all open ones if None), in paying order: oldest due first."""
    if numbers is None:
        return open_bills
    by_number = {bill.number: bill for bill in open_bills}
    wanted = set()
    for index, number in enumerate(numbers, start=1):
        bill = by_number.get(number.strip().upper())
        if bill is None:
            raise ValidationError(
                N_("Invoice {number} is not an open invoice of this subscriber."),
                field=f"invoice_numbers[{index}]",
                number=number,
            )
        wanted.add(bill.id)
    return [bill for bill in open_bills if bill.id in wanted]


def _topup_lines(session: Session, request: PaymentRequest) -> list[_TopUpLine]:
    lines = []
    for index, topup in enumerate(request.topups, start=1):
        code = topup.product_code.strip().upper()
        product = session.connection().execute(_PRODUCT_ON_SALE, {"code": code}).first()
        if product is None:
            raise ValidationError(
                N_("Top-up {index}: no product {code} is on sale."),
                field=f"topups[{index}].product_code",
                index=index,
                code=topup.product_code,
            )
        lines.append(
            _TopUpLine(
                product.id,
                product.code,
                product.name,
                topup.target_number.strip(),
                topup.quantity,
                product.face_value_minor,
            )
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
    """The payment path, in the lock order of app.payments.ledger, with plain rows and
    Core statements throughout: ORM objects cost a payment more than its commit does."""
    station = paying_station(session, request.workstation)
    head = chain.lock_head_row(session, station.chain_name)
    replay = replay_or_conflict(session, key, fingerprint)
    if replay is not None:
        return replay

    cur = currency(station.currency)
    tenders = check_tenders(request.tenders, cur)
    amount = (
        to_minor(request.amount, cur, field="amount", allow_zero=True)
        if request.amount is not None
        else None
    )
    till_id, till_holder, last_closed = open_till(session, station)
    require_own_till_for_payment(session, actor, till_holder)
    subscriber = lock_subscriber_by_account(session, request.account_number)
    open_bills = lock_open_bills(session, subscriber.id)
    bills = _bills_to_pay(open_bills, request.invoice_numbers)
    topups = _topup_lines(session, request)
    credit_before = credit_balance_minor(session, subscriber.id)
    now = ctx.now()
    zone = ZoneInfo(station.timezone)
    # Late fees not owed on bills delivered late and paid by their extended date.
    late_fees = _late_fees(session, bills, now.astimezone(zone).date())
    plan = plan_payment(
        currency=cur,
        invoices=[
            OpenInvoice(bill.id, bill.outstanding_minor - late_fees.get(bill.id, 0))
            for bill in bills
        ],
        tenders=[TenderAmount(t.kind, t.amount_minor) for t in tenders],
        topups_minor=sum(line.amount_minor for line in topups),
        credit_available_minor=credit_before,
        amount_minor=amount,
        use_credit=request.use_credit,
        keep_change_as_credit=request.keep_change_as_credit,
    )

    # Nothing is recorded into a closed day: after its close, the next day's.
    day = business_day(now, zone, last_closed)
    by_id = {bill.id: bill for bill in open_bills}
    paid_after = {bill_id: by_id[bill_id].paid_minor + share for bill_id, share in plan.allocations}
    write_paid_amounts(
        session,
        {bill_id: (by_id[bill_id].total_minor, paid) for bill_id, paid in paid_after.items()},
    )
    # A late fee is waived only on a bill this payment settles in full.
    waivers = [
        bill_id
        for bill_id, fee in late_fees.items()
        if paid_after.get(bill_id, by_id[bill_id].paid_minor) + fee >= by_id[bill_id].total_minor
    ]
    settled = dict(paid_after)  # what each bill counts as paid, its waiver included
    for bill_id in waivers:
        settled[bill_id] = settled.get(bill_id, by_id[bill_id].paid_minor) + late_fees[bill_id]
    cleared = _lines_cleared(open_bills, settled, now.astimezone(zone).date())
    uid = str(uuid.uuid4())
    values = PaymentValues(
        uid=uid,
        kind=str(PaymentKind.PAYMENT),
        receipt="",  # numbered when the chain gives the sequence number, below
        voids=None,
        account=subscriber.account_number,
        series=station.series_code,
        workstation=workstation_ref(station.agency_code, station.workstation_code),
        agency=station.agency_code,
        till=till_id,
        agent=actor.login,
        approved_by=None,
        reason=None,
        at=instant(now),
        currency=cur.code,
        tendered=plan.tendered_minor,
        change=plan.change_minor,
        allocated=plan.allocated_minor,
        topups=plan.topups_minor,
        credit_used=plan.credit_used_minor,
        credit_added=plan.credit_added_minor,
        business_day=day.isoformat(),
    )
    tender_values = [
        TenderValues(
            position,
            str(t.kind),
            t.amount_minor,
            t.cheque_number,
            t.bank,
            t.authorisation_code,
            t.transfer_reference,
        )
        for position, t in enumerate(tenders, start=1)
    ]
    allocation_values = [
        AllocationValues(position, by_id[bill_id].number, share)
        for position, (bill_id, share) in enumerate(plan.allocations, start=1)
    ]
    topup_values = [
        TopUpValues(
            position,
            line.product_code,
            line.target_number,
            line.quantity,
            line.unit_minor,
            line.amount_minor,
        )
        for position, line in enumerate(topups, start=1)
    ]
    receipt_no = ""

    def record(seq: int) -> dict[str, object]:
        nonlocal values, receipt_no
        receipt_no = receipt_number(station.series_code, seq)
        values = values._replace(receipt=receipt_no)
        return payment_record_of(
            values,
            tender_values,
            allocation_values,
            topup_values,
            [bill.contract_number for bill in cleared],
        )

    link = chain.append(session, ctx.signer, station.chain_name, record, head=head)
    payment_id = insert_ledger_rows(
        session,
        {
            "uid": uid,
            "idempotency_key": key,
            "request_hash": fingerprint,
            "kind": PaymentKind.PAYMENT,
            "voids_payment_id": None,
            "series_id": station.series_id,
            "seq": link.seq,
            "receipt_no": receipt_no,
            "subscriber_id": subscriber.id,
            "workstation_id": station.workstation_id,
            "cash_session_id": till_id,
            "agent_id": actor.staff_id,
            "approved_by_id": None,
            "reason": None,
            "created_at": now,
            "business_day": day,
            "currency": cur.code,
            "tendered_minor": plan.tendered_minor,
            "change_minor": plan.change_minor,
            "allocated_minor": plan.allocated_minor,
            "topups_minor": plan.topups_minor,
            "credit_used_minor": plan.credit_used_minor,
            "credit_added_minor": plan.credit_added_minor,
            "key_id": link.key_id,
            "prev_signature": link.prev_signature,
            "signature": link.signature,
        },
        tenders=[
            {
                "position": v.position,
                "kind": t.kind,
                "amount_minor": t.amount_minor,
                "cheque_number": t.cheque_number,
                "bank": t.bank,
                "authorisation_code": t.authorisation_code,
                "transfer_reference": t.transfer_reference,
            }
            for v, t in zip(tender_values, tenders, strict=True)
        ],
        allocations=[
            {"position": position, "invoice_id": bill_id, "amount_minor": share}
            for position, (bill_id, share) in enumerate(plan.allocations, start=1)
        ],
        topups=[
            {
                "position": position,
                "product_id": line.product_id,
                "target_number": line.target_number,
                "quantity": line.quantity,
                "unit_minor": line.unit_minor,
                "amount_minor": line.amount_minor,
            }
            for position, line in enumerate(topups, start=1)
        ],
    )
    if waivers:
        _waive_late_fees(
            ctx,
            session,
            station,
            subscriber.id,
            [by_id[i] for i in waivers],
            late_fees,
            uid,
            now,
            day,
        )
    record_reconnections(session, payment_id, sorted({b.contract_id for b in cleared}), now)
    queue_receipt_row(
        session,
        payment_id=payment_id,
        receipt_no=receipt_no,
        workstation_id=station.workstation_id,
        language=choose_receipt_language(
            request.receipt_language, subscriber.language, station.default_language
        ),
        now=now,
        created_by_id=actor.staff_id,
    )

    def money(minor: int) -> Decimal:
        return from_minor(minor, cur)

    return PaymentSummary(
        payment_id=payment_id,
        uid=uid,
        receipt_no=receipt_no,
        kind=str(PaymentKind.PAYMENT),
        voids_receipt_no=None,
        account_number=subscriber.account_number,
        subscriber_name=subscriber.display_name,
        workstation=station.series_code,
        agent_login=actor.login,
        approved_by_login=None,
        created_at=now,
        currency=cur.code,
        tendered=money(plan.tendered_minor),
        change=money(plan.change_minor),
        allocated=money(plan.allocated_minor),
        topups=money(plan.topups_minor),
        credit_used=money(plan.credit_used_minor),
        credit_added=money(plan.credit_added_minor),
        credit_balance_after=money(
            credit_before - plan.credit_used_minor + plan.credit_added_minor
        ),
        allocations=tuple(
            AllocationLine(
                by_id[bill_id].number,
                by_id[bill_id].period_start,
                by_id[bill_id].period_end,
                money(share),
                money(by_id[bill_id].total_minor - settled[bill_id]),
            )
            for bill_id, share in plan.allocations
        ),
        tenders=tuple(
            TenderLine(str(t.kind), money(t.amount_minor), tender_reference(t)) for t in tenders
        ),
        topup_lines=tuple(
            TopUpLine(
                line.product_code,
                line.product_name,
                line.target_number,
                line.quantity,
                money(line.amount_minor),
            )
            for line in topups
        ),
        reconnections=tuple(sorted({bill.contract_number for bill in cleared})),
        signature=link.signature,
        business_day=day,
    )


def _late_fees(session: Session, bills: list[OpenBill], today: date) -> dict[int, int]:
    """The late fee each bill would have waived if paid in full today, by bill id.

    The operator's N came with the bills (app.payments.bills): a payment with no
    waivable fee makes no extra statement; one with a fee asks once whether a claim
    already waived it.
    """
    fees = {}
    for bill in bills:
        if not might_waive(bill.late_fee_minor, bill.delivery_date):
            continue
        fee = waivable_late_fee(
            late_fee_minor=bill.late_fee_minor,
            outstanding_minor=bill.outstanding_minor,
            delivery_date=bill.delivery_date,
            due_date=bill.due_date,
            days=days_setting(bill.late_delivery_days),
            today=today,
        )
        if fee:
            fees[bill.id] = fee
    if fees:
        # Waived once per bill: a bill whose fee a claim already covers is paid as it stands.
        for bill_id in already_waived(session, list(fees)):
            del fees[bill_id]
    return fees


def _waive_late_fees(
    ctx: AppContext,
    session: Session,
    station: PayingStation,
    subscriber_id: int,
    bills: list[OpenBill],
    fees: dict[int, int],
    payment_uid: str,
    now: datetime,
    day: date,
) -> None:
    """Write the waivers in the payment's transaction, after the bills' locks (the
    ledger then takes the compensation chain's head)."""
    write_late_fee_waivers(
        session,
        ctx.signer,
        [
            LateFeeWaiver(
                invoice_id=bill.id,
                invoice_number=bill.number,
                subscriber_id=subscriber_id,
                contract_id=bill.contract_id,
                delivery_date=cast(date, bill.delivery_date),
                late_fee_due_date=late_fee_due_date(
                    bill.delivery_date, bill.due_date, days_setting(bill.late_delivery_days)
                ),
                amount_minor=fees[bill.id],
            )
            for bill in bills
        ],
        payment_uid=payment_uid,
        currency_code=station.currency,
        now=now,
        agency_id=station.agency_id,
        business_day=day,
    )


def _lines_cleared(
    open_bills: list[OpenBill], paid_after: dict[int, int], today: date
) -> list[OpenBill]:
    """One bill per suspended line this payment clears: a line awaiting reconnection,
    paid on now, with no overdue balance left on any of its open bills."""
    touched = {bill.contract_id for bill in open_bills if bill.id in paid_after}
    cleared: dict[int, OpenBill] = {}
    for bill in open_bills:
        if bill.contract_id in touched and bill.line_awaits_reconnection:
            cleared.setdefault(bill.contract_id, bill)
    for bill in open_bills:
        if bill.contract_id not in cleared:
            continue
        paid = paid_after.get(bill.id, bill.paid_minor)
        if outstanding_minor(bill.status, bill.total_minor, paid) > 0 and bill.due_date < today:
            del cleared[bill.contract_id]
    return sorted(cleared.values(), key=lambda bill: bill.contract_number)


def choose_receipt_language(asked: str | None, subscriber: str | None, default: str | None) -> str:
    """The receipt's language: the one asked for, else the subscriber's, else the operator's."""
    for language in (asked, subscriber, default):
        if language in LANGUAGES:
            return language
    return "fr"


def receipt_language(asked: str | None, subscriber: Subscriber, settings: OperatorSettings) -> str:
    return choose_receipt_language(asked, subscriber.language, settings.default_language)
