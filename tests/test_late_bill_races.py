"""Late-fee waivers written by the payment path while other counters act (PostgreSQL).

The payment takes its locks in the fixed order (series head -> till ->
subscriber -> bills -> compensation chain head): two counters paying the same
late bill waive it once; a payment waiting on the compensation chain (an outage
being compensated) goes through once it is free, without a deadlock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.integrity import chain
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from db.engine import Database
from db.models import (
    COMPENSATION_CHAIN,
    Compensation,
    CompensationClaim,
    Invoice,
    InvoiceStatus,
    TenderKind,
)
from tests.conftest import PG_ADMIN_URL
from tests.factories import WORKSTATION, World, add_subscriber, build_world
from tests.race_workers import Counter, pay_in_child, result, start, wait_for_lock_waiters
from tests.test_ledger_races import HeldLock, _key_file, _name

pytestmark = pytest.mark.postgres

OTHER_WORKSTATION = "ALG01-G02"
ACCOUNT = "1000000001"


@pytest.fixture
def world(postgres_database: Database, tmp_path: Path) -> World:
    world = build_world(postgres_database, tmp_path / "keys")
    # The children run on the real clock: the bill is late and inside its term today.
    today = datetime.now(UTC).date()
    add_subscriber(world.db, ACCOUNT, invoices=[("F1", 100_000, today - timedelta(days=1))])
    with world.db.write() as session:
        bill = session.scalars(select(Invoice)).one()
        bill.delivery_date, bill.late_fee_minor = today - timedelta(days=2), 5_000
        chain.ensure_chain(session, COMPENSATION_CHAIN)
    return world


def _request(key: str, workstation: str) -> PaymentRequest:
    return PaymentRequest(
        key, ACCOUNT, workstation, (TenderInput(TenderKind.CASH, Decimal("1000")),)
    )


def _state(database: Database) -> tuple[int, int, str, int, int]:
    with database.read() as session:
        bill = session.scalars(select(Invoice)).one()
        claims = len(session.scalars(select(CompensationClaim)).all())
        entries = len(session.scalars(select(Compensation)).all())
        return bill.paid_minor, bill.waived_minor, bill.status, claims, entries


def test_two_counters_paying_one_late_bill_waive_its_fee_once(world: World, tmp_path: Path) -> None:
    held = HeldLock(
        world.db, f"SELECT id FROM subscribers WHERE account_number = '{ACCOUNT}' FOR UPDATE"
    )
    try:
        first = start(
            pay_in_child,
            Counter(world.db.url, _key_file(tmp_path), world.agent),
            _request("a", WORKSTATION),
        )
        second = start(
            pay_in_child,
            Counter(world.db.url, _key_file(tmp_path), world.other_agent),
            _request("b", OTHER_WORKSTATION),
        )
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)
    finally:
        held.release()
    outcomes = sorted([result(*first)[0], result(*second)[0]])
    # One pays the bill without its fee; the other finds nothing left to pay.
    assert outcomes == ["ok", "refused"]
    assert _state(world.db) == (105_000, 5_000, InvoiceStatus.PAID, 1, 1)
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_payment_waits_for_the_compensation_chain_then_waives(
    world: World, tmp_path: Path
) -> None:
    # An outage being compensated holds the chain's head: the payment has its bills
    # locked already and waits for the head (never the other way round).
    held = HeldLock(
        world.db, f"SELECT name FROM chain_heads WHERE name = '{COMPENSATION_CHAIN}' FOR UPDATE"
    )
    try:
        paying = start(
            pay_in_child,
            Counter(world.db.url, _key_file(tmp_path), world.agent),
            _request("a", WORKSTATION),
        )
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
        # Meanwhile the subscriber's bills are locked by the waiting payment: a bill
        # lock asked now would wait too, which is the order the ledger documents.
    finally:
        held.release()
    assert result(*paying)[0] == "ok"
    assert _state(world.db) == (105_000, 5_000, InvoiceStatus.PAID, 1, 1)
    assert verify_database(world.db, world.ctx.signer.verifier).ok
