"""Another agent's till is open at this counter: it changes hands, or a supervisor closes it.

Handover: the outgoing agent types their own login and password here (as a
supervisor does to approve a void), counts the till out blind, and the incoming
agent then counts their float; one service call closes the one and opens the
other. Abandoned till: a supervisor types their credentials and the reason and
closes it (counted later, in the review); the incoming agent then counts their float.
Either close queues the closed till's Z report (the agent's copy) on this counter's
printer; the last page says in one line where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import Actor, authenticate
from app.closing.counts import CountInput
from app.closing.handover import Handover, force_close_till, handover_till
from app.closing.tills import current_cash_session, open_counted_till
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, ltr
from ui.qt import (
    QFormLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.tasks import Runner, error_text
from ui.till.close_dialog import ZWatch
from ui.till.count_panel import CountError, CountPanel

_ = gettext


@dataclass(frozen=True)
class _Closed:
    """The outgoing till is closed (forced): only the incoming float is left to open."""

    till_id: int | None


class HandoverDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        incoming: Actor,
        workstation: str,
        holder: str,
        currency_code: str,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handover")
        self._ctx, self._incoming, self._workstation = ctx, incoming, workstation
        self._runner = runner
        self.holder = holder
        self.outgoing: Actor | None = None
        self.closing_count: CountInput | None = None
        self.forced = False  # the outgoing till was closed by a supervisor
        self.busy = False

        self.pages = QStackedWidget()
        # 1. The outgoing agent signs the count out.
        self.who_page = QWidget()
        self.who_title = wrapped_label("title")
        self.who_detail = wrapped_label("muted")
        self.outgoing_login = named(QLineEdit(holder), "outgoing_login")
        self.outgoing_password = named(QLineEdit(), "outgoing_password")
        self.outgoing_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.who_error = wrapped_label("error")
        self.force_button = named(QPushButton(), "secondary")
        self.force_button.setAutoDefault(False)
        self.who_form = QFormLayout()
        self.who_form.addRow(QLabel(), self.outgoing_login)
        self.who_form.addRow(QLabel(), self.outgoing_password)
        who_layout = QVBoxLayout(self.who_page)
        who_layout.addWidget(self.who_title)
        who_layout.addWidget(self.who_detail)
        who_layout.addLayout(self.who_form)
        who_layout.addWidget(self.who_error)
        who_buttons = QHBoxLayout()
        who_buttons.addWidget(self.force_button)
        who_buttons.addStretch()
        who_layout.addLayout(who_buttons)
        who_layout.addStretch()
        # 2. The outgoing agent's blind count.
        self.out_page = QWidget()
        self.out_title = wrapped_label("title")
        self.out_panel = CountPanel(currency_code, cash_only=False)
        self.out_error = wrapped_label("error")
        out_layout = QVBoxLayout(self.out_page)
        out_layout.setContentsMargins(0, 0, 0, 0)
        self.out_next = named(QPushButton(), "out_next")
        self.out_next.setAutoDefault(False)
        out_layout.addWidget(self.out_title)
        out_layout.addWidget(self.out_panel)
        out_layout.addWidget(self.out_error)
        out_layout.addStretch()
        out_layout.addWidget(self.out_next)
        # 3. The incoming agent's float.
        self.in_page = QWidget()
        self.in_title = wrapped_label("title")
        self.in_panel = CountPanel(currency_code, cash_only=True)
        self.in_error = wrapped_label("error")
        in_layout = QVBoxLayout(self.in_page)
        in_layout.setContentsMargins(0, 0, 0, 0)
        self.in_open = named(QPushButton(), "in_open")
        self.in_open.setAutoDefault(False)
        in_layout.addWidget(self.in_title)
        in_layout.addWidget(self.in_panel)
        in_layout.addWidget(self.in_error)
        in_layout.addStretch()
        in_layout.addWidget(self.in_open)
        # 4. An abandoned till: a supervisor closes it, with the reason.
        self.force_page = QWidget()
        self.force_title = wrapped_label("title")
        self.force_detail = wrapped_label("muted")
        self.supervisor_login = named(QLineEdit(), "supervisor_login")
        self.supervisor_password = named(QLineEdit(), "supervisor_password")
        self.supervisor_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = named(QLineEdit(), "force_reason")
        self.force_error = wrapped_label("error")
        self.force_form = QFormLayout()
        self.force_form.addRow(QLabel(), self.reason)
        self.force_form.addRow(QLabel(), self.supervisor_login)
        self.force_form.addRow(QLabel(), self.supervisor_password)
        force_layout = QVBoxLayout(self.force_page)
        force_layout.addWidget(self.force_title)
        force_layout.addWidget(self.force_detail)
        force_layout.addLayout(self.force_form)
        force_layout.addWidget(self.force_error)
        force_layout.addStretch()
        # 5. Done.
        self.done_page = QWidget()
        self.done_title = wrapped_label("title")
        self.z_line = wrapped_label("z_report_line")
        self.z_watch = ZWatch(ctx, runner, self, self.z_line.setText)
        self.closed_till: int | None = None  # the outgoing till, once closed
        self.done_button = named(QPushButton(), "done")
        done_layout = QVBoxLayout(self.done_page)
        done_layout.addWidget(self.done_title)
        done_layout.addWidget(self.z_line)
        done_layout.addStretch()
        done_layout.addWidget(self.done_button)
        for page in (self.who_page, self.out_page, self.in_page, self.force_page, self.done_page):
            self.pages.addWidget(page)

        self.keys = wrapped_label("muted")
        self.cancel = named(QPushButton(), "secondary")
        self.cancel.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.keys, 1)
        bottom.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)

        self.outgoing_login.returnPressed.connect(self.outgoing_password.setFocus)
        self.outgoing_password.returnPressed.connect(self.check_outgoing)
        self.out_panel.finished.connect(self._counted_out)
        self.in_panel.finished.connect(self.submit)
        self.out_next.clicked.connect(self._counted_out)
        self.in_open.clicked.connect(self.submit)
        self.force_button.clicked.connect(self.show_force)
        self.reason.returnPressed.connect(self.supervisor_login.setFocus)
        self.supervisor_login.returnPressed.connect(self.supervisor_password.setFocus)
        self.supervisor_password.returnPressed.connect(self.force_close)
        self.done_button.clicked.connect(self.accept)
        self.cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence("F8"), self, self.show_force)
        QShortcut(QKeySequence("F4"), self, self._add_cheque)
        self.retranslate()
        self._size_to_page()
        self.outgoing_password.setFocus()

    # --- the steps -------------------------------------------------------------------------

    def _size_to_page(self) -> None:
        # Only the page on screen asks for room: a stack otherwise wants its largest page's.
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if page is None:
                continue
            shown = page is self.pages.currentWidget()
            policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
            page.updateGeometry()
        self.pages.updateGeometry()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        """A count takes the room it needs; credentials and answers, a smaller window."""
        if self.pages.currentWidget() in (self.out_page, self.in_page):
            fit(self, self.parentWidget(), 1100, 740)
        else:
            fit(self, self.parentWidget(), 820, 360)

    def check_outgoing(self) -> None:
        """The outgoing agent's own password, checked before they count."""
        if self.busy:
            return
        login, password = self.outgoing_login.text(), self.outgoing_password.text()
        ctx, workstation = self._ctx, self._workstation
        self.busy = True
        self._runner.submit(
            lambda: authenticate(
                ctx, login, password, workstation=workstation, journal_success=False
            ),
            self._outgoing_ready,
            self._outgoing_refused,
        )

    def _outgoing_ready(self, actor: Actor) -> None:
        self.busy = False
        self.outgoing_password.clear()
        if actor.login != self.holder:
            self.who_error.setText(
                _(N_("This till belongs to {login}; only they can count it out.")).format(
                    login=self.holder
                )
            )
            self.outgoing_login.setFocus()
            return
        self.outgoing = actor
        self.who_error.clear()
        self.pages.setCurrentWidget(self.out_page)
        self._size_to_page()
        self.retranslate()
        self.out_panel.start()

    def _outgoing_refused(self, error: BaseException) -> None:
        self.busy = False
        self.outgoing_password.clear()
        self.who_error.setText(error_text(error))
        self.outgoing_password.setFocus()

    def _add_cheque(self) -> None:
        if self.pages.currentWidget() is self.out_page:
            self.out_panel.new_cheque()

    def _counted_out(self) -> None:
        try:
            self.closing_count = self.out_panel.count()
        except CountError as error:
            self.out_error.setText(str(error))
            error.widget.setFocus()
            return
        self.out_error.clear()
        self.pages.setCurrentWidget(self.in_page)
        self._size_to_page()
        self.retranslate()
        self.in_panel.start()

    def show_force(self) -> None:
        if self.busy or self.pages.currentWidget() is not self.who_page:
            return
        self.pages.setCurrentWidget(self.force_page)
        self._size_to_page()
        self.retranslate()
        self.reason.setFocus()

    def force_close(self) -> None:
        if self.busy:
            return
        login, password = self.supervisor_login.text(), self.supervisor_password.text()
        reason = self.reason.text()
        ctx, workstation = self._ctx, self._workstation
        language = current_language()
        self.busy = True

        def work() -> _Closed:
            supervisor = authenticate(
                ctx, login, password, workstation=workstation, journal_success=False
            )
            outgoing_till = current_cash_session(ctx.db, workstation)
            force_close_till(ctx, supervisor, workstation, workstation, reason, language=language)
            return _Closed(outgoing_till.session_id if outgoing_till is not None else None)

        self._runner.submit(work, self._forced, self._force_failed)

    def _forced(self, closed: _Closed) -> None:
        self.busy = False
        self.forced = True
        self.closed_till = closed.till_id
        self.supervisor_password.clear()
        self.pages.setCurrentWidget(self.in_page)
        self._size_to_page()
        self.retranslate()
        self.in_panel.start()

    def _force_failed(self, error: BaseException) -> None:
        self.busy = False
        self.supervisor_password.clear()
        self.force_error.setText(error_text(error))
        field = error.field if isinstance(error, GuichetError) else None
        (self.reason if field == "reason" else self.supervisor_password).setFocus()

    def submit(self) -> None:
        """The incoming float counted: the handover (or, after a forced close, the opening)."""
        if self.busy:
            return
        try:
            opening = self.in_panel.count()
        except CountError as error:
            self.in_error.setText(str(error))
            error.widget.setFocus()
            return
        ctx, incoming, workstation = self._ctx, self._incoming, self._workstation
        outgoing, closing = self.outgoing, self.closing_count
        language = current_language()
        self.busy = True
        if self.forced:
            self._runner.submit(
                lambda: open_counted_till(ctx, incoming, workstation, opening),
                self._done,
                self._failed,
            )
            return
        assert outgoing is not None and closing is not None
        self._runner.submit(
            lambda: handover_till(
                ctx,
                incoming,
                outgoing,
                workstation,
                closing_count=closing,
                opening_count=opening,
                language=language,
            ),
            self._done,
            self._failed,
        )

    def _done(self, result: object) -> None:
        self.busy = False
        if isinstance(result, Handover):
            self.closed_till = result.closed.session_id
        self.pages.setCurrentWidget(self.done_page)
        self._size_to_page()
        self.retranslate()
        self.done_button.setDefault(True)
        self.done_button.setFocus()
        if self.closed_till is not None:
            self.z_watch.watch(self.closed_till)

    def done(self, result: int) -> None:
        self.z_watch.stop()
        super().done(result)

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        field = error.field if isinstance(error, GuichetError) else None
        # A refused cheque or total is the outgoing count's: back to it, the line named.
        if not self.forced and (field or "").startswith(("cheques", "card", "postal")):
            self.pages.setCurrentWidget(self.out_page)
            self.out_error.setText(error_text(error))
            self.out_panel.field_for(field).setFocus()
            return
        self.in_error.setText(error_text(error))
        self.in_panel.field_for(field).setFocus()

    def reject(self) -> None:
        if self.busy:
            return
        if self.pages.currentWidget() is self.done_page:
            self.accept()
            return
        super().reject()

    # --- words -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        holder, incoming = ltr(self.holder), ltr(self._incoming.login)
        self.setWindowTitle(
            _(N_("Till handover at {workstation}")).format(workstation=ltr(self._workstation))
        )
        self.who_title.setText(
            _(N_("The till of this counter is held by {holder}.")).format(holder=holder)
        )
        self.who_detail.setText(
            _(
                N_(
                    "{holder} counts it out first: they type their own login and password "
                    "here. Then you count your float and your till opens."
                )
            ).format(holder=holder)
        )
        login_label = self.who_form.labelForField(self.outgoing_login)
        if isinstance(login_label, QLabel):
            login_label.setText(_(N_("Login")))
        password_label = self.who_form.labelForField(self.outgoing_password)
        if isinstance(password_label, QLabel):
            password_label.setText(_(N_("Password")))
        self.force_button.setText(_(N_("Abandoned till: a supervisor closes it (F8)")))
        self.out_title.setText(_(N_("{holder} counts the till out")).format(holder=holder))
        self.in_title.setText(_(N_("{login}, count your float")).format(login=incoming))
        self.force_title.setText(_(N_("Close an abandoned till")))
        self.force_detail.setText(
            _(
                N_(
                    "A supervisor closes {holder}'s till with the reason; it is counted "
                    "before the review. Then you count your float."
                )
            ).format(holder=holder)
        )
        for field, text in (
            (self.reason, N_("Reason")),
            (self.supervisor_login, N_("Supervisor login")),
            (self.supervisor_password, N_("Supervisor password")),
        ):
            caption = self.force_form.labelForField(field)
            if isinstance(caption, QLabel):
                caption.setText(_(text))
        self.done_title.setText(
            _(N_("Your till is open. {holder}'s till is counted; a supervisor reviews it.")).format(
                holder=holder
            )
            if not self.forced
            else _(N_("Your till is open. A supervisor closed {holder}'s till.")).format(
                holder=holder
            )
        )
        self.done_button.setText(_(N_("To the counter (Enter)")))
        self.z_watch.retranslate()
        self.out_next.setText(_(N_("Counted: next (Enter on the last)")))
        self.in_open.setText(_(N_("Open my till (Enter on the last)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
        page = self.pages.currentWidget()
        if page is self.who_page:
            pieces = [N_("Enter: next"), N_("F8: abandoned till"), N_("Esc: sign out")]
        elif page is self.out_page:
            pieces = [N_("↓ or Enter: next"), N_("↑: previous"), N_("F4: add a cheque")]
        elif page is self.in_page:
            pieces = [N_("↓ or Enter: next"), N_("↑: previous"), N_("Enter on the last: open")]
        else:
            pieces = [N_("Enter: next")]
        self.keys.setText(hint_line(pieces))
        self.out_panel.retranslate()
        self.in_panel.retranslate()
