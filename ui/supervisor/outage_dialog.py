"""Outages, for the supervisor: the list (open, ended, closed; contracts hit and
compensated), recording one, setting its end, closing it.

Closing finds the contracts the outage hit and writes each one's compensation: on
a national outage that is a hundred thousand signed entries, so it runs off the
GUI thread (the runner) and the figures are shown when it is done. Times are typed
and shown in the operator's time zone. Every check is the service's; a refusal is
its translated line, and the field it names takes the focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, format_count, gettext
from app.labels import SERVICES, label
from app.money import currency, from_minor
from app.outages.fanout import CloseOutcome, close_outage
from app.outages.labels import CLOSED, NO_COMMITMENT, SCOPES, STATES
from app.outages.records import (
    OutageRequest,
    OutageState,
    OutageSummary,
    end_outage,
    list_outages,
    operator_timezone,
    parse_when,
    record_outage,
)
from db.models import OutageScope, ServiceType
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, isolated, ltr, moment, money
from ui.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
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
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext

FILTERS = (
    (None, N_("All outages")),
    (OutageState.OPEN, STATES[OutageState.OPEN]),
    (OutageState.ENDED, STATES[OutageState.ENDED]),
    (OutageState.CLOSED, STATES[OutageState.CLOSED]),
)
TIME_HINT = N_("YYYY-MM-DD HH:MM, operator's time")


def _when(value: datetime | None, zone: str) -> str:
    return moment(value, zone) if value is not None else "—"


def _where(row: OutageSummary) -> str:
    shown = ", ".join(row.values[:3]) + (" …" if len(row.values) > 3 else "")
    return f"{label(SCOPES, row.scope)}: {isolated(shown)}"


def _amount(minor: int | None, code: str) -> str:
    return "" if minor is None else money(from_minor(minor, currency(code)), code)


COLUMNS: list[Column[OutageSummary]] = [
    Column("number", N_("Outage"), lambda r: ltr(r.number)),
    Column("service", N_("Service"), lambda r: label(SERVICES, r.service)),
    Column("where", N_("Where"), _where),
    Column("start", N_("Start"), lambda r: _when(r.started_at, r.timezone)),
    Column(
        "state",
        N_("State"),
        lambda r: label(STATES, r.state),
        colour=lambda r: "#b45309" if r.state == OutageState.OPEN else None,
    ),
    Column(
        "affected",
        N_("Contracts"),
        lambda r: "" if r.affected_contracts is None else format_count(r.affected_contracts),
        align_end=True,
    ),
    Column(
        "compensated",
        N_("Compensated"),
        lambda r: _amount(r.compensated_minor, r.currency),
        align_end=True,
    ),
]


def close_text(outcome: CloseOutcome) -> str:
    """The figures of a close, as one translated paragraph."""

    def amount(minor: int) -> str:
        return isolated(money(from_minor(minor, currency(outcome.currency)), outcome.currency))

    def count(value: int) -> str:
        return isolated(format_count(value))

    text = _(CLOSED).format(
        number=ltr(outcome.number),
        affected=count(outcome.affected),
        created=count(outcome.created),
        applied=count(outcome.applied),
        applied_amount=amount(outcome.applied_minor),
        awaiting=count(outcome.awaiting_approval),
        awaiting_amount=amount(outcome.awaiting_minor),
        recorded=count(outcome.recorded),
        already=count(outcome.already_there),
        total=amount(outcome.compensated_minor),
        commitment=ltr(outcome.commitment_code or "—"),
    )
    if outcome.commitment_code is None:
        text += " " + _(NO_COMMITMENT)
    return text


class OutageForm(QWidget):
    """Recording an outage: service, where, when, what happened."""

    def __init__(self) -> None:
        super().__init__()
        self.service = named(QComboBox(), "outage_service")
        for service in ServiceType:
            self.service.addItem(label(SERVICES, service.value), service.value)
        self.scope = named(QComboBox(), "outage_scope")
        for scope in OutageScope.ALL:
            self.scope.addItem(label(SCOPES, scope), scope)
        self.values = named(QLineEdit(), "outage_values")
        self.start = named(QLineEdit(), "outage_start")
        self.end = named(QLineEdit(), "outage_end")
        self.description = named(QLineEdit(), "outage_description")
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self._rows = [
            (N_("Service"), self.service),
            (N_("Scope"), self.scope),
            (N_("Where (separated by commas)"), self.values),
            (N_("Start"), self.start),
            (N_("End (empty: not over yet)"), self.end),
            (N_("What happened"), self.description),
        ]
        for _caption, widget in self._rows:
            self.form.addRow(QLabel(), widget)
        walk: list[QLineEdit] = [self.values, self.start, self.end]
        for field, following in zip(walk, [*walk[1:], self.description], strict=True):
            field.returnPressed.connect(following.setFocus)

    def retranslate(self) -> None:
        for row, (caption, _widget) in enumerate(self._rows):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            shown = item.widget() if item is not None else None
            if isinstance(shown, QLabel):
                shown.setText(_(caption))
        for index in range(self.service.count()):
            self.service.setItemText(index, label(SERVICES, self.service.itemData(index)))
        for index in range(self.scope.count()):
            self.scope.setItemText(index, label(SCOPES, self.scope.itemData(index)))
        self.start.setPlaceholderText(_(TIME_HINT))
        self.end.setPlaceholderText(_(TIME_HINT))

    def request(self, zone: str) -> OutageRequest:
        """What was typed, the times read in the operator's zone (may raise)."""
        start = parse_when(self.start.text(), zone, "start")
        end_text = self.end.text().strip()
        end = parse_when(end_text, zone, "end") if end_text else None
        values = [part.strip() for part in self.values.text().replace(";", ",").split(",")]
        return OutageRequest(
            service=str(self.service.currentData()),
            scope=str(self.scope.currentData()),
            values=[value for value in values if value],
            start=start,
            end=end,
            description=self.description.text() or None,
        )

    def field_widget(self, field: str | None) -> QWidget:
        return {
            "service": self.service,
            "scope": self.values,
            "start": self.start,
            "end": self.end,
            "description": self.description,
        }.get(field or "", self.values)


