"""Taking a payment, keyboard first.

The common case, exact cash for everything due, is Enter to open and Enter to
confirm: the bills are ticked oldest first (only the scanned one when a bill's
barcode found the subscriber; F10 ticks them all) and the cash line shows what is
due. The idempotency key is made when the dialog opens, so a double Enter, a slow
database or a retry can never make two payments.

What the screen says about money is what the agent typed:

* A tender line the agent has not typed an amount into *follows* what is left to
  pay (the amount to pay, the ticked bills, the top-ups); once typed, it is what
  the customer handed over. Change is only ever what typed lines exceed the
  amount by (:func:`app.payments.preview.left_to_tender`).
* Every amount field shows, large beside it, the amount as understood in the
  display language, or why it was refused (both readings of an ambiguous entry).
* Tenders short of the ticked bills are never silently a partial payment: Enter
  says so, a second Enter confirms, Esc (or any change) goes back to correcting.
* An Enter within 300 ms of the dialog opening (the scanner's Enter and a habitual
  second press) or of the partial-payment question is ignored: the agent looks
  before money moves.

F3 cash, F4 cheque, F5 card, F6 postal transfer each add a line prefilled with
what is left to pay; Ctrl+Delete (or the line's ✕) removes a line. F7 adds a
top-up, listed with its own ✕ (Shift+F7 removes the last one); F9 keeps the change
on the account. "Receipt language" shows the customer's language (theirs, else the
operator's) and picks another for this receipt only; Enter on it still confirms.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from app.amount_input import describe_amount, format_amount_input
from app.auth import Actor
from app.billing.late_delivery import WaivedLateFee, late_fees_to_waive
from app.context import AppContext
from app.errors import GuichetError, ValidationError
from app.i18n import LANGUAGES, N_, current_language, gettext
from app.labels import TENDER_KINDS, label
from app.money import currency, parse_amount
from app.payments.preview import (
    PaymentPreview,
    amount_due,
    left_to_tender,
    needs_partial_confirmation,
    preview_payment,
)
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.summary import PaymentSummary
from app.products import ProductInfo
from app.subscribers import OpenInvoiceLine, SubscriberView
from db.models import TenderKind
from ui.focus import KeyboardDialog
from ui.formatting import day, hint_line, isolated, ltr, money, period
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPushButton,
    QShortcut,
    QShowEvent,
    QSizePolicy,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
    named,
    wrapped_label,
)
from ui.table_model import Column, RowsModel
from ui.tasks import Runner

_ = gettext

# A scanner ends the code with Enter and agents press Enter twice out of habit: an
# Enter this soon after the dialog (or the partial-payment question) appears is not
# a decision.
DEBOUNCE_SECONDS = 0.3

KIND_KEYS = {
    TenderKind.CASH: "F3",
    TenderKind.CHEQUE: "F4",
    TenderKind.CARD: "F5",
    TenderKind.POSTAL_TRANSFER: "F6",
}
TICK_ALL_KEY = "F10"
AMOUNT_FIELD_WIDTH = 170  # the amount fields line up, one under the other
REMOVE_LINE_KEY = "Ctrl+Delete"
REMOVE_TOPUP_KEY = "Shift+F7"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class InvoiceChoiceModel(RowsModel[OpenInvoiceLine]):
    """Open invoices with a tick box each: all ticked, or only the one scanned."""

    def __init__(self, currency_code: str) -> None:
        super().__init__(
            [
                Column("number", N_("Invoice"), lambda i: i.number),
                Column("period", N_("Period"), lambda i: period(i.period_start, i.period_end)),
                Column("due", N_("Due date"), lambda i: day(i.due_date)),
                Column(
                    "left",
                    N_("Left to pay"),
                    lambda i: money(i.left_to_pay, currency_code),
                    align_end=True,
                ),
            ]
        )
        self.chosen: set[str] = set()

    def set_rows(self, rows: Sequence[OpenInvoiceLine], only: str | None = None) -> None:
        """``only``: the number of the one bill to tick (a scanned bill); else all of them."""
        super().set_rows(rows)
        numbers = {row.number for row in self.rows}
        self.chosen = {only} if only in numbers else numbers

    def toggle(self, row: int) -> None:
        number = self.rows[row].number
        self.chosen ^= {number}
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def tick_all(self) -> None:
        if self.rows and len(self.chosen) < len(self.rows):
            self.chosen = {row.number for row in self.rows}
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))

    def chosen_numbers(self) -> list[str]:
        return [row.number for row in self.rows if row.number in self.chosen]

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            chosen = self.rows[index.row()].number in self.chosen
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            self.toggle(index.row())
            return True
        return False


class AmountReading(QWidget):
    """Beside an amount field: the amount as understood, large, or why it was refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.understood = named(QLabel(), "understood")
        self.understood.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading)
        self.understood.setMinimumWidth(150)
        self.understood.setContentsMargins(8, 0, 8, 0)  # apart from the field, either side
        self.refusal = named(QLabel(), "refusal")
        self.refusal.setWordWrap(True)
        self.refusal.setVisible(False)

    def show_amount(self, amount: Decimal | None, currency_code: str) -> None:
        self.understood.setText(
            "" if amount is None else describe_amount(amount, currency_code, current_language())
        )
        self.refusal.clear()
        self.refusal.setVisible(False)

    def show_refusal(self, error: GuichetError) -> None:
        self.understood.setText("?")
        self.refusal.setText(error.translated())
        self.refusal.setVisible(True)

    def refused(self) -> str:
        return self.refusal.text()


