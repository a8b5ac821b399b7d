"""The signed rows, streamed with plain SQL and turned into records.

No ORM object is built: each chain is read with a handful of Core statements
whose rows arrive a batch at a time (server-side cursors on PostgreSQL), and a
payment's tenders, allocations, top-ups and reconnections are merged in from
their own ordered streams. Every reference is an outer join, so a row pointing
at a deleted subscriber, staff member, bill or product comes back with a None
where the name should be, and is named as such instead of crashing.

Payments are read in the order they were written (by id) for all series at
once: within a series that is also sequence order, since each series' chain
head is locked from numbering to commit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Select, select

from app.compensation.ledger import compensation_record_of
from app.i18n import N_
from app.integrity.canonical import instant, signing_input
from app.integrity.records import (
    AllocationValues,
    ClosingValues,
    PaymentValues,
    TenderValues,
    TopUpValues,
    closing_record_of,
    journal_record_of,
    payment_record_of,
)
from app.workstations import workstation_ref
from db.models import (
    COMPENSATION_CHAIN,
    JOURNAL_CHAIN,
    Agency,
    Allocation,
    CashSession,
    Closing,
    Compensation,
    CompensationClaim,
    Contract,
    Invoice,
    JournalEvent,
    Payment,
    PrepaidProduct,
    ReceiptSeries,
    ReconnectionRequest,
    Staff,
    Subscriber,
    Tender,
    TopUpSale,
    Workstation,
)

YIELD_PER = 2000


@dataclass(frozen=True)
class SignedRow:
    """What verification needs of any signed row, payment or journal event.

    ``parts`` are the row's plain values, from which its record (and the message
    whose signature is checked) is built: in a worker process by
    :func:`signing_message`, or here on demand through :attr:`record`.
    """

    chain: str
    table: str  # "payments", "journal_events" or "closings": which record ``parts`` make
    row_id: int
    label: str
    seq: int
    key_id: str
    prev_signature: str
    signature: str
    parts: tuple[Any, ...]
    # What is wrong with the row before any signature is checked: a reference to a
    # row that is gone. (msgid, params) or None.
    dangling: tuple[str, dict[str, Any]] | None = None
    series_code: str | None = None  # payments: to check the receipt number
    actor_id: int | None = None  # journal events: the actor_id column, not signed
    actor_id_login: str | None = None  # ... and the login that id has in the staff table

    @cached_property
    def record(self) -> dict[str, Any]:
        return record_of(self.table, self.parts)

    @property
    def message_spec(self) -> tuple[str, str, int, str, tuple[Any, ...]]:
        """What :func:`signing_message` needs, small and quick to send to a worker."""
        return (self.table, self.chain, self.seq, self.prev_signature, self.parts)


def record_of(table: str, parts: tuple[Any, ...]) -> dict[str, Any]:
    if table == "payments":
        values, tenders, allocations, topups, reconnections = parts
        return payment_record_of(
            PaymentValues._make((*values[:12], signed_instant(values[12]), *values[13:])),
            [TenderValues(*t[1:]) for t in tenders],
            [AllocationValues(a[1], a[2], a[3]) for a in allocations],
            [TopUpValues(*t[1:7]) for t in topups],
            [r[1] for r in reconnections if r[1] is not None],
        )
    if table == "compensations":
        return compensation_record(parts)
    if table == "closings":
        kind, agency, start, end, closed_at, *rest = parts
        return closing_record_of(
            ClosingValues._make(
                (kind, agency, iso_date(start), iso_date(end), signed_instant(closed_at), *rest)
            )
        )
    kind, at, actor, workstation, subject, details = parts
    at = signed_instant(at)
    try:
        return journal_record_of(kind, at, actor, workstation, subject, details)
    except ValueError:  # details that are not JSON: signed over the text, so it fails
        record = journal_record_of(kind, at, actor, workstation, subject, "{}")
        record["details"] = details
        return record


COMPENSATION_PARTS = (
    "uid",
    "claim_id",
    "subscriber_id",
    "contract_id",
    "invoice_id",
    "kind",
    "source",
    "amount_minor",
    "currency",
    "created_at",
    "agency_id",
    "business_day",
)


def compensation_record(parts: tuple[Any, ...]) -> dict[str, Any]:
    """A compensation entry's signed record from its plain values (in COMPENSATION_PARTS
    order), as the driver returns them."""
    values = dict(zip(COMPENSATION_PARTS, parts, strict=True))
    values["created_at"] = signed_instant(values["created_at"])
    day = iso_date(values["business_day"])
    values["business_day"] = date.fromisoformat(day) if day else None
    return compensation_record_of(values)


def signing_message(spec: tuple[str, str, int, str, tuple[Any, ...]]) -> bytes:
    """The bytes whose signature is checked, built from a row's plain values.

    Runs in the worker processes, so that the main one only reads rows.
    """
    table, chain, seq, prev_signature, parts = spec
    return signing_input(chain, seq, record_of(table, parts), prev_signature, checked=False)


def stream(connection: Connection, statement: Select[Any]) -> Iterator[Any]:
    """Rows of ``statement`` a batch at a time, with SQLAlchemy's type processing."""
    return iter(connection.execute(statement.execution_options(yield_per=YIELD_PER)))


