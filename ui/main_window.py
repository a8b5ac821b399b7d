"""The application window: sign-in, the counter, and the idle lock over both."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.auth import Actor, record_screen_locked
from app.closing.status import HANDOVER, OPEN_ONE, TillAtSignIn, till_at_sign_in
from app.closing.takings import AgentTakings, my_takings
from app.compensation.notice import queue_compensation_notice
from app.context import AppContext
from app.i18n import LANGUAGES, N_, current_language, gettext
from app.labels import ROLES, label
from app.printing.worker import PrintWorker
from app.products import ProductInfo, products_on_sale
from app.reports.day_takings import DayTakings, day_takings
from app.staff import set_own_language
from app.station import StationInfo
from db.models import Role
from ui.complaint_dialog import ComplaintDialog
from ui.counter import CounterScreen
from ui.language import LanguageSwitch
from ui.qt import (
    QApplication,
    QDialog,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QObject,
    QPushButton,
    QShortcut,
    QStackedWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.sign_in import LanguagePicker, SignInScreen
from ui.supervisor.dashboard import DashboardDialog
from ui.supervisor.preference import dashboard_first
from ui.takings_dialog import TakingsDialog
from ui.tasks import Runner, error_text
from ui.till.close_dialog import CloseTillDialog
from ui.till.handover_dialog import HandoverDialog
from ui.till.my_takings_dialog import MyTakingsDialog
from ui.till_dialog import OpenTillDialog

_ = gettext

DEFAULT_IDLE_MINUTES = 5
ACTIVITY_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        station: StationInfo,
        runner: Runner,
        language: LanguageSwitch,
        *,
        idle_minutes: float = DEFAULT_IDLE_MINUTES,
        worker: PrintWorker | None = None,
        sign_in: SignInScreen | None = None,
    ) -> None:
        """``worker`` prints this workstation's queue; its owner starts and stops it
        (:func:`ui.app.run`); tests pass none, or one they drive by hand.

        Printing has no button up here (the bar is full at 1366 px): the printer's
        state at the bottom of the counter opens the queue (F9, Shift+F9 for a
        supervisor's every-workstation view), and the queue the printer settings.

        ``sign_in``: the screen :func:`ui.app.run` painted before the database was
        open, with whatever the agent has typed into it since; it moves in here.
        """
        super().__init__()
        self.setObjectName("main_window")
        self.resize(1366, 800)
        self._ctx = ctx
        self.station = station
        self._runner = runner
        self.language = language
        # The workstation's language (the operator's default, or --language): what the
        # sign-in screen goes back to when an agent signs out, and what an agent with
        # no language of their own gets.
        self.workstation_language = current_language()
        self.actor: Actor | None = None
        self._hidden_dialogs: list[QDialog] = []
        self._products: list[ProductInfo] | None = None
        self.takings_dialog: TakingsDialog | None = None
        self.my_takings_dialog: MyTakingsDialog | None = None
        # The till's dialog of this sign-in: opening, handover, or closing one's till.
        self.till_dialog: OpenTillDialog | HandoverDialog | None = None
        self.close_till_dialog: CloseTillDialog | None = None
        self.dashboard: DashboardDialog | None = None
        self.complaint_dialog: ComplaintDialog | None = None
        # Where "open the dashboard at sign-in" is kept; None: the user's config folder.
        self.preference_file: Path | None = None

        kept_typing = sign_in is not None  # what the agent typed meanwhile stays
        if sign_in is None:
            sign_in = SignInScreen(ctx, station, runner, language)
        else:
            sign_in.attach(ctx, station)
        self.sign_in = sign_in
        self.worker = worker
        self.counter = CounterScreen(ctx, station, runner, self.products, worker=worker)
        self.counter.panel.complaints.attach(ctx, runner)
        self.who = named(QLabel(), "muted")
        self.who.setWordWrap(True)  # a long name and agency never push the window past 1024 px
        self.takings_button = named(QPushButton(), "secondary")
        self.takings_button.setVisible(False)  # supervisors and admins only
        self.lock_button = named(QPushButton(), "secondary")
        self.sign_out_button = named(QPushButton(), "secondary")
        bar = QHBoxLayout()
        bar.addWidget(self.who, 1)
        bar.addWidget(LanguagePicker(language))
        bar.addWidget(self.takings_button)
        bar.addWidget(self.lock_button)
        bar.addWidget(self.sign_out_button)
        counter_page = QWidget()
        counter_layout = QVBoxLayout(counter_page)
        counter_layout.addLayout(bar)
        counter_layout.addWidget(self.counter, 1)
        self._counter_page = counter_page

        self.stack = QStackedWidget()
        self.stack.addWidget(self.sign_in)
        self.stack.addWidget(counter_page)
        self.setCentralWidget(self.stack)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_minutes * 60_000))
        self.idle_timer.timeout.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self.sign_in.signed_in.connect(self._signed_in)
        self.sign_in.unlocked.connect(self._unlocked)
        self.lock_button.clicked.connect(self.lock)
        self.takings_button.clicked.connect(self.show_takings)
        QShortcut(QKeySequence("F10"), self, self.show_takings)
        QShortcut(QKeySequence("Ctrl+F10"), self, self.close_my_till)
        QShortcut(QKeySequence("Ctrl+D"), self, self.show_dashboard)
        QShortcut(QKeySequence("F4"), self, self.open_complaint)
        QShortcut(QKeySequence("Shift+F4"), self, self.print_compensation_notice)
        self.sign_out_button.clicked.connect(self.sign_out)
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock)
        language.changed.connect(lambda _language: self.retranslate())
        language.changed.connect(self._language_switched)
        self.retranslate()
        if not kept_typing:
            self.sign_in.reset()

    def products(self) -> list[ProductInfo]:
        if self._products is None:
            self._products = products_on_sale(self._ctx.db)
        return self._products

    # --- activity and the idle lock ---------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS and self.actor is not None and not self.sign_in.locked:
            self.idle_timer.start()
        return False

    def lock(self) -> None:
        """Cover everything; whatever was on screen, payment included, waits as it was."""
        if self.actor is None or self.sign_in.locked:
            return
        self.idle_timer.stop()
        self._hidden_dialogs = [
            widget
            for widget in QApplication.topLevelWidgets()
            if isinstance(widget, QDialog) and widget.isVisible()
        ]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        # The customer served leaves the screen: whoever unlocks it finds it blank. A
        # payment, a void or a bill copy in progress waits as it was, with the screen behind it.
        counter = self.counter
        busy = (
            counter.payment_dialog,
            counter.void_dialog,
            counter.bill_copy_dialog,
            self.complaint_dialog,
        )
        if all(dialog is None for dialog in busy):
            counter.clear()
        self.sign_in.lock_for(self.actor)
        self.stack.setCurrentWidget(self.sign_in)
        actor, ref = self.actor, self.station.ref
        self._runner.submit(
            lambda: record_screen_locked(self._ctx, actor, workstation=ref),
            lambda _r: None,
            lambda _e: None,
        )

    def _unlocked(self, _by: Actor) -> None:
        self.stack.setCurrentWidget(self._counter_page)
        for dialog in self._hidden_dialogs:
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()
        self._hidden_dialogs = []
        if self.counter.payment_dialog is None:
            self.counter.search.setFocus()
        self.idle_timer.start()

    # --- signing in and out --------------------------------------------------------------------

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.counter.actor = actor
        self.takings_button.setVisible(actor.has_role(Role.SUPERVISOR))
        # Each agent in their own language; without one, the sign-in screen's (the
        # workstation's, since the last agent's sign-out put it back).
        if actor.language in LANGUAGES and actor.language != current_language():
            self.language.apply(actor.language)
        self.retranslate()
        self.stack.setCurrentWidget(self._counter_page)
        self.counter.clear()
        self.idle_timer.start()
        if actor.has_role(Role.SUPERVISOR) and dashboard_first(actor.login, self.preference_file):
            self.show_dashboard()
        ref, db = self.station.ref, self._ctx.db
        self._runner.submit(
            lambda: till_at_sign_in(db, actor, ref), self._check_till, self.counter._failed
        )

    def _check_till(self, at: TillAtSignIn) -> None:
        """Open a till, carry on with one's own, or take the counter over from its holder.

        A supervisor at a counter whose till is another's supervises: no handover is
        forced on them (the dashboard, Ctrl+D, closes an abandoned till).
        """
        actor = self.actor
        if actor is None:
            return
        dialog: OpenTillDialog | HandoverDialog
        if self.dashboard is not None:
            return  # a supervisor who lands on the dashboard opens no till on the way
        if at.next_step == OPEN_ONE:
            dialog = OpenTillDialog(
                self._ctx, actor, self.station.ref, self.station.currency, self._runner, self
            )
        elif at.next_step == HANDOVER and not actor.has_role(Role.SUPERVISOR):
            dialog = HandoverDialog(
                self._ctx,
                actor,
                self.station.ref,
                at.holder or "",
                self.station.currency,
                self._runner,
                self,
            )
        else:
            return
        self.till_dialog = dialog
        dialog.finished.connect(lambda result: self._till_dialog_closed(dialog, result))
        dialog.open()

    def _till_dialog_closed(self, dialog: QDialog, result: int) -> None:
        if dialog is not self.till_dialog:
            return  # closed by the sign-out itself
        self.till_dialog = None
        if isinstance(dialog, HandoverDialog) and result != QDialog.DialogCode.Accepted:
            # Nobody works in another agent's till: without the handover, no counter.
            self.sign_out()
            self.activateWindow()  # the sign-in screen has the keyboard, not the closed dialog
            return
        self.counter.take_keyboard()

    def close_my_till(self) -> None:
        """Ctrl+F10: the blind count of one's own till, then sign out."""
        actor = self.actor
        if (
            actor is None
            or self.sign_in.locked
            or self.counter.payment_dialog is not None
            or self.close_till_dialog is not None
        ):
            return
        dialog = CloseTillDialog(
            self._ctx, actor, self.station.ref, self.station.currency, self._runner, self
        )
        self.close_till_dialog = dialog

        def closed(result: int) -> None:
            self.close_till_dialog = None
            if dialog.counted is not None:
                self.sign_out()  # the till is counted: the next sign-in opens a new one
                self.activateWindow()
            else:
                self.counter.take_keyboard()

        dialog.finished.connect(closed)
        dialog.open()

    def sign_out(self) -> None:
        if self.counter.payment_dialog is not None:
            return  # finish or cancel the payment first
        self.actor = None
        self.counter.actor = None
        self.takings_button.setVisible(False)
        self.idle_timer.stop()
        for dialog in (
            self.till_dialog,
            self.close_till_dialog,
            self.dashboard,
            self.complaint_dialog,
        ):
            if dialog is not None:
                dialog.done(QDialog.DialogCode.Rejected)
        self.till_dialog = self.close_till_dialog = self.dashboard = self.complaint_dialog = None
        self.counter.end_session()
        self.who.clear()
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_in.reset()
        # The next agent starts from the workstation's language, not the last one's.
        if current_language() != self.workstation_language:
            self.language.apply(self.workstation_language)

    def _language_switched(self, language: str) -> None:
        """An agent who switches language while signed in keeps it as their own."""
        actor = self.actor
        if actor is None or self.sign_in.locked or actor.language == language:
            return
        self.actor = self.counter.actor = replace(actor, language=language)

        def saved(updated: Actor) -> None:
            if self.actor is not None and self.actor.staff_id == updated.staff_id:
                self.actor = self.counter.actor = updated

        # Not saved is no harm to the work at hand: the screen has switched already.
        self._runner.submit(
            lambda: set_own_language(self._ctx, actor, language), saved, lambda _e: None
        )

    def show_takings(self) -> None:
        """F10: today's takings at this agency for a supervisor (the service refuses anyone
        below); an agent's own takings so far in their till for an agent."""
        actor = self.actor
        if actor is None or self.sign_in.locked:
            return
        if not actor.has_role(Role.SUPERVISOR):
            ctx, ref = self._ctx, self.station.ref
            self._runner.submit(
                lambda: my_takings(ctx, actor, ref), self._my_takings_ready, self.counter._failed
            )
            return
        agency, now = self.station.agency_code, self._ctx.now()
        self._runner.submit(
            lambda: day_takings(self._ctx.db, actor, agency, now=now),
            self._takings_ready,
            self.counter._failed,
        )

    def _takings_ready(self, takings: DayTakings) -> None:
        dialog = TakingsDialog(takings, self)
        self.takings_dialog = dialog
        dialog.finished.connect(lambda _result: self.counter.take_keyboard())
        dialog.open()

    def _my_takings_ready(self, takings: AgentTakings | None) -> None:
        dialog = MyTakingsDialog(takings, self)
        self.my_takings_dialog = dialog
        dialog.finished.connect(lambda _result: self.counter.take_keyboard())
        dialog.open()

    def show_dashboard(self) -> None:
        """Ctrl+D: every counter of the agency, for a supervisor."""
        actor = self.actor
        if (
            actor is None
            or not actor.has_role(Role.SUPERVISOR)
            or self.sign_in.locked
            or self.dashboard is not None
        ):
            return
        dialog = DashboardDialog(
            self._ctx,
            actor,
            self.station,
            self._runner,
            self,
            preference_file=self.preference_file,
            printed=self.counter.wake_printer,
            worker=self.worker,
        )
        self.dashboard = dialog

        def closed(_result: int) -> None:
            if self.dashboard is dialog:
                self.dashboard = None
                self.counter.take_keyboard()

        dialog.finished.connect(closed)
        dialog.open()

    def print_compensation_notice(self) -> None:
        """Shift+F4: print the notice of the subscriber's latest compensation, which
        tells them what they got and why (again: DUPLICATE n)."""
        actor, view = self.actor, self.counter.subscriber
        if actor is None or view is None or self.sign_in.locked:
            return
        if not view.compensations:
            self.counter._say(lambda: _(N_("This subscriber has had no compensation.")))
            return
        claim_id, ref = view.compensations[0].claim_id, self.station.ref

        def queued(_job: int) -> None:
            self.counter.wake_printer()
            self.counter._say(lambda: _(N_("The compensation notice is printing.")))

        def refused(error: BaseException) -> None:
            self.counter._say(lambda: error_text(error))

        self._runner.submit(
            lambda: queue_compensation_notice(self._ctx, actor, claim_id, workstation=ref),
            queued,
            refused,
        )

    def open_complaint(self) -> None:
        """F4: record a complaint of the subscriber on screen; its slip prints at once."""
        actor, view = self.actor, self.counter.subscriber
        if (
            actor is None
            or view is None
            or self.sign_in.locked
            or self.complaint_dialog is not None
            or self.counter.payment_dialog is not None
        ):
            return
        dialog = ComplaintDialog(
            self._ctx, actor, self.station.ref, self.station.timezone, view, self._runner, self
        )
        self.complaint_dialog = dialog

        def closed(_result: int) -> None:
            if self.complaint_dialog is not dialog:
                return  # closed by the sign-out
            self.complaint_dialog = None
            opened = dialog.opened
            if opened is not None:
                self.counter.wake_printer()  # the slip was queued with the complaint
                self.counter.panel.complaints.reload()
                number = opened.number
                self.counter._say(
                    lambda: _(N_("Complaint {number} recorded; its slip is printing.")).format(
                        number=number
                    )
                )
            dialog.deleteLater()
            self.counter.take_keyboard()

        dialog.finished.connect(closed)
        dialog.open()

    def retranslate(self) -> None:
        self.setWindowTitle(
            _(N_("Guichet — {agency}, {workstation}")).format(
                agency=self.station.agency_name, workstation=self.station.ref
            )
        )
        self.lock_button.setText(_(N_("Lock (Ctrl+L)")))
        self.takings_button.setText(_(N_("Today's takings (F10)")))
        self.sign_out_button.setText(_(N_("Sign out")))
        self.counter.retranslate()
        # The till's dialogs open now follow the language too.
        for dialog in (
            self.till_dialog,
            self.close_till_dialog,
            self.dashboard,
            self.dashboard.child if self.dashboard is not None else None,
            self.complaint_dialog,
        ):
            retranslate = getattr(dialog, "retranslate", None)
            if retranslate is not None:
                retranslate()
        if self.actor is not None:
            self.who.setText(
                _(N_("{name} ({role}) — {agency}, {workstation}")).format(
                    name=self.actor.full_name,
                    role=label(ROLES, self.actor.role),
                    agency=self.station.agency_name,
                    workstation=self.station.ref,
                )
            )
