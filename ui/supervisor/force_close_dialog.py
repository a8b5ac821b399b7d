"""A supervisor closes a till its agent left open (gone home, ill), with the reason.

The till is counted afterwards, as a recount in its review.
"""

from __future__ import annotations

from app.auth import Actor
from app.closing.handover import force_close_till
from app.closing.status import TillStatus
from app.context import AppContext
from app.i18n import N_, gettext
from ui.focus import KeyboardDialog
from ui.formatting import ltr
from ui.qt import (
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


class ForceCloseDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        here: str,
        till: TillStatus,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("force_close")
        self._ctx, self._actor, self._here, self._runner = ctx, actor, here, runner
        self.till = till
        self.busy = False
        self.title = named(QLabel(), "title")
        self.title.setWordWrap(True)
        self.detail = named(QLabel(), "muted")
        self.detail.setWordWrap(True)
        self.reason = named(QLineEdit(), "force_reason")
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.confirm = named(QPushButton(), "confirm")
        self.confirm.setAutoDefault(False)
        self.cancel = named(QPushButton(), "secondary")
        self.cancel.setAutoDefault(False)
        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.reason.returnPressed.connect(self.submit)
        self.confirm.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.retranslate()
        fit(self, parent, 680)
        self.reason.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        ctx, actor, here, till, reason = (
            self._ctx,
            self._actor,
            self._here,
            self.till.workstation,
            self.reason.text(),
        )
        self.busy = True
        self._runner.submit(
            lambda: force_close_till(ctx, actor, here, till, reason), self._closed, self._failed
        )

    def _closed(self, _counted: object) -> None:
        self.busy = False
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.error.setText(error_text(error))
        self.reason.setFocus()

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Close an abandoned till")))
        self.title.setText(
            _(N_("Close the till of {agent} at {workstation}?")).format(
                agent=ltr(self.till.agent or "—"), workstation=ltr(self.till.workstation)
            )
        )
        self.detail.setText(
            _(
                N_(
                    "No more payments are taken in it. It is counted afterwards, "
                    "as a recount in its review (Enter on the counter)."
                )
            )
        )
        item = self.form.itemAt(0, QFormLayout.ItemRole.LabelRole)
        caption = item.widget() if item is not None else None
        if isinstance(caption, QLabel):
            caption.setText(_(N_("Reason")))
        self.confirm.setText(_(N_("Close the till (Enter)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
