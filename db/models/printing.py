"""Printing: the durable print queue and the register of receipt copies.

A print job is written in the same transaction as the payment it prints, so a
payment can never exist without its receipt waiting to be printed. Jobs are
working state (their status changes as the worker tries); what was printed for
whom is also in the signed journal. Copies of a receipt are numbered in
``receipt_copies``, append-only, so "DUPLICATA 2" is never issued twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.organisation import Workstation
from db.models.payments import Payment


class PrintJobKind(StrEnum):
    RECEIPT = "receipt"  # a payment's or a void's own receipt, or a numbered copy of it
    BILL_COPY = "bill_copy"  # the duplicate of a bill, on the thermal printer
    TEST_PAGE = "test_page"
    # An X or Z report of a till; document_ref "X-<till id>" or "Z-<till id>" (no schema
    # change: kind is a plain string column).
    TILL_REPORT = "till_report"
    # A complaint's acknowledgment slip; document_ref "C-<complaint id>".
    COMPLAINT_SLIP = "complaint_slip"
    # A compensation notice telling the customer what they got and why; "K-<claim id>".
    COMPENSATION_NOTICE = "comp_notice"  # print_jobs.kind holds 16 characters


class PrintJobStatus(StrEnum):
    PENDING = "pending"  # waiting for its turn or for its next attempt
    PRINTING = "printing"  # claimed by a worker; back to pending if the worker dies
    PRINTED = "printed"  # the printer took every byte
    FAILED = "failed"  # only a direct print (command line) ends here; queued jobs wait


class PrintJob(Base):
    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_queue", "workstation_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose queue; None for a direct print from the command line, which no worker picks up.
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstations.id"))
    kind: Mapped[PrintJobKind] = mapped_column(String(16))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    document_ref: Mapped[str] = mapped_column(String(64))  # receipt or invoice number
    copy_number: Mapped[int] = mapped_column(Integer, default=0)  # 0: the original
    language: Mapped[str] = mapped_column(String(5))
    # Where to print instead of the workstation's own printer (a redirect); None: its own.
    printer_uri: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[PrintJobStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)  # msgid and params, JSON
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    printed_at: Mapped[datetime | None]
    printed_on: Mapped[str | None] = mapped_column(String(300))  # the printer that took it

    workstation: Mapped[Workstation | None] = relationship()
    payment: Mapped[Payment | None] = relationship()


class ReceiptCopy(Base):
    """One numbered copy (DUPLICATA n) of a receipt, on paper or as a PDF."""

    __tablename__ = "receipt_copies"
    __table_args__ = (UniqueConstraint("payment_id", "copy_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    copy_number: Mapped[int] = mapped_column(Integer)
    medium: Mapped[str] = mapped_column(String(16))  # "thermal" or "pdf"
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    workstation: Mapped[str | None] = mapped_column(String(40))
