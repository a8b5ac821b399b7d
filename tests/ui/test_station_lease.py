"""The counter's start on a workstation already in use, and its heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import ui.app
from app.printing.worker import PrintWorker
from app.station_lease import Holder, WorkstationInUseError, acquire, release
from db.engine import Database
from db.models import WorkstationLease
from tests.factories import WORKSTATION, World, build_world
from tests.ui.conftest import SyncRunner
from ui.main_window import MainWindow
from ui.qt import QApplication, QMessageBox, QTimer, QWidget
from ui.station_lease import LeaseKeeper

ELSEWHERE = Holder(host="PC-GUICHET-2", pid=777, token="22222222-2222-2222-2222-222222222222")


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    world.ctx.clock = lambda: datetime.now(UTC)  # the started counter's clock: leases compare
    return world


def _key_file(tmp_path: Path) -> str:
    return str(tmp_path / "keys" / "signing-key.pem")


def _leases(database: Database) -> list[tuple[str, str | None]]:
    with database.read() as session:
        rows = session.scalars(select(WorkstationLease)).all()
        return [(row.host, row.agent_login) for row in rows]


def _close_box_later(seen: list[str]) -> None:
    """Read the modal box the start shows, then press OK on it, as the agent would."""

    def close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, close)
            return
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(20, close)


def _main_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_a_second_counter_shows_who_holds_the_workstation_and_does_not_open(
    world: World, tmp_path: Path, qtbot: QtBot
) -> None:
    acquire(world.ctx, WORKSTATION, ELSEWHERE, agent=world.agent)
    seen: list[str] = []
    _close_box_later(seen)
    with pytest.raises(WorkstationInUseError):
        ui.app.run(world.db.url, _key_file(tmp_path), WORKSTATION, "en", 5)
    assert len(seen) == 1 and "\n" not in seen[0]
    for named in ("ALG01-G01", "PC-GUICHET-2", "777", "Amina"):
        assert named in seen[0], seen[0]
    assert _main_windows() == []
    assert ui.app._started is None  # the sign-in window is gone with it
    assert _leases(world.db) == [("PC-GUICHET-2", "amina")]  # the first counter keeps it


def test_the_counter_holds_the_workstation_while_open_and_frees_it_at_exit(
    world: World, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The print worker's delayed start would outlive this test and print from its database.
    monkeypatch.setattr(PrintWorker, "start", lambda _self: None)
    held: list[list[tuple[str, str | None]]] = []

    def counter_in_use(app: QApplication) -> int:
        # Instead of the real event loop: a real quit() would leave Qt's "quit now" flag
        # set for every later test's event loop.
        held.append(_leases(world.db))
        for window in _main_windows():
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", counter_in_use)
    assert ui.app.run(world.db.url, _key_file(tmp_path), WORKSTATION, "en", 5) == 0
    assert len(held) == 1 and len(held[0]) == 1 and held[0][0][1] is None
    assert _leases(world.db) == []  # a clean exit: the next start need not wait


def test_the_heartbeat_names_the_agent_and_warns_when_the_workstation_was_taken(
    world: World, qtbot: QtBot
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    from app.station_lease import this_process

    lease = acquire(world.ctx, WORKSTATION, this_process())
    signed_in = [world.agent]
    keeper = LeaseKeeper(world.ctx, lease, SyncRunner(), lambda: signed_in[0], parent)
    keeper.renew_now()
    assert [login for _, login in _leases(world.db)] == ["amina"]
    # Stopped past its lease (a suspended PC), then another counter took the workstation.
    release(world.ctx, lease)
    acquire(world.ctx, WORKSTATION, ELSEWHERE)
    keeper.renew_now()
    assert keeper.warning is not None and keeper.warning.isVisible()
    assert "PC-GUICHET-2" in keeper.warning.text()
    keeper.renew_now()  # still refused: one warning, not one per beat
    # The other counter closed: the next beat takes the workstation back, the warning goes.
    release(world.ctx, acquire(world.ctx, WORKSTATION, ELSEWHERE))
    keeper.renew_now()
    assert keeper.warning is None
    assert [login for _, login in _leases(world.db)] == ["amina"]
