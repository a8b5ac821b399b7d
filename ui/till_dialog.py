"""Opening the till at the start of a session: the float counted into the drawer."""

from __future__ import annotations

from decimal import Decimal

from app.auth import Actor
from app.cash import open_cash_session
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.money import currency, parse_amount
from ui.focus import KeyboardDialog
from ui.qt import QFormLayout, QLabel, QLineEdit, QPushButton, QWidget, named
from ui.tasks import Runner

_ = gettext


class OpenTillDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        currency_code: str,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("open_till")
        self.setWindowTitle(_(N_("Open the till")))
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._currency = currency_code
        self._runner = runner
        self.amount = named(QLineEdit("0"), "opening_float")
        self.amount.selectAll()
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        ok = QPushButton(_(N_("Open the till (Enter)")))
        ok.setDefault(True)
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                _(
                    N_("No cash session is open at {workstation}. Count the float in the drawer.")
                ).format(workstation=workstation)
            )
        )
        form.addRow(_(N_("Opening float")), self.amount)
        form.addRow(self.error)
        form.addRow(ok)
        ok.clicked.connect(self.submit)
        self.amount.returnPressed.connect(self.submit)

    def submit(self) -> None:
        try:
            value = parse_amount(
                self.amount.text(),
                currency(self._currency),
                current_language(),
                field="opening_float",
            )
        except GuichetError as error:
            self.error.setText(error.translated())
            return
        self._runner.submit(
            lambda: open_cash_session(self._ctx, self._actor, self._workstation, Decimal(value)),
            lambda _info: self.accept(),
            lambda error: self.error.setText(
                error.translated() if isinstance(error, GuichetError) else str(error)
            ),
        )