class OutageDialog(KeyboardDialog):
    """The outages of the operator; F2 records one, F3 sets the selected one's end,
    F4 closes it (compensation), F5 reads the list again."""

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("outages")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.busy = False
        self.timezone = "UTC"
        self.last_outcome: CloseOutcome | None = None

        self.title = named(QLabel(), "title")
        self.state_filter = named(QComboBox(), "outage_filter")
        for state, _caption in FILTERS:
            self.state_filter.addItem("", state)
        self.model = RowsModel[OutageSummary](COLUMNS)
        self.table = named(QTableView(), "outage_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(150)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            self.model.column_index("where"), QHeaderView.ResizeMode.Stretch
        )
        self.detail = wrapped_label("outage_detail")
        self.figures = wrapped_label("outage_figures")
        self.error = wrapped_label("error")

        self.form = OutageForm()
        self.form.hide()
        self.end_at = named(QLineEdit(), "outage_end_at")
        self.end_caption = QLabel()
        self.record_button = named(QPushButton(), "outage_record")
        self.save_button = named(QPushButton(), "confirm")
        self.end_button = named(QPushButton(), "outage_set_end")
        self.close_button = named(QPushButton(), "outage_close")
        self.dismiss = named(QPushButton(), "secondary")
        for button in (
            self.record_button,
            self.save_button,
            self.end_button,
            self.close_button,
            self.dismiss,
        ):
            button.setAutoDefault(False)
        self.save_button.hide()
        self.hints = named(QLabel(), "muted")
        self.hints.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.state_filter)
        ending = QHBoxLayout()
        ending.addWidget(self.end_caption)
        ending.addWidget(self.end_at, 1)
        ending.addWidget(self.end_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.dismiss)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(ending)
        layout.addWidget(self.form)
        layout.addWidget(self.figures)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(self.hints)

        self.state_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selected_changed())
        self.record_button.clicked.connect(self.toggle_form)
        self.save_button.clicked.connect(self.record)
        self.form.description.returnPressed.connect(self.record)
        self.end_button.clicked.connect(self.set_end)
        self.end_at.returnPressed.connect(self.set_end)
        self.close_button.clicked.connect(self.close_selected)
        self.dismiss.clicked.connect(self.reject)
        for key, action in (
            ("F2", self.toggle_form),
            ("F3", self.end_at.setFocus),
            ("F4", self.close_selected),
            ("F5", self.refresh),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(action)
        self.retranslate()
        fit(self, parent, 1100, 740)
        self.refresh()
        self.table.setFocus()

    # -- reading ---------------------------------------------------------------------

    def refresh(self, select_number: str | None = None) -> None:
        db, state = self._ctx.db, self.state_filter.currentData()

        def work() -> tuple[str, list[OutageSummary]]:
            return operator_timezone(db), list_outages(db, state=state)

        self._runner.submit(work, lambda loaded: self._loaded(loaded, select_number), self._failed)

    def _loaded(self, loaded: tuple[str, Sequence[OutageSummary]], number: str | None) -> None:
        self.timezone, rows = loaded
        self.model.set_rows(rows)
        target = 0
        if number is not None:
            target = next((i for i, row in enumerate(rows) if row.number == number), 0)
        if rows:
            self.select_row(target)
        self._selected_changed()

    def select_row(self, row: int) -> None:
        """Select a whole row (QTableView.selectRow picks the row by the column at the
        viewport's leading edge, which a right-to-left table may not have)."""
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)

    def selected(self) -> OutageSummary | None:
        chosen = self.table.selectionModel().selectedRows()
        if not chosen:
            return None
        return self.model.row_at(chosen[0].row())

    def _selected_changed(self) -> None:
        row = self.selected()
        closable = row is not None and row.state != OutageState.OPEN
        self.close_button.setEnabled(closable and not self.busy)
        can_end = row is not None and row.state != OutageState.CLOSED
        self.end_button.setEnabled(can_end and not self.busy)
        self.end_at.setEnabled(can_end)
        if row is None:
            self.detail.setText(_(N_("No outage recorded.")) if not self.model.rows else "")
            return
        lines = [
            _(N_("{number}: {service}, {where}, from {start} to {end}.")).format(
                number=ltr(row.number),
                service=label(SERVICES, row.service),
                where=_where(row),
                start=isolated(_when(row.started_at, row.timezone)),
                end=isolated(_when(row.ended_at, row.timezone)),
            )
        ]
        if row.description:
            lines.append(row.description)
        if row.closed_at is not None:
            lines.append(
                _(N_("Closed by {login} on {closed}: {affected} contract(s) hit, {total}.")).format(
                    login=ltr(row.closed_by or "import"),
                    closed=isolated(_when(row.closed_at, row.timezone)),
                    affected=isolated(format_count(row.affected_contracts or 0)),
                    total=isolated(_amount(row.compensated_minor, row.currency)),
                )
            )
        self.detail.setText("\n".join(lines))

    # -- acting ----------------------------------------------------------------------

    def toggle_form(self) -> None:
        showing = not self.form.isVisible()
        self.form.setVisible(showing)
        self.save_button.setVisible(showing)
        self.error.clear()
        if showing:
            self.form.values.setFocus()
        else:
            self.table.setFocus()

    def record(self) -> None:
        if self.busy:
            return
        try:
            request = self.form.request(self.timezone)
        except GuichetError as error:
            self._refused(error)
            return
        ctx, actor = self._ctx, self._actor
        self._start()
        self._runner.submit(
            lambda: record_outage(ctx, actor, request), self._recorded, self._failed
        )

    def _recorded(self, summary: OutageSummary) -> None:
        self._done()
        for field in (self.form.values, self.form.start, self.form.end, self.form.description):
            field.clear()
        self.form.hide()
        self.save_button.hide()
        self.figures.setText(_(N_("Outage {number} recorded.")).format(number=ltr(summary.number)))
        self.refresh(summary.number)
        self.table.setFocus()

    def set_end(self) -> None:
        row = self.selected()
        if self.busy or row is None or row.state == OutageState.CLOSED:
            return
        try:
            end = parse_when(self.end_at.text(), self.timezone, "end")
        except GuichetError as error:
            self._refused(error)
            return
        ctx, actor, number = self._ctx, self._actor, row.number
        self._start()
        self._runner.submit(lambda: end_outage(ctx, actor, number, end), self._ended, self._failed)

    def _ended(self, summary: OutageSummary) -> None:
        self._done()
        self.end_at.clear()
        self.figures.setText(
            _(N_("Outage {number}: end set at {end}.")).format(
                number=ltr(summary.number), end=isolated(_when(summary.ended_at, summary.timezone))
            )
        )
        self.refresh(summary.number)

    def close_selected(self) -> None:
        row = self.selected()
        if self.busy or row is None or row.state == OutageState.OPEN:
            return
        ctx, actor, number = self._ctx, self._actor, row.number
        self._start()
        self.figures.setText(
            _(N_("Closing outage {number}: finding the contracts it hit…")).format(
                number=ltr(number)
            )
        )
        self._runner.submit(lambda: close_outage(ctx, actor, number), self._closed, self._failed)

    def _closed(self, outcome: CloseOutcome) -> None:
        self._done()
        self.last_outcome = outcome
        self.figures.setText(close_text(outcome))
        self.refresh(outcome.number)

    def _start(self) -> None:
        self.busy = True
        self.error.clear()
        for button in (self.save_button, self.end_button, self.close_button, self.record_button):
            button.setEnabled(False)

    def _done(self) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        self.record_button.setEnabled(True)
        self._selected_changed()

    def _refused(self, error: GuichetError) -> None:
        self.error.setText(error.translated())
        if error.field == "end" and not self.form.isVisible():
            self.end_at.setFocus()
        elif self.form.isVisible():
            self.form.field_widget(error.field).setFocus()

    def _failed(self, error: BaseException) -> None:
        if self.busy:
            self._done()
        if isinstance(error, GuichetError):
            self._refused(error)
        else:
            self.error.setText(error_text(error))

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Outages")))
        self.title.setText(_(N_("Outages and their compensation")))
        for index, (_state, caption) in enumerate(FILTERS):
            self.state_filter.setItemText(index, _(caption))
        self.model.retranslate()
        self.form.retranslate()
        self.end_caption.setText(_(N_("End of the selected outage")))
        self.end_at.setPlaceholderText(_(TIME_HINT))
        self.record_button.setText(_(N_("Record an outage")))
        self.save_button.setText(_(N_("Save the outage")))
        self.end_button.setText(_(N_("Set the end")))
        self.close_button.setText(_(N_("Close and compensate")))
        self.dismiss.setText(_(N_("Close (Esc)")))
        self.hints.setText(
            hint_line(
                [
                    N_("F2: record an outage"),
                    N_("F3: its end"),
                    N_("F4: close and compensate"),
                    N_("F5: read again"),
                ]
            )
        )
        self._selected_changed()
