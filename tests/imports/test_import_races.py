"""An import and the counters on one PostgreSQL database at once.

A raw connection holds the subscriber's row (the first lock of the payment path and
of the import's outside payments) while an import and a counter payment on the
same bill both wait behind it; once it lets go, whichever runs second must see what
the first wrote: the bill ends with both amounts, equal to its two ledgers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.errors import ConflictError
from app.payments.requests import PaymentRequest, TenderInput
from db.engine import Database
from db.models import Allocation, Invoice, InvoiceStatus, TenderKind
from tests.conftest import PG_ADMIN_URL
from tests.factories import WORKSTATION, World, add_subscriber, build_world
from tests.imports.helpers import run, write
from tests.imports.import_race_workers import import_in_child
from tests.race_workers import Counter, pay_in_child, result, start, wait_for_lock_waiters

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_world(postgres_database: Database, tmp_path: Path) -> World:
    return build_world(postgres_database, tmp_path / "keys")


def _raw_url(database: Database) -> str:
    return make_url(database.url).set(drivername="postgresql").render_as_string(False)


def test_an_outside_payment_and_a_counter_payment_on_one_bill_both_count(
    pg_world: World, tmp_path: Path
) -> None:
    world = pg_world
    add_subscriber(world.db, "900001", invoices=[("F1", 100000, date(2026, 12, 20))])
    payments = write(
        tmp_path,
        "payments.csv",
        "payment_reference,invoice_number,amount,channel,paid_on\n"
        "CCP-1,F1,300,post_office,2026-11-30\n",
    )
    key_file = str(tmp_path / "keys" / "signing-key.pem")
    name = make_url(world.db.url).database
    holder = psycopg.connect(_raw_url(world.db))
    holder.execute("SELECT id FROM subscribers WHERE account_number = '900001' FOR UPDATE")
    try:
        importer = start(import_in_child, world.db.url, key_file, [str(payments)])
        wait_for_lock_waiters(PG_ADMIN_URL, str(name), 1)
        request = PaymentRequest(
            "race-1", "900001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("400")),)
        )
        counter = start(pay_in_child, Counter(world.db.url, key_file, world.agent), request)
        wait_for_lock_waiters(PG_ADMIN_URL, str(name), 2)
    finally:
        holder.commit()
        holder.close()
    assert result(*importer) == ("ok", [])
    assert result(*counter)[0] == "ok"
    with world.db.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F1")).one()
        at_counter = session.scalar(
            select(func.sum(Allocation.amount_minor)).where(Allocation.invoice_id == bill.id)
        )
    assert (bill.paid_minor, bill.paid_elsewhere_minor, at_counter) == (70000, 30000, 40000)
    assert bill.status == InvoiceStatus.PARTLY_PAID


def test_a_second_import_is_refused_naming_the_first(pg_world: World, tmp_path: Path) -> None:
    world = pg_world
    path = write(tmp_path, "offers.csv", "offer_code,name,service,monthly_fee\nO-1,F,ftth,10\n")
    other = psycopg.connect(_raw_url(world.db))
    other.execute("SELECT set_config('application_name', 'karim@poste-3 pid 42', false)")
    other.execute("SELECT pg_advisory_xact_lock(%s, %s)", (0x47554943, 0x494D5054))
    try:
        with pytest.raises(ConflictError) as refused:
            run(world.ctx, [path])
    finally:
        other.rollback()
        other.close()
    assert refused.value.translated("en") == (
        "Another import is running (karim@poste-3 pid 42): try again when it has finished."
    )
    assert run(world.ctx, [path]).applied


def test_a_bill_paid_while_an_import_changes_its_amount_is_never_rewritten(
    pg_world: World, tmp_path: Path
) -> None:
    world = pg_world
    add_subscriber(world.db, "900002", invoices=[("F2", 100000, date(2026, 12, 20))])
    with world.db.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F2")).one()
        contract = bill.contract.number
        barcode = bill.barcode
    changed = write(
        tmp_path,
        "bills.csv",
        "invoice_number,contract_number,period_start,period_end,issue_date,due_date,amount,"
        f"barcode\nF2,{contract},2026-11-01,2026-11-30,2026-12-01,2026-12-20,1200,{barcode}\n",
    )
    key_file = str(tmp_path / "keys" / "signing-key.pem")
    name = str(make_url(world.db.url).database)
    holder = psycopg.connect(_raw_url(world.db))
    holder.execute("SELECT id FROM subscribers WHERE account_number = '900002' FOR UPDATE")
    try:
        counter = start(
            pay_in_child,
            Counter(world.db.url, key_file, world.agent),
            PaymentRequest(
                "race-2", "900002", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("400")),)
            ),
        )
        wait_for_lock_waiters(PG_ADMIN_URL, name, 1)
        importer = start(import_in_child, world.db.url, key_file, [str(changed)])
        wait_for_lock_waiters(PG_ADMIN_URL, name, 2)
    finally:
        holder.commit()
        holder.close()
    assert result(*counter)[0] == "ok"
    outcome = result(*importer)
    with world.db.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F2")).one()
    # The counter queued first and paid first: the import must see it and refuse.
    assert outcome == (
        "refused",
        [
            "bills.csv, line 2, column amount, value «1200»: DZD\xa0400.00 is already paid on "
            "this bill: its amount and contract can no longer change (send an adjustment bill)"
        ],
    )
    assert (bill.amount_minor, bill.paid_minor) == (100000, 40000)