class TenderRow(QWidget):
    """One way the customer pays: a kind, an amount and the reference that kind needs.

    ``typed`` turns true at the agent's first keystroke in the amount: from then on
    the amount is what the customer handed over, and it no longer follows what is
    left to pay.
    """

    remove_wanted = Signal()

    def __init__(self, position: int, kind: TenderKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = False
        self.kind = QComboBox()
        for each in TenderKind:
            self.kind.addItem("", str(each))
        self.amount = QLineEdit()
        self.amount.setAlignment(Qt.AlignmentFlag.AlignTrailing)
        self.amount.setFixedWidth(AMOUNT_FIELD_WIDTH)
        self.reading = AmountReading(self)
        self.reference = QLineEdit()
        self.bank = QLineEdit()
        self.remove = named(QPushButton("✕"), "remove")
        self.remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Delete from the keyboard
        self.remove.setAutoDefault(False)
        self.set_position(position)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.kind)
        line.addWidget(self.amount)
        line.addWidget(self.reading.understood, 3)
        line.addWidget(self.reference, 2)
        line.addWidget(self.bank, 2)
        line.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(line)
        layout.addWidget(self.reading.refusal)
        self.set_kind(kind)
        self.amount.textEdited.connect(self._typed)
        self.kind.currentIndexChanged.connect(lambda _index: self.retranslate())
        self.remove.clicked.connect(self.remove_wanted.emit)
        for editor in (self.kind, self.amount, self.reference, self.bank):
            editor.installEventFilter(self)  # Ctrl+Delete: a line edit would take it as a word
        self.retranslate()

    def _typed(self, _text: str) -> None:
        self.typed = True

    def set_position(self, position: int) -> None:
        self.position = position
        self.kind.setObjectName(f"tender_kind_{position}")
        self.amount.setObjectName(f"tender_amount_{position}")
        self.reference.setObjectName(f"tender_reference_{position}")
        self.bank.setObjectName(f"tender_bank_{position}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Delete
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
        ):
            if event.type() == QEvent.Type.KeyPress:
                self.remove_wanted.emit()
            event.accept()
            return True
        return super().eventFilter(watched, event)

    def current_kind(self) -> TenderKind:
        return TenderKind(self.kind.currentData())

    def set_kind(self, kind: TenderKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(str(kind)))

    def has_details(self) -> bool:
        """Something typed besides the amount (a cheque number, a bank, a code)."""
        return bool(
            (self.reference.isVisible() and self.reference.text().strip())
            or (self.bank.isVisible() and self.bank.text().strip())
        )

    def retranslate(self) -> None:
        for index in range(self.kind.count()):
            kind = TenderKind(self.kind.itemData(index))
            self.kind.setItemText(index, f"{label(TENDER_KINDS, kind)} ({KIND_KEYS[kind]})")
        kind = self.current_kind()
        placeholder = {
            TenderKind.CHEQUE: N_("Cheque number"),
            TenderKind.CARD: N_("Authorisation code"),
            TenderKind.POSTAL_TRANSFER: N_("CCP reference"),
        }.get(kind)
        self.reference.setVisible(placeholder is not None)
        self.reference.setPlaceholderText(_(placeholder) if placeholder else "")
        self.bank.setVisible(kind == TenderKind.CHEQUE)
        self.bank.setPlaceholderText(_(N_("Bank")))
        self.amount.setPlaceholderText(_(N_("Amount")))
        self.remove.setToolTip(_(N_("Remove this line (Ctrl+Delete)")))
        self.remove.setAccessibleName(_(N_("Remove this line (Ctrl+Delete)")))

    def as_input(self, currency_code: str, field: str) -> TenderInput:
        value = parse_amount(
            self.amount.text(), currency(currency_code), current_language(), field=field
        )
        kind = self.current_kind()
        text = self.reference.text().strip() or None
        return TenderInput(
            kind=kind,
            amount=value,
            cheque_number=text if kind == TenderKind.CHEQUE else None,
            bank=(self.bank.text().strip() or None) if kind == TenderKind.CHEQUE else None,
            authorisation_code=text if kind == TenderKind.CARD else None,
            transfer_reference=text if kind == TenderKind.POSTAL_TRANSFER else None,
        )


