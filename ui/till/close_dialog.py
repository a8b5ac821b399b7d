"""Closing one's till: the blind count.

The agent counts the cash by denomination, lists the cheques, totals the card
slips and the postal transfers, and confirms. The agent never sees what the
till should hold nor the difference: the service answers only what was counted,
and this screen shows only that, then "Till counted; a supervisor reviews it".

The close queues the till's Z report (the agent's copy, without those figures)
on this counter's printer in its own transaction; the last page says in one
line whether it is printing, printed or waiting in the print queue (and why),
and looks again every few seconds until it is printed.
"""

from __future__ import annotations

from collections.abc import Callable

from app.auth import Actor
from app.closing.counts import CountedFigures
from app.closing.tills import close_till
from app.closing.z_prints import ZPrintState, closing_z_state
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, ltr
from ui.qt import (
    QHBoxLayout,
    QKeySequence,
    QPushButton,
    QShortcut,
    QSizePolicy,
    QStackedWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.tasks import Runner, error_text
from ui.till.count_panel import CountError, CountPanel

_ = gettext

# How often a closing screen looks again at where the Z report is.
Z_WATCH_MS = 3000


def z_report_line(state: ZPrintState | None) -> str:
    """One line: the Z report printed at the close is printing, printed, or waiting
    in the print queue (no printer, or the printer fails: why)."""
    if state is None:
        return ""
    where = ltr(state.workstation)
    if state.printed:
        return _(N_("The Z report of the till is printed."))
    if not state.has_printer:
        return _(
            N_("{workstation} has no printer set up: the Z report waits in its print queue.")
        ).format(workstation=where)
    if state.reason is not None:
        return _(
            N_(
                "The printer of {workstation} is not printing ({reason}): the Z report "
                "waits in its print queue and prints once the printer is back."
            )
        ).format(workstation=where, reason=state.reason)
    if state.ahead:
        return _(
            N_("The Z report is printing at {workstation}, after the {count} job(s) before it.")
        ).format(workstation=where, count=state.ahead)
    return _(N_("The Z report is printing at {workstation}.")).format(workstation=where)


class ZWatch:
    """Where a closed till's Z report is, looked at again until it is printed."""

    def __init__(
        self, ctx: AppContext, runner: Runner, label: QWidget, show: Callable[[str], None]
    ) -> None:
        self._ctx, self._runner, self._show = ctx, runner, show
        self.till_id: int | None = None
        self.state: ZPrintState | None = None
        self._asking = False
        self.timer = QTimer(label)
        self.timer.setInterval(Z_WATCH_MS)
        self.timer.timeout.connect(self.refresh)

    def watch(self, till_id: int) -> None:
        self.till_id = till_id
        self.timer.start()  # before the first look, which may stop it at once
        self.refresh()

    def stop(self) -> None:
        """The screen is going away: no more looks, and an answer on its way is dropped."""
        self.timer.stop()
        self.till_id = None

    def refresh(self) -> None:
        if self.till_id is None or self._asking:
            return
        db, till_id, language = self._ctx.db, self.till_id, current_language()
        self._asking = True
        self._runner.submit(
            lambda: closing_z_state(db, till_id, language=language), self._seen, self._unseen
        )

    def _seen(self, state: ZPrintState | None) -> None:
        self._asking = False
        if self.till_id is None:
            return  # stopped meanwhile
        self.state = state
        if state is None or state.printed:
            self.timer.stop()
        self.retranslate()

    def _unseen(self, _error: BaseException) -> None:
        self._asking = False  # the database was away a moment: the next tick asks again

    def retranslate(self) -> None:
        self._show(z_report_line(self.state))


class CloseTillDialog(KeyboardDialog):
    """Confirm, count, done: three pages, each with one obvious Enter."""

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
        self.setObjectName("close_till")
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._runner = runner
        self.busy = False
        self.counted: CountedFigures | None = None

        self.pages = QStackedWidget()
        # 1. Are you sure?
        self.confirm_page = QWidget()
        self.question = wrapped_label("title")
        self.explanation = wrapped_label("muted")
        self.go = named(QPushButton(), "go")
        self.go.setDefault(True)
        self.cancel = named(QPushButton(), "secondary")
        self.cancel.setAutoDefault(False)
        confirm_buttons = QHBoxLayout()
        confirm_buttons.addStretch()
        confirm_buttons.addWidget(self.cancel)
        confirm_buttons.addWidget(self.go)
        confirm_layout = QVBoxLayout(self.confirm_page)
        confirm_layout.addWidget(self.question)
        confirm_layout.addWidget(self.explanation)
        confirm_layout.addStretch()
        confirm_layout.addLayout(confirm_buttons)
        # 2. The count.
        self.count_page = QWidget()
        self.count_title = wrapped_label("title")
        self.panel = CountPanel(currency_code, cash_only=False)
        self.error = wrapped_label("error")
        self.keys = wrapped_label("muted")
        self.close_button = named(QPushButton(), "confirm")
        self.close_button.setAutoDefault(False)
        self.back = named(QPushButton(), "secondary")
        self.back.setAutoDefault(False)
        count_buttons = QHBoxLayout()
        count_buttons.addWidget(self.keys, 1)
        count_buttons.addWidget(self.back)
        count_buttons.addWidget(self.close_button)
        count_layout = QVBoxLayout(self.count_page)
        count_layout.setContentsMargins(0, 0, 0, 0)
        count_layout.addWidget(self.count_title)
        count_layout.addWidget(self.panel)
        count_layout.addWidget(self.error)
        count_layout.addStretch()
        count_layout.addLayout(count_buttons)
        # 3. Done: what was counted, and who looks at it next.
        self.done_page = QWidget()
        self.done_title = wrapped_label("title")
        self.done_detail = wrapped_label("muted")
        self.z_line = wrapped_label("z_report_line")
        self.z_watch = ZWatch(ctx, runner, self, self.z_line.setText)
        self.sign_out = named(QPushButton(), "sign_out")
        done_layout = QVBoxLayout(self.done_page)
        done_layout.addWidget(self.done_title)
        done_layout.addWidget(self.done_detail)
        done_layout.addWidget(self.z_line)
        done_layout.addStretch()
        done_layout.addWidget(self.sign_out)
        for page in (self.confirm_page, self.count_page, self.done_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self.go.clicked.connect(self.start_count)
        self.cancel.clicked.connect(self.reject)
        self.back.clicked.connect(self.reject)
        self.panel.finished.connect(self.submit)
        self.close_button.clicked.connect(self.submit)
        self.sign_out.clicked.connect(self.accept)
        QShortcut(QKeySequence("F4"), self, self._add_cheque)
        self.retranslate()
        self._size_to_page()
        self.go.setFocus()

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
        """The count takes the room it needs; a question or an answer, a small window."""
        if self.pages.currentWidget() is self.count_page:
            fit(self, self.parentWidget(), 1100, 740)
        else:
            fit(self, self.parentWidget(), 760, 280)

    def start_count(self) -> None:
        self.pages.setCurrentWidget(self.count_page)
        self._size_to_page()
        self.close_button.setDefault(False)
        self.panel.start()

    def _add_cheque(self) -> None:
        if self.pages.currentWidget() is self.count_page:
            self.panel.new_cheque()

    def reject(self) -> None:
        if self.busy:
            return
        if self.pages.currentWidget() is self.done_page:
            self.accept()  # the till is closed: Esc leaves as Enter does
            return
        super().reject()

    def submit(self) -> None:
        if self.busy or self.pages.currentWidget() is not self.count_page:
            return
        try:
            count = self.panel.count()
        except CountError as error:
            self.error.setText(str(error))
            error.widget.setFocus()
            return
        self.busy = True
        self.error.clear()
        ctx, actor, workstation = self._ctx, self._actor, self._workstation
        language = current_language()
        self._runner.submit(
            lambda: close_till(ctx, actor, workstation, count, language=language),
            self._closed,
            self._failed,
        )

    def _closed(self, counted: CountedFigures) -> None:
        self.busy = False
        self.counted = counted
        self.pages.setCurrentWidget(self.done_page)
        self._size_to_page()
        self.retranslate()
        self.sign_out.setDefault(True)
        self.sign_out.setFocus()
        self.z_watch.watch(counted.session_id)

    def done(self, result: int) -> None:
        self.z_watch.stop()
        super().done(result)

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        # The service names the refused line ("Cheque 1234 (BNA, ...) was not tendered here").
        self.error.setText(error_text(error))
        field = error.field if isinstance(error, GuichetError) else None
        self.panel.field_for(field).setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Close my till")))
        self.question.setText(
            _(N_("Close your till at {workstation} now?")).format(
                workstation=ltr(self._workstation)
            )
        )
        self.explanation.setText(
            _(
                N_(
                    "You count everything in the drawer: the cash note by note, each cheque, "
                    "the card slips and the postal transfers. No more payments are taken in "
                    "this till afterwards; a supervisor reviews the count."
                )
            )
        )
        self.go.setText(_(N_("Count the till (Enter)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
        self.count_title.setText(_(N_("Blind count of the till")))
        self.keys.setText(
            hint_line(
                [
                    N_("↓ or Enter: next"),
                    N_("↑: previous"),
                    N_("F4: add a cheque"),
                    N_("Enter on the last: close"),
                ]
            )
        )
        self.close_button.setText(_(N_("Close the till")))
        self.back.setText(_(N_("Cancel (Esc)")))
        self.done_title.setText(_(N_("Till counted; a supervisor reviews it.")))
        self.done_detail.setText(
            _(N_("A new till opens with its float at the next sign-in at this counter."))
        )
        self.sign_out.setText(_(N_("Sign out (Enter)")))
        self.z_watch.retranslate()
        self.panel.retranslate()
