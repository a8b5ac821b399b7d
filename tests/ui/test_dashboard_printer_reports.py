"""The dashboard shows a printer only its counter can read, as that counter reported it.

A printer on another counter's USB port is never opened from the dashboard: the
counter's heartbeat writes its print worker's reading on its lease, and the
dashboard shows that while it is fresh, else "not reported" and since when.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.printing.devices import PrinterAddress
from app.printing.status import PrinterStatus
from app.station_lease import Holder, PrinterState, acquire, printer_states, renew
from tests.factories import NOW, WORKSTATION, FrozenClock, World
from tests.ui.conftest import Counter, SyncRunner
from tests.ui.test_supervisor_screens import printer_column, set_printer
from tests.ui.test_till_screens import open_dashboard, select_counter
from ui.qt import Qt, QWidget
from ui.station_lease import RETRY_SECONDS, LeaseKeeper
from ui.supervisor import printer_watch

OTHER = "ALG01-G02"
OTHER_PC = Holder(host="PC-GUICHET-2", pid=777, token="22222222-2222-2222-2222-222222222222")
USB = "usb://04b8:0202"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every printer the dashboard opens itself: none of a counter's own port."""
    seen: list[str] = []

    def query(address: PrinterAddress) -> PrinterStatus:
        seen.append(address.uri)
        return PrinterStatus.ONLINE

    monkeypatch.setattr(printer_watch, "default_query", query)
    yield seen


def at(world: World, seconds: float) -> None:
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = NOW + timedelta(seconds=seconds)


def the_other_counter_reports(world: World, status: PrinterStatus, read_ago: float = 5) -> None:
    """ALG01-G02 runs on its own PC and its heartbeat says what its worker read."""
    lease = acquire(world.ctx, OTHER, OTHER_PC, agent=world.other_agent)
    read_at = world.ctx.now() - timedelta(seconds=read_ago)
    renew(world.ctx, lease, agent=world.other_agent, printer=PrinterState(status, read_at))


def test_a_usb_printer_shows_the_state_its_counter_reported(
    counter: Counter, asked: list[str]
) -> None:
    world = counter.world
    set_printer(counter, OTHER, USB)
    the_other_counter_reports(world, PrinterStatus.PAPER_OUT, read_ago=20)
    dashboard = open_dashboard(counter)
    assert printer_column(dashboard)[OTHER] == "out of paper"
    select_counter(counter, dashboard, OTHER)
    assert dashboard.printer_line.text() == (
        "Printer of ALG01-G02: out of paper · read by its counter 20 sec ago"
    )
    # The agent put a roll in; the worker read it, the counter's next beat said so.
    at(world, 30)
    the_other_counter_reports(world, PrinterStatus.ONLINE)
    counter.press(Qt.Key.Key_F5)
    assert printer_column(dashboard)[OTHER] == "ready"
    assert asked == []  # never opened from here


def test_a_stale_report_is_shown_as_not_reported_and_since_when(
    counter: Counter, asked: list[str]
) -> None:
    world = counter.world
    set_printer(counter, OTHER, USB)
    the_other_counter_reports(world, PrinterStatus.ONLINE, read_ago=0)
    dashboard = open_dashboard(counter)
    assert printer_column(dashboard)[OTHER] == "ready"
    # The counter's PC froze: no beat since, its lease runs out, its "ready" goes stale.
    at(world, 150)
    counter.press(Qt.Key.Key_F5)
    assert printer_column(dashboard)[OTHER] == "not reported, 2 min ago"
    select_counter(counter, dashboard, OTHER)
    line = dashboard.printer_line.text()
    assert line == "Printer of ALG01-G02: not reported · its counter last said “ready”, 2 min ago"
    row = next(r for r in dashboard.model.rows if r.workstation == OTHER)
    assert row.printer.effective == PrinterStatus.UNKNOWN  # amber, never green unheard
    assert asked == []


def test_a_usb_printer_of_a_counter_not_running_is_not_reported(
    counter: Counter, asked: list[str]
) -> None:
    set_printer(counter, OTHER, USB)
    dashboard = open_dashboard(counter)
    assert printer_column(dashboard)[OTHER] == "not reported"
    select_counter(counter, dashboard, OTHER)
    assert dashboard.printer_line.text() == (
        "Printer of ALG01-G02: not reported · its counter is not running: "
        "only that counter can read this printer"
    )
    # Started, but its worker has not read the printer yet.
    acquire(counter.world.ctx, OTHER, OTHER_PC)
    counter.press(Qt.Key.Key_F5)
    assert "its counter has not read it yet" in dashboard.printer_line.text()
    assert asked == []


class MaybeAwayRunner(SyncRunner):
    """Runs each task at once, or fails it as a database that went away would."""

    away = False

    def submit(
        self,
        work: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if self.away:
            self.submitted += 1
            on_error(ConnectionError("database away"))
            return
        super().submit(work, on_result, on_error)


def test_the_counter_beats_at_once_when_its_printer_changes(
    counter_world: World, qtbot: QtBot
) -> None:
    world = counter_world
    parent = QWidget()
    qtbot.addWidget(parent)
    reading = [PrinterState(PrinterStatus.ONLINE, NOW)]
    runner = MaybeAwayRunner()
    ticks = [0.0]
    lease = acquire(world.ctx, WORKSTATION, OTHER_PC)
    keeper = LeaseKeeper(
        world.ctx,
        lease,
        runner,
        lambda: None,
        parent,
        printer=lambda: reading[0],
        clock=lambda: ticks[0],
    )
    keeper.look_at_printer()  # nothing written yet: a beat writes it
    assert runner.submitted == 1
    assert printer_states(world.ctx, "ALG01")[WORKSTATION].status == PrinterStatus.ONLINE
    keeper.look_at_printer()  # unchanged: no beat before the regular one
    assert runner.submitted == 1
    reading[0] = PrinterState(PrinterStatus.COVER_OPEN, NOW)
    keeper.look_at_printer()
    assert runner.submitted == 2
    assert printer_states(world.ctx, "ALG01")[WORKSTATION].status == PrinterStatus.COVER_OPEN
    # The database is away: a changed state does not ask it again at every look.
    reading[0] = PrinterState(PrinterStatus.PAPER_OUT, NOW)
    runner.away = True
    keeper.look_at_printer()
    assert runner.submitted == 3 and keeper.reported == PrinterStatus.COVER_OPEN
    keeper.look_at_printer()
    assert runner.submitted == 3
    ticks[0] = RETRY_SECONDS  # it came back
    runner.away = False
    keeper.look_at_printer()
    assert runner.submitted == 4 and keeper.reported == PrinterStatus.PAPER_OUT
