"""Writing to the payment ledger: what payments and voids share.

A ledger row is written once, complete: it is numbered in its workstation's
series and signed before its INSERT, inside the caller's transaction, while the
series' chain head is locked.

Several counters share one database, so every read-modify-write of money takes
its row locks in one fixed order, the same in every service, which rules out
deadlocks between them and lost updates:

1. the chain head of the workstation's receipt series (one per transaction;
   closing an agency's business day takes every series head of the agency, by
   name, so no payment of the agency runs while a day closes);
   Then that workstation's till row (cash session), for what changes a till:
   cash movements, counts, closes, handovers (app.closing.till_lock). Payments
   and voids read which till is open only once they hold the series head, so a
   till closed meanwhile refuses them; they take no lock on the till itself;
2. the approving supervisor's staff row (voids and cash movements: checking the
   password);
3. the subscriber: every change to a subscriber's bills or credit waits here,
   so credit derived from the ledger cannot be spent twice;
4. the subscriber's invoices touched, by ascending id, re-read under the lock;
5. the agency's closings chain head (closings only, app.closing.closings);
6. the journal's chain head, last (journal events are written at the end).

A payment or void reads the agency's last closed day only once it holds its
series head (app.payments.station.open_till): a day's closing either sees it
committed, or is seen by it, and nothing is recorded into a closed day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.cash import open_session_for
from app.errors import ConflictError, IdempotencyConflictError
from app.i18n import N_
from app.integrity import chain
from app.integrity.keys import Signer
from app.integrity.records import payment_record
from app.payments.summary import PaymentSummary, load_payment, summarize
from app.workstations import receipt_number
from db.models import (
    Allocation,
    CashSession,
    ChainHead,
    Contract,
    Invoice,
    InvoiceStatus,
    Payment,
    ReconnectionRequest,
    Subscriber,
    Tender,
    TopUpSale,
    Workstation,
)
from db.models.billing import status_after_payment

OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)

_PAYMENTS = cast(Table, Payment.__table__)
_TENDERS = cast(Table, Tender.__table__)
_ALLOCATIONS = cast(Table, Allocation.__table__)
_TOPUP_SALES = cast(Table, TopUpSale.__table__)
_RECONNECTIONS = cast(Table, ReconnectionRequest.__table__)
_INSERT_PAYMENT = insert(_PAYMENTS).returning(_PAYMENTS.c.id)


def lock_series(session: Session, station: Workstation) -> ChainHead:
    """Serialise every ledger write of this workstation's series, until commit."""
    return chain.lock_head(session, station.series.chain_name)


_LOCK_SUBSCRIBER = (
    select(Subscriber.id)
    .where(Subscriber.id == bindparam("subscriber_id"))
    .with_for_update(key_share=True)
)


def lock_subscriber(session: Session, subscriber_id: int) -> None:
    """Hold the subscriber until commit: their bills and credit change one action at a time.

    FOR NO KEY UPDATE: rows that merely point at the subscriber (a print job, a
    complaint) can still be written meanwhile.
    """
    session.execute(_LOCK_SUBSCRIBER, {"subscriber_id": subscriber_id})


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


_BY_KEY = select(Payment.id, Payment.request_hash, Payment.receipt_no).where(
    Payment.idempotency_key == bindparam("key")
)


def replay_or_conflict(session: Session, key: str, fingerprint: str) -> PaymentSummary | None:
    """The receipt already made for this key, or None; a different request is refused."""
    existing = session.connection().execute(_BY_KEY, {"key": key}).first()
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
        raise till_not_open(station.series.code)
    return cash_session


def till_not_open(series_code: str) -> ConflictError:
    return ConflictError(
        N_("Open a cash session at {workstation} before taking payments."),
        field="workstation",
        workstation=series_code,
    )


_INVOICES = cast(Table, Invoice.__table__)
# On the table, run on the session's connection: one plain UPDATE per bill (an
# executemany for several), without the ORM's bulk-update machinery.
_WRITE_INVOICE = (
    update(_INVOICES)
    .where(_INVOICES.c.id == bindparam("invoice_id"))
    .values(paid_minor=bindparam("paid"), status=bindparam("status"))
)


def write_paid_amounts(session: Session, paid_by_invoice: dict[int, tuple[int, int]]) -> None:
    """Write the new paid amount of locked bills, with the status that follows from it.

    ``paid_by_invoice`` maps an invoice id to (its total, its new paid amount).
    """
    if paid_by_invoice:
        session.connection().execute(_WRITE_INVOICE, _invoice_rows(paid_by_invoice))


def _invoice_rows(paid_by_invoice: dict[int, tuple[int, int]]) -> list[dict[str, object]]:
    return [
        {"invoice_id": invoice_id, "paid": paid, "status": str(status_after_payment(total, paid))}
        for invoice_id, (total, paid) in sorted(paid_by_invoice.items())
    ]


