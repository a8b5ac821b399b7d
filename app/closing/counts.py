"""Counting a till: what the counter typed, checked, stored and journaled.

A count is the float at opening (cash only), the blind count at closing, or a
recount; each is a new row beside the others, never written over one. Cash is
counted by denomination (:mod:`app.closing.denominations`); cheques are listed
one by one and each must be a cheque tendered in this till; card slips and
postal transfers are totals.

What this module returns is only what the person counted: never what the till
should hold (that is :mod:`app.closing.expected`, read by supervisors alone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.closing.denominations import cash_of
from app.closing.expected import cheques_in_till
from app.context import AppContext
from app.errors import ValidationError
from app.i18n import N_
from app.integrity.canonical import instant
from app.journal import Acting, EventKind, record_action
from app.money import Currency, Money, from_minor, to_minor
from db.models import CashSession, TillCount, TillCountLine

# A count of a million notes of one kind is a typing slip, not a till.
MAX_QUANTITY = 1_000_000


class CountPurpose(StrEnum):
    OPENING = "opening"
    CLOSING = "closing"
    RECOUNT = "recount"


@dataclass(frozen=True)
class ChequeInput:
    number: str
    bank: str
    amount: Decimal | str


@dataclass(frozen=True)
class CountInput:
    """What the counter typed. ``cash`` maps a denomination's key (``note-200000``,
    see :class:`app.closing.denominations.Denomination`) to how many were counted."""

    cash: Mapping[str, int] = field(default_factory=dict)
    cheques: Sequence[ChequeInput] = ()
    card_total: Decimal | str = "0"
    card_slips: int = 0
    postal_total: Decimal | str = "0"
    postal_transfers: int = 0


@dataclass(frozen=True)
class CountedFigures:
    """A count as its counter sees it: only what was counted."""

    count_id: int
    session_id: int
    seq: int
    purpose: str
    counted_by: str
    counted_at: datetime
    currency: str
    cash: Decimal
    cheques: Decimal
    card: Decimal
    postal_transfer: Decimal
    card_slips: int
    postal_transfers: int

    @property
    def total(self) -> Decimal:
        return self.cash + self.cheques + self.card + self.postal_transfer


@dataclass(frozen=True)
class _Line:
    kind: str
    amount_minor: int
    denomination_minor: int | None = None
    quantity: int | None = None
    cheque_number: str | None = None
    bank: str | None = None
    tender_id: int | None = None


def _quantity(value: object, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_QUANTITY:
        raise ValidationError(
            N_("{value} is not a number of notes, coins or slips."),
            field=field_name,
            value=str(value),
        )
    return value


def _cash_lines(count: CountInput, cur: Currency) -> list[_Line]:
    known = cash_of(cur.code).by_key()
    lines = []
    for key, quantity in count.cash.items():
        denomination = known.get(key)
        if denomination is None:
            raise ValidationError(
                N_("{key} is not a note or coin of {currency}."),
                field="cash",
                key=key,
                currency=cur.code,
            )
        if _quantity(quantity, "cash") == 0:
            continue  # a zero row says nothing the absence of a row does not
        lines.append(
            _Line(
                denomination.kind,
                denomination.value_minor * quantity,
                denomination.value_minor,
                quantity,
            )
        )
    # Largest first, as the data file lists them, whatever order the screen sent.
    order = list(known)
    lines.sort(key=lambda line: order.index(f"{line.kind}-{line.denomination_minor}"))
    return lines


def _normal(text: str) -> str:
    return "".join(text.split()).upper()


def _cheque_lines(
    session: Session, cash_session: CashSession, count: CountInput, cur: Currency
) -> list[_Line]:
    """Each listed cheque matched to a cheque tendered in this till, or refused by name."""
    available = list(cheques_in_till(session, cash_session.id))
    lines = []
    for index, cheque in enumerate(count.cheques):
        field_name = f"cheques[{index}]"
        number, bank = cheque.number.strip(), cheque.bank.strip()
        if not number or not bank:
            raise ValidationError(N_("Give each cheque's number and bank."), field=field_name)
        amount = to_minor(cheque.amount, cur, field=field_name)
        matches = [
            tender
            for tender in available
            if _normal(tender.number) == _normal(number) and tender.amount_minor == amount
        ]
        # Two banks may print the same number: the bank then tells them apart.
        same_bank = [t for t in matches if _normal(t.bank) == _normal(bank)]
        candidates = same_bank or matches
        if not candidates:
            raise ValidationError(
                N_("Cheque {number} ({bank}, {amount}) was not tendered in this till."),
                field=field_name,
                number=number,
                bank=bank,
                amount=Money(amount, cur),
            )
        match = candidates[0]
        available.remove(match)
        lines.append(
            _Line("cheque", amount, cheque_number=number, bank=bank, tender_id=match.tender_id)
        )
    return lines


def _lines(
    session: Session,
    cash_session: CashSession,
    purpose: CountPurpose,
    count: CountInput,
    cur: Currency,
) -> tuple[list[_Line], int, int]:
    """The count's lines, and its card and postal totals in minor units."""
    card = to_minor(count.card_total, cur, field="card_total", allow_zero=True)
    postal = to_minor(count.postal_total, cur, field="postal_total", allow_zero=True)
    _quantity(count.card_slips, "card_slips")
    _quantity(count.postal_transfers, "postal_transfers")
    if purpose == CountPurpose.OPENING and (
        count.cheques or card or postal or count.card_slips or count.postal_transfers
    ):
        raise ValidationError(
            N_("A till opens with cash only: count the float in notes and coins."), field="cash"
        )
    lines = _cash_lines(count, cur)
    lines += _cheque_lines(session, cash_session, count, cur)
    return lines, card, postal


