"""The agency's business days: close a day, a month or a year; look at a past period.

Closing is refused while a till is open, and a month or a year while one of its
days is still open: the service says which, and that line is shown as it is.
An empty day before the one closed is closed with it.

Below, the closings of a period the supervisor picks (one day, or from one day
to another), newest first, with their period and perpetual totals; the
end-of-day report of a day in that list opens as a PDF (F9, or Enter on its
row), from which it is printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date

from app import config
from app.auth import Actor
from app.closing.closings import (
    ClosingInfo,
    ClosingStatus,
    close_day,
    close_month,
    close_year,
    closing_status,
)
from app.context import AppContext
from app.exports.service import cannot_write
from app.i18n import (
    N_,
    babel_locale,
    current_language,
    format_count,
    gettext,
    join_list,
    ngettext,
)
from app.reports.day_report import day_report_pdf
from app.station import StationInfo
from ui.bill_copy_dialog import open_in_viewer, pdf_viewer_available
from ui.focus import KeyboardDialog
from ui.formatting import day, hint_line, isolated, ltr, moment, money
from ui.qt import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.supervisor.period_fields import Refused, period_text, read_day, read_period
from ui.supervisor.preference import agency_name
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext

DEFAULT_DAYS = 31  # the period shown first: the last month, to today


def month_name(start: date) -> str:
    """The month of ``start`` as the reader writes it: novembre 2026, November 2026."""
    return format_date(start, format="LLLL y", locale=babel_locale())


def _period(closing: ClosingInfo) -> str:
    """A day, a month or a year as written in the reader's language."""
    if closing.kind == "monthly":
        return month_name(closing.period_start)
    if closing.kind == "yearly":
        return str(closing.period_start.year)
    return day(closing.period_start)


def _period_colour(closing: ClosingInfo) -> str | None:
    """Months and years stand out; a day closed empty with a later one is greyed."""
    if closing.kind != "daily":
        return "#0b5cad"
    return "#77776f" if closing.automatic else None


def parse_month(text: str) -> tuple[int, int] | None:
    """(year, month) of "2026-11"; None for anything else."""
    year, dash, month = text.strip().partition("-")
    if not dash or len(year) != 4 or not (year.isdigit() and month.isdigit()):
        return None
    if not 1 <= int(month) <= 12:
        return None
    return int(year), int(month)


def parse_year(text: str) -> int | None:
    text = text.strip()
    return int(text) if len(text) == 4 and text.isdigit() else None


