"""Counts, movements and reviews edited behind the application's back are named by verify."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.closing.counts import ChequeInput, CountInput
from app.closing.movements import MovementRequest, record_cash_movement
from app.closing.review import review_till
from app.closing.tills import close_till, current_cash_session
from app.integrity.crosschecks import TILL_RECORDS
from app.integrity.verify import VerifyReport, verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import TenderKind
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.test_integrity import named, tamper


@pytest.fixture
def counted(database: Database, tmp_path: Path) -> tuple[World, int]:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "A1", invoices=[("F1", 500000, date(2026, 10, 1))])
    info = current_cash_session(world.db, WORKSTATION)
    assert info is not None
    record_cash_movement(
        world.ctx,
        world.agent,
        MovementRequest(WORKSTATION, "drop", "1000", "safe", "karim", PASSWORD),
    )
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    review_till(world.ctx, world.supervisor, info.session_id)
    return world, info.session_id


def verify(world: World) -> VerifyReport:
    return verify_database(world.db, world.ctx.signer.verifier)


def test_untouched_till_records_verify_and_are_counted(counted: tuple[World, int]) -> None:
    world, _till = counted
    report = verify(world)
    assert report.ok, [p.translated() for p in report.problems]
    assert report.checks[TILL_RECORDS] == 3  # one count, one movement, one review


def test_the_database_refuses_to_edit_a_count(counted: tuple[World, int]) -> None:
    world, _till = counted
    with pytest.raises(DBAPIError, match="append-only"), world.db.write() as session:
        session.execute(text("UPDATE till_counts SET cash_minor = 0"))


@pytest.mark.parametrize(
    ("statements", "table", "says"),
    [
        (
            # Lines and totals edited together, so that they still add up.
            [
                "UPDATE till_counts SET cash_minor = 500000",
                "UPDATE till_count_lines SET quantity = 1, denomination_minor = 500000, "
                "amount_minor = 500000",
            ],
            "till_counts",
            "its cash, lines differ from the journal",
        ),
        (
            [
                "UPDATE till_counts SET counted_by_id = (SELECT id FROM staff WHERE login = 'yacine')"
            ],
            "till_counts",
            "its counted_by differ from the journal",
        ),
        (
            ["UPDATE cash_movements SET amount_minor = 1"],
            "cash_movements",
            "its amount differ from the journal",
        ),
        (
            ["UPDATE till_reviews SET difference_minor = 7, reason = 'fine'"],
            "till_reviews",
            "its difference, reason differ from the journal",
        ),
        (["DELETE FROM cash_movements"], "cash_movements", "missing (deleted?)"),
    ],
)
def test_verify_names_a_till_record_edited_by_hand(
    counted: tuple[World, int], statements: list[str], table: str, says: str
) -> None:
    world, till = counted
    tamper(world, *statements)
    report = verify(world)
    assert [p.chain for p in report.problems] == [table]
    (problem,) = report.problems
    assert problem.record.endswith(f"(till #{till})")
    assert says in problem.translated()


def test_a_count_whose_totals_no_longer_add_up_is_named(counted: tuple[World, int]) -> None:
    world, till = counted
    tamper(world, "UPDATE till_count_lines SET amount_minor = 1")
    report = verify(world)
    messages = [p.translated() for p in report.problems]
    assert ("till_counts", f"#1 (till #{till})") in named(report)
    assert any("do not add up" in m for m in messages)


def test_a_till_closed_by_hand_with_another_reason_is_named(counted: tuple[World, int]) -> None:
    world, till = counted
    tamper(world, f"UPDATE cash_sessions SET close_reason = 'nothing' WHERE id = {till}")
    assert named(verify(world)) == [("cash_sessions", f"#{till}")]


def test_a_counted_cheque_moved_off_its_tender_is_named(database: Database, tmp_path: Path) -> None:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "A1", invoices=[("F1", 500000, date(2026, 10, 1))])
    cheque = TenderInput(TenderKind.CHEQUE, Decimal("5000"), cheque_number="42", bank="BEA")
    take_payment(world.ctx, world.agent, PaymentRequest("k1", "A1", WORKSTATION, (cheque,)))
    close_till(
        world.ctx,
        world.agent,
        WORKSTATION,
        CountInput(cash={"note-200000": 2}, cheques=[ChequeInput("42", "BEA", "5000")]),
    )
    assert verify(world).ok
    tamper(world, "UPDATE till_count_lines SET tender_id = NULL WHERE kind = 'cheque'")
    messages = [p.translated() for p in verify(world).problems]
    assert messages == [
        "its lines differ from the journal (changed outside the application?)",
        "its cheque 42 is not a cheque tendered in this till",
    ]
