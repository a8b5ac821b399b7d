from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import PermissionDeniedError
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from app.reports.day_takings import day_takings
from db.engine import Database
from db.models import TenderKind
from tests.factories import NOW, PASSWORD, WORKSTATION, add_subscriber, build_world


def test_supervisor_sees_todays_takings_net_of_change_and_voids(
    database: Database, tmp_path: Path
) -> None:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db, "1000000001", invoices=[(f"F{i}", 100000, date(2026, 10, i)) for i in (1, 2, 3)]
    )
    cash = TenderInput(TenderKind.CASH, Decimal("1500"))
    card = TenderInput(TenderKind.CARD, Decimal("1000"), authorisation_code="A1")
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest("a", "1000000001", WORKSTATION, (cash,), invoice_numbers=("F1",)),
    )
    take_payment(
        world.ctx,
        world.other_agent,
        PaymentRequest("b", "1000000001", "ALG01-G02", (card,), invoice_numbers=("F2",)),
    )
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest("c", "1000000001", WORKSTATION, (cash,), invoice_numbers=("F3",)),
    )
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v", "ALG01-G01-000002", WORKSTATION, "x", "karim", PASSWORD),
    )

    takings = day_takings(world.db, world.supervisor, "ALG01", now=NOW)
    assert takings.day == date(2026, 11, 21)
    assert (takings.payments, takings.voids) == (3, 1)
    assert takings.by_tender() == {"cash": Decimal("1000.00"), "card": Decimal("1000.00")}
    g01, g02 = takings.workstations
    assert (g01.workstation, g01.payments, g01.voids, g01.total) == (
        "ALG01-G01",
        2,
        1,
        Decimal("1000.00"),
    )
    assert g02.by_tender == {"card": Decimal("1000.00")}
    with pytest.raises(PermissionDeniedError):
        day_takings(world.db, world.agent, "ALG01", now=NOW)
