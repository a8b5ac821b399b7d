"""Payments made outside Guichet (post office, e-payment, direct debit).

The billing system reports them; the import writes each one as an entry of its own
signed, append-only ledger (chain ``outside_payments``), never as cash of a till,
and grows its bill's ``paid_elsewhere_minor`` (and ``paid_minor``) by it under the
bill's row lock. ``verify`` checks that a bill's ``paid_elsewhere_minor`` equals
the sum of its entries. A reversal is an entry of its own with a negative amount.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

OUTSIDE_PAYMENT_CHAIN = "outside_payments"


class OutsidePaymentChannel:
    POST_OFFICE = "post_office"
    E_PAYMENT = "e_payment"
    DIRECT_DEBIT = "direct_debit"

    ALL = (POST_OFFICE, E_PAYMENT, DIRECT_DEBIT)


class OutsidePayment(Base):
    """One payment the billing system saw elsewhere: signed, never updated or deleted."""

    __tablename__ = "outside_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The billing system's payment reference: the natural key of the import.
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # negative: a reversal
    channel: Mapped[str] = mapped_column(String(16))  # OutsidePaymentChannel
    paid_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime]
    batch_id: Mapped[str] = mapped_column(String(36), index=True)

    seq: Mapped[int] = mapped_column(Integer, unique=True)
    key_id: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(100))
