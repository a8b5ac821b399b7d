"""Taking a payment, keyboard first.

The common case, exact cash for everything due, is Enter to open and Enter to
confirm: the invoices are preselected oldest first and the cash amount is
prefilled with what is due. F-keys switch the tender kind (F3 cash, F4 cheque,
F5 card, F6 postal transfer), F8 adds another tender, F7 a top-up, F9 keeps
the change on the account. The idempotency key is made when the dialog opens,
so a double Enter, a slow database or a retry can never make two payments.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError, ValidationError
from app.i18n import N_, current_language, gettext
from app.labels import TENDER_KINDS, label
from app.money import currency, parse_amount
from app.payments.preview import amount_due, preview_payment
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.summary import PaymentSummary
from app.products import ProductInfo
from app.subscribers import OpenInvoiceLine, SubscriberView
from db.models import TenderKind
from ui.focus import KeyboardDialog
from ui.formatting import day, ltr, money
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QShortcut,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from ui.table_model import Column, RowsModel
from ui.tasks import Runner

_ = gettext

KIND_KEYS = {
    TenderKind.CASH: "F3",
    TenderKind.CHEQUE: "F4",
    TenderKind.CARD: "F5",
    TenderKind.POSTAL_TRANSFER: "F6",
}


class InvoiceChoiceModel(RowsModel[OpenInvoiceLine]):
    """Open invoices with a tick box each; all ticked to start with."""

    def __init__(self, currency_code: str) -> None:
        super().__init__(
            [
                Column("number", N_("Invoice"), lambda i: i.number),
                Column(
                    "period", N_("Period"), lambda i: f"{day(i.period_start)} – {day(i.period_end)}"
                ),
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

    def set_rows(self, rows: Any) -> None:
        super().set_rows(rows)
        self.chosen = {row.number for row in self.rows}

    def toggle(self, row: int) -> None:
        number = self.rows[row].number
        self.chosen ^= {number}
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

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


class TenderRow(QWidget):
    """One way the customer pays: a kind, an amount and the reference that kind needs."""

    def __init__(self, position: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position = position
        self.kind = QComboBox(objectName=f"tender_kind_{position}")
        for kind in TenderKind:
            self.kind.addItem("", str(kind))
        self.amount = QLineEdit(objectName=f"tender_amount_{position}")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignTrailing)
        self.reference = QLineEdit(objectName=f"tender_reference_{position}")
        self.bank = QLineEdit(objectName=f"tender_bank_{position}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind, 2)
        layout.addWidget(self.amount, 2)
        layout.addWidget(self.reference, 2)
        layout.addWidget(self.bank, 2)
        self.kind.currentIndexChanged.connect(lambda _index: self.retranslate())
        self.retranslate()

    def current_kind(self) -> TenderKind:
        return TenderKind(self.kind.currentData())

    def set_kind(self, kind: TenderKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(str(kind)))

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

    def as_input(self, currency_code: str) -> TenderInput:
        value = parse_amount(
            self.amount.text(),
            currency(currency_code),
            current_language(),
            field=f"tenders[{self.position}].amount",
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
    def __init__(
        self, products: list[ProductInfo], currency_code: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_(N_("Add a top-up")))
        self.product = QComboBox(objectName="topup_product")
        for product in products:
            name = (product.name_ar if current_language() == "ar" else None) or product.name
            self.product.addItem(
                f"{name} — {money(product.face_value, currency_code)}", product.code
            )
        self.target = QLineEdit(objectName="topup_target")
        self.quantity = QLineEdit("1", objectName="topup_quantity")
        form = QFormLayout(self)
        form.addRow(_(N_("Product")), self.product)
        form.addRow(_(N_("Number to top up")), self.target)
        form.addRow(_(N_("Quantity")), self.quantity)
        ok = QPushButton(_(N_("Add")))
        ok.clicked.connect(self.accept)
        ok.setDefault(True)
        self.target.setFocus()  # pick the product with the arrows if need be; the number is typed
        form.addRow(ok)

    def value(self) -> TopUpInput:
        try:
            quantity = int(self.quantity.text())
        except ValueError:
            raise ValidationError(
                N_("Top-up {index}: the quantity must be at least 1."),
                field="topups[1].quantity",
                index=1,
            ) from None
        return TopUpInput(self.product.currentData(), self.target.text().strip(), quantity)


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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("payment_dialog")
        self.setModal(True)
        self.resize(980, 680)
        self._ctx = ctx
        self._actor = actor
        self._workstation = workstation
        self._view = view
        self._products = products
        self._runner = runner
        self.idempotency_key = f"pay-{uuid.uuid4().hex}"  # made before the first attempt
        self.busy = False
        self.receipt: PaymentSummary | None = None
        self.topups: list[TopUpInput] = []
        self.topup_dialog: TopUpDialog | None = None

        self.title = QLabel(objectName="title")
        self.invoices = InvoiceChoiceModel(view.currency)
        # Owned by the dialog: a model left without a parent keeps the dialog (through
        # the lambdas connected below) alive after it is deleted, every customer.
        self.invoices.setParent(self)
        self.invoices.set_rows(view.open_invoices)
        self.invoice_view = QTableView(objectName="invoice_choice")
        self.invoice_view.setModel(self.invoices)
        self.invoice_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.invoice_view.verticalHeader().hide()
        self.invoice_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.due_caption = QLabel(objectName="muted")
        self.due = QLabel(objectName="big")
        self.change_caption = QLabel(objectName="muted")
        self.change = QLabel(objectName="change")
        self.summary = QLabel(objectName="muted")
        self.summary.setWordWrap(True)
        self.amount_to_pay = QLineEdit(objectName="amount_to_pay")
        self.amount_to_pay.setAlignment(Qt.AlignmentFlag.AlignTrailing)
        self.keep_credit = QCheckBox(objectName="keep_change_as_credit")
        self.topup_list = QLabel(objectName="muted")
        self.error = QLabel(objectName="error")
        self.error.setWordWrap(True)
        self.confirm = QPushButton(objectName="confirm")
        self.confirm.setDefault(True)  # Enter in any field confirms
        self.cancel = QPushButton(objectName="cancel")
        self.cancel.setObjectName("secondary")
        self.cancel.setAutoDefault(False)
        self.tender_rows: list[TenderRow] = []
        self._tender_box = QVBoxLayout()

        totals = QFrame(objectName="card")
        grid = QGridLayout(totals)
        grid.addWidget(self.due_caption, 0, 0)
        grid.addWidget(self.change_caption, 0, 1)
        grid.addWidget(self.due, 1, 0)
        grid.addWidget(self.change, 1, 1)
        grid.addWidget(self.summary, 2, 0, 1, 2)

        self._amount_label = QLabel()
        options = QFormLayout()
        options.addRow(self._amount_label, self.amount_to_pay)
        options.addRow(self.keep_credit)
        self._tenders_label = QLabel(objectName="muted")
        self._keys_help = QLabel(objectName="muted")
        self._keys_help.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.invoice_view, 2)
        layout.addWidget(totals)
        layout.addWidget(self._tenders_label)
        layout.addLayout(self._tender_box)
        layout.addLayout(options)
        layout.addWidget(self.topup_list)
        layout.addWidget(self._keys_help)
        layout.addLayout(buttons)

        self.add_tender(prefill=True)
        # Connected with .connect, not activated=: PySide6 leaks the connection object of
        # a signal given as a keyword argument, and this dialog is made once per customer.
        for kind, key in KIND_KEYS.items():
            QShortcut(QKeySequence(key), self).activated.connect(lambda k=kind: self._set_kind(k))
        QShortcut(QKeySequence("F7"), self).activated.connect(self.add_topup)
        QShortcut(QKeySequence("F8"), self).activated.connect(
            lambda: self.add_tender(prefill=False)
        )
        QShortcut(QKeySequence("F9"), self).activated.connect(self.keep_credit.toggle)
        self.confirm.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.invoices.dataChanged.connect(lambda *_args: self._invoices_changed())
        self.amount_to_pay.textEdited.connect(lambda _text: self.refresh())
        self.keep_credit.toggled.connect(lambda _on: self.refresh())
        self.retranslate()
        self.tender_rows[0].amount.setFocus()
        self.tender_rows[0].amount.selectAll()

    # --- building the request ----------------------------------------------------------

    def add_tender(self, *, prefill: bool) -> TenderRow:
        row = TenderRow(len(self.tender_rows) + 1, self)
        if prefill:
            row.amount.setText(self._plain(amount_due(self._view, self.invoices.chosen_numbers())))
        row.amount.textEdited.connect(lambda _text: self.refresh())
        row.kind.currentIndexChanged.connect(lambda _index: self.refresh())
        self.tender_rows.append(row)
        self._tender_box.addWidget(row)
        row.amount.setFocus()
        self.refresh()
        return row

    def add_topup(self) -> None:
        if not self._products:
            self.error.setText(_(N_("No top-up product is on sale.")))
            return
        dialog = TopUpDialog(self._products, self._view.currency, self)
        self.topup_dialog = dialog
        dialog.finished.connect(lambda result: self._topup_closed(dialog, result))
        dialog.open()

    def _topup_closed(self, dialog: TopUpDialog, result: int) -> None:
        self.topup_dialog = None
        if result == QDialog.DialogCode.Accepted:
            try:
                self.topups.append(dialog.value())
            except GuichetError as error:
                self.error.setText(error.translated())
            self._topups_changed()
        self.activateWindow()
        self.tender_rows[-1].amount.setFocus()

    def _topups_total(self) -> Decimal:
        prices = {product.code: product.face_value for product in self._products}
        return sum(
            (prices.get(t.product_code, Decimal(0)) * t.quantity for t in self.topups), Decimal(0)
        )

    def _topups_changed(self) -> None:
        if len(self.tender_rows) == 1 and self.tender_rows[0].current_kind() == TenderKind.CASH:
            due = amount_due(self._view, self.invoices.chosen_numbers()) + self._topups_total()
            self.tender_rows[0].amount.setText(self._plain(due))
        self.refresh()

    def _set_kind(self, kind: TenderKind) -> None:
        row = next(
            (r for r in self.tender_rows if r.isAncestorOf(self.focusWidget())),
            self.tender_rows[-1],
        )
        row.set_kind(kind)
        (row.reference if kind != TenderKind.CASH else row.amount).setFocus()

    def _invoices_changed(self) -> None:
        if len(self.tender_rows) == 1:
            due = amount_due(self._view, self.invoices.chosen_numbers()) + self._topups_total()
            self.tender_rows[0].amount.setText(self._plain(due))
        self.refresh()

    def _plain(self, amount: Decimal) -> str:
        """An amount as typed on a keypad, in the agent's decimal separator."""
        text = f"{amount:f}"
        return text.replace(".", ",") if current_language() == "fr" else text

    def _amount(self) -> Decimal | None:
        text = self.amount_to_pay.text().strip()
        if not text:
            return None
        return parse_amount(text, currency(self._view.currency), current_language(), field="amount")

    def request(self) -> PaymentRequest:
        return PaymentRequest(
            idempotency_key=self.idempotency_key,
            account_number=self._view.account_number,
            workstation=self._workstation,
            tenders=tuple(
                row.as_input(self._view.currency)
                for row in self.tender_rows
                if row.amount.text().strip()
            ),
            invoice_numbers=tuple(self.invoices.chosen_numbers()),
            amount=self._amount(),
            topups=tuple(self.topups),
            keep_change_as_credit=self.keep_credit.isChecked(),
            receipt_language=current_language(),  # the receipt as the counter shows it
        )

    # --- live totals ---------------------------------------------------------------------

    def refresh(self) -> None:
        cur = self._view.currency
        due = amount_due(self._view, self.invoices.chosen_numbers()) + self._topups_total()
        self.due.setText(money(due, cur))
        self.error.clear()
        try:
            request = self.request()
            preview = preview_payment(
                self._view,
                invoice_numbers=request.invoice_numbers or (),
                tenders=[(t.kind, t.amount) for t in request.tenders],
                topups=self._topups_total(),
                amount=request.amount,
                keep_change_as_credit=request.keep_change_as_credit,
            )
        except GuichetError as error:
            self.change.setText("—")
            self.summary.setText(error.translated())
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
            parts.append(_(N_("partial payment")))
        self.summary.setText(" · ".join(parts))

    def retranslate(self) -> None:
        view = self._view
        self.setWindowTitle(_(N_("Payment")))
        name = (view.name_ar if current_language() == "ar" else None) or view.display_name
        account = _(N_("Account {account}")).format(account=ltr(view.account_number))
        self.title.setText(f"{name} — {account}")
        self.due_caption.setText(_(N_("Amount due")))
        self.change_caption.setText(_(N_("Change to give")))
        self._amount_label.setText(_(N_("Amount to pay (empty: everything due)")))
        self.keep_credit.setText(_(N_("Keep the change as credit on the account (F9)")))
        self._tenders_label.setText(_(N_("Tenders")))
        self._keys_help.setText(
            _(
                N_(
                    "F3 cash · F4 cheque · F5 card · F6 postal transfer · F8 another tender · "
                    "F7 top-up · Space ticks an invoice · Enter confirms · Esc cancels"
                )
            )
        )
        self.confirm.setText(_(N_("Confirm (Enter)")))
        self.cancel.setText(_(N_("Cancel (Esc)")))
        self.invoices.retranslate()
        for row in self.tender_rows:
            row.retranslate()
        self.topup_list.setText(
            "\n".join(
                _(N_("Top-up {product} x{quantity} for {target}")).format(
                    product=t.product_code, quantity=t.quantity, target=t.target_number
                )
                for t in self.topups
            )
        )
        self.refresh()

    # --- committing ------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy:  # a second Enter while the first is on its way
            return
        try:
            request = self.request()
        except GuichetError as error:
            self._show_error(error)
            return
        self.busy = True
        self.confirm.setEnabled(False)
        self.error.setText(_(N_("Saving the payment…")))
        self._runner.submit(
            lambda: take_payment(self._ctx, self._actor, request), self._committed, self._failed
        )

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

    def _show_error(self, error: GuichetError) -> None:
        self.error.setText(error.translated())
        field = error.field or ""
        if field.startswith("tenders["):
            position = int(field[len("tenders[") :].split("]")[0] or 1)
            row = self.tender_rows[min(position, len(self.tender_rows)) - 1]
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
        elif field.startswith("invoice"):
            self.invoice_view.setFocus()
