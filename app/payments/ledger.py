"""Writing to the payment ledger: what payments and voids share.

A ledger row is written once, complete: it is numbered in its workstation's
series and signed before its INSERT, inside the caller's transaction, while the
series' chain head is locked.

Several counters share one database, so every read-modify-write of money takes
its row locks in one fixed order, the same in every service, which rules out
deadlocks between them and lost updates:

1. the chain head of the workstation's receipt series (one per transaction);
2. the approving supervisor's staff row (voids only: checking the password);
3. the subscriber: every change to a subscriber's bills or credit waits here,
   so credit derived from the ledger cannot be spent twice;
4. the subscriber's invoices touched, by ascending id, re-read under the lock;
5. the journal's chain head, last (journal events are written at the end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cash import open_session_for
from app.errors import ConflictError, IdempotencyConflictError
from app.i18n import N_
from app.integrity import chain
from app.integrity.keys import Signer
from app.integrity.records import payment_record
from app.payments.summary import PaymentSummary, load_payment, summarize
from app.workstations import receipt_number
from db.models import (
    CashSession,
    ChainHead,
    Contract,
    Invoice,
    InvoiceStatus,
    Payment,
    ReconnectionRequest,
    Subscriber,
    Workstation,
)

OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)


def lock_series(session: Session, station: Workstation) -> ChainHead:
    """Serialise every ledger write of this workstation's series, until commit."""
    return chain.lock_head(session, station.series.chain_name)


def lock_subscriber(session: Session, subscriber_id: int) -> None:
    """Hold the subscriber until commit: their bills and credit change one action at a time.

    FOR NO KEY UPDATE: rows that merely point at the subscriber (a print job, a
    complaint) can still be written meanwhile.
    """
    session.execute(
        select(Subscriber.id).where(Subscriber.id == subscriber_id).with_for_update(key_share=True)
    )


def lock_invoices(session: Session, invoice_ids: Iterable[int]) -> dict[int, Invoice]:
    """Lock these invoices by ascending id and read them afresh, whatever was read before."""
    statement = (
        select(Invoice)
        .where(Invoice.id.in_(sorted(set(invoice_ids))))
        .order_by(Invoice.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {invoice.id: invoice for invoice in session.scalars(statement)}


def replay_or_conflict(session: Session, key: str, fingerprint: str) -> PaymentSummary | None:
    """The receipt already made for this key, or None; a different request is refused."""
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


def require_open_session(session: Session, station: Workstation) -> CashSession:
    cash_session = open_session_for(session, station.id)
    if cash_session is None:
        raise ConflictError(
            N_("Open a cash session at {workstation} before taking payments."),
            field="workstation",
            workstation=station.series.code,
        )
    return cash_session


def apply_to_invoice(invoice: Invoice, amount_minor: int) -> None:
    """Add (or, for a void, take back) money on an invoice and update its status."""
    invoice.paid_minor += amount_minor
    if invoice.outstanding_minor <= 0:
        invoice.status = InvoiceStatus.PAID
    elif invoice.paid_minor > 0:
        invoice.status = InvoiceStatus.PARTLY_PAID
    else:
        invoice.status = InvoiceStatus.OPEN


def insert_signed(
    session: Session,
    signer: Signer,
    payment: Payment,
    *,
    head: ChainHead,
    reconnections: Callable[[], list[Contract]] = list,
    now: datetime,
) -> list[Contract]:
    """Number, sign and insert ``payment`` with its lines and reconnection requests.

    ``reconnections`` is called once the invoices carry this payment's money, so
    it sees which suspended lines are now clear; they are part of what is signed.
    """
    cleared: list[Contract] = []

    def build(seq: int) -> dict[str, object]:
        payment.seq = seq
        payment.receipt_no = receipt_number(payment.series.code, seq)
        cleared.extend(reconnections())
        return payment_record(payment, [contract.number for contract in cleared])

    link = chain.append(session, signer, payment.series.chain_name, build, head=head)
    payment.key_id = link.key_id
    payment.prev_signature = link.prev_signature
    payment.signature = link.signature
    session.add(payment)
    session.flush()
    for contract in cleared:
        contract.reconnection_requested_at = now
        session.add(
            ReconnectionRequest(payment_id=payment.id, contract_id=contract.id, requested_at=now)
        )
    session.flush()
    return cleared
