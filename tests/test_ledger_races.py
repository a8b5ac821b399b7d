"""Several counters on one PostgreSQL database: payments, voids and credit at once.

Each deterministic test holds a row lock from a raw connection so that one
counter (a child process) stops at the dangerous point, lets another counter
act, then lets the first go on. The randomized race runs a dozen processes of
payments, voids and credit use, then checks every bill and account against the
ledger.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.auth import add_user
from app.cash import open_cash_session
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest
from db.engine import Database
from db.models import (
    Agency,
    Allocation,
    Invoice,
    InvoiceStatus,
    Payment,
    ReceiptSeries,
    TenderKind,
    Workstation,
    WorkstationKind,
)
from tests.conftest import PG_ADMIN_URL
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.race_workers import (
    Counter,
    Soldier,
    pay_in_child,
    random_counter,
    result,
    start,
    void_in_child,
    wait_for_lock_waiters,
)

pytestmark = pytest.mark.postgres

OTHER_WORKSTATION = "ALG01-G02"


@pytest.fixture
def world(postgres_database: Database, tmp_path: Path) -> World:
    return build_world(postgres_database, tmp_path / "keys")


def _key_file(tmp_path: Path) -> str:
    return str(tmp_path / "keys" / "signing-key.pem")


def _raw_url(database: Database) -> str:
    return make_url(database.url).set(drivername="postgresql").render_as_string(False)


def _name(database: Database) -> str:
    return str(make_url(database.url).database)


def _cash(amount: str) -> tuple[TenderInput, ...]:
    return (TenderInput(TenderKind.CASH, Decimal(amount)),)


def _pay(world: World, key: str, account: str, amount: str, **options: object) -> str:
    request = PaymentRequest(key, account, WORKSTATION, _cash(amount), **options)  # type: ignore[arg-type]
    return take_payment(world.ctx, world.agent, request).receipt_no


def _bills_disagreeing_with_ledger(database: Database) -> list[tuple[str, int, int, str]]:
    """Bills whose paid amount or status is not what their allocations say."""
    with database.read() as session:
        paid = (
            select(Allocation.invoice_id, func.sum(Allocation.amount_minor).label("paid"))
            .group_by(Allocation.invoice_id)
            .subquery()
        )
        rows = session.execute(
            select(Invoice, func.coalesce(paid.c.paid, 0)).outerjoin(
                paid, paid.c.invoice_id == Invoice.id
            )
        ).all()
    wrong = []
    for invoice, ledger_paid in rows:
        total = invoice.amount_minor + invoice.late_fee_minor
        expected = (
            InvoiceStatus.PAID
            if ledger_paid >= total
            else InvoiceStatus.PARTLY_PAID
            if ledger_paid > 0
            else InvoiceStatus.OPEN
        )
        if invoice.paid_minor != ledger_paid or invoice.status != expected:
            wrong.append((invoice.number, invoice.paid_minor, int(ledger_paid), invoice.status))
    return wrong


def _credits(database: Database) -> dict[int, int]:
    with database.read() as session:
        return {
            subscriber_id: int(balance)
            for subscriber_id, balance in session.execute(
                select(
                    Payment.subscriber_id,
                    func.sum(Payment.credit_added_minor - Payment.credit_used_minor),
                ).group_by(Payment.subscriber_id)
            )
        }


class HeldLock:
    """A raw connection holding row locks until ``release``, as a slow counter would."""

    def __init__(self, database: Database, statement: str) -> None:
        self.connection = psycopg.connect(_raw_url(database))
        self.connection.execute(statement)

    def release(self) -> None:
        self.connection.commit()
        self.connection.close()


def test_a_payment_made_while_a_void_waits_stays_on_the_bill(world: World, tmp_path: Path) -> None:
    """Today's bug: the void wrote back the bill's paid amount it had read before the payment."""
    add_subscriber(world.db, "1000000001", invoices=[("F1", 100000, date(2026, 10, 1))])
    first = _pay(world, "p1", "1000000001", "400")
    held = HeldLock(world.db, "SELECT id FROM staff WHERE login = 'karim' FOR UPDATE")
    try:
        counter = Counter(world.db.url, _key_file(tmp_path), world.other_agent)
        void = VoidRequest("v1", first, OTHER_WORKSTATION, "wrong account", "karim", PASSWORD)
        process, out = start(void_in_child, counter, void)
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
        _pay(world, "p2", "1000000001", "300")  # another counter, while the void waits
    finally:
        held.release()
    assert result(process, out)[0] == "ok"
    assert _bills_disagreeing_with_ledger(world.db) == []
    with world.db.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F1")).one()
    assert (bill.paid_minor, bill.status) == (30000, InvoiceStatus.PARTLY_PAID)


def test_credit_spent_while_a_void_takes_it_back_never_goes_negative(
    world: World, tmp_path: Path
) -> None:
    add_subscriber(world.db, "1000000002", invoices=[("F1", 100000, date(2026, 10, 1))])
    first = _pay(world, "p1", "1000000002", "1500", keep_change_as_credit=True)
    with world.db.write() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F1")).one()
        session.add(
            Invoice(
                number="F2",
                contract_id=bill.contract_id,
                subscriber_id=bill.subscriber_id,
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
                issue_date=date(2026, 11, 1),
                due_date=date(2026, 12, 1),
                amount_minor=50000,
                late_fee_minor=0,
                paid_minor=0,
                status=InvoiceStatus.OPEN,
                barcode="BCF2",
            )
        )
    key_file = _key_file(tmp_path)
    held = HeldLock(world.db, "SELECT 1 FROM chain_heads WHERE name = 'journal' FOR UPDATE")
    try:
        void = VoidRequest("v1", first, OTHER_WORKSTATION, "wrong account", "karim", PASSWORD)
        voiding, void_out = start(
            void_in_child, Counter(world.db.url, key_file, world.other_agent), void
        )
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
        # Another counter spends the credit (no money handed over) while the void waits.
        spend = PaymentRequest("p2", "1000000002", WORKSTATION, (), use_credit=True)
        paying, pay_out = start(pay_in_child, Counter(world.db.url, key_file, world.agent), spend)
        deadline = time.monotonic() + 30
        while pay_out.empty() and time.monotonic() < deadline:
            try:
                wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2, timeout=0.2)
                break  # the payment waits for the void: the safe order
            except AssertionError:
                continue
    finally:
        held.release()
    void_outcome, pay_outcome = result(voiding, void_out), result(paying, pay_out)
    # Whichever takes the account first wins; the other is refused in plain words.
    if void_outcome[0] == "ok":
        assert pay_outcome[:2] == ("refused", "ValidationError"), pay_outcome
    else:
        assert pay_outcome[0] == "ok", pay_outcome
        assert void_outcome[1:] == (
            "ConflictError",
            f"The credit left by {first} has already been used; void the later payment first.",
        )
    assert min(_credits(world.db).values()) >= 0
    assert _bills_disagreeing_with_ledger(world.db) == []


def test_two_supervisors_voiding_one_receipt_get_a_clear_refusal(
    world: World, tmp_path: Path
) -> None:
    add_subscriber(world.db, "1000000003", invoices=[("F1", 100000, date(2026, 10, 1))])
    add_user(world.ctx, "salima", role="supervisor", password=PASSWORD)
    first = _pay(world, "p1", "1000000003", "1000")
    key_file = _key_file(tmp_path)
    held = HeldLock(world.db, "SELECT 1 FROM chain_heads WHERE name = 'journal' FOR UPDATE")
    try:
        one = start(
            void_in_child,
            Counter(world.db.url, key_file, world.agent),
            VoidRequest("v1", first, WORKSTATION, "double", "karim", PASSWORD),
        )
        two = start(
            void_in_child,
            Counter(world.db.url, key_file, world.other_agent),
            VoidRequest("v2", first, OTHER_WORKSTATION, "double", "salima", PASSWORD),
        )
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)
    finally:
        held.release()
    outcomes = sorted([result(*one), result(*two)])
    assert [outcome[0] for outcome in outcomes] == ["ok", "refused"], outcomes
    void_no = outcomes[0][1]
    assert outcomes[1][1] == "ConflictError"
    assert outcomes[1][2] == f"{first} was already voided by {void_no}."
    assert _bills_disagreeing_with_ledger(world.db) == []


def _more_counters(world: World, count: int) -> list[str]:
    refs = []
    with world.db.write() as session:
        agency = session.scalars(select(Agency)).one()
        for number in range(3, 3 + count):
            code = f"G{number:02d}"
            session.add(
                Workstation(
                    agency=agency,
                    code=code,
                    name=f"Guichet {code}",
                    kind=WorkstationKind.COUNTER,
                    series=ReceiptSeries(code=f"ALG01-{code}"),
                )
            )
            refs.append(f"ALG01-{code}")
    for ref in refs:
        open_cash_session(world.ctx, world.agent, ref, Decimal("0"))
    return refs


def test_randomized_race_of_payments_voids_and_credit_keeps_bills_equal_to_the_ledger(
    world: World, tmp_path: Path
) -> None:
    processes = 12
    accounts = ("2000000001", "2000000002", "2000000003")
    for account in accounts:
        add_subscriber(
            world.db,
            account,
            invoices=[
                (f"R{account[-1]}{month:02d}", 10000 + 1500 * month, date(2025, month % 12 + 1, 5))
                for month in range(1, 25)
            ],
        )
    add_user(world.ctx, "salima", role="supervisor", password=PASSWORD)
    workstations = _more_counters(world, processes)
    key_file = _key_file(tmp_path)
    running = [
        start(
            random_counter,
            Soldier(
                Counter(world.db.url, key_file, world.agent),
                workstation,
                accounts,
                ("karim", "salima"),
                PASSWORD,
                seed=index,
                actions=20,
            ),
        )
        for index, workstation in enumerate(workstations)
    ]
    outcomes = []
    for process, out in running:
        _pid, theirs = out.get(timeout=300)
        process.join(60)
        outcomes.extend(theirs)
    crashes = [outcome for outcome in outcomes if outcome[0] == "crash"]
    assert crashes == []
    assert sum(1 for outcome in outcomes if outcome[0] == "ok") > processes * 5
    assert _bills_disagreeing_with_ledger(world.db) == []
    assert min(_credits(world.db).values()) >= 0
    with world.db.read() as session:
        voided = session.scalars(
            select(Payment.voids_payment_id).where(Payment.voids_payment_id.is_not(None))
        ).all()
        assert len(voided) == len(set(voided))
    assert verify_database(world.db, world.ctx.signer.verifier).ok
