"""The rows of each exported table, streamed from the database in one snapshot.

Each function runs one SELECT with its joins (no lookup per row) and yields
tuples in the order of its table's columns (:mod:`app.exports.tables`); the
driver hands rows over in batches (``yield_per``), so a year of payments never
sits in memory. Amounts leave as Decimal in their currency's minor units.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, and_, select

from app.closing.days import local_date
from app.exports.scope import ExportScope
from app.money import currency, from_minor
from app.workstations import workstation_ref
from db.models import (
    Agency,
    Allocation,
    CashMovement,
    CashSession,
    Closing,
    Invoice,
    Payment,
    PaymentKind,
    PrepaidProduct,
    Staff,
    Subscriber,
    Tender,
    TillCount,
    TillReview,
    TopUpSale,
    Workstation,
)

Row = tuple[Any, ...]
BATCH = 1000


def _t(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


PAYMENTS = _t(Payment)
ORIGINALS = PAYMENTS.alias("original")
WORKSTATIONS = _t(Workstation)
AGENCIES = _t(Agency)
SUBSCRIBERS = _t(Subscriber)
AGENTS = _t(Staff).alias("agent")
APPROVERS = _t(Staff).alias("approver")
SESSIONS = _t(CashSession)


def _stream(connection: Connection, query: Select[Any]) -> Iterator[Any]:
    yield from connection.execution_options(yield_per=BATCH).execute(query)


def _money(minor: int | None, code: str) -> Decimal | None:
    return None if minor is None else from_minor(int(minor), currency(code))


def _day(business_day: date | None, created_at: datetime, zone: Any) -> date:
    """A ledger row's business day: stored, or its local date for rows made before
    closings existed."""
    return business_day if business_day is not None else local_date(created_at, zone)


def _ledger(scope: ExportScope, *columns: Any) -> Select[Any]:
    """The period's payments and voids with where they were made; ``columns`` first."""
    p, ws = PAYMENTS.c, WORKSTATIONS.c
    return (
        select(
            *columns,
            p.receipt_no,
            p.kind,
            p.business_day,
            p.created_at,
            ws.agency_id,
            AGENCIES.c.code,
            p.currency,
        )
        .select_from(
            PAYMENTS.join(WORKSTATIONS, ws.id == p.workstation_id).join(
                AGENCIES, AGENCIES.c.id == ws.agency_id
            )
        )
        .where(scope.business_days(ws.agency_id, p.business_day, p.created_at))
    )


def _head(scope: ExportScope, row: Any, width: int) -> tuple[Row, list[Any]]:
    """Split a _ledger row: (receipt, kind, business day, agency, currency) and the rest."""
    rest = list(row[:width])
    receipt, kind, business_day, created_at, agency_id, agency, code = row[width:]
    day = _day(business_day, created_at, scope.by_id[agency_id].zone)
    return (receipt, kind, day, agency, code), rest


