"""The supervisor reaches the charter's screens from the dashboard with one key each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.auth import add_user
from app.station import load_station
from tests.factories import PASSWORD
from tests.ui.conftest import Counter, SyncRunner
from ui.admin.import_dialog import ImportDialog
from ui.supervisor.calendar_dialog import CalendarDialog
from ui.supervisor.charter_view import CharterDialog
from ui.supervisor.compensation_dialog import CompensationDialog
from ui.supervisor.complaints_board import ComplaintsBoard
from ui.supervisor.cutoff_dialog import CutoffDialog
from ui.supervisor.dashboard import DashboardDialog
from ui.supervisor.outage_dialog import OutageDialog


@pytest.fixture
def dashboard(counter: Counter, tmp_path: Path) -> Iterator[DashboardDialog]:
    world = counter.world
    opened = DashboardDialog(
        world.ctx,
        world.supervisor,
        load_station(world.db, "ALG01-G01"),
        SyncRunner(),
        counter.window,
        preference_file=tmp_path / "dashboard-first",
    )
    opened.show()
    try:
        yield opened
    finally:
        opened.done(0)


@pytest.mark.parametrize(
    ("key", "modifier", "kind"),
    [
        (Qt.Key.Key_F3, Qt.KeyboardModifier.NoModifier, ComplaintsBoard),
        (Qt.Key.Key_F7, Qt.KeyboardModifier.NoModifier, CompensationDialog),
        (Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier, OutageDialog),
        (Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier, CalendarDialog),
        (Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier, CharterDialog),
        (Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier, CutoffDialog),
    ],
)
def test_each_key_opens_its_screen_and_esc_comes_back(
    qtbot: QtBot, dashboard: DashboardDialog, key: Qt.Key, modifier: Qt.KeyboardModifier, kind: type
) -> None:
    qtbot.keyClick(dashboard, key, modifier)
    qtbot.waitUntil(lambda: isinstance(dashboard.child, kind))
    child = dashboard.child
    assert child is not None and child.isVisible()
    qtbot.keyClick(child, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dashboard.child is None)


def test_ctrl_i_imports_only_for_an_administrator(
    qtbot: QtBot, dashboard: DashboardDialog, counter: Counter
) -> None:
    qtbot.keyClick(dashboard, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert dashboard.child is None
    assert dashboard.note.text() == "Only an administrator imports from the billing system."
    world = counter.world
    admin = add_user(world.ctx, "root", role="admin", password=PASSWORD, full_name="Root")
    dashboard._actor = admin
    qtbot.keyClick(dashboard, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(dashboard.child, ImportDialog))
