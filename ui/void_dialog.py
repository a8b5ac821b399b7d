"""Asking for a void: what it reverses, the reason, and a supervisor's own credentials.

The supervisor sees what they approve before typing a password: the receipt, its
date, the subscriber, the amount, how it was paid, the bills that open again, the
top-ups (delivered already: the void cannot take them back, and says so until the
supervisor ticks that they know) and the cash that leaves the drawer. The preview
is read off the GUI thread; Void stays disabled until it is on screen.

Enter walks reason → (the top-up confirmation) → login → password → void.
"""

from __future__ import annotations

import uuid

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import LANGUAGES, N_, current_language, gettext, is_right_to_left
from app.labels import TENDER_KINDS, label
from app.payments.summary import PaymentSummary
from app.payments.void import VoidRequest, void_payment
from app.payments.void_preview import VoidPreview, void_preview
from ui.focus import KeyboardDialog
from ui.formatting import ltr, moment, money
from ui.qt import (
    QCheckBox,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.tasks import Runner, error_text

_ = gettext

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _isolated(text: str) -> str:
    """``text`` in its own direction, apart from what surrounds it (an Arabic date, a name)."""
    return f"\u2068{text}\u2069"


def _label(name: str, text: str = "") -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(True)
    return widget


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
        self.preview: VoidPreview | None = None
        self.busy = False
        self.closed = False  # an answer arriving after Esc finds no widgets to fill

        self.title = _label(
            "title", _(N_("Void receipt {receipt_no}")).format(receipt_no=ltr(receipt_no))
        )
        # What the void reverses: filled in when the preview arrives.
        self.loading = _label("muted", _(N_("Reading the receipt…")))
        # The money, always in sight: what was paid and what leaves the drawer.
        self.totals = named(QFrame(), "card")
        self.totals.setVisible(False)
        totals = QGridLayout(self.totals)
        self.amount_caption = _label("muted", _(N_("Amount paid")))
        self.amount = _label("big")
        self.cash_back_caption = _label("muted", _(N_("Cash to give back")))
        self.cash_back = _label("change")
        self.drawer_note = _label(
            "muted", _(N_("The drawer opens when the CANCELLATION slip prints."))
        )
        totals.addWidget(self.amount_caption, 0, 0)
        totals.addWidget(self.cash_back_caption, 0, 1)
        totals.addWidget(self.amount, 1, 0)
        totals.addWidget(self.cash_back, 1, 1)
        totals.addWidget(self.drawer_note, 2, 0, 1, 2)
        # The lines of the payment scroll when there are many (a dozen bills paid at once).
        self.details = named(QScrollArea(), "void_details")
        self.details.setWidgetResizable(True)
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self._card = named(QFrame(), "card")
        self._grid = QGridLayout(self._card)
        self._grid.setColumnStretch(1, 1)
        self._grid.setVerticalSpacing(4)
        self.details.setWidget(self._card)
        self.details.setVisible(False)
        self.topup_warning = _label("partial_warning")
        self.topup_warning.setVisible(False)
        self.topups_confirmed = named(
            QCheckBox(_(N_("The top-up was delivered: I confirm the void anyway"))),
            "topups_confirmed",
        )
        self.topups_confirmed.setVisible(False)

        self.reason = named(QLineEdit(), "void_reason")
        self.supervisor_login = named(QLineEdit(), "supervisor_login")
        self.supervisor_password = named(QLineEdit(), "supervisor_password")
        self.supervisor_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = _label("error")
        self.confirm = named(QPushButton(_(N_("Void (Enter)"))), "confirm")
        # Enter walks reason → login → password → void; a default button would
        # fire on the first Enter instead.
        self.confirm.setAutoDefault(False)
        self.confirm.setEnabled(False)  # nothing is approved unseen
        cancel = named(QPushButton(_(N_("Cancel (Esc)"))), "secondary")
        cancel.setAutoDefault(False)

        form = QFormLayout()
        form.addRow(_(N_("Reason")), self.reason)
        form.addRow(_(N_("Supervisor login")), self.supervisor_login)
        form.addRow(_(N_("Supervisor password")), self.supervisor_password)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.loading)
        layout.addWidget(self.totals)
        layout.addWidget(self.details)
        layout.addWidget(self.topup_warning)
        layout.addWidget(self.topups_confirmed)
        layout.addWidget(
            _label(
                "muted", _(N_("A supervisor must approve by typing their own login and password."))
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        self.reason.returnPressed.connect(self._after_reason)
        self.supervisor_login.returnPressed.connect(self.supervisor_password.setFocus)
        self.supervisor_password.returnPressed.connect(self.submit)
        self.topups_confirmed.installEventFilter(self)  # Enter on the box moves on
        self.topups_confirmed.toggled.connect(lambda _on: self._update_confirm())
        self.confirm.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        self.reason.setFocus()
        room = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self._room_height = room.height() - 48
        self.resize(min(820, room.width() - 24), self.sizeHint().height())
        self._runner.submit(
            lambda: void_preview(ctx, actor, receipt_no), self._preview_ready, self._preview_failed
        )

    # --- the preview ---------------------------------------------------------------------

    def _preview_ready(self, preview: VoidPreview) -> None:
        if self.closed:
            return
        self.preview = preview
        self.loading.setVisible(False)
        self._show_preview(preview)
        self.totals.setVisible(True)
        self.details.setVisible(True)
        if preview.topups_delivered:
            numbers = ", ".join(ltr(number) for number in preview.topup_numbers)
            self.topup_warning.setText(
                _(
                    N_(
                        "The top-up was already delivered to {numbers}: the void gives the "
                        "money back but cannot take the top-up back automatically."
                    )
                ).format(numbers=numbers)
            )
            self.topup_warning.setVisible(True)
            self.topups_confirmed.setVisible(True)
        self._update_confirm()
        self._fit()

    def _fit(self) -> None:
        """Grow to show every line when the screen has room; scroll the lines otherwise."""
        layout = self.layout()
        assert layout is not None  # set in __init__
        margins = layout.contentsMargins()
        inner = self.width() - margins.left() - margins.right()
        inner -= self.details.verticalScrollBar().sizeHint().width()
        lines = self._card.heightForWidth(inner) if self._card.hasHeightForWidth() else -1
        lines = max(lines, self._card.minimumSizeHint().height())
        self.details.setMinimumHeight(lines + 2 * self.details.frameWidth())
        layout.activate()
        full = layout.totalHeightForWidth(self.width())
        if full > self._room_height:
            self.details.setMinimumHeight(max(80, lines - (full - self._room_height)))
            full = self._room_height
        self.resize(self.width(), full)

    def _preview_failed(self, error: BaseException) -> None:
        # The receipt cannot be voided (unknown, voided already...): say so; Esc closes.
        if self.closed:
            return
        self.loading.setVisible(False)
        self.error.setText(error_text(error))
        self._update_confirm()

    def _show_preview(self, preview: VoidPreview) -> None:
        cur = preview.currency
        name = (
            preview.subscriber_name_ar if current_language() == "ar" else None
        ) or preview.subscriber_name
        account = _(N_("Account {account}")).format(account=ltr(preview.account_number))
        when = moment(preview.created_at, preview.timezone)
        rows: list[tuple[str, str]] = [
            (
                _(N_("Receipt")),
                " · ".join(
                    (
                        ltr(preview.receipt_no),
                        _isolated(when),
                        ltr(preview.workstation),
                        _isolated(preview.agent_name),
                    )
                ),
            ),
            (_(N_("Subscriber")), f"{name} — {account}"),
            (
                _(N_("Tenders")),
                "\n".join(
                    f"{label(TENDER_KINDS, t.kind)} {money(t.amount, cur)}"
                    + (f" ({ltr(t.reference)})" if t.reference else "")
                    for t in preview.tenders
                )
                or "—",
            ),
        ]
        if preview.change:
            rows.append((_(N_("Change given")), money(preview.change, cur)))
        if preview.credit_used:
            rows.append((_(N_("Credit used")), money(preview.credit_used, cur)))
        if preview.credit_added:
            rows.append((_(N_("Kept as credit")), money(preview.credit_added, cur)))
        if preview.bills:
            rows.append(
                (
                    _(N_("Bills opened again")),
                    "\n".join(
                        f"{ltr(line.invoice_number)} {money(line.amount, cur)}"
                        for line in preview.bills
                    ),
                )
            )
        if preview.topups:
            rows.append(
                (
                    _(N_("Top-ups")),
                    "\n".join(
                        _(N_("{product} × {quantity} for {target}: {amount}")).format(
                            product=line.product_name,
                            quantity=line.quantity,
                            target=ltr(line.target_number),
                            amount=money(line.amount, cur),
                        )
                        for line in preview.topups
                    ),
                )
            )
        rows.append(
            (
                _(N_("Receipt language")),
                LANGUAGES.get(preview.slip_language, preview.slip_language),
            )
        )
        for row, (caption, value) in enumerate(rows):
            shown_caption = _label("muted", caption)
            shown_caption.setWordWrap(False)
            # Each line reads in the screen's direction, whatever script it starts with.
            mark = "\u200f" if is_right_to_left() else "\u200e"
            shown = _label(
                f"void_line_{row + 1}", "\n".join(mark + line for line in value.split("\n"))
            )
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._grid.addWidget(shown_caption, row, 0, Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(shown, row, 1)
        self.amount.setText(money(preview.amount, cur))
        self.cash_back.setText(money(preview.cash_back, cur))
        for widget in (self.cash_back_caption, self.cash_back, self.drawer_note):
            widget.setVisible(preview.opens_drawer)

    def preview_text(self) -> str:
        """Everything the preview shows, as text: for screen readers and tests."""
        labels = [
            self.title,
            *self.totals.findChildren(QLabel),
            *self._card.findChildren(QLabel),
            self.topup_warning,
        ]
        return "\n".join(w.text() for w in labels if w.isVisibleTo(self) and w.text())

    # --- the keyboard ----------------------------------------------------------------------

    def _needs_topup_tick(self) -> bool:
        return (
            self.preview is not None
            and self.preview.topups_delivered
            and not self.topups_confirmed.isChecked()
        )

    def _update_confirm(self) -> None:
        self.confirm.setEnabled(
            self.preview is not None and not self.busy and not self._needs_topup_tick()
        )

    def _after_reason(self) -> None:
        if self._needs_topup_tick():
            self.topups_confirmed.setFocus()
        else:
            self.supervisor_login.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.topups_confirmed
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
        ):
            self.supervisor_login.setFocus()
            return True
        return super().eventFilter(watched, event)

    def reject(self) -> None:
        if self.busy:
            return  # the void is on its way; its answer closes the dialog
        super().reject()

    def done(self, result: int) -> None:
        self.closed = True
        super().done(result)

    # --- voiding ---------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy:
            return
        if self.preview is None:
            return  # nothing to approve yet, or a receipt that cannot be voided (said above)
        if self._needs_topup_tick():
            self.error.setText(
                _(N_("Tick the box above to confirm that the top-up cannot be taken back."))
            )
            self.topups_confirmed.setFocus()
            return
        request = VoidRequest(
            self.idempotency_key,
            self.receipt_no,
            self._workstation,
            self.reason.text(),
            self.supervisor_login.text(),
            self.supervisor_password.text(),
            receipt_language=None,  # the customer's language, as the payment's receipt
            topups_delivered_confirmed=self.topups_confirmed.isChecked(),
        )
        self.busy = True
        self._update_confirm()
        self._runner.submit(
            lambda: void_payment(self._ctx, self._actor, request), self._done, self._failed
        )

    def _done(self, summary: PaymentSummary) -> None:
        self.busy = False
        self.result_summary = summary
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._update_confirm()
        self.supervisor_password.clear()
        self.error.setText(error_text(error))
        field = error.field if isinstance(error, GuichetError) else None
        target: QWidget = {
            "reason": self.reason,
            "supervisor_login": self.supervisor_login,
            "topups_delivered_confirmed": self.topups_confirmed,
        }.get(field or "", self.supervisor_password)
        target.setFocus()
