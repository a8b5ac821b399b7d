"""The blind count: an agent never learns what their till should hold.

Every service of the till modules is called with an agent: each either refuses
(PermissionDeniedError) or answers without any expected or difference figure,
neither as a field nor as a value. The till is arranged so that the expected
cash (10,123.45) and its difference to the count (−1,123.45) are figures no
agent typed or took, so finding either anywhere in an answer is a leak.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.auth import Actor
from app.closing import denominations, handover, movements, review, status, takings, tills
from app.closing.counts import CountInput
from app.closing.movements import MovementRequest
from app.errors import PermissionDeniedError
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import TenderKind
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world

TILL_MODULES = (tills, handover, movements, review, status, takings, denominations)
EXPECTED_CASH = Decimal("10123.45")
LEAKS = {EXPECTED_CASH, -EXPECTED_CASH, Decimal("1123.45"), Decimal("-1123.45")}
COUNT = CountInput(cash={"note-200000": 4, "note-100000": 1})  # 9,000.00


def figures_in(value: Any, path: str = "answer") -> Iterator[tuple[str, Any]]:
    """Every (field path, value) inside an answer: dataclasses, mappings, sequences."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from figures_in(getattr(value, item.name), f"{path}.{item.name}")
        for name, member in inspect.getmembers(type(value)):
            if isinstance(member, property):  # computed figures count too
                yield from figures_in(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from figures_in(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from figures_in(item, f"{path}[{index}]")
    else:
        yield path, value


def assert_blind(answer: Any) -> None:
    for path, value in figures_in(answer):
        name = path.rsplit(".", 1)[-1].lower()
        assert "expected" not in name and "difference" not in name, path
        assert not (isinstance(value, Decimal) and value in LEAKS), f"{path} = {value}"
        assert not (isinstance(value, int) and abs(value) in (1012345, 112345)), path


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "A1", invoices=[("F1", 500000, date(2026, 10, 1))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest("k1", "A1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("6000")),)),
    )
    movements.record_cash_movement(
        world.ctx,
        world.agent,
        MovementRequest(WORKSTATION, "top_up", "123.45", "coins", "karim", PASSWORD),
    )
    return world


# Each till service, called as an agent would, in an order that makes each meaningful.
CALLS: dict[str, Callable[[World, Actor], Any]] = {
    "current_cash_session": lambda w, a: tills.current_cash_session(w.db, WORKSTATION),
    "till_denominations": lambda w, a: denominations.till_denominations(w.db),
    "my_takings": lambda w, a: takings.my_takings(w.ctx, a, WORKSTATION),
    "till_statuses": lambda w, a: status.till_statuses(w.db),
    "till_at_sign_in": lambda w, a: status.till_at_sign_in(w.db, a, WORKSTATION),
    "tills_expected_cash": lambda w, a: status.tills_expected_cash(w.ctx, a, [_last(w)]),
    "till_review": lambda w, a: review.till_review(w.ctx, a, _last(w)),
    "review_till": lambda w, a: review.review_till(w.ctx, a, _last(w), reason="x"),
    "set_count_threshold": lambda w, a: review.set_count_threshold(w.ctx, a, "1"),
    "force_close_till": lambda w, a: handover.force_close_till(
        w.ctx, a, WORKSTATION, WORKSTATION, "gone"
    ),
    "record_cash_movement": lambda w, a: movements.record_cash_movement(
        w.ctx, a, MovementRequest(WORKSTATION, "drop", "1000", "safe", "karim", PASSWORD)
    ),
    "close_till": lambda w, a: tills.close_till(w.ctx, a, WORKSTATION, COUNT),
    "recount_till": lambda w, a: review.recount_till(w.ctx, a, _last(w), COUNT),
    "open_counted_till": lambda w, a: tills.open_counted_till(w.ctx, a, WORKSTATION, COUNT),
    "handover_till": lambda w, a: handover.handover_till(
        w.ctx, w.other_agent, a, WORKSTATION, closing_count=COUNT, opening_count=COUNT
    ),
    # (without a count, an agent closes whichever till is open at their own counter)
    "close_cash_session": lambda w, a: tills.close_cash_session(w.ctx, a, WORKSTATION),
    "open_cash_session": lambda w, a: tills.open_cash_session(w.ctx, a, WORKSTATION, "100"),
}


def _last(world: World) -> int:
    (found,) = status.till_statuses(world.db, workstation=WORKSTATION)
    assert found.session_id is not None
    return found.session_id


def _services() -> set[str]:
    names = set()
    for module in TILL_MODULES:
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue
            first = next(iter(inspect.signature(function).parameters), None)
            if first in ("ctx", "db"):
                names.add(name)
    return names


def test_every_till_service_is_called_here() -> None:
    assert _services() == set(CALLS)


def test_no_till_service_tells_an_agent_what_the_till_should_hold(world: World) -> None:
    first = _last(world)
    refused, answered = [], []
    # The drop first (its figure is in the expected cash), the close, then the rest.
    order = [
        "current_cash_session",
        "till_denominations",
        "my_takings",
        "till_statuses",
        "till_at_sign_in",
        "tills_expected_cash",
        "force_close_till",
        "close_till",
        "till_review",
        "review_till",
        "set_count_threshold",
        "recount_till",
        "open_counted_till",
        "handover_till",
        "close_cash_session",
        "open_cash_session",
        "record_cash_movement",
    ]
    assert set(order) == set(CALLS)
    for name in order:
        try:
            answer = CALLS[name](world, world.agent)
        except PermissionDeniedError:
            refused.append(name)
            continue
        answered.append(name)
        assert_blind(answer)
    assert sorted(refused) == [
        "force_close_till",
        "review_till",
        "set_count_threshold",
        "till_review",
        "tills_expected_cash",
    ]
    # and the supervisor does see them
    figures = review.till_review(world.ctx, world.supervisor, first)
    assert (figures.cash.expected, figures.difference) == (EXPECTED_CASH, Decimal("-1123.45"))