def write_count(
    session: Session,
    ctx: AppContext,
    actor: Acting,
    cash_session: CashSession,
    purpose: CountPurpose,
    count: CountInput,
    cur: Currency,
    *,
    workstation: str,
) -> TillCount:
    """Check ``count``, store it beside the till's other counts and journal it.

    The caller holds the till's lock (:mod:`app.closing.till_lock`).
    """
    lines, card, postal = _lines(session, cash_session, purpose, count, cur)
    seq = (
        session.scalar(
            select(func.max(TillCount.seq)).where(TillCount.cash_session_id == cash_session.id)
        )
        or 0
    ) + 1
    row = TillCount(
        cash_session_id=cash_session.id,
        seq=seq,
        purpose=str(purpose),
        counted_by_id=actor.staff_id,
        counted_at=ctx.now(),
        currency=cur.code,
        cash_minor=sum(line.amount_minor for line in lines if line.kind != "cheque"),
        cheque_minor=sum(line.amount_minor for line in lines if line.kind == "cheque"),
        card_minor=card,
        postal_transfer_minor=postal,
        card_slips=count.card_slips,
        postal_transfers=count.postal_transfers,
    )
    row.lines = [
        TillCountLine(
            position=position,
            kind=line.kind,
            denomination_minor=line.denomination_minor,
            quantity=line.quantity,
            amount_minor=line.amount_minor,
            cheque_number=line.cheque_number,
            bank=line.bank,
            tender_id=line.tender_id,
        )
        for position, line in enumerate(lines, start=1)
    ]
    session.add(row)
    session.flush()
    record_action(
        session,
        ctx,
        EventKind.TILL_COUNTED,
        actor,
        workstation=workstation,
        subject=str(cash_session.id),
        details=count_details(row, actor.login),
    )
    return row


def count_details(row: TillCount, counted_by: str | None) -> dict[str, Any]:
    """What the journal keeps of a count; ``verify`` compares the stored count with it."""
    return {
        "count": row.id,
        "session": row.cash_session_id,
        "seq": row.seq,
        "purpose": row.purpose,
        "counted_by": counted_by,
        "counted_at": instant(row.counted_at),
        "currency": row.currency,
        "cash": row.cash_minor,
        "cheque": row.cheque_minor,
        "card": row.card_minor,
        "postal_transfer": row.postal_transfer_minor,
        "card_slips": row.card_slips,
        "postal_transfers": row.postal_transfers,
        "lines": [line_details(line) for line in row.lines],
    }


def line_details(line: TillCountLine) -> list[Any]:
    return [
        line.position,
        line.kind,
        line.denomination_minor,
        line.quantity,
        line.amount_minor,
        line.cheque_number,
        line.bank,
        line.tender_id,
    ]


def counted_figures(row: TillCount, counted_by: str, cur: Currency) -> CountedFigures:
    return CountedFigures(
        count_id=row.id,
        session_id=row.cash_session_id,
        seq=row.seq,
        purpose=row.purpose,
        counted_by=counted_by,
        counted_at=row.counted_at,
        currency=cur.code,
        cash=from_minor(row.cash_minor, cur),
        cheques=from_minor(row.cheque_minor, cur),
        card=from_minor(row.card_minor, cur),
        postal_transfer=from_minor(row.postal_transfer_minor, cur),
        card_slips=row.card_slips,
        postal_transfers=row.postal_transfers,
    )
