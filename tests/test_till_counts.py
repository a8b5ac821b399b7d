"""Tills counted: the float by denomination, movements, the blind close, the review,
recounts, handovers and forced closes; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth import Actor, add_user
from app.closing.counts import ChequeInput, CountInput
from app.closing.denominations import till_denominations
from app.closing.handover import force_close_till, handover_till
from app.closing.movements import MovementRequest, record_cash_movement
from app.closing.review import recount_till, review_till, set_count_threshold, till_review
from app.closing.status import TillAtSignIn, till_at_sign_in, till_statuses, tills_expected_cash
from app.closing.takings import my_takings
from app.closing.tills import (
    close_cash_session,
    close_till,
    current_cash_session,
    open_counted_till,
)
from app.errors import AuthenticationError, ConflictError, PermissionDeniedError, ValidationError
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from db.engine import Database
from db.models import JournalEvent, TenderKind, TillCount, TillCountLine
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world

# 5,000.00 DA counted as two 2,000 notes and one 1,000 note.
FLOAT_5000 = {"note-200000": 2, "note-100000": 1}


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db,
        "A1",
        invoices=[(f"F{i}", 500000, date(2026, 10, i)) for i in range(1, 8)],
    )
    return world


def pay(world: World, key: str, *tenders: TenderInput, invoice: str) -> str:
    request = PaymentRequest(key, "A1", WORKSTATION, tuple(tenders), invoice_numbers=(invoice,))
    return take_payment(world.ctx, world.agent, request).receipt_no


def cash(amount: str) -> TenderInput:
    return TenderInput(TenderKind.CASH, Decimal(amount))


def move(world: World, kind: str, amount: str, **extra: str) -> None:
    record_cash_movement(
        world.ctx,
        world.agent,
        MovementRequest(WORKSTATION, kind, amount, f"{kind} at noon", "karim", PASSWORD, **extra),
    )


def till_id(world: World, workstation: str = WORKSTATION) -> int:
    info = current_cash_session(world.db, workstation)
    assert info is not None
    return info.session_id


def kinds(world: World) -> list[str]:
    with world.db.read() as session:
        return list(session.scalars(select(JournalEvent.kind).order_by(JournalEvent.seq)))


def assert_verifies(world: World) -> None:
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


# -- expected cash ------------------------------------------------------------------------


def test_expected_cash_pins_every_term(world: World) -> None:
    """float + tendered − change − refunded by voids + top-ups − drops − deposits."""
    till = till_id(world)
    pay(world, "k1", cash("6000"), invoice="F1")  # change 1,000.00
    voided = pay(world, "k2", cash("5500"), invoice="F2")  # change 500.00
    pay(
        world,
        "k3",
        TenderInput(TenderKind.CARD, Decimal("5000"), authorisation_code="A1"),
        invoice="F3",
    )
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", voided, WORKSTATION, "wrong bill", "karim", PASSWORD),
    )
    move(world, "top_up", "300")
    move(world, "drop", "2000")
    move(world, "deposit", "700", reference="BDL-1")
    figures = till_review(world.ctx, world.supervisor, till)
    terms = figures.cash
    assert terms.opening_float == Decimal("5000.00")
    assert terms.cash_tendered == Decimal("11500.00")
    assert terms.change_given == Decimal("1500.00")  # subtracted: it left the drawer
    assert terms.cash_refunded == Decimal("5000.00")  # 5,500 given back less its 500 change
    assert terms.top_ups == Decimal("300.00")
    assert terms.drops == Decimal("2000.00")
    assert terms.deposits == Decimal("700.00")
    assert terms.expected == Decimal("7600.00")  # 5000+11500-1500-5000+300-2000-700
    by_tender = {line.tender: line.expected for line in figures.tenders}
    assert by_tender == {
        "cash": Decimal("7600.00"),
        "cheque": Decimal("0.00"),
        "card": Decimal("5000.00"),
        "postal_transfer": Decimal("0.00"),
    }
    assert tills_expected_cash(world.ctx, world.supervisor, [till]) == {till: Decimal("7600.00")}
    assert_verifies(world)


# -- opening ----------------------------------------------------------------------------


def test_a_counted_opening_stores_its_lines_and_its_float(world: World) -> None:
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash=FLOAT_5000))
    opened = open_counted_till(
        world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-100000": 3, "coin-5000": 4})
    )
    assert opened.opening_float == Decimal("3200.00")
    with world.db.read() as session:
        count = session.scalars(
            select(TillCount).where(TillCount.cash_session_id == opened.session_id)
        ).one()
        assert (count.purpose, count.seq, count.cash_minor) == ("opening", 1, 320000)
        lines = [(x.kind, x.denomination_minor, x.quantity) for x in count.lines]
    assert lines == [("note", 100000, 3), ("coin", 5000, 4)]
    assert kinds(world)[-2:] == ["cash.till_counted", "cash.session_opened"]
    assert_verifies(world)


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (CountInput(cash={"note-300000": 1}), "note-300000 is not a note or coin of DZD"),
        (CountInput(cash={"note-200000": -1}), "-1 is not a number"),
        (CountInput(cash=FLOAT_5000, card_total="10"), "opens with cash only"),
    ],
)
def test_a_wrong_opening_count_is_refused_and_nothing_opens(
    world: World, count: CountInput, message: str
) -> None:
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash=FLOAT_5000))
    with pytest.raises(ValidationError, match=message):
        open_counted_till(world.ctx, world.agent, WORKSTATION, count)
    assert current_cash_session(world.db, WORKSTATION) is None


# -- the blind close and the review ---------------------------------------------------------


def test_blind_close_then_review_with_a_recount_beside_the_first_count(world: World) -> None:
    till = till_id(world)
    pay(world, "k1", cash("6000"), invoice="F1")  # expected cash 10,000.00
    cheque = TenderInput(TenderKind.CHEQUE, Decimal("5000"), cheque_number="0012345", bank="BNA")
    pay(world, "k2", cheque, invoice="F2")
    first = close_till(
        world.ctx,
        world.agent,
        WORKSTATION,
        CountInput(
            cash={"note-200000": 4, "note-100000": 1},  # 9,000.00: 1,000 short
            cheques=[ChequeInput("0012345", "bna", "5000")],
        ),
    )
    assert (first.cash, first.cheques, first.purpose, first.seq) == (
        Decimal("9000.00"),
        Decimal("5000.00"),
        "closing",
        1,
    )
    figures = till_review(world.ctx, world.supervisor, till)
    assert figures.difference == Decimal("-1000.00") and figures.needs_reason
    assert figures.threshold == Decimal("500.00")
    with pytest.raises(ValidationError, match="more than"):
        review_till(world.ctx, world.supervisor, till)
    second = recount_till(
        world.ctx,
        world.supervisor,
        till,
        CountInput(cash={"note-200000": 5}, cheques=[ChequeInput("0012345", "BNA", "5000")]),
    )
    assert (second.purpose, second.seq) == ("recount", 2)
    figures = till_review(world.ctx, world.supervisor, till)
    assert figures.difference == Decimal("0.00") and not figures.needs_reason
    assert [c.cash for c in figures.counts] == [Decimal("9000.00"), Decimal("10000.00")]
    done = review_till(world.ctx, world.supervisor, till)
    assert done.reviewed_by == "karim" and done.reviewed_count == second.count_id
    with pytest.raises(ConflictError, match="already reviewed"):
        review_till(world.ctx, world.supervisor, till)
    with pytest.raises(ConflictError, match="already reviewed"):
        recount_till(world.ctx, world.agent, till, CountInput(cash=FLOAT_5000))
    assert [s.state for s in till_statuses(world.db, workstation=WORKSTATION)] == ["reviewed"]
    assert_verifies(world)


def test_a_difference_beyond_the_threshold_is_accepted_with_its_reason(world: World) -> None:
    till = till_id(world)
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    assert [s.state for s in till_statuses(world.db, workstation=WORKSTATION)] == ["counted"]
    done = review_till(world.ctx, world.supervisor, till, reason="a 1,000 note missing")
    assert done.review_reason == "a 1,000 note missing"
    (event,) = [json.loads(e.details) for e in _events(world, "cash.till_reviewed")]
    assert (event["expected_cash"], event["difference"], event["reason"]) == (
        500000,
        -100000,
        "a 1,000 note missing",
    )
    assert_verifies(world)


def test_the_threshold_is_an_operator_setting(world: World) -> None:
    set_count_threshold(world.ctx, _admin(world), "2000")
    till = till_id(world)
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    figures = till_review(world.ctx, world.supervisor, till)
    assert figures.threshold == Decimal("2000.00") and not figures.needs_reason
    review_till(world.ctx, world.supervisor, till)
    with pytest.raises(PermissionDeniedError):
        set_count_threshold(world.ctx, world.supervisor, "1")


def test_each_listed_cheque_must_be_one_tendered_in_this_till(world: World) -> None:
    cheque = TenderInput(TenderKind.CHEQUE, Decimal("5000"), cheque_number="777", bank="CPA")
    pay(world, "k1", cheque, invoice="F1")
    with pytest.raises(ValidationError, match=r"Cheque 778 \(CPA, .*\) was not tendered"):
        close_till(
            world.ctx,
            world.agent,
            WORKSTATION,
            CountInput(cash=FLOAT_5000, cheques=[ChequeInput("778", "CPA", "5000")]),
        )
    with pytest.raises(ValidationError, match="Cheque 777") as listed_twice:
        close_till(
            world.ctx,
            world.agent,
            WORKSTATION,
            CountInput(
                cash=FLOAT_5000,
                cheques=[ChequeInput("777", "CPA", "5000"), ChequeInput("777", "CPA", "5000")],
            ),
        )
    assert listed_twice.value.field == "cheques[1]"
    assert current_cash_session(world.db, WORKSTATION) is not None  # nothing was written
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash=FLOAT_5000))
    figures = till_review(world.ctx, world.supervisor, till_id_of_last(world))
    assert [(c.number, c.amount) for c in figures.cheques_not_counted] == [
        ("777", Decimal("5000.00"))
    ]
    with world.db.read() as session:
        # The refused counts left nothing: the lines are the accepted count's notes.
        lines = session.scalars(select(TillCountLine.kind)).all()
        assert sorted(lines) == ["note", "note"]


def till_id_of_last(world: World) -> int:
    (status,) = till_statuses(world.db, workstation=WORKSTATION)
    assert status.session_id is not None
    return status.session_id


# -- whose till --------------------------------------------------------------------------


def test_an_agent_acts_only_on_the_till_they_opened(world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="belongs to yacine"):
        close_till(world.ctx, world.agent, "ALG01-G02", CountInput(cash=FLOAT_5000))
    with pytest.raises(PermissionDeniedError, match="belongs to amina"):
        close_till(world.ctx, world.other_agent, WORKSTATION, CountInput(cash=FLOAT_5000))
    with pytest.raises(PermissionDeniedError, match="belongs to amina"):
        record_cash_movement(
            world.ctx,
            world.other_agent,
            MovementRequest(WORKSTATION, "drop", "100", "noon", "karim", PASSWORD),
        )
    assert my_takings(world.ctx, world.other_agent, WORKSTATION) is None


def test_handover_closes_the_outgoing_till_and_opens_the_incoming_one(world: World) -> None:
    old = till_id(world)
    assert till_at_sign_in(world.db, world.agent, WORKSTATION) == TillAtSignIn(
        "carry_on", old, "amina"
    )
    assert till_at_sign_in(world.db, world.other_agent, WORKSTATION).next_step == "handover"
    pay(world, "k1", cash("5000"), invoice="F1")
    done = handover_till(
        world.ctx,
        world.other_agent,
        world.agent,
        WORKSTATION,
        closing_count=CountInput(cash={"note-200000": 5}),
        opening_count=CountInput(cash={"note-100000": 2}),
    )
    assert done.closed.session_id == old and done.closed.cash == Decimal("10000.00")
    assert done.closed.counted_by == "amina"
    assert done.opened.opened_by == "yacine" and done.opened.opening_float == Decimal("2000.00")
    assert till_id(world) == done.opened.session_id
    assert till_at_sign_in(world.db, world.other_agent, WORKSTATION).next_step == "carry_on"
    statuses = till_statuses(world.db, workstation=WORKSTATION)
    assert [(s.state, s.agent) for s in statuses] == [("open", "yacine")]
    figures = till_review(world.ctx, world.supervisor, old)
    assert figures.closed_how == "handover" and figures.difference == Decimal("0.00")
    (event,) = [json.loads(e.details) for e in _events(world, "cash.till_handed_over")]
    assert (event["from_session"], event["to_session"]) == (old, done.opened.session_id)
    assert (event["outgoing"], event["incoming"]) == ("amina", "yacine")
    with pytest.raises(PermissionDeniedError, match="belongs to yacine"):
        handover_till(
            world.ctx,
            world.supervisor,
            world.agent,
            WORKSTATION,
            closing_count=CountInput(),
            opening_count=CountInput(cash=FLOAT_5000),
        )
    assert_verifies(world)


def test_a_supervisor_force_closes_an_abandoned_till_with_a_reason(world: World) -> None:
    till = till_id(world, "ALG01-G02")
    with pytest.raises(PermissionDeniedError):
        force_close_till(world.ctx, world.agent, WORKSTATION, "ALG01-G02", "gone home")
    with pytest.raises(ValidationError, match="reason"):
        force_close_till(world.ctx, world.supervisor, WORKSTATION, "ALG01-G02", " ")
    assert (
        force_close_till(world.ctx, world.supervisor, WORKSTATION, "ALG01-G02", "gone home") is None
    )
    assert current_cash_session(world.db, "ALG01-G02") is None
    assert till_at_sign_in(world.db, world.other_agent, "ALG01-G02").next_step == "open"
    assert [s.state for s in till_statuses(world.db, workstation="ALG01-G02")] == ["closed"]
    with pytest.raises(ConflictError, match="not been counted"):
        review_till(world.ctx, world.supervisor, till)
    recount_till(world.ctx, world.supervisor, till, CountInput(cash=FLOAT_5000))
    figures = review_till(world.ctx, world.supervisor, till)
    assert (figures.closed_how, figures.close_reason) == ("forced", "gone home")
    assert "cash.till_force_closed" in kinds(world)
    assert_verifies(world)


# -- movements ---------------------------------------------------------------------------


def test_a_movement_needs_another_persons_supervisor_credentials(world: World) -> None:
    with pytest.raises(AuthenticationError):
        record_cash_movement(
            world.ctx,
            world.agent,
            MovementRequest(WORKSTATION, "drop", "100", "noon", "karim", "wrong password"),
        )
    with pytest.raises(PermissionDeniedError, match="not a supervisor"):
        record_cash_movement(
            world.ctx,
            world.agent,
            MovementRequest(WORKSTATION, "drop", "100", "noon", "yacine", PASSWORD),
        )
    with pytest.raises(PermissionDeniedError, match="other than"):
        record_cash_movement(
            world.ctx,
            world.supervisor,
            MovementRequest(WORKSTATION, "drop", "100", "noon", "karim", PASSWORD),
        )
    with pytest.raises(ValidationError, match="not a cash movement"):
        move(world, "theft", "100")
    with pytest.raises(ValidationError, match="reason"):
        record_cash_movement(
            world.ctx,
            world.agent,
            MovementRequest(WORKSTATION, "drop", "100", " ", "karim", PASSWORD),
        )
    assert "auth.login_failed" in kinds(world)  # the wrong password stayed journaled
    move(world, "drop", "100")
    (event,) = [json.loads(e.details) for e in _events(world, "cash.movement_recorded")]
    assert {k: event[k] for k in ("kind", "amount", "recorded_by", "approved_by", "reason")} == {
        "kind": "drop",
        "amount": 10000,
        "recorded_by": "amina",
        "approved_by": "karim",
        "reason": "drop at noon",
    }
    assert_verifies(world)


def test_a_closed_till_takes_no_movement(world: World) -> None:
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash=FLOAT_5000))
    with pytest.raises(ConflictError, match="No cash session is open"):
        move(world, "drop", "100")


# -- the agent's own takings ----------------------------------------------------------------


def test_an_agent_sees_their_own_takings_so_far(world: World) -> None:
    pay(world, "k1", cash("6000"), invoice="F1")
    pay(
        world,
        "k2",
        TenderInput(TenderKind.CARD, Decimal("5000"), authorisation_code="X"),
        invoice="F2",
    )
    takings = my_takings(world.ctx, world.agent, WORKSTATION)
    assert takings is not None
    assert (takings.payments, takings.voids) == (2, 0)
    assert takings.by_tender == {"cash": Decimal("5000.00"), "card": Decimal("5000.00")}
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash=FLOAT_5000))
    assert my_takings(world.ctx, world.agent, WORKSTATION) is None


def _events(world: World, kind: str) -> list[JournalEvent]:
    with world.db.read() as session:
        return list(
            session.scalars(
                select(JournalEvent).where(JournalEvent.kind == kind).order_by(JournalEvent.seq)
            )
        )


def _admin(world: World) -> Actor:
    return add_user(world.ctx, "root", role="admin", password=PASSWORD)


def test_a_tunisian_till_is_counted_to_the_millime(database: Database, tmp_path: Path) -> None:
    world = build_world(database, tmp_path / "keys", currency="TND")
    notes_and_coins = till_denominations(world.db)
    assert {d.currency for d in notes_and_coins} == {"TND"}
    assert notes_and_coins[-1].value == Decimal("0.005")
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    till = open_counted_till(
        world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-5000": 1})
    ).session_id
    counted = close_till(
        world.ctx,
        world.agent,
        WORKSTATION,
        CountInput(cash={"coin-1000": 4, "coin-500": 1, "coin-100": 4, "coin-5": 19}),
    )
    assert counted.cash == Decimal("4.995")
    figures = till_review(world.ctx, world.supervisor, till)
    assert figures.threshold == Decimal("5.000") and not figures.needs_reason
    assert figures.difference == Decimal("-0.005")
    review_till(world.ctx, world.supervisor, till)
    assert_verifies(world)
