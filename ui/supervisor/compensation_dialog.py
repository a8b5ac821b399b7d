"""A supervisor decides the compensations the charter leaves to them: approve or refuse.

The claims waiting for approval, the oldest first: who, why (the cause and the
charter's commitment), what the amount was computed from, how much, credit or
waiver. Enter approves the selected claim (its money enters the signed ledger,
counted in its agency's day); a refusal needs its reason, typed in the line
under the list (the customer will ask). Each decision is the service's
(app.compensation.claims): a claim decided meanwhile at another desk is refused
in one line, and the list is read again.
"""

from __future__ import annotations

from collections.abc import Callable

from app.auth import Actor
from app.compensation.claims import approve_claim, refuse_claim
from app.compensation.notice import basis_text
from app.compensation.queries import (
    COMPENSATION_KINDS,
    COMPENSATION_SOURCES,
    ClaimLine,
    awaiting_claims,
    ledger_day_of_claim,
)
from app.context import AppContext
from app.i18n import N_, current_language, format_count, gettext, ngettext
from app.station import StationInfo
from ui.focus import KeyboardDialog
from ui.formatting import day, hint_line, isolated, ltr, money
from ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.room import fit
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext


class CompensationDialog(KeyboardDialog):
    """Open it from the supervisor's dashboard:
    ``CompensationDialog(ctx, actor, station, runner, parent)``."""

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        station: StationInfo,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compensation_approvals")
        self._ctx, self._actor, self._station, self._runner = ctx, actor, station, runner
        self.busy = False
        self.decided = 0  # approved or refused while the dialog was open
        self.title = named(QLabel(), "title")
        self.summary = named(QLabel(), "muted")
        self.summary.setWordWrap(True)
        self.claims = RowsModel[ClaimLine](
            [
                Column("date", N_("Date"), lambda c: day(c.created_at.date())),
                Column(
                    "subscriber",
                    N_("Subscriber"),
                    lambda c: f"{ltr(c.account_number)} {c.subscriber_name}",
                ),
                Column(
                    "cause",
                    N_("Cause"),
                    lambda c: (
                        f"{_(COMPENSATION_SOURCES.get(c.source, c.source))} {ltr(c.cause)}"
                        f" · {c.commitment_title}"
                    ),
                ),
                Column(
                    "amount", N_("Amount"), lambda c: money(c.amount, c.currency), align_end=True
                ),
                Column("kind", N_("As"), lambda c: _(COMPENSATION_KINDS.get(c.kind, c.kind))),
            ]
        )
        self.table = QTableView()
        self.table.setObjectName("awaiting_claims")
        self.table.setModel(self.claims)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.basis = named(QLabel(), "muted")
        self.basis.setWordWrap(True)
        self.reason = named(QLineEdit(), "refusal_reason")
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.hints = named(QLabel(), "muted")
        self.hints.setWordWrap(True)
        self.approve = named(QPushButton(), "confirm")
        self.refuse = named(QPushButton(), "secondary")
        self.close_button = named(QPushButton(), "secondary")
        for button in (self.approve, self.refuse, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.refuse)
        buttons.addWidget(self.approve)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.basis)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.hints)
        self.approve.clicked.connect(self.approve_selected)
        self.refuse.clicked.connect(self.refuse_selected)
        self.close_button.clicked.connect(self.reject)
        self.reason.returnPressed.connect(self.refuse_selected)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_basis())
        self.retranslate()
        fit(self, parent, 1000, 600)
        self.reload()
        self.table.setFocus()

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        ctx, language = self._ctx, current_language()
        self._runner.submit(
            lambda: awaiting_claims(ctx.db, language=language),
            self._loaded,
            lambda error: self.error.setText(error_text(error)),
        )

    def _loaded(self, claims: list[ClaimLine]) -> None:
        self.claims.set_rows(claims)
        if claims:
            self.table.setCurrentIndex(self.claims.index(0, 0))
            self.table.selectRow(0)
        self.retranslate()

    def selected(self) -> ClaimLine | None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.table.currentIndex().row()
        if row < 0:
            row = 0  # nothing picked yet: the oldest, as the list shows first
        if row < self.claims.rowCount():
            return self.claims.row_at(row)
        return None

    def _show_basis(self) -> None:
        claim = self.selected()
        if claim is None:
            self.basis.setText("")
            return
        said = basis_text(claim, current_language())
        self.basis.setText(
            _(N_("Computed from: {basis}")).format(basis=isolated(said)) if said else ""
        )

    # -- deciding --------------------------------------------------------------------

    def approve_selected(self) -> None:
        claim = self.selected()
        if self.busy or claim is None:
            return
        ctx, actor, claim_id = self._ctx, self._actor, claim.claim_id

        def work() -> int:
            agency_id, business_day = ledger_day_of_claim(ctx.db, claim_id, ctx.now())
            return approve_claim(
                ctx, actor, claim_id, agency_id=agency_id, business_day=business_day
            )

        self._decide(work)

    def refuse_selected(self) -> None:
        claim = self.selected()
        if self.busy or claim is None:
            return
        ctx, actor, claim_id, reason = self._ctx, self._actor, claim.claim_id, self.reason.text()
        self._decide(lambda: refuse_claim(ctx, actor, claim_id, reason=reason))

    def _decide(self, work: Callable[[], object]) -> None:
        self.busy = True
        self.error.setText("")
        self._runner.submit(work, self._decided, self._failed)

    def _decided(self, _result: object) -> None:
        self.busy = False
        self.decided += 1
        self.reason.clear()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.error.setText(error_text(error))
        self.reload()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.reason.hasFocus():
            self.approve_selected()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Compensations awaiting approval")))
        self.title.setText(_(N_("Compensations awaiting approval")))
        count = self.claims.rowCount()
        self.summary.setText(
            ngettext(
                "{count} compensation waits for a supervisor's decision, the oldest first.",
                "{count} compensations wait for a supervisor's decision, the oldest first.",
                count,
            ).format(count=format_count(count))
            if count
            else _(N_("No compensation waits for approval."))
        )
        self.claims.retranslate()
        self.reason.setPlaceholderText(_(N_("Reason for a refusal (the customer will ask)")))
        self.approve.setText(_(N_("Approve (Enter)")))
        self.refuse.setText(_(N_("Refuse")))
        self.close_button.setText(_(N_("Close (Esc)")))
        self.hints.setText(
            hint_line(
                [
                    N_("Enter: approve the selected compensation"),
                    N_("type a reason, then Refuse"),
                    N_("Esc: close"),
                ]
            )
        )
        self._show_basis()
