"""Today's takings at the agency: supervisors watch the counters during the day."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from app.i18n import N_, gettext, join_list
from app.labels import TENDER_KINDS, label
from app.reports.day_takings import DayTakings, WorkstationTakings
from db.models import TenderKind
from ui.focus import KeyboardDialog
from ui.formatting import day, money
from ui.qt import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.table_model import Column, RowsModel

_ = gettext


class TakingsDialog(KeyboardDialog):
    def __init__(self, takings: DayTakings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("takings_dialog")
        self.resize(1180, 420)
        self.takings = takings
        cur = takings.currency
        self.setWindowTitle(
            _(N_("Takings of {day}, agency {agency}")).format(
                day=day(takings.day), agency=takings.agency
            )
        )
        columns: list[Column[WorkstationTakings]] = [
            Column("workstation", N_("Workstation"), lambda w: w.workstation),
            Column("payments", N_("Payments"), lambda w: w.payments, align_end=True),
            Column("voids", N_("Voids"), lambda w: w.voids, align_end=True),
        ]
        for kind in TenderKind:
            columns.append(
                Column(
                    str(kind),
                    TENDER_KINDS[kind],
                    partial(_tender_total, kind=str(kind), cur=cur),
                    align_end=True,
                )
            )
        columns.append(Column("total", N_("Total"), lambda w: money(w.total, cur), align_end=True))
        self.model = RowsModel[WorkstationTakings](columns)
        self.model.set_rows(takings.workstations)
        view = named(QTableView(), "takings")
        view.setModel(self.model)
        view.verticalHeader().hide()
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        totals = join_list(
            f"{label(TENDER_KINDS, kind)}: {money(amount, cur)}"
            for kind, amount in sorted(takings.by_tender().items())
        )
        self.summary = named(QLabel(), "title")
        self.summary.setWordWrap(True)
        self.summary.setText(
            _(N_("Payments: {payments} · voids: {voids} · taken: {total}")).format(
                payments=takings.payments, voids=takings.voids, total=money(takings.total, cur)
            )
        )
        detail = named(QLabel(totals or _(N_("Nothing taken yet today."))), "muted")
        close = QPushButton(_(N_("Close (Esc)")))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(detail)
        layout.addWidget(view, 1)
        layout.addWidget(close)
        view.setFocus()


def _tender_total(row: WorkstationTakings, *, kind: str, cur: str) -> str:
    """One counter's takings in one kind of tender (a column per kind)."""
    return money(row.by_tender.get(kind, Decimal(0)), cur)
