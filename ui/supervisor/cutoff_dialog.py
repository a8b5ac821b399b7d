"""The supervisor's cut-off list: pick the day, see the lines proposed for suspension and
those excluded with their reasons, export the list as CSV.

Reading and exporting run off the GUI thread (ui.tasks); the rules and the role
check are app.billing.cutoff's. The dashboard opens it with
``CutoffDialog(ctx, actor, runner, parent=window).open()`` (``on=`` a day other
than today's).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.auth import Actor
from app.billing.cutoff import (
    CutoffLine,
    CutoffList,
    cutoff_list,
    exclusion_text,
    export_cutoff_csv,
    parse_cutoff_date,
)
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, format_count, gettext
from app.labels import SERVICES, label
from app.money import currency, from_minor
from ui.focus import KeyboardDialog
from ui.formatting import day, isolated, ltr, money
from ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text


def _line_columns(currency_of: Callable[[], str], *, reasons: bool) -> list[Column[CutoffLine]]:
    def overdue(line: CutoffLine) -> str:
        if not line.overdue_minor:
            return ""
        cur = currency(currency_of())
        return money(from_minor(line.overdue_minor, cur), cur.code)

    columns: list[Column[CutoffLine]] = [
        Column("contract", N_("Contract"), lambda line: ltr(line.contract_number)),
        Column("account", N_("Account"), lambda line: ltr(line.account_number)),
        Column("subscriber", N_("Subscriber"), lambda line: line.subscriber_name),
        Column("service", N_("Service"), lambda line: label(SERVICES, line.service)),
        Column("line", N_("Line or meter"), lambda line: ltr(line.line_or_meter)),
        Column("overdue", N_("Overdue"), overdue, align_end=True),
        Column(
            "oldest_due",
            N_("Oldest due"),
            lambda line: day(line.oldest_due) if line.oldest_due else "",
        ),
    ]
    if reasons:
        columns.append(
            Column(
                "reasons",
                N_("Why it is excluded"),
                lambda line: "; ".join(
                    exclusion_text(e, current_language(), isolated=True) for e in line.exclusions
                ),
            )
        )
    return columns


def _table(model: RowsModel[CutoffLine], name: str) -> QTableView:
    table = named(QTableView(), name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class CutoffDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        runner: Runner,
        *,
        on: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cutoff_list")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.busy = False
        self.listed: CutoffList | None = None
        self.exported: int | None = None
        start = on or ctx.now().date()
        self.title = wrapped_label("title")
        self.date_caption = QLabel()
        self.date = named(QLineEdit(start.isoformat()), "cutoff_date")
        self.date.setMaximumWidth(self.date.fontMetrics().horizontalAdvance("0000-00-00") + 40)
        self.show_button = named(QPushButton(), "show")
        self.show_button.setAutoDefault(False)
        self.summary = wrapped_label("summary")
        self.proposed_caption = named(QLabel(), "proposed_caption")
        self.proposed_model: RowsModel[CutoffLine] = RowsModel(
            _line_columns(self._currency, reasons=False)
        )
        self.proposed = _table(self.proposed_model, "proposed")
        self.excluded_caption = named(QLabel(), "excluded_caption")
        self.excluded_model: RowsModel[CutoffLine] = RowsModel(
            _line_columns(self._currency, reasons=True)
        )
        self.excluded = _table(self.excluded_model, "excluded")
        self.path_caption = QLabel()
        self.path = named(
            QLineEdit(str(Path.home() / f"cutoff-{start.isoformat()}.csv")), "csv_path"
        )
        self.export_button = named(QPushButton(), "export")
        self.export_button.setAutoDefault(False)
        self.error = wrapped_label("error")
        self.close_button = named(QPushButton(), "secondary")
        self.close_button.setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(self.date_caption)
        top.addWidget(self.date)
        top.addWidget(self.show_button)
        top.addStretch()
        export = QHBoxLayout()
        export.addWidget(self.path_caption)
        export.addWidget(self.path, 1)
        export.addWidget(self.export_button)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.proposed_caption)
        layout.addWidget(self.proposed, 3)
        layout.addWidget(self.excluded_caption)
        layout.addWidget(self.excluded, 2)
        layout.addLayout(export)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        self.date.returnPressed.connect(self.refresh)
        self.show_button.clicked.connect(self.refresh)
        self.path.returnPressed.connect(self.export)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.reject)
        self.retranslate()
        fit(self, parent, 1100, 700)
        self.date.setFocus()

    def _currency(self) -> str:
        return self.listed.currency if self.listed is not None else "DZD"

    def retranslate(self) -> None:
        _ = gettext
        self.setWindowTitle(_(N_("Cut-off list")))
        self.title.setText(
            _(
                N_(
                    "Lines proposed to the billing system for suspension, and the lines "
                    "spared with their reasons."
                )
            )
        )
        self.date_caption.setText(_(N_("Day")))
        self.show_button.setText(_(N_("Show")))
        self.path_caption.setText(_(N_("CSV file")))
        self.export_button.setText(_(N_("Export CSV")))
        self.close_button.setText(_(N_("Close")))
        self.proposed_model.retranslate()
        self.excluded_model.retranslate()
        self._show_counts()

    def _show_counts(self) -> None:
        result = self.listed
        if result is None:
            self.proposed_caption.setText(gettext(N_("Proposed for suspension")))
            self.excluded_caption.setText(gettext(N_("Excluded")))
            self.summary.setText("")
            return
        self.proposed_caption.setText(
            gettext(N_("Proposed for suspension: {count}")).format(
                count=format_count(len(result.proposed))
            )
        )
        self.excluded_caption.setText(
            gettext(N_("Excluded: {count}")).format(count=format_count(len(result.excluded)))
        )
        extract = (
            day(result.extract_at.date()) if result.extract_at else gettext(N_("none recorded"))
        )
        self.summary.setText(
            gettext(
                N_(
                    "Overdue beyond {grace} days of grace on {day}; a bill delivered fewer than "
                    "{late} days before its due date is late; billing extract: {extract}."
                )
            ).format(
                grace=result.grace_days,
                day=isolated(day(result.on)),
                late=result.late_delivery_days,
                extract=isolated(extract),
            )
        )

    def _day(self) -> date | None:
        try:
            return parse_cutoff_date(self.date.text())
        except GuichetError as error:
            self.error.setText(error.translated())
            self.date.setFocus()
            return None

    def refresh(self) -> None:
        if self.busy:
            return
        on = self._day()
        if on is None:
            return
        db, actor = self._ctx.db, self._actor
        self.busy = True
        self.error.setText("")
        self._runner.submit(lambda: cutoff_list(db, on, actor=actor), self._shown, self._failed)

    def _shown(self, result: CutoffList) -> None:
        self.busy = False
        self.listed = result
        self.proposed_model.set_rows(result.proposed)
        self.excluded_model.set_rows(result.excluded)
        self._show_counts()

    def export(self) -> None:
        if self.busy:
            return
        on = self._day()
        if on is None:
            return
        db, actor, path = self._ctx.db, self._actor, self.path.text().strip()
        language = current_language()
        self.busy = True
        self.error.setText("")

        def work() -> tuple[CutoffList, int]:
            return export_cutoff_csv(db, actor, on, path, language=language)

        self._runner.submit(work, lambda done: self._exported(done, path), self._failed)

    def _exported(self, done: tuple[CutoffList, int], path: str) -> None:
        result, rows = done
        self._shown(result)
        self.exported = rows
        self.error.setText(
            gettext(N_("{rows} line(s) written to {path}.")).format(
                rows=format_count(rows), path=ltr(path)
            )
        )

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.error.setText(error_text(error))
        if isinstance(error, GuichetError) and error.field == "csv":
            self.path.setFocus()
        elif isinstance(error, GuichetError) and error.field == "date":
            self.date.setFocus()
