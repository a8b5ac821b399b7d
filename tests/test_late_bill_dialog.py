"""The payment dialog says which late fee the payment waives, before the agent confirms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.subscribers import load_subscriber_view
from db.engine import Database
from db.models import Invoice
from tests.factories import WORKSTATION, World, add_subscriber, build_world
from tests.ui.conftest import SyncRunner
from ui.payment_dialog import PaymentDialog


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 100_000, date(2026, 11, 15))])
    with world.db.write() as session:
        bill = session.scalars(select(Invoice)).one()
        bill.delivery_date, bill.late_fee_minor = date(2026, 11, 12), 5_000
    return world


def open_dialog(world: World, qtbot: QtBot) -> PaymentDialog:
    view = load_subscriber_view(world.db, account_number="1000000001", now=world.ctx.now())
    dialog = PaymentDialog(world.ctx, world.agent, WORKSTATION, view, [], SyncRunner())
    qtbot.addWidget(dialog)
    return dialog


def plain(text: str) -> str:
    return (
        text.replace("\xa0", " ").replace("\u202f", " ").replace("\u2066", "").replace("\u2069", "")
    )


def test_the_dialog_asks_the_bill_without_its_late_fee_and_says_why(
    world: World, qtbot: QtBot
) -> None:
    dialog = open_dialog(world, qtbot)
    assert set(dialog.late_fees) == {"F1"}
    assert "1 000.00" in plain(dialog.due.text()) or "1,000.00" in plain(dialog.due.text())
    assert "Late fee of" in dialog.summary.text() and "F1" in plain(dialog.summary.text())
    assert dialog.tender_rows[0].amount.text().replace("\xa0", " ") in (
        "1 000.00",
        "1000.00",
        "1,000.00",
    )