def write_day_report(
    ctx: AppContext, actor: Actor, agency: str, wanted: date, language: str, folder: Path
) -> Path:
    """The end-of-day report of ``wanted`` as a PDF in ``folder`` (named after the agency,
    the day and the language); written whole, then renamed, so a viewer never opens half.

    Lowest role: supervisor (the report's own check).
    """
    pdf = day_report_pdf(ctx, actor, agency, wanted, language=language)
    path = folder / f"day-report-{agency}-{wanted.isoformat()}-{language}.pdf"
    partial = path.with_name(path.name + ".part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pdf)
        os.replace(partial, path)  # a viewer still holding the last one may refuse it
    except OSError as error:
        raise cannot_write(path, error) from error
    return path


class DayDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        station: StationInfo,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("day_closing")
        self._ctx, self._actor, self._station, self._runner = ctx, actor, station, runner
        self.busy = False
        self.status: ClosingStatus | None = None
        self.closed: ClosingInfo | None = None
        self.report: Path | None = None
        # Tests turn these off and point them elsewhere: no PDF viewer on a build machine.
        self.open_documents = True
        self.documents_dir: Path | None = None
        # The lines that say how the last action went, in the language of the moment.
        self._said: Callable[[], str] = lambda: ""
        self._reported: Callable[[], str] = lambda: ""
        tz = station.timezone
        today = ctx.now().astimezone(ZoneInfo(tz)).date()
        last_month = today.replace(day=1) - timedelta(days=1)
        self.shown: tuple[date, date] = (today - timedelta(days=DEFAULT_DAYS - 1), today)

        self.title = named(QLabel(), "title")
        self.last = wrapped_label("muted")
        self.open_tills = wrapped_label("error")
        self.day = named(QLineEdit(today.isoformat()), "closing_day")
        self.month = named(QLineEdit(f"{last_month:%Y-%m}"), "closing_month")
        self.year = named(QLineEdit(str(today.year - 1)), "closing_year")
        self.confirm = named(QPushButton(), "confirm")
        self.close_month_button = named(QPushButton(), "confirm_month")
        self.close_year_button = named(QPushButton(), "confirm_year")
        self.day_caption, self.month_caption, self.year_caption = QLabel(), QLabel(), QLabel()
        closing = QGridLayout()
        rows = (
            (self.day_caption, self.day, self.confirm, self.submit),
            (self.month_caption, self.month, self.close_month_button, self.submit_month),
            (self.year_caption, self.year, self.close_year_button, self.submit_year),
        )
        for index, (caption, field, button, action) in enumerate(rows):
            field.setMaximumWidth(150)
            caption.setBuddy(field)
            button.setAutoDefault(False)
            field.returnPressed.connect(action)
            button.clicked.connect(action)
            closing.addWidget(caption, index, 0)
            closing.addWidget(field, index, 1)
            closing.addWidget(button, index, 2)
        closing.setColumnStretch(3, 1)
        self.outcome = wrapped_label("understood")
        self.report_line = wrapped_label("muted")  # where the report's PDF is: under its list
        self.error = wrapped_label("error")

        self.history_title = named(QLabel(), "title")
        self.from_caption, self.to_caption = QLabel(), QLabel()
        self.start = named(QLineEdit(self.shown[0].isoformat()), "period_from")
        self.end = named(QLineEdit(self.shown[1].isoformat()), "period_to")
        self.show_button = named(QPushButton(), "show_period")
        self.show_button.setAutoDefault(False)
        picker = QHBoxLayout()
        for caption, field in ((self.from_caption, self.start), (self.to_caption, self.end)):
            field.setMaximumWidth(150)
            caption.setBuddy(field)
            field.returnPressed.connect(self.show_period)
            picker.addWidget(caption)
            picker.addWidget(field)
        picker.addWidget(self.show_button)
        picker.addStretch()
        self.show_button.clicked.connect(self.show_period)
        self.summary = wrapped_label("muted")
        self.model = RowsModel[ClosingInfo](
            [
                # A day, a month or a year: the period says which, as its name is written.
                Column("period", N_("Period"), _period, colour=_period_colour),
                Column("closed_at", N_("Closed at"), lambda c: moment(c.closed_at, tz)),
                Column("closed_by", N_("By"), lambda c: c.closed_by),
                Column("payments", N_("Payments"), lambda c: c.payments, align_end=True),
                Column("voids", N_("Voids"), lambda c: c.voids, align_end=True),
                Column(
                    "total",
                    N_("Period total"),
                    lambda c: money(c.period_total, c.currency),
                    align_end=True,
                ),
                Column(
                    "perpetual",
                    N_("Perpetual total"),
                    lambda c: money(c.perpetual_total, c.currency),
                    align_end=True,
                ),
            ]
        )
        self.view = named(QTableView(), "closings")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.activated.connect(lambda _index: self.open_report())
        self.keys = wrapped_label("muted")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.last)
        layout.addWidget(self.open_tills)
        layout.addLayout(closing)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addWidget(self.history_title)
        layout.addLayout(picker)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.report_line)
        layout.addWidget(self.keys)
        QShortcut(QKeySequence("F5"), self, self.show_period)
        QShortcut(QKeySequence("F9"), self, self.open_report)
        fit(self, parent, 1200, 700)
        self.retranslate()
        self.day.setFocus()
        self.day.selectAll()
        self.load()

    # --- reading ---------------------------------------------------------------------------

    def load(self) -> None:
        """The agency's state and the closings of the period shown, off the GUI thread."""
        db, agency = self._ctx.db, self._station.agency_code
        start, end = self.shown
        # Room for every closing that meets the period: its days, months and years.
        limit = (end - start).days + 1 + 13 * (end.year - start.year + 1)
        self._runner.submit(
            lambda: closing_status(db, agency, limit=limit, start=start, end=end),
            self._status_ready,
            self._failed,
        )

    def _status_ready(self, status: ClosingStatus) -> None:
        self.status = status
        self.model.set_rows(list(status.closings))
        self._show_status()

    def show_period(self) -> None:
        """F5 or Enter in the period's dates: the closings from one day to another (the
        second date left empty: that one day)."""
        chosen = read_period(self.start, self.end)
        if isinstance(chosen, Refused):
            self._refuse(chosen)
            return
        self.error.clear()
        self.shown = chosen
        self.load()

    def _show_status(self) -> None:
        status = self.status
        if status is None:
            return
        self.last.setText(
            _(N_("Last closed day: {day}")).format(day=isolated(day(status.last_closed_day)))
            if status.last_closed_day
            else _(N_("No day closed yet."))
        )
        self.open_tills.setText(
            _(N_("Tills still open: {tills}")).format(
                tills=join_list(ltr(t) for t in status.open_tills)
            )
            if status.open_tills
            else ""
        )
        self.open_tills.setVisible(bool(status.open_tills))
        self.summary.setText(self._summary(status))

    def _summary(self, status: ClosingStatus) -> str:
        """How many of the period's days are closed, what they took, and from when on
        they are still open."""
        start, end = self.shown
        days = [c for c in status.closings if c.kind == "daily" and start <= c.period_start <= end]
        shown = period_text(start, end)
        if days:
            paid = sum(c.payments for c in days)
            # Literals, not N_(): the extractor pairs ngettext's two strings as one plural.
            text = _(N_("{period}: {days}, {payments}, {total}.")).format(
                period=shown,
                days=ngettext("{count} day closed", "{count} days closed", len(days)).format(
                    count=format_count(len(days))
                ),
                payments=ngettext("{count} payment", "{count} payments", paid).format(
                    count=format_count(paid)
                ),
                total=money(sum((c.period_total for c in days), Decimal(0)), days[0].currency),
            )
        else:
            text = _(N_("{period}: no day closed.")).format(period=shown)
        last = status.last_closed_day
        still_open = start if last is None or last < start else last + timedelta(days=1)
        if still_open <= end:
            text += " " + _(N_("Not closed yet from {day} on.")).format(
                day=isolated(day(still_open))
            )
        return text

    # --- closing ---------------------------------------------------------------------------

    def _refuse(self, refused: Refused) -> None:
        self.error.setText(refused.text)
        refused.field.setFocus()
        refused.field.selectAll()

    def _close(self, work: Callable[[], ClosingInfo], field: QLineEdit) -> None:
        if self.busy:
            return
        self.busy = True
        self.error.clear()

        def failed(error: BaseException) -> None:
            self.busy = False
            self.outcome.clear()
            self._said = lambda: ""
            self._failed(error)
            field.setFocus()

        self._runner.submit(work, self._closed, failed)

    def submit(self) -> None:
        wanted = read_day(self.day)
        if isinstance(wanted, Refused):
            self._refuse(wanted)
            return
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code
        self._close(lambda: close_day(ctx, actor, agency, wanted), self.day)

    def submit_month(self) -> None:
        wanted = parse_month(self.month.text())
        if wanted is None:
            self._refuse(
                Refused(
                    _(N_("{value} is not a month: give it as YYYY-MM, e.g. 2026-10")).format(
                        value=self.month.text()
                    ),
                    self.month,
                )
            )
            return
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code
        self._close(lambda: close_month(ctx, actor, agency, *wanted), self.month)

    def submit_year(self) -> None:
        wanted = parse_year(self.year.text())
        if wanted is None:
            self._refuse(
                Refused(
                    _(N_("{value} is not a year: give it as YYYY, e.g. 2025")).format(
                        value=self.year.text()
                    ),
                    self.year,
                )
            )
            return
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code
        self._close(lambda: close_year(ctx, actor, agency, wanted), self.year)

    def _closed(self, closing: ClosingInfo) -> None:
        self.busy = False
        self.closed = closing
        self._said = lambda: self._result(closing)
        self.outcome.setText(self._said())
        # The period shown takes in what was just closed.
        self.shown = (
            min(self.shown[0], closing.period_start),
            max(self.shown[1], closing.period_end),
        )
        self.start.setText(self.shown[0].isoformat())
        self.end.setText(self.shown[1].isoformat())
        self.load()

    @staticmethod
    def _result(closing: ClosingInfo) -> str:
        figures = {
            "total": money(closing.period_total, closing.currency),
            "perpetual": money(closing.perpetual_total, closing.currency),
        }
        payments = ngettext("{count} payment", "{count} payments", closing.payments).format(
            count=format_count(closing.payments)
        )
        if closing.kind == "monthly":
            return _(
                N_("Month {period} closed: {payments}, {total}; perpetual total {perpetual}.")
            ).format(
                period=isolated(month_name(closing.period_start)), payments=payments, **figures
            )
        if closing.kind == "yearly":
            return _(
                N_("Year {period} closed: {payments}, {total}; perpetual total {perpetual}.")
            ).format(period=closing.period_start.year, payments=payments, **figures)
        text = _(
            N_("{day} closed: {payments} payments, {total}; perpetual total {perpetual}.")
        ).format(
            day=isolated(day(closing.period_start)),
            payments=format_count(closing.payments),
            **figures,
        )
        if closing.gap_days:
            text += " " + _(N_("Closed with it, without activity: {days}.")).format(
                days=join_list(day(d) for d in closing.gap_days)
            )
        return text

    def _failed(self, error: BaseException) -> None:
        # "A till is still open at ...", "2026-11-30 is not closed": the service's own words.
        self.error.setText(error_text(error))

    # --- the end-of-day report -------------------------------------------------------------

    def selected(self) -> ClosingInfo | None:
        """The closing the keyboard is on in the list (the current row: an arrow key from
        nowhere makes a row current before it selects it)."""
        row = self.view.currentIndex().row()
        return self.model.row_at(row) if 0 <= row < len(self.model.rows) else None

    def open_report(self) -> None:
        """F9 (or Enter on a day's row): the end-of-day report of the selected day as a
        PDF, opened in the computer's viewer, from which it prints."""
        closing = self.selected()
        if self.busy:
            return
        if closing is None or closing.kind != "daily":
            self.error.setText(_(N_("Pick a day in the list of closings for its report.")))
            self.view.setFocus()
            return
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code
        wanted, language = closing.period_start, current_language()
        folder = self.documents_dir or config.data_dir() / "documents"
        look_for_viewer = self.open_documents
        self.busy = True
        self.error.clear()

        def work() -> tuple[Path, bool]:
            path = write_day_report(ctx, actor, agency, wanted, language, folder)
            return path, look_for_viewer and pdf_viewer_available()

        def failed(error: BaseException) -> None:
            self.busy = False
            self._failed(error)

        self._runner.submit(work, lambda made: self._report_ready(wanted, *made), failed)

    def _report_ready(self, wanted: date, path: Path, viewer: bool) -> None:
        self.busy = False
        self.report = path
        where = ltr(str(path))
        if self.open_documents and viewer and open_in_viewer(path):
            said = N_("End-of-day report of {day} opened in the PDF viewer: {path}")
        elif self.open_documents:
            said = N_("No PDF viewer could open the end-of-day report of {day}; the file is {path}")
        else:
            said = N_("End-of-day report of {day} saved as {path}")
        self._reported = lambda: _(said).format(day=isolated(day(wanted)), path=where)
        self.report_line.setText(self._reported())

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Business days")))
        self.title.setText(_(N_("Closings of {agency}")).format(agency=agency_name(self._station)))
        self.day_caption.setText(_(N_("Day (YYYY-MM-DD)")))
        self.month_caption.setText(_(N_("Month (YYYY-MM)")))
        self.year_caption.setText(_(N_("Year (YYYY)")))
        self.confirm.setText(_(N_("Close the day (Enter)")))
        self.close_month_button.setText(_(N_("Close the month (Enter)")))
        self.close_year_button.setText(_(N_("Close the year (Enter)")))
        self.history_title.setText(_(N_("Past days and periods")))
        self.from_caption.setText(_(N_("From")))
        self.to_caption.setText(_(N_("to")))
        self.show_button.setText(_(N_("Show (F5)")))
        self.keys.setText(
            hint_line(
                [
                    N_("Enter: close the day, the month or the year typed"),
                    N_("F5: show the period"),
                    N_("F9 or Enter on a day: its end-of-day report (PDF)"),
                    N_("Esc: back"),
                ]
            )
        )
        self._show_status()
        self.outcome.setText(self._said())
        self.report_line.setText(self._reported())
        self.model.retranslate()
