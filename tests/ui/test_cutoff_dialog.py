"""The supervisor's cut-off list screen: the day, proposed and excluded lines with their
reasons, the CSV export off the GUI thread, one line for a bad day or a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.i18n import set_language
from db.engine import Database
from db.models import Agency, Complaint, Invoice
from tests.factories import NOW, World, add_subscriber, build_world
from tests.ui.conftest import SyncRunner
from ui.supervisor.cutoff_dialog import CutoffDialog


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 180_000, date(2026, 10, 1))])
    sid = add_subscriber(
        world.db,
        "1000000002",
        invoices=[("F2", 250_000, date(2026, 10, 1))],
        first_name="Karima",
        last_name="Ould Ali",
    )
    add_subscriber(
        world.db,
        "1000000003",
        invoices=[("F3", 99_000, date(2026, 10, 31))],
        first_name="Said",
        last_name="Bouzid",
    )
    with world.db.write() as session:
        for bill in session.scalars(select(Invoice)):
            bill.delivery_date = bill.issue_date
        late = session.scalars(select(Invoice).where(Invoice.number == "F3")).one()
        late.delivery_date = date(2026, 10, 30)  # late: its term and grace still run
        session.add(
            Complaint(
                number="R-2026-0001",
                agency_id=session.scalar(select(Agency.id)),
                subscriber_id=sid,
                contract_id=None,
                category="bill_not_received",
                channel="counter",
                description="Facture jamais reçue",
                language="fr",
                opened_at=NOW - timedelta(days=3),
                opened_by_id=world.agent.staff_id,
                status="open",
                used_minutes=0,
                updated_at=NOW,
            )
        )
    return world


def dialog_for(world: World, qtbot: QtBot, actor: object = None) -> CutoffDialog:
    dialog = CutoffDialog(
        world.ctx,
        actor or world.supervisor,  # type: ignore[arg-type]
        SyncRunner(),
        on=date(2026, 11, 21),
    )
    qtbot.addWidget(dialog)
    return dialog


def test_the_list_shows_proposed_and_excluded_lines_with_reasons(
    world: World, qtbot: QtBot
) -> None:
    dialog = dialog_for(world, qtbot)
    dialog.refresh()
    assert [line.contract_number for line in dialog.proposed_model.rows] == ["C1000000001"]
    assert [line.contract_number for line in dialog.excluded_model.rows] == [
        "C1000000002",
        "C1000000003",
    ]
    reasons = dialog.excluded_model.columns[-1]
    texts = [reasons.value(line) for line in dialog.excluded_model.rows]
    assert "R-2026-0001" in texts[0] and "delivered late" in texts[1]
    assert dialog.proposed_caption.text() == "Proposed for suspension: 1"
    assert "15 days of grace" in dialog.summary.text()


def test_export_writes_the_csv_and_says_where(world: World, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(world, qtbot)
    target = tmp_path / "cut.csv"
    dialog.path.setText(str(target))
    dialog.export()
    assert dialog.exported == 3
    assert target.read_text(encoding="utf-8").startswith("decision,contract")
    assert "3 line(s) written to" in dialog.error.text()
    dialog.path.setText(str(tmp_path / "no" / "such" / "dir.csv"))
    dialog.export()
    assert dialog.error.text().startswith("Cannot write")


def test_a_bad_day_and_an_agent_get_one_line(world: World, qtbot: QtBot) -> None:
    dialog = dialog_for(world, qtbot)
    dialog.date.setText("21/11/2026")
    dialog.refresh()
    assert "is not a date" in dialog.error.text() and "\n" not in dialog.error.text()
    assert dialog.proposed_model.rows == []
    refused = dialog_for(world, qtbot, world.agent)
    refused.refresh()
    assert "supervisor" in refused.error.text() and refused.proposed_model.rows == []


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_screen_in_each_language(world: World, qtbot: QtBot, language: str) -> None:
    set_language(language)
    dialog = dialog_for(world, qtbot)
    dialog.refresh()
    dialog.retranslate()
    assert dialog.proposed_model.rowCount() == 1 and dialog.excluded_model.rowCount() == 2
    assert dialog.summary.text() and dialog.windowTitle()
