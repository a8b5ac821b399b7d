"""The supervisor's outage screen: record one, set its end, close it and see the figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.i18n import is_right_to_left, set_language
from app.outages.records import OutageState
from db.engine import Database
from db.models import Agency
from tests.factories import World, build_world
from tests.test_outages import HIT, TWO_DAYS, add_charter, populate
from tests.ui.conftest import SyncRunner
from ui.qt import QApplication, Qt, QWidget
from ui.supervisor.outage_dialog import OutageDialog
from ui.theme import apply_theme


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    with sqlite_database.write() as session:
        session.add(Agency(code="ORN01", name="Oran", timezone="Africa/Algiers"))
    add_charter(sqlite_database)
    populate(sqlite_database)
    return world


def _language(language: str) -> None:
    set_language(language)
    QApplication.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft
        if is_right_to_left(language)
        else Qt.LayoutDirection.LeftToRight
    )


@pytest.fixture
def room(qtbot: QtBot) -> Iterator[QWidget]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(1366, 768)
    parent.show()
    yield parent
    _language("en")


def _open(world: World, room: QWidget, qtbot: QtBot) -> OutageDialog:
    dialog = OutageDialog(world.ctx, world.supervisor, SyncRunner(), room)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def _press(dialog: OutageDialog, qtbot: QtBot, key: Qt.Key) -> None:
    QApplication.processEvents()
    qtbot.keyClick(QApplication.focusWidget() or dialog, key)


def test_record_end_and_close_an_outage(world: World, room: QWidget, qtbot: QtBot) -> None:
    _language("en")
    dialog = _open(world, room, qtbot)
    assert dialog.detail.text() == "No outage recorded."
    _press(dialog, qtbot, Qt.Key.Key_F2)
    assert dialog.form.isVisible()
    assert QApplication.focusWidget() is dialog.form.values
    dialog.form.service.setCurrentIndex(dialog.form.service.findData("adsl"))
    dialog.form.scope.setCurrentIndex(dialog.form.scope.findData("agencies"))
    qtbot.keyClicks(dialog.form.values, "alg01")
    qtbot.keyClick(dialog.form.values, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.form.start, "2026-11-18 09:00")
    qtbot.keyClick(dialog.form.start, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.form.end, Qt.Key.Key_Return)  # not over yet
    dialog.form.description.insert("Câble sectionné")  # not ASCII: as an input method commits it
    qtbot.keyClick(dialog.form.description, Qt.Key.Key_Return)
    assert dialog.error.text() == ""
    assert dialog.figures.text() == "Outage \u2066INT-2026-00001\u2069 recorded."
    assert not dialog.form.isVisible()
    row = dialog.selected()
    assert row is not None and row.state == OutageState.OPEN
    assert not dialog.close_button.isEnabled()
    # The end, typed wrong first: the service's line, the field keeps the focus.
    dialog.end_at.setFocus()
    qtbot.keyClicks(dialog.end_at, "2026-11-17 09:00")
    qtbot.keyClick(dialog.end_at, Qt.Key.Key_Return)
    assert dialog.error.text() == "The outage's end must come after its start."
    dialog.end_at.clear()
    qtbot.keyClicks(dialog.end_at, "2026-11-20 10:00")
    qtbot.keyClick(dialog.end_at, Qt.Key.Key_Return)
    assert dialog.error.text() == ""
    assert dialog.close_button.isEnabled()
    _press(dialog, qtbot, Qt.Key.Key_F4)
    outcome = dialog.last_outcome
    assert outcome is not None
    assert (outcome.affected, outcome.created) == (len(HIT), len(HIT))
    assert outcome.compensated_minor == len(HIT) * TWO_DAYS
    shown = "".join(c for c in dialog.figures.text() if c not in "\u2066\u2068\u2069")
    assert "3 contract(s) hit; 3 new claim(s): 3 applied for DZD\xa0320.01" in shown
    row = dialog.selected()
    assert row is not None and row.state == OutageState.CLOSED
    assert dialog.model.rows[0].compensated_minor == len(HIT) * TWO_DAYS
    assert not dialog.end_button.isEnabled()
    assert "Closed by \u2066karim\u2069" in dialog.detail.text()
    dialog.state_filter.setCurrentIndex(dialog.state_filter.findData(OutageState.OPEN))
    assert dialog.model.rows == []


def test_a_refused_outage_points_at_its_field(world: World, room: QWidget, qtbot: QtBot) -> None:
    _language("fr")
    dialog = _open(world, room, qtbot)
    dialog.toggle_form()
    dialog.form.scope.setCurrentIndex(dialog.form.scope.findData("agencies"))
    qtbot.keyClicks(dialog.form.values, "ZZZ")
    qtbot.keyClicks(dialog.form.start, "hier")
    dialog.record()
    assert "hier" in dialog.error.text() and "\n" not in dialog.error.text()
    assert dialog.focusWidget() is dialog.form.start
    dialog.form.start.clear()
    qtbot.keyClicks(dialog.form.start, "2026-11-18 09:00")
    dialog.record()
    assert "ZZZ" in dialog.error.text()
    assert dialog.focusWidget() is dialog.form.values
    assert dialog.model.rows == []


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_it_fits_the_room_in_every_language(
    world: World, room: QWidget, qtbot: QtBot, language: str, size: tuple[int, int]
) -> None:
    _language(language)
    room.resize(*size)
    dialog = _open(world, room, qtbot)
    dialog.toggle_form()
    assert dialog.width() <= size[0] and dialog.height() <= size[1]
    for button in (dialog.record_button, dialog.close_button, dialog.end_button, dialog.dismiss):
        assert button.width() >= button.sizeHint().width() - 1, button.text()
    assert dialog.layoutDirection() == (
        Qt.LayoutDirection.RightToLeft if language == "ar" else Qt.LayoutDirection.LeftToRight
    )
