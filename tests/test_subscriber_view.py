from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import NotFoundError
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.subscribers import load_subscriber_view
from db.engine import Database
from db.models import ContractStatus, TenderKind
from tests.factories import NOW, WORKSTATION, add_subscriber, build_world


def test_view_shows_what_the_counter_needs(database: Database, tmp_path: Path) -> None:
    world = build_world(database, tmp_path / "keys")
    subscriber_id = add_subscriber(
        world.db,
        "1000000001",
        phone="+213555123456",
        line="+21321234567",
        status=ContractStatus.SUSPENDED,
        invoices=[("F2", 250000, date(2026, 12, 15)), ("F1", 180000, date(2026, 9, 15))],
    )
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "k", "1000000001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("500")),)
        ),
    )
    view = load_subscriber_view(world.db, subscriber_id=subscriber_id, now=NOW)
    assert view.display_name == "Hélène Benali" and view.name_ar == "هيلين بن علي"
    assert view.phones == ("0555 12 34 56",)  # as people read it at home
    assert [c.status for c in view.contracts] == ["suspended"]
    assert [i.number for i in view.open_invoices] == ["F1", "F2"]  # oldest due first
    assert view.open_invoices[0].left_to_pay == Decimal("1300.00") and view.open_invoices[0].overdue
    assert not view.open_invoices[1].overdue
    assert view.total_due == Decimal("3800.00") and view.overdue == Decimal("1300.00")
    assert [p.receipt_no for p in view.recent_payments] == ["ALG01-G01-000001"]
    with pytest.raises(NotFoundError):
        load_subscriber_view(world.db, account_number="nope", now=NOW)
