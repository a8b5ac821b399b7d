"""Voiding a payment: a reversing entry, approved by a supervisor there and then.

Nothing is updated or deleted in the ledger. The void is a new payment of kind
VOID, numbered in the voiding workstation's series, that names the original and
carries the opposite of each of its amounts; the invoices it had paid are open
again. The supervisor types their own credentials at that moment: a session
already open on the workstation, or the agent's own password, is not approval.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import Actor, check_supervisor, require_role
from app.closing.days import agency_zone, business_day, last_closed_day
from app.context import AppContext
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.i18n import N_
from app.journal import EventKind, record_action
from app.payments.ledger import (
    apply_to_invoice,
    insert_signed,
    lock_invoices,
    lock_series,
    lock_subscriber,
    replay_or_conflict,
    require_open_session,
)
from app.payments.service import receipt_language
from app.payments.summary import PaymentSummary, credit_balance_minor, load_payment, summarize
from app.printing.queue import queue_receipt
from app.transactions import write_transaction
from app.workstations import find_workstation, operator_settings
from db.models import (
    Allocation,
    ChainHead,
    Payment,
    PaymentKind,
    Role,
    Staff,
    Tender,
    TopUpSale,
    Workstation,
)

__all__ = ["VoidRequest", "refusal_to_void", "require_topups_confirmed", "void_payment"]


@dataclass(frozen=True)
class VoidRequest:
    idempotency_key: str
    receipt_no: str
    workstation: str
    reason: str
    supervisor_login: str
    supervisor_password: str
    receipt_language: str | None = None  # the ANNULATION slip's; None: as for payments
    # A top-up sold with the payment was delivered at once and no void takes it back:
    # the supervisor says they know that, or the void is refused.
    topups_delivered_confirmed: bool = False

    def fingerprint(self) -> str:
        return f"void:{self.receipt_no.strip().upper()}:{self.workstation.strip().upper()}"


def void_payment(ctx: AppContext, actor: Actor, request: VoidRequest) -> PaymentSummary:
    """Reverse a payment, approved by a supervisor typing their credentials now.

    Lowest role: agent, with another person's supervisor login and password typed to approve.
    """
    require_role(actor, Role.AGENT)
    reason = request.reason.strip()
    if not reason:
        raise ValidationError(N_("Give the reason for the void."), field="reason")
    if not request.supervisor_login.strip() or not request.supervisor_password:
        raise ValidationError(
            N_("A supervisor must type their login and password to approve a void."),
            field="supervisor_login",
        )
    try:
        result, refusal = write_transaction(
            ctx.db, lambda session: _void_or_refuse(ctx, session, actor, request, reason)
        )
    except IntegrityError as error:
        # The locks make this unreachable between Guichet's own services; it stays
        # a translated answer should anything else write a void meanwhile.
        raise _already_voided_or_clash(ctx, request) from error
    # The refusal is raised after commit: its journal event must stay.
    if refusal is not None:
        raise refusal
    assert result is not None
    return result


def _void_or_refuse(
    ctx: AppContext, session: Session, actor: Actor, request: VoidRequest, reason: str
) -> tuple[PaymentSummary | None, Exception | None]:
    """One attempt, in the lock order of app.payments.ledger: series, staff, subscriber, bills."""
    station = find_workstation(session, request.workstation)
    head = lock_series(session, station)
    replay = replay_or_conflict(session, request.idempotency_key, request.fingerprint())
    if replay is not None:
        return replay, None
    original = load_payment(session, receipt_no=request.receipt_no)
    # Before the credentials are checked: a forgotten tick must not cost a login attempt.
    require_topups_confirmed(original, request.topups_delivered_confirmed)
    supervisor, refusal = check_supervisor(
        ctx,
        session,
        request.supervisor_login,
        request.supervisor_password,
        station.series.code,
    )
    if supervisor is not None and supervisor.staff_id == actor.staff_id:
        supervisor, refusal = (
            None,
            PermissionDeniedError(
                N_("A supervisor other than the person asking must approve the void."),
                field="supervisor_login",
            ),
        )
    if refusal is None:
        # Whatever was read before this lock may be stale: what follows reads afresh.
        lock_subscriber(session, original.subscriber_id)
        refusal = refusal_to_void(session, original)
    if refusal is not None or supervisor is None:
        record_action(
            session,
            ctx,
            EventKind.VOID_REFUSED,
            actor,
            workstation=station.series.code,
            subject=original.receipt_no,
            details={
                "reason": reason,
                "refusal": type(refusal).__name__,
                "supervisor": request.supervisor_login.strip().lower(),
            },
        )
        return None, refusal
    summary = _write_void(ctx, session, actor, supervisor, original, station, head, request, reason)
    return summary, None


def _already_voided_or_clash(ctx: AppContext, request: VoidRequest) -> Exception:
    with ctx.db.read() as session:
        original = load_payment(session, receipt_no=request.receipt_no)
        refusal = refusal_to_void(session, original)
    return refusal or ConflictError(
        N_("The void could not be saved because of a clash with another counter. Try again."),
        field="receipt_no",
    )


def require_topups_confirmed(original: Payment, confirmed: bool) -> None:
    """Refuse to void a payment that sold top-ups unless their delivery was acknowledged.

    The operator credited the numbers when the payment was taken; the void gives
    the customer their money back but cannot take the airtime back.
    """
    if not original.topups or confirmed:
        return
    numbers = ", ".join(dict.fromkeys(sale.target_number for sale in original.topups))
    raise ValidationError(
        N_(
            "Receipt {receipt_no} sold top-ups already delivered to {numbers}; they cannot be "
            "taken back. Tick the confirmation to void it anyway."
        ),
        field="topups_delivered_confirmed",
        receipt_no=original.receipt_no,
        numbers=numbers,
    )


def refusal_to_void(session: Session, original: Payment) -> ConflictError | None:
    """Why ``original`` cannot be voided now, or None: itself a void, voided already,
    or its credit spent since."""
    if original.kind != PaymentKind.PAYMENT:
        return ConflictError(
            N_("{receipt_no} is itself a void and cannot be voided."),
            field="receipt_no",
            receipt_no=original.receipt_no,
        )
    already = session.scalar(
        select(Payment.receipt_no).where(Payment.voids_payment_id == original.id)
    )
    if already is not None:
        return ConflictError(
            N_("{receipt_no} was already voided by {void_no}."),
            field="receipt_no",
            receipt_no=original.receipt_no,
            void_no=already,
        )
    net_credit = original.credit_added_minor - original.credit_used_minor
    if net_credit > credit_balance_minor(session, original.subscriber_id):
        return ConflictError(
            N_(
                "The credit left by {receipt_no} has already been used; void the later payment first."
            ),
            field="receipt_no",
            receipt_no=original.receipt_no,
        )
    return None


def _write_void(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    supervisor: Actor,
    original: Payment,
    station: Workstation,
    head: ChainHead,
    request: VoidRequest,
    reason: str,
) -> PaymentSummary:
    cash_session = require_open_session(session, station)
    now = ctx.now()
    # A void made after its day closed belongs to the next business day (read under
    # the series lock, which a day's closing also takes).
    zone = agency_zone(station.agency.timezone, operator_settings(session).timezone)
    day = business_day(now, zone, last_closed_day(session, station.agency_id))
    void = Payment(
        uid=str(uuid.uuid4()),
        idempotency_key=request.idempotency_key.strip(),
        request_hash=request.fingerprint(),
        kind=PaymentKind.VOID,
        voids=original,
        series=station.series,
        subscriber=original.subscriber,
        workstation=station,
        cash_session_id=cash_session.id,
        agent=session.get(Staff, actor.staff_id),
        approved_by=session.get(Staff, supervisor.staff_id),
        reason=reason,
        created_at=now,
        business_day=day,
        currency=original.currency,
        tendered_minor=-original.tendered_minor,
        change_minor=-original.change_minor,
        allocated_minor=-original.allocated_minor,
        topups_minor=-original.topups_minor,
        credit_used_minor=-original.credit_used_minor,
        credit_added_minor=-original.credit_added_minor,
        seq=0,
        receipt_no=f"pending-{uuid.uuid4()}",
        key_id="",
        prev_signature="",
        signature="",
    )
    bills = lock_invoices(session, (allocation.invoice_id for allocation in original.allocations))
    for allocation in original.allocations:
        invoice = bills[allocation.invoice_id]
        apply_to_invoice(session, invoice, -allocation.amount_minor)
        void.allocations.append(
            Allocation(
                position=allocation.position, invoice=invoice, amount_minor=-allocation.amount_minor
            )
        )
    for tender in original.tenders:
        void.tenders.append(
            Tender(
                position=tender.position,
                kind=tender.kind,
                amount_minor=-tender.amount_minor,
                cheque_number=tender.cheque_number,
                bank=tender.bank,
                authorisation_code=tender.authorisation_code,
                transfer_reference=tender.transfer_reference,
            )
        )
    for sale in original.topups:
        void.topups.append(
            TopUpSale(
                position=sale.position,
                product=sale.product,
                target_number=sale.target_number,
                quantity=sale.quantity,
                unit_minor=sale.unit_minor,
                amount_minor=-sale.amount_minor,
            )
        )
    insert_signed(session, ctx.signer, void, head=head, now=now)  # a void reconnects nothing
    queue_receipt(
        session,
        void,
        workstation=station,
        language=receipt_language(
            request.receipt_language, original.subscriber, operator_settings(session)
        ),
        now=now,
        created_by_id=actor.staff_id,
    )
    record_action(
        session,
        ctx,
        EventKind.PAYMENT_VOIDED,
        actor,
        workstation=station.series.code,
        subject=original.receipt_no,
        details={"void": void.receipt_no, "approved_by": supervisor.login, "reason": reason},
    )
    return summarize(session, void)
