"""Opening the till at the start of a session: the float counted into the drawer,
note by note and coin by coin, the total shown large as it is typed."""

from __future__ import annotations

from app.auth import Actor
from app.closing.tills import open_counted_till
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, gettext
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, ltr
from ui.qt import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, named, wrapped_label
from ui.room import fit
from ui.tasks import Runner, error_text
from ui.till.count_panel import CountError, CountPanel

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
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._runner = runner
        self.busy = False
        self.intro = named(QLabel(), "title")
        self.intro.setWordWrap(True)
        self.panel = CountPanel(currency_code, cash_only=True)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.keys = wrapped_label("muted")
        self.confirm = named(QPushButton(), "confirm")
        self.confirm.setAutoDefault(False)
        self.cancel = named(QPushButton(), "secondary")
        self.cancel.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keys, 1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.panel)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.panel.finished.connect(self.submit)
        self.confirm.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.retranslate()
        fit(self, parent, 900)
        self.panel.start()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Open the till")))
        self.intro.setText(
            _(
                N_("No cash session is open at {workstation}. Count the float in the drawer.")
            ).format(workstation=ltr(self._workstation))
        )
        self.keys.setText(
            hint_line([N_("↓ or Enter: next"), N_("↑: previous"), N_("Enter on the last: open")])
        )
        self.confirm.setText(_(N_("Open the till (Enter)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
        self.panel.retranslate()

    def submit(self) -> None:
        if self.busy:
            return
        try:
            count = self.panel.count()
        except CountError as error:
            self.error.setText(str(error))
            error.widget.setFocus()
            return
        self.busy = True
        ctx, actor, workstation = self._ctx, self._actor, self._workstation
        self._runner.submit(
            lambda: open_counted_till(ctx, actor, workstation, count), self._opened, self._failed
        )

    def _opened(self, _info: object) -> None:
        self.busy = False
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.error.setText(error_text(error))
        field = error.field if isinstance(error, GuichetError) else None
        self.panel.field_for(field).setFocus()