def apply_to_invoice(session: Session, invoice: Invoice, amount_minor: int) -> None:
    """Add (or, for a void, take back) money on a locked invoice and update its status.

    Written at once with one plain UPDATE, and the object told so (no flush later).
    """
    paid = invoice.paid_minor + amount_minor
    session.connection().execute(
        _WRITE_INVOICE, _invoice_rows({invoice.id: (invoice.total_minor, paid)})
    )
    set_committed_value(invoice, "paid_minor", paid)
    set_committed_value(invoice, "status", status_after_payment(invoice.total_minor, paid))


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

    ``payment`` is built by the caller as a transient object whose relationships
    (subscriber, series, workstation, agent, lines...) point at rows the session
    holds; it is written here with plain INSERTs, lines as one executemany each,
    and never joins the session: the ORM's unit of work costs more than the
    rest of a payment. ``payment.id`` is set once written.

    ``reconnections`` is called once the invoices carry this payment's money, so
    it sees which suspended lines are now clear; they are part of what is signed.
    """
    cleared: list[Contract] = []

    def build(seq: int) -> dict[str, object]:
        payment.seq = seq
        payment.receipt_no = receipt_number(payment.series.code, seq)
        # A read here must not flush the invoices early: they go with the commit's one flush.
        with session.no_autoflush:
            cleared.extend(reconnections())
        return payment_record(payment, [contract.number for contract in cleared])

    link = chain.append(session, signer, payment.series.chain_name, build, head=head)
    payment.key_id = link.key_id
    payment.prev_signature = link.prev_signature
    payment.signature = link.signature
    payment.id = _insert_ledger_rows(session, payment)
    record_reconnections(session, payment.id, [contract.id for contract in cleared], now)
    for contract in cleared:
        set_committed_value(contract, "reconnection_requested_at", now)
    return cleared


_CONTRACTS = cast(Table, Contract.__table__)
_MARK_RECONNECTION = (
    update(_CONTRACTS)
    .where(_CONTRACTS.c.id == bindparam("contract_id"))
    .values(reconnection_requested_at=bindparam("requested_at"))
)


def record_reconnections(
    session: Session, payment_id: int, contract_ids: list[int], now: datetime
) -> None:
    """Ask for the reconnection of suspended lines this payment cleared (signed with it)."""
    if not contract_ids:
        return
    rows = [
        {"payment_id": payment_id, "contract_id": contract_id, "requested_at": now}
        for contract_id in contract_ids
    ]
    connection = session.connection()
    connection.execute(insert(_RECONNECTIONS), rows)
    connection.execute(_MARK_RECONNECTION, rows)


def _columns(row: object, table: Table, **foreign_keys: int | None) -> dict[str, object]:
    """The row's column values, with its foreign keys (set on the object too, for readers)."""
    for key, value in foreign_keys.items():
        setattr(row, key, value)
    return {column.key: getattr(row, column.key) for column in table.columns if column.key != "id"}


def _insert_ledger_rows(session: Session, payment: Payment) -> int:
    """The payment row and its lines, by foreign keys taken from the related rows."""
    row = _columns(
        payment,
        _PAYMENTS,
        voids_payment_id=payment.voids.id if payment.voids is not None else None,
        series_id=payment.series.id,
        subscriber_id=payment.subscriber.id,
        workstation_id=payment.workstation.id,
        agent_id=payment.agent.id,
        approved_by_id=payment.approved_by.id if payment.approved_by is not None else None,
    )
    payment_id = insert_ledger_rows(
        session,
        row,
        tenders=[_columns(t, _TENDERS) for t in payment.tenders],
        allocations=[
            _columns(a, _ALLOCATIONS, invoice_id=a.invoice.id) for a in payment.allocations
        ],
        topups=[_columns(s, _TOPUP_SALES, product_id=s.product.id) for s in payment.topups],
    )
    # For readers of the objects, as the rows say.
    for tender in payment.tenders:
        tender.payment_id = payment_id
    for allocation in payment.allocations:
        allocation.payment_id = payment_id
    for sale in payment.topups:
        sale.payment_id = payment_id
    return payment_id


def insert_ledger_rows(
    session: Session,
    payment: dict[str, object],
    *,
    tenders: list[dict[str, object]],
    allocations: list[dict[str, object]],
    topups: list[dict[str, object]],
) -> int:
    """Insert a signed payment row and its lines (column values, without ``payment_id``);
    the lines go as one executemany per table. Returns the payment's id."""
    connection = session.connection()
    payment_id = int(connection.execute(_INSERT_PAYMENT, [payment]).scalar_one())
    for table, rows in ((_TENDERS, tenders), (_ALLOCATIONS, allocations), (_TOPUP_SALES, topups)):
        if rows:
            connection.execute(insert(table), [{**line, "payment_id": payment_id} for line in rows])
    return payment_id
