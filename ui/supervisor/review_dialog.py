"""A supervisor's review of a counted till: expected against counted, per tender.

Each term of the expected cash is shown (float + cash taken − change given −
cash refunded by voids + top-ups − drops − deposits), every count (the opening
float, the closing count, recounts beside it), the cheques tendered but not
counted, and the difference. Accepting a difference beyond the operator's
threshold needs a reason: the service says so, and the message shows here.
F6 recounts the till (stored beside the first count, never over it).
"""

from __future__ import annotations

from decimal import Decimal

from app.auth import Actor
from app.closing.counts import CountedFigures
from app.closing.review import (
    TenderLine,
    TillReviewFigures,
    recount_till,
    review_till,
    till_review,
)
from app.closing.status import TillStatus
from app.closing.till_labels import CLOSED_HOW, COUNT_PURPOSES
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, gettext
from app.labels import TENDER_KINDS, label
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, isolated, ltr, moment, money
from ui.qt import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text
from ui.till.count_panel import CountError, CountPanel

_ = gettext


def _signed(amount: Decimal | None, cur: str) -> str:
    if amount is None:
        return "—"
    return ("+" if amount > 0 else "") + money(amount, cur)


def _difference_colour(line: object) -> str | None:
    difference = getattr(line, "difference", None)
    if difference is None or difference == 0:
        return None
    return "#b00020"


class ReviewDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        till: TillStatus,
        timezone: str,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("till_review")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.till = till
        self.timezone = timezone
        self.figures: TillReviewFigures | None = None
        self.busy = False
        cur = till.currency

        self.pages = QStackedWidget()
        # The figures.
        self.figures_page = QWidget()
        self.title = wrapped_label("title")
        self.who = wrapped_label("muted")
        self.tender_model = RowsModel[TenderLine](
            [
                Column("tender", N_("Tender"), lambda t: label(TENDER_KINDS, t.tender)),
                Column(
                    "expected", N_("Expected"), lambda t: money(t.expected, cur), align_end=True
                ),
                Column(
                    "counted",
                    N_("Counted"),
                    lambda t: money(t.counted, cur) if t.counted is not None else "—",
                    align_end=True,
                ),
                Column(
                    "difference",
                    N_("Difference"),
                    lambda t: _signed(t.difference, cur),
                    align_end=True,
                    colour=_difference_colour,
                ),
            ]
        )
        self.tenders = named(QTableView(), "review_tenders")
        self.tenders.setModel(self.tender_model)
        self.tenders.verticalHeader().hide()
        self.tenders.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tenders.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tenders.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # The tender's name whole ("Postal transfer (CCP)"); the amounts share the rest.
        self.tenders.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.difference = wrapped_label("big")
        self.terms_card = named(QFrame(), "card")
        self.terms = QGridLayout(self.terms_card)
        self.terms.setVerticalSpacing(2)
        self.counts = wrapped_label("muted")
        self.missing = wrapped_label("error")
        self.threshold = wrapped_label("muted")
        self.reviewed = wrapped_label("muted")
        self.reason = named(QLineEdit(), "review_reason")
        self.error = wrapped_label("error")
        self.accept_button = named(QPushButton(), "accept_review")
        self.accept_button.setAutoDefault(False)
        self.recount_button = named(QPushButton(), "secondary")
        self.recount_button.setAutoDefault(False)
        self.close_button = named(QPushButton(), "secondary")
        self.close_button.setAutoDefault(False)
        self.keys = wrapped_label("muted")
        form = QFormLayout()
        form.addRow(_(N_("Reason")), self.reason)
        self._reason_form = form
        # The tenders across the whole width (four amounts side by side, in every
        # language at 1024 px); under them how the cash was reached, and the counts.
        self.tenders.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QVBoxLayout()
        left.addWidget(self.terms_card)
        left.addStretch()
        right = QVBoxLayout()
        right.addWidget(self.difference)
        right.addWidget(self.missing)
        right.addWidget(self.threshold)
        right.addWidget(self.counts)
        right.addStretch()
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keys, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.recount_button)
        buttons.addWidget(self.accept_button)
        figures_layout = QVBoxLayout(self.figures_page)
        figures_layout.setContentsMargins(0, 0, 0, 0)
        figures_layout.addWidget(self.title)
        figures_layout.addWidget(self.who)
        figures_layout.addWidget(self.tenders)
        figures_layout.addLayout(columns, 1)
        figures_layout.addWidget(self.reviewed)
        figures_layout.addLayout(form)
        figures_layout.addWidget(self.error)
        figures_layout.addLayout(buttons)
        # The recount.
        self.recount_page = QWidget()
        self.recount_title = wrapped_label("title")
        self.recount_panel = CountPanel(cur, cash_only=False)
        self.recount_error = wrapped_label("error")
        self.recount_keys = wrapped_label("muted")
        recount_layout = QVBoxLayout(self.recount_page)
        recount_layout.setContentsMargins(0, 0, 0, 0)
        recount_layout.addWidget(self.recount_title)
        recount_layout.addWidget(self.recount_panel)
        recount_layout.addWidget(self.recount_error)
        recount_layout.addStretch()
        self.save_recount = named(QPushButton(), "save_recount")
        self.save_recount.setAutoDefault(False)
        recount_buttons = QHBoxLayout()
        recount_buttons.addWidget(self.recount_keys, 1)
        recount_buttons.addWidget(self.save_recount)
        recount_layout.addLayout(recount_buttons)
        self.pages.addWidget(self.figures_page)
        self.pages.addWidget(self.recount_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self.reason.returnPressed.connect(self.submit)
        self.accept_button.clicked.connect(self.submit)
        self.recount_button.clicked.connect(self.recount)
        self.close_button.clicked.connect(self.reject)
        self.recount_panel.finished.connect(self.submit_recount)
        self.save_recount.clicked.connect(self.submit_recount)
        QShortcut(QKeySequence("F6"), self, self.recount)
        QShortcut(QKeySequence("F4"), self, self._add_cheque)
        fit(self, parent, 1200, 720)
        self.retranslate()
        self.reason.setFocus()
        self.load()

    # --- figures ---------------------------------------------------------------------------

    def load(self) -> None:
        ctx, actor, till_id = self._ctx, self._actor, self.till.session_id
        assert till_id is not None
        self._runner.submit(
            lambda: till_review(ctx, actor, till_id), self.show_figures, self._failed
        )

    def show_figures(self, figures: TillReviewFigures) -> None:
        self.figures = figures
        self.tender_model.set_rows(list(figures.tenders))
        self.tenders.resizeRowsToContents()
        rows = sum(self.tenders.rowHeight(r) for r in range(self.tender_model.rowCount()))
        self.tenders.setFixedHeight(
            rows + self.tenders.horizontalHeader().height() + 2 * self.tenders.frameWidth() + 2
        )
        self._fill()
        self._update_buttons()

    def _fill(self) -> None:
        figures = self.figures
        if figures is None:
            return
        cur = figures.currency
        self.title.setText(
            _(N_("Till of {workstation}, opened by {agent}")).format(
                workstation=ltr(figures.workstation), agent=ltr(figures.opened_by)
            )
        )
        closed = (
            _(N_("Closed {when} by {login}, {how}")).format(
                when=isolated(moment(figures.closed_at, self.timezone)),
                login=ltr(figures.closed_by or "—"),
                how=label(CLOSED_HOW, figures.closed_how) if figures.closed_how else "—",
            )
            if figures.closed_at is not None
            else _(N_("Still open"))
        )
        if figures.close_reason:
            closed += " — " + figures.close_reason
        self.who.setText(
            _(N_("Opened {when}")).format(when=isolated(moment(figures.opened_at, self.timezone)))
            + " · "
            + closed
        )
        self.difference.setText(
            _(N_("Difference: {amount}")).format(amount=_signed(figures.difference, cur))
            if figures.difference is not None
            else _(N_("Not counted yet: recount it (F6)."))
        )
        while self.terms.count():
            item = self.terms.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        cash = figures.cash
        terms = [
            (N_("Opening float"), cash.opening_float, ""),
            (N_("Cash taken"), cash.cash_tendered, "+"),
            (N_("Change given"), cash.change_given, "−"),
            (N_("Cash refunded by voids"), cash.cash_refunded, "−"),
            (N_("Float top-ups"), cash.top_ups, "+"),
            (N_("Drops to the safe"), cash.drops, "−"),
            (N_("Bank deposits"), cash.deposits, "−"),
            (N_("Expected cash"), cash.expected, "="),
        ]
        for row, (caption, amount, sign) in enumerate(terms):
            name = named(QLabel(_(caption)), "muted" if sign != "=" else "title")
            value = named(QLabel(f"{sign} {money(amount, cur)}".strip()), f"term_{row}")
            value.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            self.terms.addWidget(name, row, 0)
            self.terms.addWidget(value, row, 1)
        self.counts.setText("\n".join(self._count_line(count, cur) for count in figures.counts))
        self.missing.setText(
            "\n".join(
                _(N_("Cheque {number} ({bank}, {amount}) was tendered but not counted.")).format(
                    number=ltr(c.number), bank=c.bank, amount=money(c.amount, cur)
                )
                for c in figures.cheques_not_counted
            )
        )
        self.missing.setVisible(bool(figures.cheques_not_counted))
        self.threshold.setText(
            _(N_("A difference above {threshold} on any tender needs a reason.")).format(
                threshold=money(figures.threshold, cur)
            )
        )
        if figures.reviewed_by is not None:
            self.reviewed.setText(
                _(N_("Reviewed {when} by {login}")).format(
                    when=isolated(moment(figures.reviewed_at, self.timezone))
                    if figures.reviewed_at
                    else "—",
                    login=ltr(figures.reviewed_by),
                )
                + (f" — {figures.review_reason}" if figures.review_reason else "")
            )
        self.reviewed.setVisible(figures.reviewed_by is not None)

    def _count_line(self, count: CountedFigures, cur: str) -> str:
        return _(N_("{purpose} by {login}, {when}: {total}")).format(
            purpose=label(COUNT_PURPOSES, count.purpose),
            login=ltr(count.counted_by),
            when=isolated(moment(count.counted_at, self.timezone)),
            total=money(count.total, cur),
        )

    def _update_buttons(self) -> None:
        figures = self.figures
        open_for_review = figures is not None and figures.reviewed_by is None
        self.accept_button.setEnabled(open_for_review and not self.busy)
        self.recount_button.setEnabled(open_for_review and not self.busy)
        self.reason.setEnabled(open_for_review)

    # --- acting ----------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy or self.figures is None or self.figures.reviewed_by is not None:
            return
        ctx, actor, till_id, reason = (
            self._ctx,
            self._actor,
            self.figures.session_id,
            self.reason.text(),
        )
        self.busy = True
        self._update_buttons()
        self._runner.submit(
            lambda: review_till(ctx, actor, till_id, reason=reason), self._reviewed, self._failed
        )

    def _reviewed(self, figures: TillReviewFigures) -> None:
        self.busy = False
        self.error.clear()
        self.show_figures(figures)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._update_buttons()
        # "The difference is more than DZD 500.00: give its reason." comes from the service.
        self.error.setText(error_text(error))
        self.reason.setFocus()

    def recount(self) -> None:
        if self.busy or self.figures is None or self.figures.reviewed_by is not None:
            return
        self.pages.setCurrentWidget(self.recount_page)
        self.recount_panel.start()

    def _add_cheque(self) -> None:
        if self.pages.currentWidget() is self.recount_page:
            self.recount_panel.new_cheque()

    def submit_recount(self) -> None:
        if self.busy or self.figures is None:
            return
        try:
            count = self.recount_panel.count()
        except CountError as error:
            self.recount_error.setText(str(error))
            error.widget.setFocus()
            return
        ctx, actor, till_id = self._ctx, self._actor, self.figures.session_id
        self.busy = True
        self._runner.submit(
            lambda: recount_till(ctx, actor, till_id, count), self._recounted, self._recount_failed
        )

    def _recounted(self, _counted: CountedFigures) -> None:
        self.busy = False
        self.recount_error.clear()
        self.pages.setCurrentWidget(self.figures_page)
        self.reason.setFocus()
        self.load()

    def _recount_failed(self, error: BaseException) -> None:
        self.busy = False
        self.recount_error.setText(error_text(error))
        field = error.field if isinstance(error, GuichetError) else None
        self.recount_panel.field_for(field).setFocus()

    def reject(self) -> None:
        if self.busy:
            return
        if self.pages.currentWidget() is self.recount_page:
            self.pages.setCurrentWidget(self.figures_page)
            self.reason.setFocus()
            return
        super().reject()

    # --- words -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Review of a till")))
        caption = self._reason_form.labelForField(self.reason)
        if isinstance(caption, QLabel):
            caption.setText(_(N_("Reason")))
        self.accept_button.setText(_(N_("Accept the count (Enter)")))
        self.recount_button.setText(_(N_("Recount (F6)")))
        self.close_button.setText(_(N_("Close (Esc)")))
        self.keys.setText(hint_line([N_("Enter: accept"), N_("F6: recount"), N_("Esc: back")]))
        self.recount_title.setText(_(N_("Recount of the till")))
        self.save_recount.setText(_(N_("Save the recount")))
        self.recount_keys.setText(
            hint_line(
                [
                    N_("↓ or Enter: next"),
                    N_("F4: add a cheque"),
                    N_("Enter on the last: save the recount"),
                    N_("Esc: back"),
                ]
            )
        )
        self.tender_model.retranslate()
        self.recount_panel.retranslate()
        self._fill()
