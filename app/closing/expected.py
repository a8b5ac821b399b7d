"""What a till should hold, derived from the ledger and the movements: supervisors only.

Expected cash = float + cash tendered − change given − cash refunded by voids
+ float top-ups − drops to the safe − bank deposits.

Change is subtracted: a 6,000 note for a 5,000 bill leaves 5,000 in the drawer,
not 6,000 (a classic of tills that count tenders only). A void gives back the
cash of the payment it reverses net of the change that payment gave: its
tenders and change are the originals negated, so its net cash is negative.

Nothing here checks a role: these are helpers of the supervisor's services
(:mod:`app.closing.review`, :mod:`app.closing.status`). An agent's service
must never return what they compute (``tests/test_till_blind.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.closing.movements import MOVEMENT_SIGN
from db.models import CashMovement, CashSession, Payment, PaymentKind, Tender, TenderKind


@dataclass(frozen=True)
class ExpectedCash:
    """Each term of the expected cash, in minor units, all positive."""

    float_minor: int
    tendered_minor: int
    change_minor: int
    refunded_minor: int
    top_ups_minor: int
    drops_minor: int
    deposits_minor: int

    @property
    def total_minor(self) -> int:
        return (
            self.float_minor
            + self.tendered_minor
            - self.change_minor
            - self.refunded_minor
            + self.top_ups_minor
            - self.drops_minor
            - self.deposits_minor
        )


@dataclass(frozen=True)
class ExpectedTill:
    cash: ExpectedCash
    cheque_minor: int
    card_minor: int
    postal_transfer_minor: int

    def by_tender(self) -> dict[str, int]:
        return {
            TenderKind.CASH.value: self.cash.total_minor,
            TenderKind.CHEQUE.value: self.cheque_minor,
            TenderKind.CARD.value: self.card_minor,
            TenderKind.POSTAL_TRANSFER.value: self.postal_transfer_minor,
        }


_TENDERS_BY_KIND = (
    select(Payment.kind, Tender.kind, func.sum(Tender.amount_minor))
    .join(Tender, Tender.payment_id == Payment.id)
    .where(Payment.cash_session_id == bindparam("till"))
    .group_by(Payment.kind, Tender.kind)
)
_CHANGE_BY_KIND = (
    select(Payment.kind, func.sum(Payment.change_minor))
    .where(Payment.cash_session_id == bindparam("till"))
    .group_by(Payment.kind)
)
_MOVEMENTS = (
    select(CashMovement.kind, func.sum(CashMovement.amount_minor))
    .where(CashMovement.cash_session_id == bindparam("till"))
    .group_by(CashMovement.kind)
)


def expected_for(session: Session, cash_session: CashSession) -> ExpectedTill:
    """What the till ``cash_session`` should hold now, per tender."""
    params = {"till": cash_session.id}
    tenders: dict[tuple[str, str], int] = {
        (str(payment_kind), str(kind)): int(total or 0)
        for payment_kind, kind, total in session.execute(_TENDERS_BY_KIND, params)
    }
    change = {
        str(kind): int(total or 0) for kind, total in session.execute(_CHANGE_BY_KIND, params)
    }
    moved = {str(kind): int(total or 0) for kind, total in session.execute(_MOVEMENTS, params)}
    pay, void = PaymentKind.PAYMENT.value, PaymentKind.VOID.value

    def tendered(payment_kind: str, kind: TenderKind) -> int:
        return tenders.get((payment_kind, kind.value), 0)

    cash = ExpectedCash(
        float_minor=cash_session.opening_float_minor,
        tendered_minor=tendered(pay, TenderKind.CASH),
        change_minor=change.get(pay, 0),
        # A void's cash and change are negative: what left the drawer is their opposite.
        refunded_minor=-(tendered(void, TenderKind.CASH) - change.get(void, 0)),
        top_ups_minor=moved.get("top_up", 0),
        drops_minor=moved.get("drop", 0),
        deposits_minor=moved.get("deposit", 0),
    )
    assert set(MOVEMENT_SIGN) == {"top_up", "drop", "deposit"}  # every kind has its term above

    def net(kind: TenderKind) -> int:
        return tendered(pay, kind) + tendered(void, kind)

    return ExpectedTill(
        cash, net(TenderKind.CHEQUE), net(TenderKind.CARD), net(TenderKind.POSTAL_TRANSFER)
    )


@dataclass(frozen=True)
class TenderedCheque:
    tender_id: int
    number: str
    bank: str
    amount_minor: int


def cheques_in_till(session: Session, till_id: int) -> Iterator[TenderedCheque]:
    """The cheques taken in this till and not given back by a void of the same till."""
    voided = (
        select(Payment.voids_payment_id)
        .where(Payment.cash_session_id == till_id, Payment.kind == PaymentKind.VOID)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Tender.id, Tender.cheque_number, Tender.bank, Tender.amount_minor)
        .join(Payment, Payment.id == Tender.payment_id)
        .where(
            Payment.cash_session_id == till_id,
            Payment.kind == PaymentKind.PAYMENT,
            Tender.kind == TenderKind.CHEQUE,
            Payment.id.not_in(voided),
        )
        .order_by(Tender.id)
    )
    for tender_id, number, bank, amount in rows:
        yield TenderedCheque(tender_id, number or "", bank or "", amount)
