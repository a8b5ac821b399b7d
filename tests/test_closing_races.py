"""Closing a day on PostgreSQL while other supervisors and counters act, from child processes.

A raw connection holds a row lock so that one process stops at the dangerous
point while another acts, as in :mod:`tests.test_ledger_races`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.auth import add_user
from app.cash import close_cash_session
from app.closing.closings import close_day
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.summary import receipt_summary
from db.engine import Database
from db.models import Closing, TenderKind
from tests.closing_race_workers import close_day_in_child, open_and_pay_in_child
from tests.conftest import PG_ADMIN_URL
from tests.factories import PASSWORD, WORKSTATION, FrozenClock, World, add_subscriber, build_world
from tests.race_workers import Counter, result, start, wait_for_lock_waiters
from tests.test_ledger_races import HeldLock, _key_file, _name

pytestmark = pytest.mark.postgres

ALGIERS = ZoneInfo("Africa/Algiers")


@pytest.fixture
def world(postgres_database: Database, tmp_path: Path) -> World:
    """Today (the real one: the children run on the real clock) with one payment, tills closed."""
    world = build_world(postgres_database, tmp_path / "keys")
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = datetime.now(UTC)
    add_subscriber(
        world.db,
        "1000000001",
        invoices=[(f"F{i}", 100000, datetime(2026, 10, i).date()) for i in range(1, 4)],
    )
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "p1",
            "1000000001",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("1000")),),
            invoice_numbers=("F1",),
        ),
    )
    for station in (WORKSTATION, "ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, station)
    return world


def _today() -> datetime:
    return datetime.now(ALGIERS)


def test_two_supervisors_closing_one_day_make_one_closing(world: World, tmp_path: Path) -> None:
    other = add_user(world.ctx, "nadia", role="supervisor", password=PASSWORD, full_name="Nadia")
    day = _today().date()
    key = _key_file(tmp_path)
    held = HeldLock(
        world.db, "SELECT 1 FROM chain_heads WHERE name = 'receipts/ALG01-G01' FOR UPDATE"
    )
    try:
        first = start(
            close_day_in_child, Counter(world.db.url, key, world.supervisor), "ALG01", day
        )
        second = start(close_day_in_child, Counter(world.db.url, key, other), "ALG01", day)
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)
    finally:
        held.release()
    outcomes = sorted([result(*first), result(*second)])
    assert outcomes[0][0] == "ok", outcomes
    assert outcomes[1][:2] == ("refused", "ConflictError"), outcomes
    closer = outcomes[0][1]
    assert (
        f"The business day {day.isoformat()} of ALG01 was already closed by {closer} at"
        in (outcomes[1][2])
    )
    with world.db.read() as session:
        assert len(session.scalars(select(Closing)).all()) == 1
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_payment_waiting_for_the_close_lands_in_the_next_day(
    world: World, tmp_path: Path
) -> None:
    day = _today().date()
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = datetime.now(UTC)
    close_day(world.ctx, world.supervisor, "ALG01", day - timedelta(days=1))  # the chain's head
    key = _key_file(tmp_path)
    # The close takes every series head of the agency, then stops at its closings head.
    held = HeldLock(world.db, "SELECT 1 FROM chain_heads WHERE name = 'closings/ALG01' FOR UPDATE")
    try:
        closing = start(
            close_day_in_child, Counter(world.db.url, key, world.supervisor), "ALG01", day
        )
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
        request = PaymentRequest(
            "p2",
            "1000000001",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("1000")),),
            invoice_numbers=("F2",),
        )
        paying = start(open_and_pay_in_child, Counter(world.db.url, key, world.agent), request)
        wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)  # behind the close's series lock
    finally:
        held.release()
    assert result(*closing)[0] == "ok"
    paid = result(*paying)
    assert paid[0] == "ok", paid
    with world.db.read() as session:
        closed = session.scalars(select(Closing).where(Closing.period_start == day)).one()
    assert closed.payments_count == 1  # the morning's payment, not the one that waited
    summary = receipt_summary(world.db, paid[1])
    assert summary.created_at.astimezone(ALGIERS).date() == day
    assert summary.business_day == day + timedelta(days=1)
    assert verify_database(world.db, world.ctx.signer.verifier).ok