def stream_raw(connection: Connection, statement: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``statement`` straight from the driver: a server-side cursor on
    PostgreSQL, batches of YIELD_PER, no per-value processing (a third of the cost
    per row for the chains' millions of rows). Instants come back as the driver
    gives them; see :func:`signed_instant`."""
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.params:
        raise ValueError("stream_raw takes statements without parameters")
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"guichet_verify_{next(_cursor_names)}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(str(compiled))
        while rows := cursor.fetchmany(YIELD_PER):
            yield from rows
    finally:
        cursor.close()


_cursor_names = itertools.count(1)


def signed_instant(value: Any) -> str:
    """The signed text of an instant as the driver returns it, without building a
    datetime: SQLite gives SQLAlchemy's stored text ("2026-11-21 10:30:00.000000",
    naive UTC), PostgreSQL a naive UTC datetime. Same text as canonical.instant."""
    if isinstance(value, str):
        text = value.replace(" ", "T", 1)
        return (text if len(text) > 19 else text + ".000000")[:26] + "Z"
    return instant(value.replace(tzinfo=UTC) if value.tzinfo is None else value)


def iso_date(value: Any) -> str | None:
    """A date as the driver returns it (SQLite: the stored ISO text), as signed."""
    if value is None or isinstance(value, str):
        return value
    return str(value.isoformat())


class _Children:
    """Rows of one child table, ordered by payment id, handed out payment by payment."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next: Any = next(rows, None)
        self.orphans = 0  # rows whose payment is not there

    def take(self, payment_id: int) -> list[Any]:
        taken = []
        row = self._next
        while row is not None and row[0] <= payment_id:
            if row[0] == payment_id:
                taken.append(row)
            else:
                self.orphans += 1
            row = next(self._rows, None)
        self._next = row
        return taken

    def drain(self) -> None:
        while self._next is not None:
            self.orphans += 1
            self._next = next(self._rows, None)


def _tables() -> dict[str, Any]:
    return {
        "payment": Payment.__table__,
        "voided": Payment.__table__.alias("voided"),
        "subscriber": Subscriber.__table__,
        "series": ReceiptSeries.__table__,
        "workstation": Workstation.__table__,
        "agency": Agency.__table__,
        "till": CashSession.__table__,
        "agent": Staff.__table__.alias("agent"),
        "approver": Staff.__table__.alias("approver"),
    }


def _payment_statement() -> Select[Any]:
    t = _tables()
    p = t["payment"].c
    return (
        select(
            p.id,
            p.series_id,
            p.seq,
            p.key_id,
            p.prev_signature,
            p.signature,
            p.subscriber_id,
            p.workstation_id,
            p.cash_session_id,
            p.agent_id,
            p.approved_by_id,
            p.voids_payment_id,
            # PaymentValues, in order, with the workstation's two codes
            p.uid,
            p.kind,
            p.receipt_no,
            t["voided"].c.receipt_no,
            t["subscriber"].c.account_number,
            t["series"].c.code,
            t["workstation"].c.code,
            t["agency"].c.code,
            t["till"].c.id,
            t["agent"].c.login,
            t["approver"].c.login,
            p.reason,
            p.created_at,
            p.currency,
            p.tendered_minor,
            p.change_minor,
            p.allocated_minor,
            p.topups_minor,
            p.credit_used_minor,
            p.credit_added_minor,
            p.business_day,
        )
        .select_from(
            t["payment"]
            .outerjoin(t["voided"], t["voided"].c.id == p.voids_payment_id)
            .outerjoin(t["subscriber"], t["subscriber"].c.id == p.subscriber_id)
            .outerjoin(t["series"], t["series"].c.id == p.series_id)
            .outerjoin(t["workstation"], t["workstation"].c.id == p.workstation_id)
            .outerjoin(t["agency"], t["agency"].c.id == t["workstation"].c.agency_id)
            .outerjoin(t["till"], t["till"].c.id == p.cash_session_id)
            .outerjoin(t["agent"], t["agent"].c.id == p.agent_id)
            .outerjoin(t["approver"], t["approver"].c.id == p.approved_by_id)
        )
        .order_by(p.id)
    )


def _child_statements() -> tuple[Select[Any], Select[Any], Select[Any], Select[Any]]:
    """A payment's lines, by payment only: the payment_id index gives that order
    without a sort, and a record puts each payment's lines in position order."""
    tender = Tender.__table__.c
    allocation = Allocation.__table__.c
    invoice = Invoice.__table__.c
    sale = TopUpSale.__table__.c
    product = PrepaidProduct.__table__.c
    request = ReconnectionRequest.__table__.c
    contract = Contract.__table__.c
    tenders = select(
        tender.payment_id,
        tender.position,
        tender.kind,
        tender.amount_minor,
        tender.cheque_number,
        tender.bank,
        tender.authorisation_code,
        tender.transfer_reference,
    ).order_by(tender.payment_id)
    allocations = (
        select(
            allocation.payment_id,
            allocation.position,
            invoice.number,
            allocation.amount_minor,
            allocation.invoice_id,
        )
        .select_from(Allocation.__table__.outerjoin(Invoice.__table__))
        .order_by(allocation.payment_id)
    )
    topups = (
        select(
            sale.payment_id,
            sale.position,
            product.code,
            sale.target_number,
            sale.quantity,
            sale.unit_minor,
            sale.amount_minor,
            sale.product_id,
        )
        .select_from(TopUpSale.__table__.outerjoin(PrepaidProduct.__table__))
        .order_by(sale.payment_id)
    )
    reconnections = (
        select(request.payment_id, contract.number, request.contract_id)
        .select_from(ReconnectionRequest.__table__.outerjoin(Contract.__table__))
        .order_by(request.payment_id)
    )
    return tenders, allocations, topups, reconnections


# What `verify` says when a payment refers to a row that is gone.
GONE = {
    "series": N_("its receipt series #{id} is missing (deleted?)"),
    "subscriber": N_("it points to subscriber #{id}, which is missing (deleted?)"),
    "workstation": N_("it points to workstation #{id}, which is missing (deleted?)"),
    "agency": N_("the agency of its workstation #{id} is missing (deleted?)"),
    "till": N_("it points to cash session #{id}, which is missing (deleted?)"),
    "closing_agency": N_("its agency #{id} is missing (deleted?)"),
    "staff": N_("it points to staff member #{id}, who is missing (deleted?)"),
    "payment": N_("it voids payment #{id}, which is missing (deleted?)"),
    "bill": N_("it pays bill #{id}, which is missing (deleted?)"),
    "product": N_("it sells product #{id}, which is missing (deleted?)"),
    "contract": N_("it reconnects contract #{id}, which is missing (deleted?)"),
    "claim": N_("it pays compensation claim #{id}, which is missing (deleted?)"),
}


def _dangling(
    row: Any, allocations: list[Any], topups: list[Any], reconnections: list[Any]
) -> tuple[str, dict[str, Any]] | None:
    """The first reference of a payment to a row that is gone, or None."""
    gone: tuple[str, int] | None = None
    if row[17] is None:
        gone = "series", row[1]
    elif row[16] is None:
        gone = "subscriber", row[6]
    elif row[18] is None:
        gone = "workstation", row[7]
    elif row[19] is None:
        gone = "agency", row[7]
    elif row[8] is not None and row[20] is None:
        gone = "till", row[8]
    elif row[21] is None:
        gone = "staff", row[9]
    elif row[10] is not None and row[22] is None:
        gone = "staff", row[10]
    elif row[11] is not None and row[15] is None:
        gone = "payment", row[11]
    else:
        gone = (
            next((("bill", a[4]) for a in allocations if a[2] is None), None)
            or next((("product", s[7]) for s in topups if s[2] is None), None)
            or next((("contract", r[2]) for r in reconnections if r[1] is None), None)
        )
    return None if gone is None else (GONE[gone[0]], {"id": gone[1]})


class PaymentStream:
    """Every payment of every series, as signed rows, in the order they were written."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.orphans: dict[str, int] = {}

    def __iter__(self) -> Iterator[SignedRow]:
        connection = self._connection
        tender_rows, allocation_rows, topup_rows, reconnection_rows = _child_statements()
        children = {
            "tenders": _Children(stream_raw(connection, tender_rows)),
            "allocations": _Children(stream_raw(connection, allocation_rows)),
            "topup_sales": _Children(stream_raw(connection, topup_rows)),
            "reconnection_requests": _Children(stream_raw(connection, reconnection_rows)),
        }
        tenders, allocations, topups, reconnections = children.values()
        for row in stream_raw(connection, _payment_statement()):
            payment_id = row[0]
            its_tenders = tenders.take(payment_id)
            its_allocations = allocations.take(payment_id)
            its_topups = topups.take(payment_id)
            its_reconnections = reconnections.take(payment_id)
            series_code, station, agency = row[17], row[18], row[19]
            values = (
                *row[12:18],
                workstation_ref(agency, station) if station and agency else None,
                agency,
                row[8],
                *row[21:32],
                iso_date(row[32]),
            )
            dangling = _dangling(row, its_allocations, its_topups, its_reconnections)
            yield SignedRow(
                chain=f"receipts/{series_code}" if series_code else f"receipts/#{row[1]}",
                table="payments",
                row_id=payment_id,
                label=row[14],
                seq=row[2],
                key_id=row[3],
                prev_signature=row[4],
                signature=row[5],
                parts=(values, its_tenders, its_allocations, its_topups, its_reconnections),
                dangling=dangling,
                series_code=series_code,
            )
        for name, child in children.items():
            child.drain()
            if child.orphans:
                self.orphans[name] = child.orphans


def journal_rows(connection: Connection) -> Iterator[SignedRow]:
    """The journal in sequence order, with the login the unsigned actor_id points at."""
    event = JournalEvent.__table__.c
    staff = Staff.__table__
    statement = (
        select(
            event.id,
            event.seq,
            event.key_id,
            event.prev_signature,
            event.signature,
            event.kind,
            event.occurred_at,
            event.actor_login,
            event.workstation,
            event.subject,
            event.details,
            event.actor_id,
            staff.c.login,
        )
        .select_from(JournalEvent.__table__.outerjoin(staff, staff.c.id == event.actor_id))
        .order_by(event.seq, event.id)
    )
    for row in stream_raw(connection, statement):
        yield SignedRow(
            chain=JOURNAL_CHAIN,
            table="journal_events",
            row_id=row[0],
            label=f"journal #{row[1]} ({row[5]})",
            seq=row[1],
            key_id=row[2],
            prev_signature=row[3],
            signature=row[4],
            parts=row[5:11],
            actor_id=row[11],
            actor_id_login=row[12],
        )


def closing_rows(connection: Connection) -> Iterator[SignedRow]:
    """Every agency's closings, in the order they were written, each in its agency's chain."""
    closing = Closing.__table__.c
    agency = Agency.__table__
    staff = Staff.__table__
    statement = (
        select(
            closing.id,
            closing.agency_id,
            closing.closed_by_id,
            closing.seq,
            closing.key_id,
            closing.prev_signature,
            closing.signature,
            # ClosingValues, in order
            closing.kind,
            agency.c.code,
            closing.period_start,
            closing.period_end,
            closing.closed_at,
            staff.c.login,
            closing.automatic,
            closing.currency,
            closing.payments_count,
            closing.payments_minor,
            closing.voids_count,
            closing.voids_minor,
            closing.bills_minor,
            closing.topups_minor,
            closing.credit_minor,
            closing.period_minor,
            closing.perpetual_minor,
            closing.perpetual_absolute_minor,
            closing.breakdown,
        )
        .select_from(
            Closing.__table__.outerjoin(agency, agency.c.id == closing.agency_id).outerjoin(
                staff, staff.c.id == closing.closed_by_id
            )
        )
        .order_by(closing.id)
    )
    for row in stream_raw(connection, statement):
        agency_code, login = row[8], row[12]
        dangling: tuple[str, dict[str, Any]] | None = None
        if agency_code is None:
            dangling = GONE["closing_agency"], {"id": row[1]}
        elif login is None:
            dangling = GONE["staff"], {"id": row[2]}
        yield SignedRow(
            chain=Closing.chain_name_of(agency_code or f"#{row[1]}"),
            table="closings",
            row_id=row[0],
            label=closing_label(row[7], iso_date(row[9]) or ""),
            seq=row[3],
            key_id=row[4],
            prev_signature=row[5],
            signature=row[6],
            parts=tuple(row[7:]),
            dangling=dangling,
        )


def closing_label(kind: str, period_start: str) -> str:
    """How `verify` names a closing: "daily 2026-11-21", "monthly 2026-11", "yearly 2026"."""
    if kind == "yearly":
        return f"{kind} {period_start[:4]}"
    if kind == "monthly":
        return f"{kind} {period_start[:7]}"
    return f"{kind} {period_start}"


def compensation_rows(connection: Connection) -> Iterator[SignedRow]:
    """The compensations ledger in the order it was written (one chain for the operator).

    An entry whose claim is gone is named (its claim id is part of what it says)."""
    entry = Compensation.__table__.c
    claim = CompensationClaim.__table__.c
    statement = (
        select(
            entry.id,
            entry.seq,
            entry.key_id,
            entry.prev_signature,
            entry.signature,
            *(entry[name] for name in COMPENSATION_PARTS),
            claim.id,
        )
        .select_from(
            Compensation.__table__.outerjoin(
                CompensationClaim.__table__, claim.id == entry.claim_id
            )
        )
        .order_by(entry.seq, entry.id)
    )
    for row in stream_raw(connection, statement):
        parts = tuple(row[5:17])
        dangling: tuple[str, dict[str, Any]] | None = None
        if row[17] is None:
            dangling = GONE["claim"], {"id": parts[1]}
        yield SignedRow(
            chain=COMPENSATION_CHAIN,
            table="compensations",
            row_id=row[0],
            label=compensation_label(row[1], parts[1]),
            seq=row[1],
            key_id=row[2],
            prev_signature=row[3],
            signature=row[4],
            parts=parts,
            dangling=dangling,
        )


def compensation_label(seq: int, claim_id: int) -> str:
    """How `verify` names a compensation entry: "compensation #12 (claim 40)"."""
    return f"compensation #{seq} (claim {claim_id})"
