"""Closing the agency's business day, and the closings already made.

Closing is refused while a till is open (the service says which); an empty day
before it is closed with it. The list shows the last closings, newest first,
with their period and perpetual totals.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from app.auth import Actor
from app.closing.closings import ClosingInfo, ClosingStatus, close_day, closing_status
from app.context import AppContext
from app.i18n import N_, gettext, join_list
from app.station import StationInfo
from ui.focus import KeyboardDialog
from ui.formatting import day, hint_line, isolated, ltr, moment, money, period
from ui.qt import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.room import fit
from ui.supervisor.preference import agency_name
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext

CLOSING_KINDS = {"daily": N_("Day"), "monthly": N_("Month"), "yearly": N_("Year")}
HISTORY = 60


def _period(closing: ClosingInfo) -> str:
    if closing.period_start == closing.period_end:
        return day(closing.period_start)
    return period(closing.period_start, closing.period_end)


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
        tz = station.timezone
        self.title = named(QLabel(), "title")
        self.last = named(QLabel(), "muted")
        self.last.setWordWrap(True)
        self.open_tills = named(QLabel(), "error")
        self.open_tills.setWordWrap(True)
        today = ctx.now().astimezone(ZoneInfo(tz)).date()
        self.day = named(QLineEdit(today.isoformat()), "closing_day")
        self.day.setMaximumWidth(180)
        self.outcome = named(QLabel(), "understood")
        self.outcome.setWordWrap(True)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.confirm = named(QPushButton(), "confirm")
        self.confirm.setAutoDefault(False)
        self.history_title = named(QLabel(), "title")
        self.model = RowsModel[ClosingInfo](
            [
                Column("kind", N_("Closing"), lambda c: _(CLOSING_KINDS.get(c.kind, c.kind))),
                Column("period", N_("Period"), _period),
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
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.keys = named(QLabel(), "muted")
        self.keys.setWordWrap(True)
        self.form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.day)
        row.addWidget(self.confirm)
        row.addStretch()
        self.form.addRow(QLabel(), row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.last)
        layout.addWidget(self.open_tills)
        layout.addLayout(self.form)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addWidget(self.history_title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.keys)
        self.day.returnPressed.connect(self.submit)
        self.confirm.clicked.connect(self.submit)
        fit(self, parent, 1200, 640)
        self.retranslate()
        self.day.setFocus()
        self.day.selectAll()
        self.load()

    def load(self) -> None:
        db, agency = self._ctx.db, self._station.agency_code
        self._runner.submit(
            lambda: closing_status(db, agency, limit=HISTORY), self._status_ready, self._failed
        )

    def _status_ready(self, status: ClosingStatus) -> None:
        self.status = status
        self.model.set_rows(list(status.closings))
        self._show_status()

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

    def submit(self) -> None:
        if self.busy:
            return
        try:
            wanted = date.fromisoformat(self.day.text().strip())
        except ValueError:
            self.error.setText(
                _(N_("{value} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31")).format(
                    value=self.day.text()
                )
            )
            self.day.setFocus()
            return
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code
        self.busy = True
        self.error.clear()
        self._runner.submit(
            lambda: close_day(ctx, actor, agency, wanted), self._closed, self._close_failed
        )

    def _closed(self, closing: ClosingInfo) -> None:
        self.busy = False
        self.closed = closing
        self._show_result()
        self.load()

    def _show_result(self) -> None:
        closing = self.closed
        if closing is None:
            return
        text = _(
            N_("{day} closed: {payments} payments, {total}; perpetual total {perpetual}.")
        ).format(
            day=isolated(day(closing.period_start)),
            payments=closing.payments,
            total=money(closing.period_total, closing.currency),
            perpetual=money(closing.perpetual_total, closing.currency),
        )
        if closing.gap_days:
            text += " " + _(N_("Closed with it, without activity: {days}.")).format(
                days=join_list(day(d) for d in closing.gap_days)
            )
        self.outcome.setText(text)

    def _close_failed(self, error: BaseException) -> None:
        self.busy = False
        self.outcome.clear()
        self._failed(error)
        self.day.setFocus()

    def _failed(self, error: BaseException) -> None:
        # "A till is still open at ..." and the like: the service's own words.
        self.error.setText(error_text(error))

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Business days")))
        self.title.setText(
            _(N_("Close the business day of {agency}")).format(agency=agency_name(self._station))
        )
        item = self.form.itemAt(0, QFormLayout.ItemRole.LabelRole)
        caption = item.widget() if item is not None else None
        if isinstance(caption, QLabel):
            caption.setText(_(N_("Day (YYYY-MM-DD)")))
        self.confirm.setText(_(N_("Close the day (Enter)")))
        self.history_title.setText(_(N_("Past closings")))
        self.keys.setText(hint_line([N_("Enter: close the day"), N_("Esc: back")]))
        self._show_status()
        self._show_result()
        self.model.retranslate()
