"""Asking for a void: the reason, and a supervisor's own credentials typed there and then."""

from __future__ import annotations

import uuid

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.payments.summary import PaymentSummary
from app.payments.void import VoidRequest, void_payment
from ui.focus import KeyboardDialog
from ui.qt import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget
from ui.tasks import Runner

_ = gettext


class VoidDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        receipt_no: str,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("void_dialog")
        self.setWindowTitle(_(N_("Void receipt {receipt_no}")).format(receipt_no=receipt_no))
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._runner = runner
        self.receipt_no = receipt_no
        self.idempotency_key = f"void-{uuid.uuid4().hex}"
        self.result_summary: PaymentSummary | None = None
        self.busy = False
        self.reason = QLineEdit(objectName="void_reason")
        self.supervisor_login = QLineEdit(objectName="supervisor_login")
        self.supervisor_password = QLineEdit(objectName="supervisor_password")
        self.supervisor_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(objectName="error")
        self.error.setWordWrap(True)
        self.confirm = QPushButton(_(N_("Void (Enter)")), objectName="confirm")
        # Enter walks reason → login → password → void; a default button would
        # fire on the first Enter instead.
        self.confirm.setAutoDefault(False)
        cancel = QPushButton(_(N_("Cancel (Esc)")), objectName="secondary")
        cancel.setAutoDefault(False)
        form = QFormLayout(self)
        form.addRow(
            QLabel(_(N_("A supervisor must approve by typing their own login and password.")))
        )
        form.addRow(_(N_("Reason")), self.reason)
        form.addRow(_(N_("Supervisor login")), self.supervisor_login)
        form.addRow(_(N_("Supervisor password")), self.supervisor_password)
        form.addRow(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm)
        form.addRow(buttons)
        self.reason.returnPressed.connect(self.supervisor_login.setFocus)
        self.supervisor_login.returnPressed.connect(self.supervisor_password.setFocus)
        self.supervisor_password.returnPressed.connect(self.submit)
        self.confirm.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        self.reason.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        request = VoidRequest(
            self.idempotency_key,
            self.receipt_no,
            self._workstation,
            self.reason.text(),
            self.supervisor_login.text(),
            self.supervisor_password.text(),
            receipt_language=current_language(),
        )
        self.busy = True
        self.confirm.setEnabled(False)
        self._runner.submit(
            lambda: void_payment(self._ctx, self._actor, request), self._done, self._failed
        )

    def _done(self, summary: PaymentSummary) -> None:
        self.busy = False
        self.result_summary = summary
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.confirm.setEnabled(True)
        self.supervisor_password.clear()
        self.error.setText(error.translated() if isinstance(error, GuichetError) else str(error))
        field = error.field if isinstance(error, GuichetError) else None
        target = {"reason": self.reason, "supervisor_login": self.supervisor_login}.get(
            field or "", self.supervisor_password
        )
        target.setFocus()
