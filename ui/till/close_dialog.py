"""Closing one's till: the blind count.

The agent counts the cash by denomination, lists the cheques, totals the card
slips and the postal transfers, and confirms. The agent never sees what the
till should hold nor the difference: the service answers only what was counted,
and this screen shows only that, then "Till counted; a supervisor reviews it".
"""

from __future__ import annotations

from app.auth import Actor
from app.closing.counts import CountedFigures
from app.closing.tills import close_till
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, gettext
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, ltr
from ui.qt import (
    QHBoxLayout,
    QKeySequence,
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
from ui.till.count_panel import CountError, CountPanel

_ = gettext


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
        self.sign_out = named(QPushButton(), "sign_out")
        done_layout = QVBoxLayout(self.done_page)
        done_layout.addWidget(self.done_title)
        done_layout.addWidget(self.done_detail)
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
        self._runner.submit(
            lambda: close_till(ctx, actor, workstation, count), self._closed, self._failed
        )

    def _closed(self, counted: CountedFigures) -> None:
        self.busy = False
        self.counted = counted
        self.pages.setCurrentWidget(self.done_page)
        self._size_to_page()
        self.retranslate()
        self.sign_out.setDefault(True)
        self.sign_out.setFocus()

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
        self.panel.retranslate()
