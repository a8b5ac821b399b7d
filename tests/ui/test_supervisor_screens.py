"""The supervisor's screens with real keys: past days and date ranges, months and years
closed from the screen, the end-of-day report of a past day, the printers' live state
on the dashboard, and the export and archive screen."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from app.cash import close_cash_session
from app.closing.closings import close_day
from app.printing.devices import PrinterAddress
from app.printing.settings import save_printer_settings
from app.printing.status import PrinterStatus
from app.printing.worker import PrintWorker
from app.station import load_station
from tests.factories import WORKSTATION, FrozenClock
from tests.ui.conftest import Counter, SyncRunner
from tests.ui.test_screen_sizes import cut_texts
from tests.ui.test_till_screens import fits, open_dashboard, select_counter
from ui import qt
from ui.formatting import day
from ui.qt import QApplication, Qt
from ui.supervisor import printer_watch
from ui.supervisor.dashboard import DashboardDialog
from ui.supervisor.day_dialog import DayDialog
from ui.supervisor.export_dialog import ExportDialog

ALGIERS = ZoneInfo("Africa/Algiers")
ENTER, TAB = Qt.Key.Key_Return, Qt.Key.Key_Tab


def at(counter: Counter, local: datetime) -> None:
    clock = counter.world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = local.astimezone(UTC)


def close_tills(counter: Counter) -> None:
    world = counter.world
    for station in (WORKSTATION, "ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, station)


def open_days(counter: Counter) -> tuple[DashboardDialog, DayDialog]:
    dashboard = open_dashboard(counter)
    counter.press(Qt.Key.Key_F11)
    days = dashboard.child
    assert isinstance(days, DayDialog)
    return dashboard, days


def type_into(counter: Counter, field: qt.QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    counter.type(text)


def kinds_and_periods(days: DayDialog) -> list[tuple[str, date]]:
    return [(c.kind, c.period_start) for c in days.model.rows]


# --- past days and date ranges --------------------------------------------------------------


def test_a_past_day_or_a_date_range_shows_its_closings(counter: Counter) -> None:
    world = counter.world
    close_tills(counter)
    for each in (19, 20, 21):
        close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, each))
    _dashboard, days = open_days(counter)
    assert [p for _k, p in kinds_and_periods(days)][:3] == [
        date(2026, 11, 21),
        date(2026, 11, 20),
        date(2026, 11, 19),
    ]
    type_into(counter, days.start, "2026-11-20")
    counter.press(TAB)  # to the period's end
    assert counter.focus() is days.end
    days.end.selectAll()
    counter.type("2026-11-20")
    counter.press(ENTER)
    assert kinds_and_periods(days) == [("daily", date(2026, 11, 20))]
    assert "1 day closed, 0 payments" in days.summary.text()
    type_into(counter, days.start, "2026-11-01")
    type_into(counter, days.end, "2026-11-30")
    counter.press(Qt.Key.Key_F5)
    assert len(days.model.rows) == 3
    assert "Not closed yet from" in days.summary.text()  # 22 November on
    type_into(counter, days.end, "2026-10-01")
    counter.press(ENTER)
    assert days.error.text() == (
        f"The period ends on \u2068{day(date(2026, 10, 1))}\u2069, "
        f"before it starts on \u2068{day(date(2026, 11, 1))}\u2069."
    )
    assert counter.focus() is days.end
    type_into(counter, days.start, "21/11/2026")
    counter.press(ENTER)
    assert days.error.text().startswith("21/11/2026 is not a date")


def test_months_and_years_are_closed_from_the_screen_once_their_days_are(
    counter: Counter,
) -> None:
    close_tills(counter)
    at(counter, datetime(2026, 12, 2, 18, 0, tzinfo=ALGIERS))
    _dashboard, days = open_days(counter)
    assert days.month.text() == "2026-11"  # last month, offered first
    type_into(counter, days.month, "2026-11")
    counter.press(ENTER)
    assert days.error.text() == (
        "No business day of ALG01 is closed yet: close the days of 2026-11 first."
    )
    type_into(counter, days.day, "2026-11-29")
    counter.press(ENTER)
    assert days.error.text() == "" and "closed" in days.outcome.text()
    type_into(counter, days.month, "2026-11")
    counter.press(ENTER)
    assert days.error.text() == (
        "2026-11 of ALG01 cannot be closed yet: 2026-11-30 is not closed. "
        "Close every day (and, for a year, every month) first."
    )
    assert counter.focus() is days.month
    type_into(counter, days.day, "2026-12-01")  # 30 November, empty, closed with it
    counter.press(ENTER)
    assert "Closed with it, without activity" in days.outcome.text()
    type_into(counter, days.month, "2026-11")
    counter.press(ENTER)
    assert days.error.text() == ""
    assert days.outcome.text().startswith("Month \u2068November 2026\u2069 closed: 0 payments")
    assert ("monthly", date(2026, 11, 1)) in kinds_and_periods(days)
    type_into(counter, days.year, "2026")
    counter.press(ENTER)
    assert days.error.text().startswith("2026 of ALG01 cannot be closed yet: 2026-12 is not")
    type_into(counter, days.month, "2026-13")
    counter.press(ENTER)
    assert days.error.text() == "2026-13 is not a month: give it as YYYY-MM, e.g. 2026-10"


def test_the_end_of_day_report_of_a_past_day_opens_as_a_pdf(
    counter: Counter, tmp_path: Path
) -> None:
    world = counter.world
    close_tills(counter)
    close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 20))
    _dashboard, days = open_days(counter)
    days.open_documents, days.documents_dir = False, tmp_path
    counter.press(Qt.Key.Key_F9)  # nothing picked yet
    assert days.error.text() == "Pick a day in the list of closings for its report."
    assert counter.focus() is days.view
    counter.press(Qt.Key.Key_Down)
    counter.press(ENTER)
    path = tmp_path / "day-report-ALG01-2026-11-20-en.pdf"
    assert days.report == path and path.read_bytes().startswith(b"%PDF")
    assert days.report_line.text() == (
        f"End-of-day report of \u2068{day(date(2026, 11, 20))}\u2069 saved as \u2066{path}\u2069"
    )
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    days.documents_dir = blocker
    counter.press(Qt.Key.Key_F9)
    assert days.error.text().startswith("Cannot write ") and "day-report-ALG01" in days.error.text()


# --- the printers, live ---------------------------------------------------------------------


@pytest.fixture
def printers(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """What each printer answers (a PrinterStatus), or an Event it waits on first."""
    answers: dict[str, object] = {}
    asked: list[str] = []

    def query(address: PrinterAddress) -> PrinterStatus:
        asked.append(address.uri)
        answer = answers[address.uri]
        if isinstance(answer, threading.Event):
            answer.wait(10)
            return PrinterStatus.ONLINE
        assert isinstance(answer, PrinterStatus)
        return answer

    monkeypatch.setattr(printer_watch, "default_query", query)
    answers["asked"] = asked
    yield answers
    for answer in answers.values():
        if isinstance(answer, threading.Event):
            answer.set()


def printer_column(dashboard: DashboardDialog) -> dict[str, str]:
    model = dashboard.model
    column = model.column_index("printer")
    return {
        row.workstation: str(model.data(model.index(i, column))) for i, row in enumerate(model.rows)
    }


def set_printer(counter: Counter, workstation: str, uri: str) -> None:
    world = counter.world
    save_printer_settings(
        world.ctx, world.supervisor, workstation, printer_uri=uri, profile=None, paper_width_mm=None
    )


def test_the_dashboard_shows_each_printers_live_state(
    counter: Counter, qtbot: QtBot, printers: dict[str, object]
) -> None:
    set_printer(counter, "ALG01-G01", "tcp://192.0.2.11:9100")
    set_printer(counter, "ALG01-G02", "tcp://192.0.2.12:9100")
    printers["tcp://192.0.2.11:9100"] = PrinterStatus.PAPER_OUT
    printers["tcp://192.0.2.12:9100"] = PrinterStatus.COVER_OPEN
    dashboard = open_dashboard(counter)
    qtbot.waitUntil(
        lambda: (
            printer_column(dashboard) == {"ALG01-G01": "out of paper", "ALG01-G02": "cover open"}
        ),
        timeout=5000,
    )
    select_counter(counter, dashboard, "ALG01-G02")
    assert dashboard.printer_line.text() == "Printer of ALG01-G02: cover open"
    printers["tcp://192.0.2.12:9100"] = PrinterStatus.ONLINE  # the agent closed it
    counter.press(Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: printer_column(dashboard)["ALG01-G02"] == "ready", timeout=5000)
    assert dashboard.printer_line.text() == "Printer of ALG01-G02: ready"


def test_a_printer_that_does_not_answer_holds_nothing_up(
    counter: Counter,
    qtbot: QtBot,
    printers: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_printer(counter, "ALG01-G01", "tcp://192.0.2.11:9100")
    set_printer(counter, "ALG01-G02", "usb://04b8:0202")  # on the other counter's own port
    silent = threading.Event()
    printers["tcp://192.0.2.11:9100"] = silent
    dashboard = open_dashboard(counter)
    assert {r.till.state for r in dashboard.model.rows} == {"open"}  # the tills came at once
    assert printer_column(dashboard) == {"ALG01-G01": "asking…", "ALG01-G02": "not reported"}
    monkeypatch.setattr(printer_watch, "SILENT_SECONDS", 0.0)
    close_cash_session(counter.world.ctx, counter.world.other_agent, "ALG01-G02")
    counter.press(Qt.Key.Key_F5)  # the next reading is not held up either
    assert {r.workstation: r.till.state for r in dashboard.model.rows}["ALG01-G02"] == "closed"
    assert printer_column(dashboard)["ALG01-G01"] == "not answering"
    asked = printers["asked"]
    assert asked == ["tcp://192.0.2.11:9100"]  # asked once, not again while it says nothing
    select_counter(counter, dashboard, "ALG01-G02")
    assert "only that counter can read this printer" in dashboard.printer_line.text()
    silent.set()
    counter.press(Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: printer_column(dashboard)["ALG01-G01"] == "ready", timeout=5000)


def test_a_printer_busy_with_its_counter_is_not_reachable_only_once_it_missed_twice() -> None:
    answers = [PrinterStatus.ONLINE, PrinterStatus.UNREACHABLE, PrinterStatus.UNREACHABLE]
    changes: list[str] = []
    watch = printer_watch.PrinterWatch(
        SyncRunner(),
        lambda: changes.append("changed"),
        own_workstation="ALG01-G01",
        query=lambda _address: answers.pop(0),
    )
    printers = {"ALG01-G02": "tcp://192.0.2.12:9100"}
    seen = []
    for _tick in range(3):
        watch.watch(printers)
        seen.append(watch.reading("ALG01-G02", printers["ALG01-G02"]).short)
    assert seen == ["ready", "ready", "not reachable"]
    assert changes == ["changed", "changed"]


def test_this_counters_own_printer_is_read_from_its_print_worker(
    counter: Counter, printers: dict[str, object], tmp_path: Path
) -> None:
    world = counter.world
    set_printer(counter, "ALG01-G01", "tcp://192.0.2.11:9100")
    worker = PrintWorker(world.ctx, "ALG01-G01", query=lambda _a: PrinterStatus.COVER_OPEN)
    worker.check_status()  # what the counter's own worker learnt a moment ago
    dashboard = DashboardDialog(
        world.ctx,
        world.supervisor,
        load_station(world.db, "ALG01-G01"),
        SyncRunner(),
        counter.window,
        preference_file=tmp_path / "dashboard-first",
        worker=worker,
    )
    try:
        assert printer_column(dashboard)["ALG01-G01"] == "cover open"
        assert printers["asked"] == []  # never opened a second time from the dashboard
    finally:
        dashboard.done(0)


# --- export and archive ---------------------------------------------------------------------


def open_export(counter: Counter) -> tuple[DashboardDialog, ExportDialog]:
    dashboard = open_dashboard(counter)
    counter.press(Qt.Key.Key_F6)
    dialog = dashboard.child
    assert isinstance(dialog, ExportDialog)
    assert counter.focus() is dialog.start
    return dashboard, dialog


def test_the_export_the_archive_and_its_check_each_say_where_and_how_many(
    counter: Counter, tmp_path: Path
) -> None:
    world = counter.world
    close_tills(counter)
    close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 21))
    _dashboard, dialog = open_export(counter)
    type_into(counter, dialog.folder, str(tmp_path))
    dialog.bom.setFocus()
    counter.press(Qt.Key.Key_Space)
    assert dialog.bom.isChecked()
    counter.press(Qt.Key.Key_F2)
    folder = tmp_path / "ALG01-2026-11-21-2026-11-21"
    result = dialog.exported
    assert result is not None and dialog.error.text() == ""
    assert sum(file.rows for file in result.files) == 1  # the day's closing, no payment
    assert dialog.outcome.text() == (
        f"Exported \u2068{day(date(2026, 11, 21))}\u2069: {len(result.files)} files, 1 row, "
        f"in \u2066{folder}\u2069"
    )
    first = folder / result.files[0].name
    assert first.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM, for spreadsheets
    assert not dialog.warning.isVisible()  # the day is closed
    counter.press(Qt.Key.Key_F3)
    archive = tmp_path / "guichet-ALG01-2026-11-21-2026-11-21.zip"
    assert dialog.archived is not None and dialog.archived.path == archive and archive.exists()
    assert dialog.outcome.text().startswith(f"Archive \u2066{archive}\u2069: 2026-11-21 to")
    assert dialog.archive_file.text() == str(archive)
    counter.press(Qt.Key.Key_F4)
    assert dialog.outcome.text().startswith(f"OK: \u2066{archive}\u2069 holds: ")
    counter.press(Qt.Key.Key_F3)  # once more: beside it, never over it
    assert dialog.archived.path == tmp_path / "guichet-ALG01-2026-11-21-2026-11-21-2.zip"
    # An archive someone changed: each finding on its line, and no OK.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data + b"x" if item.filename == first.name else data)
    type_into(counter, dialog.archive_file, str(tampered))
    counter.press(ENTER)
    assert dialog.outcome.text() == ""
    assert dialog.error.text() == (
        f"FAILED: {first.name} was modified: its SHA-256 or its number of rows is not "
        "the manifest's."
    )


def test_an_export_of_days_not_closed_says_so_and_bad_input_is_named(
    counter: Counter, tmp_path: Path
) -> None:
    world = counter.world
    close_tills(counter)
    close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 20))
    _dashboard, dialog = open_export(counter)
    counter.type("2026-11-31")
    counter.press(ENTER)
    assert dialog.error.text() == "2026-11-31 is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31"
    assert counter.focus() is dialog.start and dialog.exported is None
    type_into(counter, dialog.start, "2026-11-21")
    type_into(counter, dialog.folder, str(tmp_path / "out"))
    counter.press(ENTER)
    assert dialog.exported is not None
    assert dialog.warning.text() == (
        "Warning: ALG01 has days up to 2026-11-21 not closed yet (last closed: 2026-11-20); "
        "they are written as they stand now."
    )
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    type_into(counter, dialog.folder, str(blocker))
    counter.press(Qt.Key.Key_F2)
    assert dialog.error.text().startswith(f"Cannot write {blocker}")
    type_into(counter, dialog.archive_file, str(tmp_path / "nothing.zip"))
    counter.press(ENTER)
    assert dialog.error.text() != "" and "Traceback" not in dialog.error.text()


# --- every screen fits, in every language ---------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_supervisors_screens_fit_and_cut_nothing(
    counter: Counter,
    qtbot: QtBot,
    printers: dict[str, object],
    language: str,
    size: tuple[int, int],
) -> None:
    world, window = counter.world, counter.window
    window.resize(*size)
    set_printer(counter, "ALG01-G01", "tcp://192.0.2.11:9100")
    set_printer(counter, "ALG01-G02", "usb://04b8:0202")
    printers["tcp://192.0.2.11:9100"] = PrinterStatus.UNREACHABLE
    close_tills(counter)
    for each in (20, 21):
        close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, each))
    dashboard = open_dashboard(counter)
    window.language.apply(language)
    qtbot.waitUntil(lambda: printers["asked"] != [] and dashboard.printer_runner.pending == 0)
    QApplication.processEvents()
    fits(dashboard, size)
    assert cut_texts(dashboard.view) == []
    counter.press(Qt.Key.Key_F11)
    days = dashboard.child
    assert isinstance(days, DayDialog)
    fits(days, size)
    assert cut_texts(days.view) == []
    counter.press(Qt.Key.Key_Escape)
    counter.press(Qt.Key.Key_F6)
    export = dashboard.child
    assert isinstance(export, ExportDialog)
    fits(export, size)
