"""The cut-off list: lines proposed to the billing system for suspension, and those spared.

A line (contract) is proposed when one of its bills is overdue beyond the
operator's grace (``cutoff_grace_days``, 15 when unset) on the day asked for.
Lines the counter knows better about are listed apart, each with its reasons:

- a bill delivered late (app.billing.late_delivery) still inside its extended
  term: the grace counts from delivery + N, not from the printed due date, so a
  customer whose bill came late gets the same days as everyone else;
- an open complaint of category billing or "bill not received": on the contract,
  or on the subscriber without a contract named (then on all their lines);
- a bill paid at the counter since the billing system's extract
  (``billing_extract_at``), net of voids, so the billing system's extract still
  shows it unpaid: the line must not be cut for it.

Lines already suspended or terminated (or not active yet) are never proposed.

Set-based: one query for the overdue open bills (with their line, subscriber and
agency), one for the bills paid since the extract (through the payments'
``created_at`` index), one for the open complaints of those two categories; the
lines are then grouped in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from babel.dates import format_date
from sqlalchemy import Row, Select, case, func, select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.billing.late_delivery import days_setting, late_fee_due_date
from app.documents.arabic import isolate as _isolate
from app.errors import NotFoundError, ValidationError
from app.exports.csv_writer import TableWriter
from app.i18n import N_, babel_locale, gettext
from app.money import currency, from_minor
from app.payments.ledger import OPEN_STATUSES
from db.engine import Database
from db.models import (
    Agency,
    Allocation,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    OperatorSettings,
    Payment,
    PaymentKind,
    Role,
    Subscriber,
)

DEFAULT_GRACE_DAYS = 15
CUTOFF_CATEGORIES = (ComplaintCategory.BILLING, ComplaintCategory.BILL_NOT_RECEIVED)


class ExclusionReason:
    LATE_DELIVERY = "late_delivery"
    COMPLAINT = "complaint"
    PAID_SINCE_EXTRACT = "paid_since_extract"

    ALL = (LATE_DELIVERY, COMPLAINT, PAID_SINCE_EXTRACT)


REASON_NAMES = {
    ExclusionReason.LATE_DELIVERY: N_("Bill delivered late"),
    ExclusionReason.COMPLAINT: N_("Open complaint"),
    ExclusionReason.PAID_SINCE_EXTRACT: N_("Paid since the extract"),
}


@dataclass(frozen=True)
class Exclusion:
    """Why a line is spared: the reason, and what it rests on."""

    reason: str  # ExclusionReason
    reference: str  # the bill's number, or the complaint's
    on: date | None = None  # delivery date (late), or the day paid (paid since extract)
    until: date | None = None  # the extended term (late delivery)
    detail: str | None = None  # the complaint's category; the receipt number


@dataclass(frozen=True)
class CutoffLine:
    contract_number: str
    account_number: str
    first_name: str | None
    last_name: str
    service: str
    line_or_meter: str | None
    agency_code: str | None
    overdue_bills: tuple[str, ...]  # overdue beyond the grace, unpaid, not excused
    overdue_minor: int
    oldest_due: date | None
    exclusions: tuple[Exclusion, ...] = ()

    @property
    def proposed(self) -> bool:
        return not self.exclusions

    @property
    def subscriber_name(self) -> str:
        # Named when shown: a national list has tens of thousands of lines.
        return Subscriber.display_name_of(self.first_name, self.last_name)


@dataclass(frozen=True)
class CutoffList:
    on: date
    grace_days: int
    late_delivery_days: int
    extract_at: datetime | None
    currency: str
    agency_code: str | None
    proposed: tuple[CutoffLine, ...]
    excluded: tuple[CutoffLine, ...]

    def overdue_amount(self, line: CutoffLine) -> Decimal:
        return from_minor(line.overdue_minor, currency(self.currency))


@dataclass
class _Line:
    contract_number: str
    account_number: str
    first_name: str | None
    last_name: str
    service: str
    line_or_meter: str | None
    agency_code: str | None
    subscriber_id: int
    overdue: list[tuple[str, date, int]] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)


def _source(session_or_db: Session | Database) -> AbstractContextManager[Session]:
    if isinstance(session_or_db, Session):
        return nullcontext(session_or_db)
    return session_or_db.read()


def cutoff_list(
    session_or_db: Session | Database,
    on: date,
    *,
    actor: Actor | None = None,
    agency_code: str | None = None,
) -> CutoffList:
    """The lines proposed for suspension on ``on``, and those excluded with their reasons.

    Lowest role: supervisor (with an actor); the command line runs it as the
    operator's IT (system, no actor).
    """
    if actor is not None:
        require_role(actor, Role.SUPERVISOR)
    with _source(session_or_db) as session:
        return _cutoff_list(session, on, (agency_code or "").strip().upper() or None)


def _cutoff_list(session: Session, on: date, agency_code: str | None) -> CutoffList:
    settings = session.execute(
        select(
            OperatorSettings.currency,
            OperatorSettings.late_delivery_days,
            OperatorSettings.cutoff_grace_days,
            OperatorSettings.billing_extract_at,
        ).limit(1)
    ).first()
    if settings is None:
        raise NotFoundError(
            N_("This database has no operator yet. Create the demo with: python main.py demo"),
            field="database",
        )
    agency_id = None
    if agency_code is not None:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code))
        if agency_id is None:
            raise NotFoundError(
                N_("There is no agency {agency}."), field="agency", agency=agency_code
            )
    days = days_setting(settings.late_delivery_days)
    grace = DEFAULT_GRACE_DAYS if settings.cutoff_grace_days is None else settings.cutoff_grace_days
    cut = on - timedelta(days=grace)  # a bill due before this is overdue beyond the grace
    grace_span = timedelta(days=grace)
    lines: dict[int, _Line] = {}

    def line_of(row: Row[Any]) -> _Line:
        contract_id: int = row.contract_id
        line = lines.get(contract_id)
        if line is None:
            line = lines[contract_id] = _Line(
                row.contract_number,
                row.account_number,
                row.first_name,
                row.last_name,
                row.service,
                row.line_e164 or row.meter_number,
                row.agency_code,
                row.subscriber_id,
            )
        return line

    connection = session.connection()  # plain rows: no ORM result processing
    for row in connection.execute(_overdue_bills(cut, agency_id)):
        line = line_of(row)
        delivered = row.delivery_date
        if (
            delivered is not None
            and (row.due_date - delivered).days < days  # delivered late: its own term
            and (extended := late_fee_due_date(delivered, row.due_date, days)) + grace_span >= on
        ):
            line.exclusions.append(
                Exclusion(
                    ExclusionReason.LATE_DELIVERY,
                    row.number,
                    on=row.delivery_date,
                    until=extended,
                )
            )
        else:
            line.overdue.append((row.number, row.due_date, row.outstanding))
    if settings.billing_extract_at is not None:
        for row in connection.execute(_paid_since(settings.billing_extract_at, cut, agency_id)):
            line_of(row).exclusions.append(
                Exclusion(
                    ExclusionReason.PAID_SINCE_EXTRACT,
                    row.number,
                    on=row.paid_at.date() if row.paid_at else None,
                    detail=row.receipt_no,
                )
            )
    if lines:
        by_subscriber: dict[int, list[_Line]] = {}
        by_contract_number = {}
        for contract_id, line in lines.items():
            by_subscriber.setdefault(line.subscriber_id, []).append(line)
            by_contract_number[contract_id] = line
        for complaint in connection.execute(_open_complaints()):
            if complaint.contract_id is not None:
                touched = (
                    [by_contract_number[complaint.contract_id]]
                    if (complaint.contract_id in by_contract_number)
                    else []
                )
            else:
                touched = by_subscriber.get(complaint.subscriber_id, [])
            for line in touched:
                line.exclusions.append(
                    Exclusion(
                        ExclusionReason.COMPLAINT, complaint.number, detail=complaint.category
                    )
                )
    proposed: list[CutoffLine] = []
    excluded: list[CutoffLine] = []
    for line in sorted(lines.values(), key=lambda item: item.contract_number):
        overdue = sorted(line.overdue, key=_by_due) if len(line.overdue) > 1 else line.overdue
        # A complaint spares the whole line; a late or paid bill only itself.
        spared = any(e.reason == ExclusionReason.COMPLAINT for e in line.exclusions)
        if not overdue and not line.exclusions:
            continue
        result = CutoffLine(
            line.contract_number,
            line.account_number,
            line.first_name,
            line.last_name,
            line.service,
            line.line_or_meter,
            line.agency_code,
            tuple([bill[0] for bill in overdue]),
            sum([bill[2] for bill in overdue]),
            overdue[0][1] if overdue else None,
            tuple(_ordered(line.exclusions)) if spared or not overdue else (),
        )
        (excluded if result.exclusions else proposed).append(result)
    return CutoffList(
        on=on,
        grace_days=grace,
        late_delivery_days=days,
        extract_at=settings.billing_extract_at,
        currency=settings.currency,
        agency_code=agency_code,
        proposed=tuple(proposed),
        excluded=tuple(excluded),
    )


def _by_due(bill: tuple[str, date, int]) -> tuple[date, str]:
    return bill[1], bill[0]


def _ordered(exclusions: Iterable[Exclusion]) -> list[Exclusion]:
    rank = {reason: index for index, reason in enumerate(ExclusionReason.ALL)}
    return sorted(exclusions, key=lambda e: (rank[e.reason], e.reference))


def _line_columns() -> tuple[object, ...]:
    return (
        Contract.id.label("contract_id"),
        Contract.number.label("contract_number"),
        Contract.service,
        Contract.line_e164,
        Contract.meter_number,
        Agency.code.label("agency_code"),
        Subscriber.id.label("subscriber_id"),
        Subscriber.account_number,
        Subscriber.first_name,
        Subscriber.last_name,
    )


def _overdue_bills(cut: date, agency_id: int | None) -> Select[Any]:
    """Open bills due before ``cut`` with something left, on active lines."""
    outstanding = Invoice.amount_minor + Invoice.late_fee_minor - Invoice.paid_minor
    statement = (
        select(
            Invoice.number,
            Invoice.due_date,
            Invoice.delivery_date,
            outstanding.label("outstanding"),
            *_line_columns(),
        )
        .join(Contract, Contract.id == Invoice.contract_id)
        .join(Subscriber, Subscriber.id == Contract.subscriber_id)
        .outerjoin(Agency, Agency.id == Contract.agency_id)
        .where(
            Invoice.status.in_(OPEN_STATUSES),
            Invoice.due_date < cut,
            outstanding > 0,
            Contract.status == ContractStatus.ACTIVE,
        )
    )
    if agency_id is not None:
        statement = statement.where(Contract.agency_id == agency_id)
    return statement


def _paid_since(extract_at: datetime, cut: date, agency_id: int | None) -> Select[Any]:
    """Bills settled by counter payments made since the extract (net of voids), that
    the extract shows overdue: due before ``cut``, nothing left on them now."""
    since = (
        select(
            Allocation.invoice_id,
            func.sum(Allocation.amount_minor).label("paid"),
            func.max(Payment.created_at).label("paid_at"),
            func.max(case((Payment.kind == PaymentKind.PAYMENT, Payment.receipt_no))).label(
                "receipt_no"
            ),
        )
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Payment.created_at > extract_at)
        .group_by(Allocation.invoice_id)
        .having(func.sum(Allocation.amount_minor) > 0)
        .subquery()
    )
    statement = (
        select(Invoice.number, since.c.paid_at, since.c.receipt_no, *_line_columns())
        .join(since, since.c.invoice_id == Invoice.id)
        .join(Contract, Contract.id == Invoice.contract_id)
        .join(Subscriber, Subscriber.id == Contract.subscriber_id)
        .outerjoin(Agency, Agency.id == Contract.agency_id)
        .where(
            Invoice.due_date < cut,
            Invoice.status.in_((InvoiceStatus.PAID,)),
            Contract.status == ContractStatus.ACTIVE,
        )
    )
    if agency_id is not None:
        statement = statement.where(Contract.agency_id == agency_id)
    return statement


def _open_complaints() -> Select[Any]:
    return select(
        Complaint.number, Complaint.subscriber_id, Complaint.contract_id, Complaint.category
    ).where(
        Complaint.status.in_(ComplaintStatus.ACTIVE),
        Complaint.category.in_(CUTOFF_CATEGORIES),
    )


# --- words ---------------------------------------------------------------------------

_CATEGORY_WORDS = {
    ComplaintCategory.BILLING: N_("billing"),
    ComplaintCategory.BILL_NOT_RECEIVED: N_("bill not received"),
}


def exclusion_text(
    exclusion: Exclusion, language: str | None = None, *, isolated: bool = False
) -> str:
    """One reason in words, dates by the language's locale.

    ``isolated``: each value kept in one piece in a sentence of the other direction
    (for a screen; a CSV file gets the plain values).
    """
    locale = babel_locale(language)
    keep: Callable[[str], str] = _isolate if isolated else str

    def day(value: date | None) -> str:
        return keep(format_date(value, "short", locale=locale)) if value else "-"

    if exclusion.reason == ExclusionReason.LATE_DELIVERY:
        return gettext(
            N_("Bill {invoice} delivered late on {delivered}: its term runs to {until}"),
            language,
        ).format(
            invoice=keep(exclusion.reference),
            delivered=day(exclusion.on),
            until=day(exclusion.until),
        )
    if exclusion.reason == ExclusionReason.COMPLAINT:
        category = _CATEGORY_WORDS.get(exclusion.detail or "", exclusion.detail or "")
        return gettext(N_("Open complaint {complaint} ({category})"), language).format(
            complaint=keep(exclusion.reference), category=gettext(category, language)
        )
    return gettext(
        N_("Bill {invoice} paid at the counter on {day} (receipt {receipt}), after the extract"),
        language,
    ).format(
        invoice=keep(exclusion.reference),
        day=day(exclusion.on),
        receipt=keep(exclusion.detail or "-"),
    )


CSV_HEADER = (
    "decision",
    "contract",
    "account",
    "subscriber",
    "service",
    "line_or_meter",
    "agency",
    "overdue_bills",
    "overdue_amount",
    "currency",
    "oldest_due",
    "reasons",
    "reason_details",
)


def write_cutoff_csv(
    cutoff: CutoffList, stream: IO[bytes], *, language: str | None = None, bom: bool = False
) -> int:
    """The list as CSV (formulas neutralised, as every export): proposed lines first.

    Returns the number of rows. Lowest role: none (writes what the caller already read).
    """
    writer = TableWriter(stream, CSV_HEADER, bom=bom)
    cur = currency(cutoff.currency)
    for decision, lines in (("proposed", cutoff.proposed), ("excluded", cutoff.excluded)):
        writer.write_rows(
            (
                decision,
                line.contract_number,
                line.account_number,
                line.subscriber_name,
                line.service,
                line.line_or_meter,
                line.agency_code,
                " ".join(line.overdue_bills),
                from_minor(line.overdue_minor, cur),
                cur.code,
                line.oldest_due,
                " ".join(sorted({e.reason for e in line.exclusions})),
                " | ".join(exclusion_text(e, language) for e in line.exclusions),
            )
            for line in lines
        )
    writer.close()
    return writer.rows


def parse_cutoff_date(text: str) -> date:
    """The list's day as typed (YYYY-MM-DD); one translated line when it is not a date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            N_("{value} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31"),
            field="date",
            value=text,
        ) from None


def export_cutoff_csv(
    db: Database,
    actor: Actor | None,
    on: date,
    path: str | Path,
    *,
    agency_code: str | None = None,
    language: str | None = None,
) -> tuple[CutoffList, int]:
    """Read the list and write it as CSV to ``path``; returns the list and the rows written.

    Lowest role: supervisor (with an actor); system from the command line.
    """
    result = cutoff_list(db, on, actor=actor, agency_code=agency_code)
    target = Path(path).expanduser()
    try:
        with target.open("wb") as stream:
            rows = write_cutoff_csv(result, stream, language=language)
    except OSError as error:
        raise ValidationError(
            N_("Cannot write {path}: {reason}"),
            field="csv",
            path=str(target),
            reason=error.strerror or str(error),
        ) from None
    return result, rows
