"""Two actions on one till at once, on PostgreSQL, from two processes.

A raw connection holds the till's row so that the first action (a child
process) stops once it holds the series head, waiting for the till; the second
then waits on the series head behind it. Released, they run one after the
other, never both on a till each read as open.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.auth import Actor, add_user
from app.closing.counts import CountInput
from app.closing.movements import MovementRequest
from app.closing.review import till_review
from app.closing.status import till_statuses
from app.closing.tills import current_cash_session
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from db.engine import Database
from db.models import TenderKind
from tests.conftest import PG_ADMIN_URL
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.race_workers import Counter, pay_in_child, result, start, wait_for_lock_waiters
from tests.test_ledger_races import HeldLock, _key_file, _name
from tests.till_race_workers import close_in_child, force_close_in_child, move_in_child

pytestmark = pytest.mark.postgres

COUNT = CountInput(cash={"note-200000": 2})  # 4,000.00


@pytest.fixture
def world(postgres_database: Database, tmp_path: Path) -> World:
    return build_world(postgres_database, tmp_path / "keys")


def _counter(world: World, tmp_path: Path, actor: Actor) -> Counter:
    return Counter(world.db.url, _key_file(tmp_path), actor)


def _hold_till(world: World, workstation: str = WORKSTATION) -> HeldLock:
    info = current_cash_session(world.db, workstation)
    assert info is not None
    return HeldLock(
        world.db, f"SELECT 1 FROM cash_sessions WHERE id = {info.session_id} FOR UPDATE"
    )


def _drop(amount: str = "1000") -> MovementRequest:
    return MovementRequest(WORKSTATION, "drop", amount, "to the safe", "karim", PASSWORD)


def test_a_movement_then_the_close_both_land_in_the_till(world: World, tmp_path: Path) -> None:
    till = current_cash_session(world.db, WORKSTATION)
    assert till is not None
    held = _hold_till(world)
    mover = start(move_in_child, _counter(world, tmp_path, world.agent), _drop())
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)  # the movement waits on the till
    closer = start(close_in_child, _counter(world, tmp_path, world.agent), WORKSTATION, COUNT)
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)  # the close, on the series head
    held.release()
    assert result(*mover)[0] == "ok"
    assert result(*closer) == ("ok", "4000.00")
    figures = till_review(world.ctx, world.supervisor, till.session_id)
    assert figures.cash.drops == Decimal("1000.00")
    assert figures.difference == Decimal("0.00")  # 5,000 − 1,000 dropped = 4,000 counted
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_movement_after_the_close_is_refused(world: World, tmp_path: Path) -> None:
    held = _hold_till(world)
    closer = start(close_in_child, _counter(world, tmp_path, world.agent), WORKSTATION, COUNT)
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
    mover = start(move_in_child, _counter(world, tmp_path, world.agent), _drop())
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)
    held.release()
    assert result(*closer) == ("ok", "4000.00")
    outcome = result(*mover)
    assert outcome[:2] == ("refused", "ConflictError"), outcome
    assert "No cash session is open at ALG01-G01" in outcome[2]
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_payment_waiting_while_the_till_closes_is_refused(world: World, tmp_path: Path) -> None:
    add_subscriber(world.db, "A1", invoices=[("F1", 100000, date(2026, 10, 1))])
    held = _hold_till(world)
    closer = start(close_in_child, _counter(world, tmp_path, world.agent), WORKSTATION, COUNT)
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
    request = PaymentRequest(
        "k1", "A1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1000")),)
    )
    payer = start(pay_in_child, _counter(world, tmp_path, world.agent), request)
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)
    held.release()
    assert result(*closer) == ("ok", "4000.00")
    outcome = result(*payer)
    assert outcome[0] == "refused", outcome  # never taken into a till already counted
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_two_supervisors_force_closing_one_till_get_one_close(world: World, tmp_path: Path) -> None:
    other = add_user(world.ctx, "nadia", role="supervisor", password=PASSWORD)
    held = _hold_till(world, "ALG01-G02")
    first = start(
        force_close_in_child, _counter(world, tmp_path, world.supervisor), WORKSTATION, "ALG01-G02"
    )
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 1)
    second = start(force_close_in_child, _counter(world, tmp_path, other), WORKSTATION, "ALG01-G02")
    wait_for_lock_waiters(PG_ADMIN_URL, _name(world.db), 2)
    held.release()
    outcomes = sorted([result(*first)[:2], result(*second)[:2]])
    assert outcomes == [("ok", "None"), ("refused", "ConflictError")]
    states = [s.state for s in till_statuses(world.db, workstation="ALG01-G02")]
    assert states == ["closed"]
    assert verify_database(world.db, world.ctx.signer.verifier).ok
