"""The supervisor's dashboard: every counter of the agency, live.

Each counter's till (state, agent, since when), its takings today and its
printer (its live state, jobs waiting, the last failure), read off the GUI
thread every few seconds; the printers are asked on threads of their own
(:mod:`ui.supervisor.printer_watch`), so one that does not answer holds nothing
up. From here the supervisor reviews a counted till (Enter), records a cash
movement (F4), closes an abandoned till (F8), closes the business day, a month
or a year and looks at past days (F11), and exports or archives a period (F6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_time

from app.auth import Actor
from app.closing.status import COUNTED, OPEN, TillStatus, till_statuses
from app.closing.till_labels import TILL_STATES
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, babel_locale, current_language, gettext
from app.labels import label
from app.printing.queue import pending_jobs
from app.printing.settings import load_printer_settings
from app.printing.worker import PrintWorker
from app.reports.day_takings import day_takings
from app.reports.till_report import ReportKind, queue_till_report
from app.station import StationInfo
from app.station_lease import ReportedPrinter, printer_states
from db.models import Role
from ui.admin.import_dialog import ImportDialog
from ui.focus import KeyboardDialog
from ui.formatting import ago, hint_line, isolated, ltr, moment, money
from ui.printer_status import COLOURS, STOPPED, assess
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHeaderView,
    QItemSelectionModel,
    QKeySequence,
    QLabel,
    QShortcut,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.supervisor.calendar_dialog import CalendarDialog
from ui.supervisor.charter_view import CharterDialog
from ui.supervisor.compensation_dialog import CompensationDialog
from ui.supervisor.complaints_board import ComplaintsBoard
from ui.supervisor.cutoff_dialog import CutoffDialog
from ui.supervisor.day_dialog import DayDialog
from ui.supervisor.export_dialog import ExportDialog
from ui.supervisor.force_close_dialog import ForceCloseDialog
from ui.supervisor.movement_dialog import MovementDialog
from ui.supervisor.outage_dialog import OutageDialog
from ui.supervisor.preference import agency_name, dashboard_first, set_dashboard_first
from ui.supervisor.printer_watch import (
    ASKING,
    SHORT_LABELS,
    PrinterReading,
    PrinterWatch,
    Seen,
)
from ui.supervisor.review_dialog import ReviewDialog
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, TaskRunner

_ = gettext

REFRESH_MS = 10_000
REPORT_NAMES = {ReportKind.X: N_("X report"), ReportKind.Z: N_("Z report")}


@dataclass(frozen=True)
class CounterRow:
    till: TillStatus
    payments: int
    taken: Decimal
    jobs_waiting: int
    printer_error: str | None
    timezone: str
    now: datetime
    printer_uri: str | None = None
    printer: PrinterReading = ASKING
    # What its counter last wrote on its lease of a printer only it can read.
    reported: ReportedPrinter | None = None

    @property
    def workstation(self) -> str:
        return self.till.workstation


def _opened(row: CounterRow) -> str:
    """When the till opened: the time alone when it was today, else the date too."""
    opened = row.till.opened_at
    if opened is None:
        return "—"
    zone = ZoneInfo(row.timezone)
    if opened.astimezone(zone).date() == row.now.astimezone(zone).date():
        return format_time(opened, format="short", tzinfo=zone, locale=babel_locale())
    return moment(opened, row.timezone)


def _printer(row: CounterRow) -> str:
    """What to fix first: a printer that cannot print says why, else the jobs waiting,
    else its state. The line under the table has all of it for the selected counter."""
    if row.printer.effective not in STOPPED and row.jobs_waiting:
        return _(N_("{count} waiting")).format(count=row.jobs_waiting)
    age = row.printer.age_seconds
    if row.printer.seen == Seen.NOT_REPORTED and age is not None:
        return _(N_("not reported, {ago}")).format(ago=ago(age))
    return _(row.printer.short)


def _printer_source(reading: PrinterReading) -> str | None:
    """Where the state of a printer only its counter can read comes from, or why not."""
    report = reading.report
    if reading.seen == Seen.REPORTED and report is not None and report.age_seconds is not None:
        return _(N_("read by its counter {ago}")).format(ago=ago(report.age_seconds))
    if reading.seen != Seen.NOT_REPORTED:
        return None
    if report is None:
        return _(N_("its counter is not running: only that counter can read this printer"))
    if report.status is None or report.age_seconds is None:
        return _(N_("its counter has not read it yet"))
    return _(N_("its counter last said “{state}”, {ago}")).format(
        state=_(SHORT_LABELS[report.status]), ago=ago(report.age_seconds)
    )


def _printer_colour(row: CounterRow) -> str:
    level = assess(row.printer.effective, row.printer_error is not None, row.jobs_waiting)
    return COLOURS[level][0]


def _state_colour(row: CounterRow) -> str | None:
    return {COUNTED: "#8a5a00", OPEN: "#0a6b2d"}.get(row.till.state)


COLUMNS: list[Column[CounterRow]] = [
    Column("workstation", N_("Counter"), lambda r: r.workstation),
    Column(
        "state",
        N_("Till"),
        lambda r: label(TILL_STATES, r.till.state),
        colour=_state_colour,
    ),
    # Who holds the till and since when, in one column: the room of a 1024 px screen.
    Column(
        "agent",
        N_("Agent"),
        lambda r: f"{ltr(r.till.agent)} · {isolated(_opened(r))}" if r.till.agent else "—",
    ),
    Column("payments", N_("Payments"), lambda r: r.payments, align_end=True),
    Column("taken", N_("Taken today"), lambda r: money(r.taken, r.till.currency), align_end=True),
    Column("printer", N_("Printer"), _printer, colour=_printer_colour),
]


class DashboardDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        station: StationInfo,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        preference_file: Path | None = None,
        printed: Callable[[], None] | None = None,
        worker: PrintWorker | None = None,
    ) -> None:
        """``preference_file``: where "open the dashboard at sign-in" is kept (tests);
        ``printed``: called when a report was queued on this workstation's printer;
        ``worker``: this workstation's print worker, which knows its printer already."""
        super().__init__(parent)
        self.setObjectName("dashboard")
        self._ctx, self._actor, self._station, self._runner = ctx, actor, station, runner
        self._printed = printed
        # A printer that does not answer holds one of these threads, never the runner's.
        self.printer_runner = TaskRunner(self, max_threads=4)
        self.printers = PrinterWatch(
            self.printer_runner, self._printers_changed, own_workstation=station.ref, worker=worker
        )
        self.refreshing = False
        self.refreshed_at: str | None = None
        self.child: QDialog | None = None
        self.title = named(QLabel(), "title")
        self.updated = named(QLabel(), "muted")
        self.note = named(QLabel(), "error")
        self.note.setWordWrap(True)
        self.info = named(QLabel(), "muted")
        self.info.setWordWrap(True)
        self.printer_line = named(QLabel(), "muted")
        self.printer_line.setWordWrap(True)
        self.model = RowsModel[CounterRow](COLUMNS)
        self.view = named(QTableView(), "counters")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.keys = wrapped_label("muted")
        self.land_here = named(QCheckBox(), "dashboard_first")
        self.land_here.setChecked(dashboard_first(actor.login, preference_file))
        self.land_here.toggled.connect(
            lambda on: set_dashboard_first(actor.login, on, preference_file)
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)  # the table's columns get the room
        layout.addWidget(self.title)
        layout.addWidget(self.updated)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.printer_line)
        layout.addWidget(self.note)
        layout.addWidget(self.info)
        layout.addWidget(self.land_here)
        layout.addWidget(self.keys)

        self.view.activated.connect(lambda _index: self.review())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._show_printer())
        QShortcut(QKeySequence("F2"), self, self.review)
        QShortcut(QKeySequence("F4"), self, self.movement)
        QShortcut(QKeySequence("F8"), self, self.force_close)
        QShortcut(QKeySequence("F11"), self, self.days)
        QShortcut(QKeySequence("F6"), self, self.export)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence("F9"), self, lambda: self.print_report(ReportKind.X))
        QShortcut(QKeySequence("Shift+F9"), self, lambda: self.print_report(ReportKind.Z))
        # The charter's side of the agency: complaints, compensations, outages, calendar.
        QShortcut(QKeySequence("F3"), self, self.complaints)
        QShortcut(QKeySequence("F7"), self, self.compensations)
        QShortcut(QKeySequence("Ctrl+O"), self, self.outages)
        QShortcut(QKeySequence("Ctrl+L"), self, self.calendar)
        QShortcut(QKeySequence("Ctrl+H"), self, self.charter)
        QShortcut(QKeySequence("Ctrl+K"), self, self.cutoff)
        QShortcut(QKeySequence("Ctrl+I"), self, self.billing_import)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        fit(self, parent, 1280, 640)
        self.retranslate()
        self.refresh()
        self.view.setFocus()

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read every counter again, off the GUI thread (one read at a time)."""
        if self.refreshing:
            return
        self.refreshing = True
        ctx, actor, station = self._ctx, self._actor, self._station

        def work() -> list[CounterRow]:
            tills = till_statuses(ctx.db, agency=station.agency_code)
            now = ctx.now()
            takings = day_takings(ctx.db, actor, station.agency_code, now=now)
            by_station = {w.workstation: w for w in takings.workstations}
            jobs = pending_jobs(ctx.db, actor, station.ref, every_workstation=True)
            reported = printer_states(ctx, station.agency_code)
            rows = []
            for till in tills:
                uri = load_printer_settings(ctx.db, till.workstation).printer_uri
                taken = by_station.get(till.workstation)
                mine = [job for job in jobs if job.workstation == till.workstation]
                failing = next((job.error for job in reversed(mine) if job.error), None)
                rows.append(
                    CounterRow(
                        till,
                        taken.payments if taken else 0,
                        taken.total if taken else Decimal(0),
                        len(mine),
                        failing,
                        station.timezone,
                        now,
                        uri,
                        reported=reported.get(till.workstation),
                    )
                )
            return rows

        self._runner.submit(work, self._rows_ready, self._refresh_failed)

    def _rows_ready(self, rows: list[CounterRow]) -> None:
        self.refreshing = False
        selected = self.selected()
        self.model.set_rows(self._with_printers(rows))
        self.printers.watch({row.workstation: row.printer_uri for row in rows})
        wanted = selected.workstation if selected else None
        index = next((i for i, r in enumerate(rows) if r.workstation == wanted), 0)
        if rows:
            self.select_row(index)
        self.refreshed_at = isolated(moment(self._ctx.now(), self._station.timezone))
        self._show_updated()
        self._show_printer()

    def _with_printers(self, rows: list[CounterRow]) -> list[CounterRow]:
        return [
            replace(
                row,
                printer=self.printers.reading(row.workstation, row.printer_uri, row.reported),
            )
            for row in rows
        ]

    def _printers_changed(self) -> None:
        """A printer answered something new: its column and line, without reading again."""
        rows = self._with_printers(self.model.rows)
        self.model.rows[:] = rows
        if rows:
            column = self.model.column_index("printer")
            self.model.dataChanged.emit(
                self.model.index(0, column), self.model.index(len(rows) - 1, column)
            )
        self._show_printer()

    def _show_printer(self) -> None:
        """The selected counter's printer in words: its state and why its last job failed."""
        row = self.selected()
        if row is None:
            self.printer_line.clear()
            return
        parts = [
            _(N_("Printer of {workstation}: {state}")).format(
                workstation=row.workstation, state=_(row.printer.short)
            )
        ]
        source = _printer_source(row.printer)
        if source is not None:
            parts.append(source)
        if row.jobs_waiting:
            parts.append(_(N_("Jobs waiting: {count}")).format(count=row.jobs_waiting))
        if row.printer_error:
            parts.append(_(N_("Its last job failed: {error}")).format(error=row.printer_error))
        self.printer_line.setText(" · ".join(parts))

    def _refresh_failed(self, error: BaseException) -> None:
        self.refreshing = False
        self.say(error)

    def select_row(self, row: int) -> None:
        """Select a whole row (QTableView.selectRow selects nothing in a right-to-left
        table before it is shown)."""
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.selectionModel().setCurrentIndex(index, flags)

    def selected(self) -> CounterRow | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if rows and rows[0].row() < len(self.model.rows):
            return self.model.row_at(rows[0].row())
        return None

    def say(self, error: BaseException | str | None) -> None:
        if isinstance(error, GuichetError):
            self.note.setText(error.translated())
        else:
            self.note.setText("" if error is None else str(error))

    # --- acting ----------------------------------------------------------------------------

    def _open_child(self, dialog: QDialog) -> None:
        self.child = dialog

        def closed(_result: int) -> None:
            if self.child is dialog:
                self.child = None
            self.refresh()
            self.activateWindow()  # the keyboard comes back here, not to the window under
            self.view.setFocus()

        dialog.finished.connect(closed)
        dialog.open()

    def complaints(self) -> None:
        if self.child is None:
            self._open_child(
                ComplaintsBoard(
                    self._ctx, self._actor, self._station, self._runner, self, printed=self._printed
                )
            )

    def compensations(self) -> None:
        if self.child is None:
            self._open_child(
                CompensationDialog(self._ctx, self._actor, self._station, self._runner, self)
            )

    def outages(self) -> None:
        if self.child is None:
            self._open_child(OutageDialog(self._ctx, self._actor, self._runner, self))

    def calendar(self) -> None:
        if self.child is None:
            self._open_child(
                CalendarDialog(
                    self._ctx, self._actor, self._station.agency_code, self._runner, self
                )
            )

    def charter(self) -> None:
        if self.child is None:
            self._open_child(CharterDialog(self._ctx, self._actor, self._runner, self))

    def billing_import(self) -> None:
        """Ctrl+I: the billing system's files, for an administrator (the service checks)."""
        if self.child is not None:
            return
        if not self._actor.has_role(Role.ADMIN):
            self.say(_(N_("Only an administrator imports from the billing system.")))
            return
        self._open_child(ImportDialog(self._ctx, self._actor, self._runner, self))

    def cutoff(self) -> None:
        if self.child is None:
            self._open_child(CutoffDialog(self._ctx, self._actor, self._runner, parent=self))

    def review(self) -> None:
        row = self.selected()
        if row is None or self.child is not None:
            return
        if row.till.session_id is None or row.till.state == OPEN:
            self.say(
                _(N_("The till of {workstation} is not closed: nothing to review yet.")).format(
                    workstation=row.workstation
                )
            )
            return
        self.say(None)
        self._open_child(
            ReviewDialog(
                self._ctx, self._actor, row.till, self._station.timezone, self._runner, self
            )
        )

    def movement(self) -> None:
        row = self.selected()
        if row is None or self.child is not None:
            return
        if row.till.state != OPEN:
            self.say(
                _(N_("The till of {workstation} is not open.")).format(workstation=row.workstation)
            )
            return
        self.say(None)
        self._open_child(MovementDialog(self._ctx, self._actor, row.till, self._runner, self))

    def force_close(self) -> None:
        row = self.selected()
        if row is None or self.child is not None:
            return
        if row.till.state != OPEN:
            self.say(
                _(N_("The till of {workstation} is not open.")).format(workstation=row.workstation)
            )
            return
        self.say(None)
        self._open_child(
            ForceCloseDialog(
                self._ctx, self._actor, self._station.ref, row.till, self._runner, self
            )
        )

    def print_report(self, kind: ReportKind) -> None:
        """The X (any time) or Z (a closed till) report of the selected counter's till,
        on this workstation's printer, with the supervisor's figures."""
        row = self.selected()
        if row is None or row.till.session_id is None:
            return
        ctx, actor, till_id = self._ctx, self._actor, row.till.session_id
        here, language = self._station.ref, current_language()
        workstation = row.workstation

        def queued(_job: int) -> None:
            self.info.setText(
                _(N_("{report} of {workstation} sent to the printer.")).format(
                    report=_(REPORT_NAMES[kind]), workstation=workstation
                )
            )
            self.say(None)
            if self._printed is not None:
                self._printed()

        def refused(error: BaseException) -> None:
            self.info.clear()
            self.say(error)

        self._runner.submit(
            lambda: queue_till_report(
                ctx, till_id, kind, workstation=here, language=language, actor=actor
            ),
            queued,
            refused,
        )

    def days(self) -> None:
        if self.child is not None:
            return
        self.say(None)
        self._open_child(DayDialog(self._ctx, self._actor, self._station, self._runner, self))

    def export(self) -> None:
        if self.child is not None:
            return
        self.say(None)
        self._open_child(ExportDialog(self._ctx, self._actor, self._station, self._runner, self))

    def done(self, result: int) -> None:
        self.timer.stop()
        self.printers.close()
        self.printer_runner.close(0)  # never wait for a printer that does not answer
        if self.child is not None:
            child, self.child = self.child, None
            child.done(QDialog.DialogCode.Rejected)
        super().done(result)

    # --- words -----------------------------------------------------------------------------

    def _show_updated(self) -> None:
        if self.refreshed_at is not None:
            self.updated.setText(
                _(N_("Updated {time}; every 10 seconds (F5: now)")).format(time=self.refreshed_at)
            )

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Dashboard")))
        self.title.setText(_(N_("Counters of {agency}")).format(agency=agency_name(self._station)))
        self.keys.setText(
            hint_line(
                [
                    N_("Enter: review the till"),
                    N_("F4: cash movement"),
                    N_("F8: close an abandoned till"),
                    N_("F9: X report"),
                    N_("Shift+F9: Z report"),
                    N_("F11: close a day, a month, a year; past days"),
                    N_("F6: export and archive"),
                    N_("F3: complaints"),
                    N_("F7: compensations to approve"),
                    N_("Ctrl+O: outages"),
                    N_("Ctrl+L: calendar"),
                    N_("Ctrl+H: charter"),
                    N_("Ctrl+K: lines proposed for cut-off"),
                    N_("Ctrl+I: import (administrators)"),
                    N_("Esc: back"),
                ]
            )
        )
        self.land_here.setText(_(N_("Open this dashboard when I sign in")))
        self._show_updated()
        self._show_printer()
        self.model.retranslate()
