"""Exactly once: the same idempotency key from many threads or processes makes one payment."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth import Actor
from app.context import AppContext
from app.integrity.keys import load_signer
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import Payment, Role, TenderKind
from tests.factories import WORKSTATION, World, add_subscriber, build_world

ATTEMPTS = 8


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 100000, date(2026, 10, 1))])
    return world


def request(key: str = "double-click") -> PaymentRequest:
    return PaymentRequest(
        key, "1000000001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("2000")),)
    )


def payment_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Payment)) or 0)


def test_concurrent_threads_make_one_payment(world: World) -> None:
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        receipts = list(
            pool.map(lambda _: take_payment(world.ctx, world.agent, request()), range(ATTEMPTS))
        )
    assert {r.receipt_no for r in receipts} == {"ALG01-G01-000001"}
    assert sum(not r.replayed for r in receipts) == 1
    assert payment_count(world.db) == 1
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def _pay_in_another_process(url: str, key_file: str, staff_id: int, barrier: object) -> str:
    database = Database(url)
    ctx = AppContext(database, load_signer(Path(key_file)))
    actor = Actor(staff_id, "amina", "Amina Kaci", Role.AGENT)
    barrier.wait()  # type: ignore[attr-defined]  # all processes submit at the same moment
    try:
        return take_payment(ctx, actor, request("from-many-processes")).receipt_no
    finally:
        database.dispose()


def test_concurrent_processes_make_one_payment(world: World, tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    barrier = manager.Barrier(4)
    key_file = str(tmp_path / "keys" / "signing-key.pem")
    with context.Pool(4) as pool:
        receipts = pool.starmap(
            _pay_in_another_process,
            [(world.db.url, key_file, world.agent.staff_id, barrier)] * 4,
        )
    manager.shutdown()
    assert set(receipts) == {"ALG01-G01-000001"}
    assert payment_count(world.db) == 1


def test_retry_after_a_lost_answer_replays_the_receipt(world: World) -> None:
    """The commit happened but the answer never reached the counter (crash, cable pulled)."""
    take_payment(world.ctx, world.agent, request("lost-answer"))  # answer thrown away
    fresh = AppContext(Database(world.db.url), world.ctx.signer, world.ctx.clock)  # app restarted
    replay = take_payment(fresh, world.agent, request("lost-answer"))
    assert replay.replayed and replay.receipt_no == "ALG01-G01-000001"
    assert payment_count(world.db) == 1
    fresh.db.dispose()


def test_different_keys_from_two_workstations_interleave_gaplessly(world: World) -> None:
    add_subscriber(
        world.db, "1000000002", invoices=[(f"G{i}", 1000, date(2026, 10, 1)) for i in range(20)]
    )

    def pay(i: int) -> str:
        station = WORKSTATION if i % 2 else "ALG01-G02"
        actor = world.agent if i % 2 else world.other_agent
        return take_payment(
            world.ctx,
            actor,
            PaymentRequest(
                f"k{i}",
                "1000000002",
                station,
                (TenderInput(TenderKind.CASH, Decimal("10")),),
                invoice_numbers=(f"G{i}",),
            ),
        ).receipt_no

    with ThreadPoolExecutor(max_workers=4) as pool:
        receipts = sorted(pool.map(pay, range(20)))
    assert receipts == sorted(
        [f"ALG01-G01-{n:06d}" for n in range(1, 11)] + [f"ALG01-G02-{n:06d}" for n in range(1, 11)]
    )
    assert verify_database(world.db, world.ctx.signer.verifier).ok
