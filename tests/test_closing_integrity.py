"""Closings in their signed chain: every kind of tampering caught and named by verify."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.cash import close_cash_session, open_cash_session
from app.closing.closings import close_day
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import TenderKind
from tests.factories import WORKSTATION, FrozenClock, World, add_subscriber, build_world
from tests.test_integrity import named, tamper, verify

ALGIERS = ZoneInfo("Africa/Algiers")
CHAIN = "closings/ALG01"


def _at(world: World, local: datetime) -> None:
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = local.astimezone(UTC)


@pytest.fixture
def closed(database: Database, tmp_path: Path) -> Iterator[World]:
    """Thursday 19 and Saturday 21 November with payments, closed; Friday closed empty."""
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db, "1000000001", invoices=[(f"F{i}", 100000, date(2026, 10, i)) for i in range(1, 6)]
    )
    for key, day in (("k1", 19), ("k2", 21)):
        _at(world, datetime(2026, 11, day, 10, 0, tzinfo=ALGIERS))
        if day == 21:
            open_cash_session(world.ctx, world.agent, WORKSTATION, Decimal("5000"))
            open_cash_session(world.ctx, world.other_agent, "ALG01-G02", Decimal("5000"))
        take_payment(
            world.ctx,
            world.agent,
            PaymentRequest(
                key, "1000000001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1000")),)
            ),
        )
        for station in (WORKSTATION, "ALG01-G02"):
            close_cash_session(world.ctx, world.supervisor, station)
        _at(world, datetime(2026, 11, day, 18, 0, tzinfo=ALGIERS))
        close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, day))
    yield world


def test_untouched_closings_verify_and_are_counted(closed: World) -> None:
    report = verify(closed)
    assert report.ok, [p.translated() for p in report.problems]
    assert report.chain_records[CHAIN] == 3
    assert report.checks["closings recomputed from the ledger"] == 3


def test_an_edited_closing_is_caught_and_named(closed: World) -> None:
    tamper(
        closed,
        "UPDATE closings SET payments_minor = 1, period_minor = 1 "
        "WHERE period_start = '2026-11-19'",
    )
    problems = verify(closed).problems
    assert (CHAIN, "daily 2026-11-19") in [(p.chain, p.record) for p in problems]
    first = next(p for p in problems if p.chain == CHAIN)
    assert "does not match its signature" in first.translated()


def test_a_deleted_closing_is_caught(closed: World) -> None:
    tamper(closed, "DELETE FROM closings WHERE period_start = '2026-11-20'")
    problems = verify(closed).problems
    assert (CHAIN, "daily 2026-11-21") in named(verify(closed))
    messages = " / ".join(p.translated() for p in problems if p.chain == CHAIN)
    assert "missing before it" in messages
    assert "the day before it, 2026-11-20, has no closing" in messages


def test_the_last_closing_cut_off_is_caught(closed: World) -> None:
    tamper(closed, "DELETE FROM closings WHERE period_start = '2026-11-21'")
    problems = [p for p in verify(closed).problems if p.chain == CHAIN]
    assert problems and "cut off the end" in problems[0].translated()


def test_every_closing_deleted_is_caught(closed: World) -> None:
    tamper(closed, "DELETE FROM closings")
    problems = [p for p in verify(closed).problems if p.chain == CHAIN]
    assert problems and "expects 3 record(s) but 0 remain" in problems[0].translated()


def test_reordered_closings_are_caught(closed: World) -> None:
    tamper(
        closed,
        "UPDATE closings SET seq = 4 WHERE seq = 1",
        "UPDATE closings SET seq = 1 WHERE seq = 2",
        "UPDATE closings SET seq = 2 WHERE seq = 4",
    )
    assert any(p.chain == CHAIN for p in verify(closed).problems)


def test_a_payment_no_longer_adding_up_to_its_closing_is_named(closed: World) -> None:
    tamper(
        closed,
        "UPDATE payments SET tendered_minor = 90000 WHERE receipt_no = 'ALG01-G01-000002'",
        "UPDATE tenders SET amount_minor = 90000 WHERE payment_id = "
        "(SELECT id FROM payments WHERE receipt_no = 'ALG01-G01-000002')",
    )
    problems = verify(closed).problems
    records = [(p.chain, p.record) for p in problems]
    assert ("receipts/ALG01-G01", "ALG01-G01-000002") in records  # its own signature
    closing = next(p for p in problems if p.record == "daily 2026-11-21")
    assert closing.chain == CHAIN
    message = closing.translated()
    assert "no longer match the ledger" in message
    assert "payments total 1000.00 DZD (ledger 900.00 DZD)" in message


def test_a_payment_moved_into_a_closed_day_is_named(closed: World) -> None:
    tamper(
        closed,
        "UPDATE payments SET business_day = '2026-11-20' WHERE receipt_no = 'ALG01-G01-000002'",
    )
    records = [(p.chain, p.record) for p in verify(closed).problems]
    assert (CHAIN, "daily 2026-11-20") in records
    assert (CHAIN, "daily 2026-11-21") in records


def test_verify_prints_the_closings_chain(
    closed: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main

    key = str(tmp_path / "keys" / "signing-key.pem")
    assert main(["--database", closed.db.url, "--key-file", key, "verify"]) == 0
    out = capsys.readouterr().out
    assert "closings/ALG01: 3 records" in out
    assert "closings recomputed from the ledger: 3" in out


def test_closings_checked_in_worker_processes_too(closed: World) -> None:
    from app.integrity.verify import verify_database

    assert verify_database(closed.db, closed.ctx.signer.verifier, workers=3).ok
    tamper(
        closed, "UPDATE closings SET automatic = NOT automatic WHERE period_start = '2026-11-20'"
    )
    report = verify_database(closed.db, closed.ctx.signer.verifier, workers=3)
    assert (CHAIN, "daily 2026-11-20") in named(report)
