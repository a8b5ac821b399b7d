"""What a till holds, as counted and as moved: counts, their lines, cash movements, reviews.

Every table here is append-only (database triggers refuse UPDATE and DELETE,
migration 0007): a recount is a new count beside the first, a wrong movement is
answered by the opposite movement, and a review is written once. Each row is also
journaled with its figures, so ``verify`` can tell a row edited behind the
application's back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base


class TillCount(Base):
    """One count of a till: the float at opening, the blind count at closing, a recount.

    Totals per tender are kept beside the lines so a review never re-adds them;
    ``verify`` checks they agree with the lines and with the journal.
    """

    __tablename__ = "till_counts"
    __table_args__ = (UniqueConstraint("cash_session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    # 1, 2, ... in the order the counts of one session were made.
    seq: Mapped[int] = mapped_column(Integer)
    # opening | closing | recount (see app.closing.counts.CountPurpose)
    purpose: Mapped[str] = mapped_column(String(16))
    counted_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    counted_at: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    cash_minor: Mapped[int] = mapped_column(BigInteger)
    cheque_minor: Mapped[int] = mapped_column(BigInteger)
    card_minor: Mapped[int] = mapped_column(BigInteger)
    postal_transfer_minor: Mapped[int] = mapped_column(BigInteger)
    card_slips: Mapped[int] = mapped_column(Integer)
    postal_transfers: Mapped[int] = mapped_column(Integer)

    lines: Mapped[list[TillCountLine]] = relationship(order_by="TillCountLine.position")


class TillCountLine(Base):
    """A denomination counted (cash) or a cheque listed, within one count."""

    __tablename__ = "till_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("till_counts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # cash | cheque
    kind: Mapped[str] = mapped_column(String(16))
    denomination_minor: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int | None] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    cheque_number: Mapped[str | None] = mapped_column(String(32))
    bank: Mapped[str | None] = mapped_column(String(100))
    # The cheque tendered in this till that the listed cheque was matched to.
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"))


class CashMovement(Base):
    """Cash taken out of a till (a drop to the safe, a bank deposit) or put in (a top-up)."""

    __tablename__ = "cash_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    # drop | deposit | top_up (see app.closing.movements.MovementKind)
    kind: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    # Always positive; the kind says which way it moves the till.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    occurred_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    # A bank deposit slip's number, a safe bag's seal.
    reference: Mapped[str | None] = mapped_column(String(64))


class TillReview(Base):
    """The supervisor's review of a closed till: what it should have held against a count.

    Written once per session; the expected figures are frozen here as they were
    when reviewed, and the differences follow from the count it names.
    """

    __tablename__ = "till_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_session_id: Mapped[int] = mapped_column(ForeignKey("cash_sessions.id"), unique=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("till_counts.id"))
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    expected_cash_minor: Mapped[int] = mapped_column(BigInteger)
    expected_cheque_minor: Mapped[int] = mapped_column(BigInteger)
    expected_card_minor: Mapped[int] = mapped_column(BigInteger)
    expected_postal_transfer_minor: Mapped[int] = mapped_column(BigInteger)
    # Counted minus expected over every tender.
    difference_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
