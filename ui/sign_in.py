"""Sign-in, and the same screen as the idle lock (same agent or a supervisor).

It is the first thing painted at start-up, before the database is open (see
:mod:`ui.app`): nothing here imports the database layer at module level, and the
screen takes its context and station later, through :meth:`SignInScreen.attach`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.errors import GuichetError
from app.i18n import LANGUAGES, N_, current_language, gettext
from ui.language import LanguageSwitch
from ui.qt import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    named,
)
from ui.tasks import Runner

if TYPE_CHECKING:
    from app.auth import Actor
    from app.context import AppContext
    from app.station import StationInfo

_ = gettext


class LanguagePicker(QComboBox):
    """The three languages, each written in itself, so anyone can find theirs."""

    def __init__(self, switch: LanguageSwitch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("language")
        self._switch = switch
        for code, name in LANGUAGES.items():
            self.addItem(name, code)
        self.sync()
        self.currentIndexChanged.connect(self._picked)
        switch.changed.connect(lambda _language: self.sync())

    def sync(self) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(self.findData(current_language()))
        self.blockSignals(False)

    def _picked(self, index: int) -> None:
        self._switch.apply(self.itemData(index))


class SignInScreen(QWidget):
    signed_in = Signal(object)  # Actor
    unlocked = Signal(object)  # Actor who unlocked

    def __init__(
        self,
        ctx: AppContext | None,
        station: StationInfo | None,
        runner: Runner,
        language: LanguageSwitch,
        parent: QWidget | None = None,
    ) -> None:
        """``ctx`` and ``station`` may come later (:meth:`attach`): at start-up the
        screen is painted while the database opens."""
        super().__init__(parent)
        self._ctx = ctx
        self._station = station
        self._runner = runner
        self._locked_for: Actor | None = None
        self._busy = False
        # The error shown, kept as how to write it: a language switch rewrites it.
        self._error: Callable[[], str] | None = None

        self.title = named(QLabel(), "title")
        self.title.setWordWrap(True)  # "Locked: <name>. Sign in again..." is long in Arabic
        self.where = named(QLabel(), "muted")
        self.login = named(QLineEdit(), "login")
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.submit = named(QPushButton(), "sign_in")
        self.language_picker = LanguagePicker(language)
        self.demo_box = named(QLabel(), "muted")
        self.demo_box.setTextFormat(Qt.TextFormat.PlainText)
        self.demo_box.setVisible(bool(station is not None and station.demo_logins))

        card = named(QFrame(), "card")
        card.setMaximumWidth(640)
        form = QFormLayout()
        self._login_label = QLabel()
        self._password_label = QLabel()
        form.addRow(self._login_label, self.login)
        form.addRow(self._password_label, self.password)
        inner = QVBoxLayout(card)
        inner.addWidget(self.title)
        inner.addWidget(self.where)
        inner.addSpacing(12)
        inner.addLayout(form)
        inner.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.language_picker)
        buttons.addStretch()
        buttons.addWidget(self.submit)
        inner.addLayout(buttons)
        inner.addWidget(self.demo_box)

        outer = QVBoxLayout(self)
        outer.addStretch()
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(card)
        row.addStretch()
        outer.addLayout(row)
        outer.addStretch()

        self.login.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.attempt)
        self.submit.clicked.connect(self.attempt)
        language.changed.connect(lambda _language: self.retranslate())
        self.retranslate()

    def attach(self, ctx: AppContext, station: StationInfo) -> None:
        """The database is open: what the screen showed as "opening" is now known."""
        self._ctx, self._station = ctx, station
        self.demo_box.setVisible(bool(station.demo_logins))
        self.retranslate()

    # --- states ---------------------------------------------------------------------

    def reset(self) -> None:
        self._locked_for = None
        self.login.clear()
        self.login.setReadOnly(False)
        self.password.clear()
        self._show_error(None)
        self.retranslate()
        self.login.setFocus()

    def lock_for(self, actor: Actor) -> None:
        self._locked_for = actor
        self.login.setText(actor.login)
        self.password.clear()
        self._show_error(None)
        self.retranslate()
        self.password.setFocus()

    @property
    def locked(self) -> bool:
        return self._locked_for is not None

    def retranslate(self) -> None:
        station = self._station
        if self._locked_for is not None:
            self.title.setText(
                _(N_("Locked: {name}. Sign in again to carry on.")).format(
                    name=self._locked_for.full_name
                )
            )
            self.submit.setText(_(N_("Unlock")))
        else:
            operator = None
            if station is not None and current_language() == "ar":
                operator = station.operator_name_ar
            self.title.setText(operator or (station.operator_name if station else "Guichet"))
            self.submit.setText(_(N_("Sign in")))
        self._show_error(self._error)
        self._login_label.setText(_(N_("Login")))
        self._password_label.setText(_(N_("Password")))
        if station is None:
            self.where.setText(_(N_("Opening the database…")))
            return
        agency = (
            station.agency_name_ar if current_language() == "ar" else None
        ) or station.agency_name
        self.where.setText(
            _(N_("Agency {agency}, workstation {workstation}")).format(
                agency=agency, workstation=station.ref
            )
        )
        if station.demo_logins:
            from app.labels import ROLES, label

            lines = [_(N_("Demo database. Try these logins:"))]
            lines += [
                f"  {hint.login}  /  {hint.password}   ({label(ROLES, hint.role)})"
                for hint in station.demo_logins
            ]
            self.demo_box.setText("\n".join(lines))

    # --- signing in -------------------------------------------------------------------

    def attempt(self) -> None:
        if self._busy:
            return
        ctx, station = self._ctx, self._station
        if ctx is None or station is None:
            return  # still opening the database; the screen says so
        from app.auth import authenticate, unlock

        login, password = self.login.text(), self.password.text()
        if not login.strip():
            self._show_error(lambda: _(N_("Enter your login.")))
            self.login.setFocus()
            return
        self._busy = True
        self.submit.setEnabled(False)
        self._show_error(None)
        locked_for = self._locked_for
        ref = station.ref
        if locked_for is not None:
            self._runner.submit(
                lambda: unlock(ctx, locked_for, login, password, workstation=ref),
                self._unlocked,
                self._failed,
            )
        else:
            self._runner.submit(
                lambda: authenticate(ctx, login, password, workstation=ref),
                self._signed_in,
                self._failed,
            )

    def _done(self) -> None:
        self._busy = False
        self.submit.setEnabled(True)
        self.password.clear()

    def _signed_in(self, actor: Actor) -> None:
        self._done()
        self.signed_in.emit(actor)

    def _unlocked(self, actor: Actor) -> None:
        self._done()
        self._locked_for = None
        self.unlocked.emit(actor)

    def _failed(self, error: BaseException) -> None:
        self._done()
        if isinstance(error, GuichetError):
            self._show_error(error.translated)
        else:
            self._show_error(lambda: _(N_("Something went wrong: {error}")).format(error=error))
        self.password.setFocus()

    def _show_error(self, message: Callable[[], str] | None) -> None:
        self._error = message
        self.error.setText(message() if message is not None else "")
