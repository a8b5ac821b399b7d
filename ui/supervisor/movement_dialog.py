"""A cash movement at a counter: a drop to the safe, a bank deposit, a float top-up.

Two people sign it, each typing their own password here: the agent holding the
till (the cash leaves or enters their drawer) records it, and a supervisor
other than them approves it (the service refuses one person doing both).
"""

from __future__ import annotations

from app.auth import Actor, authenticate
from app.closing.movements import MovementInfo, MovementKind, MovementRequest, record_cash_movement
from app.closing.status import TillStatus
from app.closing.till_labels import MOVEMENT_KINDS
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.labels import label
from app.money import currency, parse_amount
from ui.focus import KeyboardDialog
from ui.formatting import ltr, money
from ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.room import fit
from ui.tasks import Runner, error_text

_ = gettext


class MovementDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        till: TillStatus,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cash_movement")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.till = till
        self.busy = False
        self.recorded: MovementInfo | None = None
        self.title = named(QLabel(), "title")
        self.title.setWordWrap(True)
        self.kind = named(QComboBox(), "movement_kind")
        for kind in MovementKind:
            self.kind.addItem(label(MOVEMENT_KINDS, kind.value), kind.value)
        self.amount = named(QLineEdit(), "movement_amount")
        self.understood = named(QLabel(), "understood")
        self.reason = named(QLineEdit(), "movement_reason")
        self.reference = named(QLineEdit(), "movement_reference")
        self.agent_login = named(QLineEdit(till.agent or ""), "agent_login")
        self.agent_password = named(QLineEdit(), "agent_password")
        self.agent_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.supervisor_login = named(QLineEdit(actor.login), "supervisor_login")
        self.supervisor_password = named(QLineEdit(), "supervisor_password")
        self.supervisor_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.confirm = named(QPushButton(), "confirm")
        self.confirm.setAutoDefault(False)
        self.cancel = named(QPushButton(), "secondary")
        self.cancel.setAutoDefault(False)
        self.form = QFormLayout()
        self._fields = [
            (N_("Movement"), self.kind),
            (N_("Amount"), self.amount),
            ("", self.understood),
            (N_("Reason"), self.reason),
            (N_("Reference (slip, seal)"), self.reference),
            (N_("Agent login"), self.agent_login),
            (N_("Agent password"), self.agent_password),
            (N_("Supervisor login"), self.supervisor_login),
            (N_("Supervisor password"), self.supervisor_password),
        ]
        for _caption, widget in self._fields:
            self.form.addRow(QLabel(), widget)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        # Enter walks the fields down to the supervisor's password, which records.
        walk = [
            self.amount,
            self.reason,
            self.reference,
            self.agent_login,
            self.agent_password,
            self.supervisor_login,
        ]
        for field, following in zip(walk, [*walk[1:], self.supervisor_password], strict=True):
            field.returnPressed.connect(following.setFocus)
        self.supervisor_password.returnPressed.connect(self.submit)
        self.amount.textChanged.connect(lambda _t: self._understand())
        self.confirm.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.retranslate()
        fit(self, parent, 680)
        self.amount.setFocus()  # a drop unless another kind is picked (Shift+Tab)

    def _parsed(self) -> object:
        return parse_amount(
            self.amount.text(), currency(self.till.currency), current_language(), field="amount"
        )

    def _understand(self) -> None:
        try:
            value = self._parsed()
        except GuichetError as error:
            self.understood.setText(error.translated() if self.amount.text().strip() else "")
            return
        self.understood.setText(money(value, self.till.currency))  # type: ignore[arg-type]

    def submit(self) -> None:
        if self.busy:
            return
        try:
            amount = self._parsed()
        except GuichetError as error:
            self.error.setText(error.translated())
            self.amount.setFocus()
            return
        request = MovementRequest(
            workstation=self.till.workstation,
            kind=str(self.kind.currentData()),
            amount=amount,  # type: ignore[arg-type]
            reason=self.reason.text(),
            supervisor_login=self.supervisor_login.text(),
            supervisor_password=self.supervisor_password.text(),
            reference=self.reference.text() or None,
        )
        ctx, login, password = self._ctx, self.agent_login.text(), self.agent_password.text()
        workstation = self.till.workstation

        def work() -> MovementInfo:
            agent = authenticate(
                ctx, login, password, workstation=workstation, journal_success=False
            )
            return record_cash_movement(ctx, agent, request)

        self.busy = True
        self._runner.submit(work, self._recorded, self._failed)

    def _recorded(self, info: MovementInfo) -> None:
        self.busy = False
        self.recorded = info
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.agent_password.clear()
        self.supervisor_password.clear()
        self.error.setText(error_text(error))
        field = error.field if isinstance(error, GuichetError) else None
        target: QWidget = {
            "reason": self.reason,
            "amount": self.amount,
            "reference": self.reference,
            "supervisor_login": self.supervisor_login,
            "login": self.agent_login,
        }.get(field or "", self.agent_password)
        target.setFocus()

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Cash movement")))
        self.title.setText(
            _(N_("Cash movement at {workstation}, till of {agent}")).format(
                workstation=ltr(self.till.workstation), agent=ltr(self.till.agent or "—")
            )
        )
        for row, (caption, _widget) in enumerate(self._fields):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            shown = item.widget() if item is not None else None
            if isinstance(shown, QLabel):
                shown.setText(_(caption) if caption else "")
        for index in range(self.kind.count()):
            self.kind.setItemText(index, label(MOVEMENT_KINDS, self.kind.itemData(index)))
        self.confirm.setText(_(N_("Record the movement")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
