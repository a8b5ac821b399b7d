"""The supervisor's board of complaints driven with its keys: order, filters, assign,
note, waiting, resolve, print the slip again, CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.station import load_station
from db.engine import Database
from db.models import Complaint, ComplaintCategory, PrintJob
from tests.factories import NOW, World
from tests.test_complaint_world import complaint_world, record
from tests.ui.conftest import SyncRunner
from ui.qt import QApplication, Qt
from ui.supervisor.complaints_board import ComplaintsBoard


@pytest.fixture
def setting(sqlite_database: Database, tmp_path: Path) -> tuple[World, list[str]]:
    world, subscriber = complaint_world(sqlite_database, tmp_path)
    numbers = [
        record(world, subscriber).number,  # business hours, due Monday
        record(world, subscriber, ComplaintCategory.HOTLINE).number,  # 3 minutes
        record(world, subscriber, ComplaintCategory.BILLING).number,  # 10 days
    ]
    world.ctx.clock.now = NOW + timedelta(minutes=10)  # type: ignore[attr-defined]
    return world, numbers


@pytest.fixture
def board(
    setting: tuple[World, list[str]], qtbot: QtBot, tmp_path: Path
) -> Iterator[ComplaintsBoard]:
    world, _ = setting
    printed: list[int] = []
    dialog = ComplaintsBoard(
        world.ctx,
        world.supervisor,
        load_station(world.db, "ALG01-G01"),
        SyncRunner(),
        printed=lambda: printed.append(1),
        export_folder=tmp_path / "exports",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.done(0)


def _numbers(board: ComplaintsBoard) -> list[str]:
    return [row.number for row in board.model.rows]


def _press(qtbot: QtBot, key: Qt.Key) -> None:
    QApplication.processEvents()
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key)


def test_breaches_first_then_by_deadline(
    board: ComplaintsBoard, setting: tuple[World, list[str]]
) -> None:
    world, (fault, hotline, billing) = setting
    assert _numbers(board) == [hotline, fault, billing]
    left = board.model.index(0, board.model.column_index("left"))
    assert "late" in board.model.data(left)
    assert board.model.data(left, Qt.ItemDataRole.ForegroundRole).name() == "#b00020"
    assert "1 past their deadline" in board.summary.text()
    with world.db.read() as session:  # the refresh marked it
        breached = session.scalar(select(Complaint.breached_at).where(Complaint.number == hotline))
    assert breached is not None

    board.category.setCurrentIndex(board.category.findData(ComplaintCategory.BILLING))
    assert _numbers(board) == [billing]
    board.category.setCurrentIndex(0)
    board.agency.setText("TUN01")
    board.refresh()
    assert _numbers(board) == [] and "No complaint matches" in board.detail.text()


def test_assign_note_waiting_resolve_and_print_with_keys(
    board: ComplaintsBoard, setting: tuple[World, list[str]], qtbot: QtBot
) -> None:
    world, (fault, hotline, _billing) = setting
    board.view.setFocus()
    board.view.selectRow(1)  # the fault
    _press(qtbot, Qt.Key.Key_F2)
    assert board.child is not None
    qtbot.keyClicks(board.child.line, "yacine")
    _press(qtbot, Qt.Key.Key_Return)
    assert board.child is None
    assert f"{fault} assigned to yacine." == board.note.text()
    assert board.selected() is not None and board.selected().assigned_login == "yacine"

    _press(qtbot, Qt.Key.Key_F3)
    assert board.child is not None
    qtbot.keyClicks(board.child.line, "Called the customer")
    _press(qtbot, Qt.Key.Key_Return)
    assert board.note.text() == f"Note added to {fault}."

    _press(qtbot, Qt.Key.Key_F4)  # open: in progress
    _press(qtbot, Qt.Key.Key_F4)  # in progress: waiting for the customer, the clock stops
    row = board.selected()
    assert row is not None and row.status == "waiting_customer" and row.due_at is None
    assert "paused" in board.model.data(board.model.index(board.view.currentIndex().row(), 1))

    _press(qtbot, Qt.Key.Key_F6)
    with world.db.read() as session:
        copies = session.scalars(select(PrintJob.copy_number).order_by(PrintJob.id)).all()
    assert copies == [0, 0, 0, 1]

    _press(qtbot, Qt.Key.Key_F5)
    assert board.child is not None
    qtbot.keyClicks(board.child.line, "Line repaired")
    _press(qtbot, Qt.Key.Key_Return)
    assert board.note.text() == f"{fault} resolved."
    assert fault not in _numbers(board)  # no longer being handled

    board.view.selectRow(0)
    _press(qtbot, Qt.Key.Key_F8)  # closing an unresolved complaint is refused in one line
    assert board.note.text() == (f"Complaint {hotline} is new; it cannot become closed.")


def test_csv_export(board: ComplaintsBoard, tmp_path: Path, qtbot: QtBot) -> None:
    board.view.setFocus()
    _press(qtbot, Qt.Key.Key_F7)
    assert board.last_export is not None and board.last_export.exists()
    text = board.last_export.read_text("utf-8-sig")
    assert text.splitlines()[0].startswith("number,agency,account")
    assert len(text.splitlines()) == 4
    assert "3 complaint(s) written to" in board.note.text()


def test_the_board_compensates_lines_past_their_activation_deadline(
    setting: tuple[World, list[str]], qtbot: QtBot, tmp_path: Path
) -> None:
    from app.compensation.late_activation import apply_late_activations
    from db.models import CompensationClaim
    from tests.test_compensation_late_activation import add_charter, pending

    world, _ = setting
    add_charter(world, version=2, effective_from=NOW - timedelta(days=200))
    pending(world, "990001", (NOW - timedelta(days=30)).date())
    dialog = ComplaintsBoard(
        world.ctx,
        world.supervisor,
        load_station(world.db, "ALG01-G01"),
        SyncRunner(),
        export_folder=tmp_path / "exports",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    try:
        with world.db.read() as session:
            claims = session.scalars(select(CompensationClaim.source)).all()
        assert claims == ["late_activation"]
        assert apply_late_activations(world.ctx).created == 0  # once
    finally:
        dialog.done(0)
