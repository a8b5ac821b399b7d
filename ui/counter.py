"""The counter screen: one search box, the subscriber, and the payment.

The search box has the focus whenever no dialog is open, so a barcode scanner
(a keyboard that types the bill's code and Enter) works at any moment. Enter on
the same text again, or F2, opens the payment of the subscriber shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.auth import Actor
from app.context import AppContext
from app.documents.issue import issue_bill_copy
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.labels import TENDER_KINDS, label
from app.lookup import LookupResult, SubscriberHit, find_subscribers
from app.payments.summary import PaymentSummary, receipt_summary
from app.products import ProductInfo
from app.station import StationInfo
from app.subscribers import SubscriberView, load_subscriber_view
from ui.formatting import moment, money
from ui.payment_dialog import PaymentDialog
from ui.qt import (
    QAbstractItemView,
    QDesktopServices,
    QDialog,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QObject,
    QShortcut,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableView,
    QTextEdit,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.subscriber_panel import SubscriberPanel
from ui.table_model import Column, RowsModel
from ui.tasks import Runner
from ui.void_dialog import VoidDialog

_ = gettext


def receipt_text(receipt: PaymentSummary, station: StationInfo) -> str:
    """A plain rendering of the receipt for the screen, until the printing module lands."""
    cur = receipt.currency
    lines = [
        station.operator_name,
        f"{station.agency_name} — {station.ref}",
        _(N_("Receipt {receipt_no}")).format(receipt_no=receipt.receipt_no),
        moment(receipt.created_at, station.timezone),
        f"{receipt.subscriber_name} — {receipt.account_number}",
        "",
    ]
    for line in receipt.allocations:
        lines.append(f"{line.invoice_number:<18} {money(line.amount, cur):>16}")
    for topup in receipt.topup_lines:
        lines.append(f"{topup.product_name} x{topup.quantity} {money(topup.amount, cur):>16}")
    lines.append("")
    for tender in receipt.tenders:
        lines.append(f"{label(TENDER_KINDS, tender.kind):<18} {money(tender.amount, cur):>16}")
    change = _(N_("Change"))
    lines.append(f"{change:<18} {money(receipt.change, cur):>16}")
    if receipt.credit_added or receipt.credit_balance_after:
        lines.append(
            _(N_("Credit on the account: {amount}")).format(
                amount=money(receipt.credit_balance_after, cur)
            )
        )
    for contract in receipt.reconnections:
        lines.append(_(N_("Line {contract}: reconnection requested")).format(contract=contract))
    return "\n".join(lines)


class CounterScreen(QWidget):
    receipt_ready = Signal(object)  # PaymentSummary

    def __init__(
        self,
        ctx: AppContext,
        station: StationInfo,
        runner: Runner,
        products: Callable[[], list[ProductInfo]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._station = station
        self._runner = runner
        self._products = products
        self.actor: Actor | None = None
        self.subscriber: SubscriberView | None = None
        self.last_receipt: PaymentSummary | None = None
        self.payment_dialog: PaymentDialog | None = None
        self.void_dialog: VoidDialog | None = None
        self.last_document: Path | None = None
        self.open_documents = True  # tests turn this off: no viewer on a build machine
        self._shown_query: str | None = None
        self._pending_query: str | None = None

        self.search = QLineEdit(objectName="search")
        self.search.setClearButtonEnabled(True)
        self.status = QLabel(objectName="muted")
        self.results = RowsModel[SubscriberHit](
            [
                Column("account", N_("Account"), lambda h: h.account_number),
                Column("name", N_("Name"), lambda h: h.display_name),
                Column("name_ar", N_("Name in Arabic"), lambda h: h.name_ar),
                Column("city", N_("City"), lambda h: h.city),
            ]
        )
        self.results_view = QTableView(objectName="results")
        self.results_view.setModel(self.results)
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().hide()
        self.results_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.panel = SubscriberPanel(station.timezone)
        self.placeholder = QLabel(objectName="muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.middle = QStackedWidget()
        self.middle.addWidget(self.placeholder)
        self.middle.addWidget(self.results_view)
        self.middle.addWidget(self.panel)
        self.receipt_view = QTextEdit(objectName="receipt_preview")
        self.receipt_view.setReadOnly(True)
        self.receipt_view.setMinimumWidth(300)
        self._receipt_title = QLabel(objectName="muted")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self._receipt_title)
        side_layout.addWidget(self.receipt_view)
        splitter = QSplitter()
        splitter.addWidget(self.middle)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self._keys_help = QLabel(objectName="muted")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._keys_help)

        self.search.returnPressed.connect(self._enter_in_search)
        self.search.installEventFilter(self)
        self.results_view.activated.connect(
            lambda index: self.open_hit(self.results.row_at(index.row()))
        )
        self.results_view.installEventFilter(self)
        QShortcut(QKeySequence("F2"), self, activated=self.open_payment)
        QShortcut(QKeySequence("F6"), self, activated=self.reprint_selected)
        QShortcut(QKeySequence("F7"), self, activated=self.bill_copy)
        QShortcut(QKeySequence("F8"), self, activated=self.open_void)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.clear)
        self.retranslate()

    # --- keyboard ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.search and key == Qt.Key.Key_Down and self.results.rows:
                self.middle.setCurrentWidget(self.results_view)
                self.results_view.setFocus()
                self.results_view.selectRow(0)
                return True
            if watched is self.results_view and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.results_view.currentIndex()
                if index.isValid():
                    self.open_hit(self.results.row_at(index.row()))
                    return True
        return super().eventFilter(watched, event)

    def _enter_in_search(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        if self.subscriber is not None and query == self._shown_query:
            self.open_payment()
            return
        self.run_search(query)

    # --- searching --------------------------------------------------------------------------

    def run_search(self, query: str) -> None:
        self._pending_query = query
        self.status.setText(_(N_("Searching…")))
        country = self._station.country
        self._runner.submit(
            lambda: find_subscribers(self._ctx.db, query, country=country, limit=50),
            self._found,
            self._failed,
        )

    def _found(self, result: LookupResult) -> None:
        if result.query != self._pending_query:
            return  # an older search came back after a newer one was typed
        self.results.set_rows(result.hits)
        if not result.hits:
            self.status.setText(
                _(N_("No subscriber found for {query}.")).format(query=result.query)
            )
            self.subscriber = None
            self.middle.setCurrentWidget(self.placeholder)
            self.search.selectAll()
            return
        if len(result.hits) == 1 and result.exact:
            self.open_hit(result.hits[0])
            return
        more = _(N_(" (more match: refine the search)")) if result.has_more else ""
        self.status.setText(
            _(N_("{count} subscribers found")).format(count=len(result.hits)) + more
        )
        self.subscriber = None
        self.middle.setCurrentWidget(self.results_view)
        self.results_view.selectRow(0)
        self.results_view.setFocus()

    def open_hit(self, hit: SubscriberHit) -> None:
        query = self._pending_query
        self.status.setText(_(N_("Opening {name}…")).format(name=hit.display_name))
        now = self._ctx.now()
        self._runner.submit(
            lambda: load_subscriber_view(self._ctx.db, subscriber_id=hit.subscriber_id, now=now),
            lambda view: self._show(view, query),
            self._failed,
        )

    def _show(self, view: SubscriberView, query: str | None) -> None:
        self.subscriber = view
        self._shown_query = self.search.text().strip() if query is None else query
        if self.search.text().strip() != self._shown_query:
            self.search.setText(self._shown_query)
        self.panel.show_subscriber(view)
        self.middle.setCurrentWidget(self.panel)
        self.status.setText(_(N_("Enter or F2: take a payment · Esc: next customer")))
        self.search.setFocus()
        self.search.selectAll()  # the next scan replaces the text

    def reload_subscriber(self, note: str | None = None) -> None:
        """Read the subscriber again (after a void); ``note`` stays in the status line."""
        if self.subscriber is None:
            return
        now = self._ctx.now()
        subscriber_id = self.subscriber.subscriber_id

        def shown(view: SubscriberView) -> None:
            self._show(view, self._shown_query)
            if note:
                self.status.setText(note)

        self._runner.submit(
            lambda: load_subscriber_view(self._ctx.db, subscriber_id=subscriber_id, now=now),
            shown,
            self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        message = error.translated() if isinstance(error, GuichetError) else str(error)
        self.status.setText(message)

    # --- paying -----------------------------------------------------------------------------

    def open_payment(self) -> None:
        if self.subscriber is None or self.actor is None or self.payment_dialog is not None:
            return
        if not self.subscriber.open_invoices and not self._products():
            self.status.setText(_(N_("There is nothing to pay on this account.")))
            return
        dialog = PaymentDialog(
            self._ctx,
            self.actor,
            self._station.ref,
            self.subscriber,
            self._products(),
            self._runner,
            self,
        )
        self.payment_dialog = dialog
        dialog.finished.connect(lambda result: self._payment_closed(dialog, result))
        dialog.open()

    def take_keyboard(self) -> None:
        """Back to the search box, with the window active, after any dialog closes."""
        self.window().activateWindow()
        self.search.setFocus()

    def _payment_closed(self, dialog: PaymentDialog, result: int) -> None:
        self.payment_dialog = None
        if result == QDialog.DialogCode.Accepted and dialog.receipt is not None:
            self.show_receipt(dialog.receipt)
            self.receipt_ready.emit(dialog.receipt)
            self.clear()
            self.status.setText(
                _(N_("Payment saved: receipt {receipt_no}. Ready for the next customer.")).format(
                    receipt_no=dialog.receipt.receipt_no
                )
            )
        self.take_keyboard()

    def reprint_selected(self) -> None:
        """Show a past receipt again (the print queue takes it once printing lands)."""
        receipt_no = self.panel.selected_receipt()
        if receipt_no is None:
            return
        self._runner.submit(
            lambda: receipt_summary(self._ctx.db, receipt_no), self.show_receipt, self._failed
        )

    def bill_copy(self) -> None:
        """A duplicate of a bill that never arrived, opened in the PDF viewer to print."""
        number = self.panel.selected_invoice()
        if number is None:
            self.status.setText(_(N_("This subscriber has no open invoice to copy.")))
            return
        actor = self.actor
        if actor is None:
            return
        language, ref = current_language(), self._station.ref
        self.status.setText(_(N_("Preparing the copy of invoice {number}…")).format(number=number))
        self._runner.submit(
            lambda: issue_bill_copy(self._ctx, actor, number, language=language, workstation=ref),
            self._bill_copy_ready,
            self._failed,
        )

    def _bill_copy_ready(self, path: Path) -> None:
        self.last_document = path
        self.status.setText(_(N_("Copy saved as {path}.")).format(path=path))
        if self.open_documents:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def open_void(self) -> None:
        receipt_no = self.panel.selected_receipt()
        if receipt_no is None or self.actor is None:
            return
        dialog = VoidDialog(
            self._ctx, self.actor, self._station.ref, receipt_no, self._runner, self
        )
        self.void_dialog = dialog
        dialog.finished.connect(lambda result: self._void_closed(dialog, result))
        dialog.open()

    def _void_closed(self, dialog: VoidDialog, result: int) -> None:
        self.void_dialog = None
        if result == QDialog.DialogCode.Accepted and dialog.result_summary is not None:
            self.show_receipt(dialog.result_summary)
            self.reload_subscriber(
                _(N_("Receipt {receipt_no} voided by {void_no}.")).format(
                    receipt_no=dialog.receipt_no, void_no=dialog.result_summary.receipt_no
                )
            )
        self.take_keyboard()

    def show_receipt(self, receipt: PaymentSummary) -> None:
        self.last_receipt = receipt
        self.receipt_view.setPlainText(receipt_text(receipt, self._station))
        self.receipt_view.setAlignment(Qt.AlignmentFlag.AlignLeading)

    def clear(self) -> None:
        self.search.clear()
        self.subscriber = None
        self._shown_query = None
        self.results.set_rows([])
        self.panel.clear()
        self.middle.setCurrentWidget(self.placeholder)
        self.status.clear()
        self.search.setFocus()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            _(N_("Scan a bill, or type an account, phone, invoice, meter number or name"))
        )
        self.placeholder.setText(_(N_("Ready for the next customer.")))
        self._receipt_title.setText(_(N_("Last receipt")))
        self._keys_help.setText(
            _(
                N_(
                    "Enter: search · ↓: results · Enter or F2: payment · F6: reprint · "
                    "F7: bill copy · F8: void · Esc: next customer"
                )
            )
        )
        self.results.retranslate()
        self.panel.retranslate()
        if self.last_receipt is not None:
            self.show_receipt(self.last_receipt)