class TopUpDialog(KeyboardDialog):
    """The top-up popup: a product, the number to top up (the subscriber's mobile to start
    with) and a quantity; Enter adds, Esc cancels."""

    def __init__(
        self,
        products: list[ProductInfo],
        currency_code: str,
        parent: QWidget | None = None,
        *,
        target: str | None = None,
        index: int = 1,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("topup_dialog")
        self._index = index  # the top-up's number in the payment, for messages
        self.chosen: TopUpInput | None = None
        self.setWindowTitle(_(N_("Add a top-up")))
        title = named(QLabel(_(N_("Add a top-up"))), "title")
        self.product = named(QComboBox(), "topup_product")
        for product in products:
            name = (product.name_ar if current_language() == "ar" else None) or product.name
            self.product.addItem(
                f"{name} — {money(product.face_value, currency_code)}", product.code
            )
        self.target = named(QLineEdit(target or ""), "topup_target")
        self.quantity = named(QLineEdit("1"), "topup_quantity")
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.ok = named(QPushButton(_(N_("Add (Enter)"))), "confirm")
        self.ok.setDefault(True)
        self.cancel = named(QPushButton(_(N_("Cancel (Esc)"))), "secondary")
        self.cancel.setAutoDefault(False)
        form = QFormLayout()
        form.addRow(_(N_("Product")), self.product)
        form.addRow(_(N_("Number to top up")), self.target)
        form.addRow(_(N_("Quantity")), self.quantity)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.ok.clicked.connect(self._add)
        self.cancel.clicked.connect(self.reject)
        # The number is what gets typed (over the prefilled mobile); the product is
        # picked with the arrows if need be.
        self.target.setFocus()
        self.target.selectAll()

    def value(self) -> TopUpInput:
        try:
            quantity = int(self.quantity.text().strip())
        except ValueError:
            quantity = 0
        if quantity < 1:
            raise ValidationError(
                N_("Top-up {index}: the quantity must be at least 1."),
                field=f"topups[{self._index}].quantity",
                index=self._index,
            )
        target = self.target.text().strip()
        if not target:
            raise ValidationError(
                N_("Top-up {index}: enter the number to top up."),
                field=f"topups[{self._index}].target_number",
                index=self._index,
            )
        return TopUpInput(self.product.currentData(), target, quantity)

    def _add(self) -> None:
        try:
            self.chosen = self.value()
        except ValidationError as error:
            self.error.setText(error.translated())
            field = error.field or ""
            (self.quantity if field.endswith("quantity") else self.target).setFocus()
            return
        self.accept()


class PaymentDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        view: SubscriberView,
        products: list[ProductInfo],
        runner: Runner,
        parent: QWidget | None = None,
        *,
        scanned_invoice: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("payment_dialog")
        self.setModal(True)
        room = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(980, room.width() - 24), min(680, room.height() - 48))  # 1024×768 too
        self._ctx = ctx
        self._actor = actor
        self._workstation = workstation
        self._view = view
        self._products = products
        self._runner = runner
        self._clock = clock
        self._opened_at = clock()
        self.idempotency_key = f"pay-{uuid.uuid4().hex}"  # made before the first attempt
        self.busy = False
        self.receipt: PaymentSummary | None = None
        self.topups: list[TopUpInput] = []
        self.topup_dialog: TopUpDialog | None = None
        self.tender_rows: list[TenderRow] = []
        # The line that shows what is left to pay until the agent types into it.
        self._follower: TenderRow | None = None
        self._sent: list[TenderRow] = []  # the lines in the request, in its order
        # The partial payment the agent was asked to confirm (its fingerprint), and when.
        self._partial: str | None = None
        self._partial_at = 0.0
        # Late fees paying each bill in full today waives (bills delivered late), by
        # number; read off the GUI thread once the dialog is up.
        self.late_fees: dict[str, WaivedLateFee] = {}

        self.title = named(QLabel(), "title")
        self.invoices = InvoiceChoiceModel(view.currency)
        self.invoices.setParent(self)  # deleted with the dialog, not kept alive by its lambdas
        numbers = {line.number for line in view.open_invoices}
        self.scanned_invoice = scanned_invoice if scanned_invoice in numbers else None
        self.invoices.set_rows(view.open_invoices, only=self.scanned_invoice)
        self.invoice_view = named(QTableView(), "invoice_choice")
        self.invoice_view.setModel(self.invoices)
        self.invoice_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.invoice_view.verticalHeader().hide()
        header = self.invoice_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            self.invoices.column_index("period"), QHeaderView.ResizeMode.Stretch
        )
        self.invoice_view.setMinimumHeight(110)
        self.scanned_note = named(QLabel(), "muted")
        self.scanned_note.setWordWrap(True)
        self.scanned_note.setVisible(self.scanned_invoice is not None)
        self.due_caption = named(QLabel(), "muted")
        self.due = named(QLabel(), "big")
        self.change_caption = named(QLabel(), "muted")
        self.change = named(QLabel(), "change")
        self.summary = named(QLabel(), "muted")
        self.summary.setWordWrap(True)
        self.amount_to_pay = named(QLineEdit(), "amount_to_pay")
        self.amount_to_pay.setAlignment(Qt.AlignmentFlag.AlignTrailing)
        self.amount_to_pay.setFixedWidth(AMOUNT_FIELD_WIDTH)
        self.amount_reading = AmountReading(self)
        self.keep_credit = named(QCheckBox(), "keep_change_as_credit")
        # The receipt is the customer's: their language unless they ask for another, never
        # the agent's screen language by accident. Reached with Tab; Enter still confirms.
        self.receipt_language = named(QComboBox(), "receipt_language")
        for code, name in LANGUAGES.items():
            self.receipt_language.addItem(name, code)
        self.receipt_language.setCurrentIndex(
            max(0, self.receipt_language.findData(view.receipt_language))
        )
        self._receipt_language_label = QLabel()
        self._receipt_language_label.setBuddy(self.receipt_language)
        self.partial_warning = named(QLabel(), "partial_warning")
        self.partial_warning.setWordWrap(True)
        self.partial_warning.setVisible(False)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.confirm = named(QPushButton(), "confirm")
        self.confirm.setDefault(True)  # Enter in any field confirms
        self.cancel = named(QPushButton(), "secondary")
        self.cancel.setAutoDefault(False)
        self._tender_box = QVBoxLayout()
        self._tender_box.setSpacing(4)
        self._topup_box = QVBoxLayout()
        self._topup_box.setSpacing(2)

        totals = named(QFrame(), "card")
        grid = QGridLayout(totals)
        grid.addWidget(self.due_caption, 0, 0)
        grid.addWidget(self.change_caption, 0, 1)
        grid.addWidget(self.due, 1, 0)
        grid.addWidget(self.change, 1, 1)
        grid.addWidget(self.summary, 2, 0, 1, 2)

        self._amount_label = QLabel()
        self._amount_label.setWordWrap(True)
        amount_line = QHBoxLayout()
        amount_line.addWidget(self._amount_label)
        amount_line.addWidget(self.amount_to_pay)
        amount_line.addWidget(self.amount_reading.understood, 1)
        self._tenders_label = named(QLabel(), "muted")
        self._keys_help = wrapped_label("muted")
        self._keys_help.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.scanned_note)
        layout.addWidget(self.invoice_view, 2)
        layout.addWidget(totals)
        layout.addWidget(self._tenders_label)
        layout.addLayout(self._tender_box)
        layout.addLayout(amount_line)
        layout.addWidget(self.amount_reading.refusal)
        options = QHBoxLayout()
        options.addWidget(self.keep_credit, 1)
        options.addWidget(self._receipt_language_label)
        options.addWidget(self.receipt_language)
        layout.addLayout(options)
        layout.addLayout(self._topup_box)
        layout.addWidget(self.partial_warning)
        layout.addWidget(self._keys_help)
        layout.addLayout(buttons)

        self.add_tender(TenderKind.CASH)
        # Connected with .connect, not activated=: PySide6 leaks the connection object of
        # a signal given as a keyword argument, and this dialog is made once per customer.
        for kind, key in KIND_KEYS.items():
            QShortcut(QKeySequence(key), self).activated.connect(lambda k=kind: self.add_tender(k))
        # F8, the former "another tender", still adds a cash line for the hands that know it.
        QShortcut(QKeySequence("F8"), self).activated.connect(
            lambda: self.add_tender(TenderKind.CASH)
        )
        QShortcut(QKeySequence("F7"), self).activated.connect(self.add_topup)
        QShortcut(QKeySequence(REMOVE_TOPUP_KEY), self).activated.connect(self.remove_last_topup)
        QShortcut(QKeySequence("F9"), self).activated.connect(self.keep_credit.toggle)
        QShortcut(QKeySequence(TICK_ALL_KEY), self).activated.connect(self.invoices.tick_all)
        self.confirm.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.invoices.dataChanged.connect(lambda *_args: self.refresh())
        self.amount_to_pay.textEdited.connect(lambda _text: self.refresh())
        self.keep_credit.toggled.connect(lambda _on: self.refresh())
        self.retranslate()
        first = self.tender_rows[0].amount
        first.setFocus()
        first.selectAll()
        self._ask_late_fees()

    # --- keys --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._opened_at = self._clock()  # again after an unlock: that Enter was the password's

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS and self._too_soon():
            event.accept()  # swallowed: the scanner's Enter or a double press
            return
        super().keyPressEvent(event)

    def _too_soon(self) -> bool:
        now = self._clock()
        if now - self._opened_at < DEBOUNCE_SECONDS:
            return True
        return self._partial is not None and now - self._partial_at < DEBOUNCE_SECONDS

    def reject(self) -> None:
        if self.busy:
            return  # the payment is on its way; its answer closes the dialog
        if self._partial is not None:  # Esc on the partial-payment question: correct it
            self._clear_partial()
            self._focus_amount(self._follower or self._last_row())
            return
        super().reject()

    # --- tender lines --------------------------------------------------------------------------

    def add_tender(self, kind: TenderKind = TenderKind.CASH) -> TenderRow:
        """A new line of ``kind`` showing what is left to pay.

        The line that followed until now, if the agent never typed its amount, is
        emptied: what is left moves to the new line rather than being counted twice.
        """
        previous = self._follower
        if previous is not None and not previous.typed:
            previous.amount.clear()
            previous.reading.show_amount(None, self._view.currency)
        row = TenderRow(len(self.tender_rows) + 1, kind, self)
        row.amount.textEdited.connect(lambda _text, r=row: self._row_typed(r))
        row.kind.currentIndexChanged.connect(lambda _index: self.refresh())
        row.remove_wanted.connect(lambda r=row: self.remove_tender(r))
        row.kind.setFixedWidth(self._kind_width())
        self.tender_rows.append(row)
        self._tender_box.addWidget(row)
        self._follower = row
        self.refresh()
        if kind == TenderKind.CASH:
            self._focus_amount(row)
        else:
            row.reference.setFocus()  # the amount is there; the number is what to type
        return row

    def remove_tender(self, row: TenderRow) -> None:
        if row not in self.tender_rows:
            return
        index = self.tender_rows.index(row)
        self.tender_rows.remove(row)
        self._tender_box.removeWidget(row)
        row.hide()
        row.setParent(None)  # gone from the dialog now, deleted once Qt is done with it
        row.deleteLater()
        for position, each in enumerate(self.tender_rows, start=1):
            each.set_position(position)
        if row is self._follower:  # the last line not typed into follows instead
            untyped = [r for r in self.tender_rows if not r.typed]
            self._follower = untyped[-1] if untyped else None
        self.refresh()
        if self.tender_rows:
            self._focus_amount(self.tender_rows[min(index, len(self.tender_rows) - 1)])
        else:
            self.amount_to_pay.setFocus()

    def _kind_width(self) -> int:
        """The width of the tender kind lists, in this language; the amount fields line up."""
        probe = QComboBox()
        for kind in TenderKind:
            probe.addItem(f"{label(TENDER_KINDS, kind)} ({KIND_KEYS[kind]})")
        probe.ensurePolished()
        width = probe.sizeHint().width()
        probe.deleteLater()
        return max(width, 230)  # room for "Amount to pay" on two lines beneath

    def _align(self) -> None:
        width = self._kind_width()
        self._amount_label.setFixedWidth(width)
        for row in self.tender_rows:
            row.kind.setFixedWidth(width)

    def _row_typed(self, row: TenderRow) -> None:
        if row is self._follower:
            self._follower = None  # what the agent typed is what was handed over
        self.refresh()

    def _last_row(self) -> TenderRow | None:
        return self.tender_rows[-1] if self.tender_rows else None

    def _focus_amount(self, row: TenderRow | None) -> None:
        if row is None:
            self.amount_to_pay.setFocus()
            return
        row.amount.setFocus()
        row.amount.selectAll()

    # --- top-ups -------------------------------------------------------------------------------

    def add_topup(self) -> None:
        if not self._products:
            self.error.setText(_(N_("No top-up product is on sale.")))
            return
        dialog = TopUpDialog(
            self._products,
            self._view.currency,
            self,
            target=self._view.mobile,
            index=len(self.topups) + 1,
        )
        self.topup_dialog = dialog
        dialog.finished.connect(lambda result: self._topup_closed(dialog, result))
        dialog.open()

    def _topup_closed(self, dialog: TopUpDialog, result: int) -> None:
        self.topup_dialog = None
        if result == QDialog.DialogCode.Accepted and dialog.chosen is not None:
            self.topups.append(dialog.chosen)
            self._topups_changed()
        dialog.deleteLater()
        self.activateWindow()
        self._focus_amount(self._follower or self._last_row())

    def remove_topup(self, index: int) -> None:
        if 0 <= index < len(self.topups):
            del self.topups[index]
            self._topups_changed()

    def remove_last_topup(self) -> None:
        self.remove_topup(len(self.topups) - 1)

    def _topups_total(self) -> Decimal:
        prices = self._prices()
        return sum(
            (prices.get(t.product_code, Decimal(0)) * t.quantity for t in self.topups), Decimal(0)
        )

    def _prices(self) -> dict[str, Decimal]:
        return {product.code: product.face_value for product in self._products}

    def _topups_changed(self) -> None:
        self._list_topups()
        self.refresh()

    def _list_topups(self) -> None:
        while self._topup_box.count():
            item = self._topup_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        names = {
            p.code: ((p.name_ar if current_language() == "ar" else None) or p.name)
            for p in self._products
        }
        prices = self._prices()
        for index, topup in enumerate(self.topups):
            line = named(QWidget(), f"topup_line_{index + 1}")
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            text = _(N_("Top-up {product} × {quantity} for {target}: {amount}")).format(
                product=names.get(topup.product_code, topup.product_code),
                quantity=topup.quantity,
                target=ltr(topup.target_number),
                amount=money(
                    prices.get(topup.product_code, Decimal(0)) * topup.quantity,
                    self._view.currency,
                ),
            )
            caption = named(QLabel(text), "topup_text")
            remove = named(QPushButton("✕"), "remove")
            remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            remove.setAutoDefault(False)
            remove.setToolTip(_(N_("Remove this top-up")))
            remove.setAccessibleName(_(N_("Remove this top-up")))
            remove.clicked.connect(lambda _checked=False, i=index: self.remove_topup(i))
            row.addWidget(caption, 1)
            row.addWidget(remove)
            self._topup_box.addWidget(line)

    # --- reading what was typed ---------------------------------------------------------------

    def _read(self, text: str, field: str) -> Decimal:
        return parse_amount(text, currency(self._view.currency), current_language(), field=field)

    def _amount(self) -> Decimal | None:
        text = self.amount_to_pay.text().strip()
        return self._read(text, "amount") if text else None

    def _prefill(self, amount: Decimal) -> str:
        """An amount as the agent would type it in the display language (5800,00; 5800.00)."""
        if amount <= 0:
            return ""
        return format_amount_input(amount, self._view.currency, current_language())

    def _read_fields(self) -> bool:
        """Show every amount as understood; make the following line show what is left.

        False when an amount cannot be read: its refusal shows beside it.
        """
        cur = self._view.currency
        readable = True
        amount: Decimal | None = None
        try:
            amount = self._amount()
            self.amount_reading.show_amount(amount, cur)
        except GuichetError as error:
            self.amount_reading.show_refusal(error)
            readable = False
        others: list[Decimal] = []
        for row in self.tender_rows:
            if row is self._follower:
                continue
            text = row.amount.text().strip()
            try:
                value = self._read(text, "amount") if text else None
            except GuichetError as error:
                row.reading.show_refusal(error)
                readable = False
                continue
            row.reading.show_amount(value, cur)
            if value is not None:
                others.append(value)
        follower = self._follower
        # When an entry cannot be read, the following line keeps what it showed.
        if follower is not None and readable:
            left = left_to_tender(
                self._view,
                self.invoices.chosen_numbers(),
                amount=amount,
                topups=self._topups_total(),
                typed=others,
                late_fees=self._late_fee_amounts(),
            )
            follower.amount.setText(self._prefill(left))
            follower.reading.show_amount(left if left > 0 else None, cur)
        return readable

    def request(self) -> PaymentRequest:
        self._sent = []
        tenders = []
        for position, row in enumerate(self.tender_rows, start=1):
            if not row.amount.text().strip():
                if row.has_details():
                    self._sent.append(row)
                    raise ValidationError(
                        N_("Tender {index}: enter its amount, or remove the line (Ctrl+Delete)."),
                        field=f"tenders[{len(self._sent)}].amount",
                        index=position,
                    )
                continue  # an empty line is no tender
            self._sent.append(row)
            tenders.append(row.as_input(self._view.currency, f"tenders[{len(self._sent)}].amount"))
        return PaymentRequest(
            idempotency_key=self.idempotency_key,
            account_number=self._view.account_number,
            workstation=self._workstation,
            tenders=tuple(tenders),
            invoice_numbers=tuple(self.invoices.chosen_numbers()),
            amount=self._amount(),
            topups=tuple(self.topups),
            keep_change_as_credit=self.keep_credit.isChecked(),
            receipt_language=self.chosen_receipt_language(),
        )

    def chosen_receipt_language(self) -> str | None:
        """None while the customer's own is shown: the service applies the rule (app/)."""
        chosen = self.receipt_language.currentData()
        return None if chosen == self._view.receipt_language else str(chosen)

    def _preview(self, request: PaymentRequest) -> PaymentPreview:
        return preview_payment(
            self._view,
            invoice_numbers=request.invoice_numbers or (),
            tenders=[(t.kind, t.amount) for t in request.tenders],
            topups=self._topups_total(),
            amount=request.amount,
            keep_change_as_credit=request.keep_change_as_credit,
            late_fees=self._late_fee_amounts(),
        )

    # --- late fees waived ----------------------------------------------------------------

    def _ask_late_fees(self) -> None:
        db, view = self._ctx.db, self._view
        today = self._ctx.now().astimezone().date()
        if not any(line.delivered_late for line in view.open_invoices):
            return  # no bill delivered late: nothing to ask

        def work() -> dict[str, WaivedLateFee]:
            return late_fees_to_waive(
                db, view.subscriber_id, today=today, currency_code=view.currency
            )

        self._runner.submit(work, self._late_fees_known, lambda _error: None)

    def _late_fees_known(self, fees: dict[str, WaivedLateFee]) -> None:
        self.late_fees = fees
        if fees:
            self.refresh()

    def _late_fee_amounts(self) -> dict[str, Decimal]:
        return {number: fee.amount for number, fee in self.late_fees.items()}

    def _late_fee_note(self, preview: PaymentPreview) -> str | None:
        """ "Late fee of X waived: bill N delivered late on D", when this payment waives one."""
        if not preview.late_fees_waived:
            return None
        chosen = set(self.invoices.chosen_numbers())
        notes = [
            _(N_("Late fee of {amount} waived: bill {number} delivered late on {date}")).format(
                amount=isolated(money(fee.amount, self._view.currency)),
                number=ltr(number),
                date=isolated(day(fee.delivered_on)),
            )
            for number, fee in self.late_fees.items()
            if number in chosen
        ]
        return " · ".join(notes) or None

    # --- live totals ---------------------------------------------------------------------

    def refresh(self) -> None:
        """After any change: amounts as understood, what is left, change and summary."""
        self._clear_partial()
        cur = self._view.currency
        due = (
            amount_due(self._view, self.invoices.chosen_numbers(), self._late_fee_amounts())
            + self._topups_total()
        )
        self.due.setText(money(due, cur))
        self.error.clear()
        if not self._read_fields():
            self.change.setText("—")
            self.summary.setText(_(N_("Correct the amount shown in red.")))
            return
        try:
            preview = self._preview(self.request())
        except GuichetError as error:
            self.change.setText("—")
            self.summary.setText(self._explain(error))
            return
        self.change.setText(money(preview.change, cur))
        parts = [_(N_("Paid on invoices: {amount}")).format(amount=money(preview.allocated, cur))]
        if preview.credit_used:
            parts.append(
                _(N_("credit used: {amount}")).format(amount=money(preview.credit_used, cur))
            )
        if preview.credit_added:
            parts.append(
                _(N_("kept as credit: {amount}")).format(amount=money(preview.credit_added, cur))
            )
        if preview.topups:
            parts.append(_(N_("top-ups: {amount}")).format(amount=money(preview.topups, cur)))
        if not preview.paid_in_full:
            parts.append(
                _(N_("partial payment: {amount} stays to pay")).format(
                    amount=money(preview.left_to_pay, cur)
                )
            )
        note = self._late_fee_note(preview)
        if note:
            parts.append(note)
        self.summary.setText(" · ".join(parts))

    def retranslate(self) -> None:
        view = self._view
        self.setWindowTitle(_(N_("Payment")))
        name = (view.name_ar if current_language() == "ar" else None) or view.display_name
        account = _(N_("Account {account}")).format(account=ltr(view.account_number))
        self.title.setText(f"{name} — {account}")
        if self.scanned_invoice is not None:
            self.scanned_note.setText(
                _(
                    N_("Bill {number} was scanned: only it is ticked. {key} ticks every bill.")
                ).format(number=ltr(self.scanned_invoice), key=TICK_ALL_KEY)
            )
        self.due_caption.setText(_(N_("Amount due")))
        self.change_caption.setText(_(N_("Change to give")))
        self._amount_label.setText(_(N_("Amount to pay (empty: everything due)")))
        self.keep_credit.setText(_(N_("Keep the change as credit on the account (F9)")))
        self._receipt_language_label.setText(_(N_("Receipt language")))
        self._tenders_label.setText(_(N_("Tenders")))
        self._keys_help.setText(
            hint_line(
                [
                    N_("F3 cash, F4 cheque, F5 card, F6 postal transfer: add a line"),
                    N_("Ctrl+Delete removes a line"),
                    N_("F7 top-up, Shift+F7 removes the last"),
                    N_("Space ticks a bill, F10 ticks them all"),
                ]
            )
        )
        self.confirm.setText(_(N_("Confirm (Enter)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
        self.invoices.retranslate()
        for row in self.tender_rows:
            row.retranslate()
        self._align()
        self._list_topups()
        self.refresh()

    # --- committing ------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy:  # a second Enter while the first is on its way
            return
        if not self._read_fields():
            self._point_at_refusal()
            return
        try:
            request = self.request()
            preview = self._preview(request)
        except GuichetError as error:
            self._show_error(error)
            return
        fingerprint = request.fingerprint()
        if self._partial != fingerprint and needs_partial_confirmation(
            preview, amount_given=request.amount is not None
        ):
            self._ask_partial(preview, fingerprint)
            return
        self._clear_partial()
        self.busy = True
        self.confirm.setEnabled(False)
        self.error.setText(_(N_("Saving the payment…")))
        self._runner.submit(
            lambda: take_payment(self._ctx, self._actor, request), self._committed, self._failed
        )

    def _point_at_refusal(self) -> None:
        """Enter on an amount that cannot be read: the keyboard goes to it."""
        self.error.setText(_(N_("Correct the amount shown in red.")))
        if self.amount_reading.refused():
            self.amount_to_pay.setFocus()
            self.amount_to_pay.selectAll()
            return
        row = next((r for r in self.tender_rows if r.reading.refused()), None)
        if row is not None:
            self._focus_amount(row)

    def _ask_partial(self, preview: PaymentPreview, fingerprint: str) -> None:
        cur = self._view.currency
        self._partial = fingerprint
        self._partial_at = self._clock()
        self.partial_warning.setText(
            _(
                N_(
                    "Partial payment of {paid}, {left} stays to pay — Enter to confirm, Esc to correct"
                )
            ).format(
                paid=money(preview.paid_on_invoices, cur), left=money(preview.left_to_pay, cur)
            )
        )
        self.partial_warning.setVisible(True)
        self.confirm.setText(_(N_("Confirm the partial payment (Enter)")))
        self.cancel.setText(_(N_("Correct (Esc)")))

    def _clear_partial(self) -> None:
        if self._partial is None:
            return
        self._partial = None
        self.partial_warning.setVisible(False)
        self.partial_warning.clear()
        self.confirm.setText(_(N_("Confirm (Enter)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))

    def _committed(self, receipt: PaymentSummary) -> None:
        self.busy = False
        self.receipt = receipt
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.confirm.setEnabled(True)
        if isinstance(error, GuichetError):
            self._show_error(error)
        else:
            self.error.setText(
                _(
                    N_("The payment was not saved: {error}. Try again; it will not be taken twice.")
                ).format(error=error)
            )

    def _row_of(self, error: GuichetError) -> TenderRow | None:
        """The line a ``tenders[n]`` error is about; n counts the lines sent, not the empty ones."""
        field = error.field or ""
        if not field.startswith("tenders["):
            return None
        try:
            position = int(field[len("tenders[") :].split("]")[0])
        except ValueError:
            return None
        rows = self._sent or self.tender_rows
        return rows[min(max(position, 1), len(rows)) - 1] if rows else None

    def _explain(self, error: GuichetError) -> str:
        """The error's message, its tender number counted as the lines on screen."""
        row = self._row_of(error)
        if row is not None and "index" in error.params and row in self.tender_rows:
            error.params["index"] = self.tender_rows.index(row) + 1
        return error.translated()

    def _show_error(self, error: GuichetError) -> None:
        self.error.setText(self._explain(error))
        field = error.field or ""
        row = self._row_of(error)
        if row is not None:
            target = (
                row.reference
                if field.endswith(("cheque_number", "authorisation_code", "transfer_reference"))
                else row.bank
                if field.endswith(".bank")
                else row.amount
            )
            target.setFocus()
            target.selectAll()
        elif field == "amount":
            self.amount_to_pay.setFocus()
            self.amount_to_pay.selectAll()
        elif field == "tenders":
            self._focus_amount(self._follower or self._last_row())
        elif field.startswith("invoice"):
            self.invoice_view.setFocus()