def payments(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    p, ws = PAYMENTS.c, WORKSTATIONS.c
    query = (
        _ledger(
            scope,
            ORIGINALS.c.receipt_no,
            ws.code,
            p.cash_session_id,
            AGENTS.c.login,
            APPROVERS.c.login,
            SUBSCRIBERS.c.account_number,
            p.tendered_minor,
            p.change_minor,
            p.allocated_minor,
            p.topups_minor,
            p.credit_used_minor,
            p.credit_added_minor,
            p.key_id,
            p.signature,
        )
        .join(SUBSCRIBERS, SUBSCRIBERS.c.id == p.subscriber_id)
        .join(AGENTS, AGENTS.c.id == p.agent_id)
        .outerjoin(APPROVERS, APPROVERS.c.id == p.approved_by_id)
        .outerjoin(ORIGINALS, ORIGINALS.c.id == p.voids_payment_id)
        .order_by(AGENCIES.c.code, p.created_at, p.id)
    )
    for row in _stream(connection, query):
        (receipt, kind, day, agency, code), rest = _head(scope, row, 14)
        original, station, till, agent, approver, account, tendered, change = rest[:8]
        allocated, topups, used, added, key_id, signature = rest[8:]
        created_at = row[17]
        yield (
            receipt,
            kind,
            original,
            day,
            created_at,
            agency,
            workstation_ref(agency, station),
            till,
            agent,
            approver,
            account,
            code,
            _money(tendered, code),
            _money(change, code),
            _money(tendered - change, code),
            _money(allocated, code),
            _money(topups, code),
            _money(used, code),
            _money(added, code),
            key_id,
            signature,
        )


def allocations(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    a = _t(Allocation).c
    invoices = _t(Invoice)
    query = (
        _ledger(scope, a.position, invoices.c.number, SUBSCRIBERS.c.account_number, a.amount_minor)
        .join(_t(Allocation), a.payment_id == PAYMENTS.c.id)
        .join(invoices, invoices.c.id == a.invoice_id)
        .join(SUBSCRIBERS, SUBSCRIBERS.c.id == PAYMENTS.c.subscriber_id)
        .order_by(AGENCIES.c.code, PAYMENTS.c.created_at, PAYMENTS.c.id, a.position)
    )
    for row in _stream(connection, query):
        (receipt, kind, day, agency, code), (position, invoice, account, amount) = _head(
            scope, row, 4
        )
        yield (receipt, kind, day, agency, account, position, invoice, code, _money(amount, code))


def tenders(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    t = _t(Tender).c
    query = (
        _ledger(
            scope,
            t.position,
            t.kind,
            t.amount_minor,
            t.cheque_number,
            t.bank,
            t.authorisation_code,
            t.transfer_reference,
        )
        .join(_t(Tender), t.payment_id == PAYMENTS.c.id)
        .order_by(AGENCIES.c.code, PAYMENTS.c.created_at, PAYMENTS.c.id, t.position)
    )
    for row in _stream(connection, query):
        (receipt, kind, day, agency, code), rest = _head(scope, row, 7)
        position, tender, amount, cheque, bank, authorisation, transfer = rest
        yield (
            receipt,
            kind,
            day,
            agency,
            position,
            tender,
            code,
            _money(amount, code),
            cheque,
            bank,
            authorisation,
            transfer,
        )


def topups(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    s = _t(TopUpSale).c
    products = _t(PrepaidProduct)
    query = (
        _ledger(
            scope,
            s.position,
            products.c.code,
            s.target_number,
            s.quantity,
            s.unit_minor,
            s.amount_minor,
        )
        .join(_t(TopUpSale), s.payment_id == PAYMENTS.c.id)
        .join(products, products.c.id == s.product_id)
        .order_by(AGENCIES.c.code, PAYMENTS.c.created_at, PAYMENTS.c.id, s.position)
    )
    for row in _stream(connection, query):
        (receipt, kind, day, agency, code), rest = _head(scope, row, 6)
        position, product, target, quantity, unit, amount = rest
        yield (
            receipt,
            kind,
            day,
            agency,
            position,
            product,
            target,
            quantity,
            code,
            _money(unit, code),
            _money(amount, code),
        )


def voids(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    p, o, ws = PAYMENTS.c, ORIGINALS.c, WORKSTATIONS.c
    query = (
        _ledger(
            scope,
            ws.code,
            AGENTS.c.login,
            APPROVERS.c.login,
            p.reason,
            SUBSCRIBERS.c.account_number,
            p.tendered_minor,
            p.change_minor,
            o.receipt_no,
            o.business_day,
            o.created_at,
        )
        .join(SUBSCRIBERS, SUBSCRIBERS.c.id == p.subscriber_id)
        .join(AGENTS, AGENTS.c.id == p.agent_id)
        .outerjoin(APPROVERS, APPROVERS.c.id == p.approved_by_id)
        .join(ORIGINALS, o.id == p.voids_payment_id)
        .where(p.kind == PaymentKind.VOID)
        .order_by(AGENCIES.c.code, p.created_at, p.id)
    )
    for row in _stream(connection, query):
        (receipt, _kind, day, agency, code), rest = _head(scope, row, 10)
        station, agent, approver, reason, account, tendered, change = rest[:7]
        original, original_day, original_at = rest[7:]
        zone = scope.by_id[row[14]].zone
        yield (
            receipt,
            day,
            row[13],
            agency,
            workstation_ref(agency, station),
            agent,
            approver,
            reason,
            account,
            original,
            _day(original_day, original_at, zone),
            code,
            _money(tendered - change, code),
        )


def _till_source(table: Table) -> Any:
    """A till table joined to its session, counter and agency."""
    return (
        table.join(SESSIONS, SESSIONS.c.id == table.c.cash_session_id)
        .join(WORKSTATIONS, WORKSTATIONS.c.id == SESSIONS.c.workstation_id)
        .join(AGENCIES, AGENCIES.c.id == WORKSTATIONS.c.agency_id)
    )


def cash_movements(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    movements = _t(CashMovement)
    m = movements.c
    recorder = _t(Staff).alias("recorder")
    query = (
        select(
            m.id,
            m.occurred_at,
            WORKSTATIONS.c.agency_id,
            AGENCIES.c.code,
            WORKSTATIONS.c.code,
            m.cash_session_id,
            m.kind,
            m.currency,
            m.amount_minor,
            recorder.c.login,
            APPROVERS.c.login,
            m.reason,
            m.reference,
        )
        .select_from(
            _till_source(movements)
            .join(recorder, recorder.c.id == m.recorded_by_id)
            .outerjoin(APPROVERS, APPROVERS.c.id == m.approved_by_id)
        )
        .where(scope.local_days(WORKSTATIONS.c.agency_id, m.occurred_at))
        .order_by(AGENCIES.c.code, m.occurred_at, m.id)
    )
    for row in _stream(connection, query):
        movement, at, agency_id, agency, station, till, kind, code, amount = row[:9]
        recorded_by, approver, reason, reference = row[9:]
        yield (
            movement,
            local_date(at, scope.by_id[agency_id].zone),
            at,
            agency,
            workstation_ref(agency, station),
            till,
            kind,
            code,
            _money(amount, code),
            recorded_by,
            approver,
            reason,
            reference,
        )


def till_counts(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    counts = _t(TillCount)
    c = counts.c
    counter = _t(Staff).alias("counter")
    query = (
        select(
            c.id,
            c.counted_at,
            WORKSTATIONS.c.agency_id,
            AGENCIES.c.code,
            WORKSTATIONS.c.code,
            c.cash_session_id,
            c.seq,
            c.purpose,
            counter.c.login,
            c.currency,
            c.cash_minor,
            c.cheque_minor,
            c.card_minor,
            c.postal_transfer_minor,
            c.card_slips,
            c.postal_transfers,
        )
        .select_from(_till_source(counts).join(counter, counter.c.id == c.counted_by_id))
        .where(scope.local_days(WORKSTATIONS.c.agency_id, c.counted_at))
        .order_by(AGENCIES.c.code, c.counted_at, c.id)
    )
    for row in _stream(connection, query):
        count, at, agency_id, agency, station, till, seq, purpose, login, code = row[:10]
        cash, cheque, card, postal, slips, transfers = row[10:]
        yield (
            count,
            local_date(at, scope.by_id[agency_id].zone),
            at,
            agency,
            workstation_ref(agency, station),
            till,
            seq,
            purpose,
            login,
            code,
            _money(cash, code),
            _money(cheque, code),
            _money(card, code),
            _money(postal, code),
            slips,
            transfers,
        )


def till_reviews(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    reviews = _t(TillReview)
    r = reviews.c
    reviewer = _t(Staff).alias("reviewer")
    query = (
        select(
            r.cash_session_id,
            r.reviewed_at,
            WORKSTATIONS.c.agency_id,
            AGENCIES.c.code,
            WORKSTATIONS.c.code,
            r.count_id,
            reviewer.c.login,
            r.currency,
            r.expected_cash_minor,
            r.expected_cheque_minor,
            r.expected_card_minor,
            r.expected_postal_transfer_minor,
            r.difference_minor,
            r.reason,
        )
        .select_from(_till_source(reviews).join(reviewer, reviewer.c.id == r.reviewed_by_id))
        .where(scope.local_days(WORKSTATIONS.c.agency_id, r.reviewed_at))
        .order_by(AGENCIES.c.code, r.reviewed_at, r.id)
    )
    for row in _stream(connection, query):
        till, at, agency_id, agency, station, count, login, code = row[:8]
        cash, cheque, card, postal, difference, reason = row[8:]
        yield (
            till,
            local_date(at, scope.by_id[agency_id].zone),
            at,
            agency,
            workstation_ref(agency, station),
            count,
            login,
            code,
            _money(cash, code),
            _money(cheque, code),
            _money(card, code),
            _money(postal, code),
            _money(difference, code),
            reason,
        )


def closings(connection: Connection, scope: ExportScope) -> Iterator[Row]:
    table = _t(Closing)
    k = table.c
    closer = _t(Staff).alias("closer")
    query = (
        select(
            AGENCIES.c.code,
            k.kind,
            k.period_start,
            k.period_end,
            k.closed_at,
            closer.c.login,
            k.automatic,
            k.currency,
            k.payments_count,
            k.payments_minor,
            k.voids_count,
            k.voids_minor,
            k.bills_minor,
            k.topups_minor,
            k.credit_minor,
            k.period_minor,
            k.perpetual_minor,
            k.perpetual_absolute_minor,
            k.seq,
            k.key_id,
            k.signature,
        )
        .select_from(
            table.join(AGENCIES, AGENCIES.c.id == k.agency_id).join(
                closer, closer.c.id == k.closed_by_id
            )
        )
        .where(
            and_(
                k.agency_id.in_([agency.id for agency in scope.agencies]),
                k.period_start >= scope.start,
                k.period_end <= scope.end,
            )
        )
        .order_by(AGENCIES.c.code, k.seq)
    )
    for row in _stream(connection, query):
        code = row[7]
        yield (
            *row[:8],
            row[8],
            _money(row[9], code),
            row[10],
            *(_money(value, code) for value in row[11:18]),
            *row[18:],
        )
