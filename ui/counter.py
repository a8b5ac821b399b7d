"""The counter screen: one search box, the subscriber, and the payment.

The search box has the focus whenever no dialog is open, so a barcode scanner
(a keyboard that types the bill's code and Enter) works at any moment. Enter on
the same text again, or F2, opens the payment of the subscriber shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.auth import Actor
from app.context import AppContext
from app.i18n import N_, current_language, format_count, gettext, ngettext
from app.labels import CONTRACT_STATUSES, label
from app.lookup import LookupResult, MatchKind, SubscriberHit, find_subscribers
from app.payments.summary import PaymentSummary
from app.printing.copies import CopyIssued, reprint
from app.printing.worker import PrintWorker
from app.products import ProductInfo
from app.station import StationInfo
from app.subscribers import SubscriberView, load_subscriber_view
from db.models import Role
from ui.bill_copy_dialog import BillCopyDialog
from ui.formatting import hint_line, ltr, money
from ui.payment_dialog import PaymentDialog
from ui.print_queue_dialog import PrintQueueDialog
from ui.printer_settings_dialog import PrinterSettingsDialog
from ui.printer_status import PrinterStatusWidget
from ui.qt import (
    QAbstractItemView,
    QDialog,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QObject,
    QResizeEvent,
    QShortcut,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
    named,
    wrapped_label,
)
from ui.receipt_preview import ReceiptPreview, RenderedSlip, render_receipt
from ui.subscriber_panel import SubscriberPanel
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text
from ui.void_dialog import VoidDialog

_ = gettext

# Hits on one page of the search results; beyond it the list says how many more.
RESULTS_PAGE = 50

Say = Callable[[], str]  # a status line, written again in the language of the moment


class CounterScreen(QWidget):
    receipt_ready = Signal(object)  # PaymentSummary

    def __init__(
        self,
        ctx: AppContext,
        station: StationInfo,
        runner: Runner,
        products: Callable[[], list[ProductInfo]],
        parent: QWidget | None = None,
        *,
        worker: PrintWorker | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._station = station
        self._runner = runner
        self._products = products
        self.worker = worker  # None: nothing prints in this process (most tests)
        self.actor: Actor | None = None
        self.subscriber: SubscriberView | None = None
        self.last_receipt: str | None = None  # its number: F6 reprints it when nobody is shown
        self.last_copy: CopyIssued | None = None
        self.payment_dialog: PaymentDialog | None = None
        self.void_dialog: VoidDialog | None = None
        self.print_queue_dialog: PrintQueueDialog | None = None
        self.printer_settings_dialog: PrinterSettingsDialog | None = None
        self.bill_copy_dialog: BillCopyDialog | None = None
        self._reprinting = False
        self._preview_wanted: tuple[str, int] | None = None
        self._note: tuple[str, dict[str, object]] | None = None
        self.last_document: Path | None = None
        self.open_documents = True  # tests turn this off: no viewer on a build machine
        self._shown_query: str | None = None
        self._pending_query: str | None = None
        self.scanned_invoice: str | None = None  # a bill's barcode found the subscriber
        # Which customer the screen is serving: every clear and every new search moves
        # it on, and a background answer asked for under an older one is dropped.
        self._generation = 0
        self._said: Say | None = None
        self._results_currency: str | None = None
        self._results_more: LookupResult | None = None
        self.clock: Callable[[], float] = time.monotonic  # the payment's Enter debounce

        self.search = named(QLineEdit(), "search")
        self.search.setClearButtonEnabled(True)
        self.status = named(QLabel(), "muted")
        # What tells namesakes apart: phone, city, what they owe, how their lines stand.
        # Two lines a row (the name over its Arabic writing, the account over the
        # phone): seven columns side by side were cut short at 1024 px.
        self.results = RowsModel[SubscriberHit](
            [
                Column(
                    "name",
                    N_("Name"),
                    lambda h: "\n".join(part for part in (h.display_name, h.name_ar) if part),
                ),
                Column(
                    "account",
                    N_("Account and phone"),
                    lambda h: "\n".join(
                        part for part in (ltr(h.account_number), ltr(h.phone)) if part
                    ),
                ),
                Column("city", N_("City"), lambda h: h.city),
                Column(
                    "due",
                    N_("Amount due"),
                    lambda h: (
                        money(h.amount_due, self._results_currency)
                        if h.amount_due is not None and self._results_currency
                        else ""
                    ),
                    align_end=True,
                ),
                Column(
                    "status",
                    N_("Status"),
                    lambda h: label(CONTRACT_STATUSES, h.status) if h.status else "",
                    colour=lambda h: (
                        "#b00020"
                        if h.status == "suspended"
                        else ("#b56a00" if h.status == "pending_activation" else None)
                    ),
                ),
            ]
        )
        self.results_view = named(QTableView(), "results")
        self.results_view.setModel(self.results)
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().hide()
        self.results_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.results_view.setAlternatingRowColors(True)
        header = self.results_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name takes what is left; the figures keep their full width.
        header.setSectionResizeMode(
            self.results.column_index("name"), QHeaderView.ResizeMode.Stretch
        )
        # Under the list: how many more match beyond the page, so the agent types more.
        self.results_footer = QLabel()
        self.results_footer.setObjectName("results_more")
        self.results_footer.setStyleSheet("font-weight: 600;")
        self.results_footer.setWordWrap(True)
        self.results_footer.setVisible(False)
        self.results_page = QWidget()
        results_layout = QVBoxLayout(self.results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.results_view, 1)
        results_layout.addWidget(self.results_footer)
        self.panel = SubscriberPanel(station.timezone)
        self.placeholder = named(QLabel(), "muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.middle = QStackedWidget()
        self.middle.addWidget(self.placeholder)
        self.middle.addWidget(self.results_page)
        self.middle.addWidget(self.panel)
        self.receipt_preview = ReceiptPreview()
        self._receipt_title = named(QLabel(), "muted")
        self.receipt_note = named(QLabel(), "receipt_note")
        self.receipt_note.setWordWrap(True)
        self.receipt_note.setVisible(False)
        # The change of the last payment, large, until the next customer.
        self.change_given = QLabel()
        self.change_given.setObjectName("change_given")
        self.change_given.setWordWrap(True)
        self.change_given.setVisible(False)
        self._change_receipt: PaymentSummary | None = None
        side = self.receipt_panel = named(QWidget(), "receipt_panel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.change_given)
        side_layout.addWidget(self._receipt_title)
        side_layout.addWidget(self.receipt_note)
        side_layout.addWidget(self.receipt_preview, 1)
        splitter = QSplitter()
        splitter.addWidget(self.middle)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 2)  # the receipt readable at a glance
        splitter.setChildrenCollapsible(False)
        # The receipt panel folds away (F12) to give the bills the room; None: it
        # shows when the screen is wide, or when there is a receipt or change to see.
        self._receipt_panel_choice: bool | None = None
        self._keys_help = wrapped_label("muted")
        self.printer_status = PrinterStatusWidget(
            ctx, station.ref, runner, worker, actor=lambda: self.actor
        )
        self.printer_status.clicked.connect(lambda: self.open_print_queue())

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.printer_status)
        self.status.setWordWrap(True)  # a long note (a file's path) wraps, never cut
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(status_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._keys_help)

        self.search.returnPressed.connect(self._enter_in_search)
        self.search.installEventFilter(self)
        self.results_view.activated.connect(
            lambda index: self.open_hit(self.results.row_at(index.row()))
        )
        self.results_view.installEventFilter(self)
        QShortcut(QKeySequence("F2"), self, self.open_payment)
        QShortcut(QKeySequence("F12"), self, self.toggle_receipt_panel)
        QShortcut(QKeySequence("F6"), self, self.reprint_selected)
        QShortcut(QKeySequence("F7"), self, self.bill_copy)
        QShortcut(QKeySequence("F8"), self, self.open_void)
        QShortcut(QKeySequence("F9"), self, lambda: self.open_print_queue())
        QShortcut(
            QKeySequence("Shift+F9"),
            self,
            lambda: self.open_print_queue(every_workstation=True),
        )
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear)
        self.retranslate()

    # --- keyboard ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.search and key == Qt.Key.Key_Down and self.results.rows:
                self.middle.setCurrentWidget(self.results_page)
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
        # The previous customer leaves the screen now, not when the answer comes.
        self._forget_customer()
        self._forget_typing()
        self._pending_query = query
        self._say(lambda: _(N_("Searching…")))
        country, currency = self._station.country, self._station.currency
        self._submit(
            lambda: find_subscribers(
                self._ctx.db, query, country=country, currency=currency, limit=RESULTS_PAGE
            ),
            self._found,
            self._failed,
        )

    def _submit(
        self,
        work: Callable[[], object],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Background work for the customer on screen now: its answer is dropped if,
        meanwhile, the screen was cleared or a new search began (the old customer
        must not come back)."""
        generation = self._generation

        def result(value: Any) -> None:
            if generation == self._generation:
                on_result(value)

        def error(failure: BaseException) -> None:
            if generation == self._generation:
                on_error(failure)

        self._runner.submit(work, result, error)

    def _found(self, result: LookupResult) -> None:
        if result.query != self._pending_query:
            return  # an older search came back after a newer one was typed
        self._results_currency = result.currency
        self.results.set_rows(result.hits)
        self._results_more = result
        self._show_results_footer()
        if not result.hits:
            self._say(lambda: _(N_("No subscriber found for {query}.")).format(query=result.query))
            self.subscriber = None
            self.middle.setCurrentWidget(self.placeholder)
            self.search.selectAll()
            return
        if len(result.hits) == 1 and result.exact:
            self.open_hit(result.hits[0])
            return
        self._say(
            lambda: _(N_("{count} subscribers found")).format(count=format_count(len(result.hits)))
        )
        self.subscriber = None
        self.middle.setCurrentWidget(self.results_page)
        self.results_view.selectRow(0)
        self.results_view.setFocus()

    def _show_results_footer(self) -> None:
        result = self._results_more
        more = result.more if result is not None else 0
        if result is None or more <= 0:
            self.results_footer.clear()
            self.results_footer.setVisible(False)
            return
        if result.total_capped:
            text = _(N_("More than {count} more matches — refine the search")).format(
                count=format_count(more)
            )
        else:
            # Literals, not N_(): the extractor pairs ngettext's two strings as one plural.
            text = ngettext(
                "{count} more match — refine the search",
                "{count} more matches — refine the search",
                more,
            ).format(count=format_count(more))
        self.results_footer.setText(text)
        self.results_footer.setVisible(True)

    def open_hit(self, hit: SubscriberHit) -> None:
        query = self._pending_query
        name = hit.display_name
        self._say(lambda: _(N_("Opening {name}…")).format(name=name))
        now = self._ctx.now()
        bill = (
            hit.matched_value if hit.matched_by in (MatchKind.INVOICE, MatchKind.BARCODE) else None
        )
        self._submit(
            lambda: load_subscriber_view(self._ctx.db, subscriber_id=hit.subscriber_id, now=now),
            lambda view: self._show(view, query, bill),
            self._failed,
        )

    def _show(self, view: SubscriberView, query: str | None, bill: str | None = None) -> None:
        self.subscriber = view
        # A scanned bill (its barcode or number) is the one the payment ticks.
        self.scanned_invoice = next(
            (
                line.number
                for line in view.open_invoices
                if bill is not None and bill in (line.number, line.barcode)
            ),
            None,
        )
        self._shown_query = self.search.text().strip() if query is None else query
        if self.search.text().strip() != self._shown_query:
            self.search.setText(self._shown_query)
        self.panel.show_subscriber(view)
        self.middle.setCurrentWidget(self.panel)
        self._say(lambda: hint_line([N_("Enter or F2: take a payment"), N_("Esc: next customer")]))
        self.search.setFocus()
        self.search.selectAll()  # the next scan replaces the text

    def reload_subscriber(self, note: Say | None = None) -> None:
        """Read the subscriber again (after a void); ``note`` stays in the status line."""
        if self.subscriber is None:
            return
        now = self._ctx.now()
        subscriber_id = self.subscriber.subscriber_id

        def shown(view: SubscriberView) -> None:
            self._show(view, self._shown_query, self.scanned_invoice)
            if note:
                self._say(note)

        self._submit(
            lambda: load_subscriber_view(self._ctx.db, subscriber_id=subscriber_id, now=now),
            shown,
            self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self._say(lambda: error_text(error))

    def _say(self, message: Say | None) -> None:
        """The status line; kept as how to write it, so a language switch rewrites it."""
        self._said = message
        self.status.setText(message() if message is not None else "")

    # --- paying -----------------------------------------------------------------------------

    def open_payment(self) -> None:
        if self.subscriber is None or self.actor is None or self.payment_dialog is not None:
            return
        if not self.subscriber.open_invoices and not self._products():
            self._say(lambda: _(N_("There is nothing to pay on this account.")))
            return
        dialog = PaymentDialog(
            self._ctx,
            self.actor,
            self._station.ref,
            self.subscriber,
            self._products(),
            self._runner,
            self,
            scanned_invoice=self.scanned_invoice,
            clock=self.clock,
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
            receipt = dialog.receipt
            self.wake_printer()  # its receipt was queued with the payment
            # The customer is served: their account leaves the screen; the receipt and
            # the change stay until the next customer (Esc or the next search).
            self.clear()
            self.show_receipt(receipt)
            self.receipt_ready.emit(receipt)
            self._say(
                lambda: _(
                    N_("Payment saved: receipt {receipt_no}. Ready for the next customer.")
                ).format(receipt_no=receipt.receipt_no)
            )
            self._show_change(receipt)
        dialog.deleteLater()  # one per customer: kept, they held megabytes all day
        self.take_keyboard()

    def _show_change(self, receipt: PaymentSummary) -> None:
        """The change to hand back stays large until the next customer (Esc, a search)."""
        self._change_receipt = receipt
        self.change_given.setText(
            _(N_("Change to give: {amount}")).format(amount=money(receipt.change, receipt.currency))
        )
        self.change_given.setVisible(receipt.change > 0)
        self._place_receipt_panel()  # the change must be seen, however narrow the screen

    def wake_printer(self) -> None:
        """A job was queued: the worker prints it now, the status shows it waiting meanwhile."""
        if self.worker is not None:
            self.worker.wake()
        self.printer_status.refresh()

    def reprint_selected(self) -> None:
        """DUPLICATE n of the selected receipt (or the last one) on this counter's printer.

        Only the copy is made: the payment is in the ledger already and is never taken again.
        """
        receipt_no = self.panel.selected_receipt() if self.subscriber is not None else None
        receipt_no = receipt_no or self.last_receipt
        actor = self.actor
        if receipt_no is None or actor is None or self._reprinting:
            return
        self._reprinting = True  # a held-down F6 makes one copy, not ten
        ref = self._station.ref
        self._say(
            lambda: _(N_("Printing a copy of receipt {receipt_no}…")).format(receipt_no=receipt_no)
        )
        generation = self._generation
        self._runner.submit(
            # No language: the copy is printed in the customer's, as the original was.
            lambda: reprint(self._ctx, actor, receipt_no, workstation=ref, language=None),
            lambda copy: self._copy_queued(copy, generation),
            lambda error: self._reprint_failed(error, generation),
        )

    def _copy_queued(self, copy: CopyIssued, generation: int | None = None) -> None:
        self._reprinting = False
        self.last_copy = copy
        self.wake_printer()
        if generation is not None and generation != self._generation:
            return  # printed all the same; the screen has moved on to the next customer
        self._set_note(N_("Copy {number} queued for printing."), number=copy.copy_number)
        self._say(
            lambda: _(N_("Copy {number} of receipt {receipt_no} queued for printing.")).format(
                number=copy.copy_number, receipt_no=copy.receipt_no
            )
        )
        self.preview_receipt(copy.receipt_no, copy.copy_number, keep_note=True)

    def _reprint_failed(self, error: BaseException, generation: int | None = None) -> None:
        self._reprinting = False
        if generation is None or generation == self._generation:
            self._failed(error)

    def bill_copy(self) -> None:
        """A duplicate of a bill that never arrived: on the receipt printer or as a PDF."""
        number = self.panel.selected_invoice()
        if number is None:
            self._say(lambda: _(N_("This subscriber has no open invoice to copy.")))
            return
        actor = self.actor
        if actor is None or self.bill_copy_dialog is not None:
            return
        dialog = BillCopyDialog(
            self._ctx,
            actor,
            self._station.ref,
            number,
            current_language(),
            self._runner,
            self,
            open_documents=self.open_documents,
        )
        self.bill_copy_dialog = dialog
        dialog.finished.connect(lambda result: self._bill_copy_closed(dialog, result))
        dialog.open()

    def _bill_copy_closed(self, dialog: BillCopyDialog, result: int) -> None:
        self.bill_copy_dialog = None
        if result == QDialog.DialogCode.Accepted:
            if dialog.job_id is not None:
                self.wake_printer()  # the copy waits in the queue: print it now
            self.last_document = dialog.path or self.last_document
            self._say(dialog.outcome)
        dialog.deleteLater()
        self.take_keyboard()

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
            self.wake_printer()  # the CANCELLATION slip was queued with the void
            self.show_receipt(dialog.result_summary)
            receipt_no, void_no = dialog.receipt_no, dialog.result_summary.receipt_no
            self.reload_subscriber(
                lambda: _(N_("Receipt {receipt_no} voided by {void_no}.")).format(
                    receipt_no=receipt_no, void_no=void_no
                )
            )
        dialog.deleteLater()
        self.take_keyboard()

    # --- the receipt on screen ----------------------------------------------------------------

    def show_receipt(self, receipt: PaymentSummary) -> None:
        """The receipt just issued, drawn as the printer prints it."""
        self.last_receipt = receipt.receipt_no
        self.preview_receipt(receipt.receipt_no, 0)

    # --- the receipt panel --------------------------------------------------------------------

    # Below this width the panel folds away by itself while a customer's bills are shown.
    WIDE_ENOUGH_FOR_RECEIPT = 1200

    def receipt_panel_visible(self) -> bool:
        return not self.receipt_panel.isHidden()

    def toggle_receipt_panel(self) -> None:
        """F12: fold the receipt panel away, or bring it back; the agent's choice holds
        until the next customer."""
        self._receipt_panel_choice = not self.receipt_panel_visible()
        self._place_receipt_panel()

    def _place_receipt_panel(self) -> None:
        wanted = self._receipt_panel_choice
        if wanted is None:
            something_to_see = self._change_receipt is not None or self._preview_wanted is not None
            wanted = self.width() >= self.WIDE_ENOUGH_FOR_RECEIPT or something_to_see
        self.receipt_panel.setVisible(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_receipt_panel()

    def preview_receipt(
        self, receipt_no: str, copy_number: int, *, keep_note: bool = False
    ) -> None:
        if not keep_note:
            self._set_note(None)
        wanted = (receipt_no, copy_number)
        self._preview_wanted = wanted
        self._place_receipt_panel()  # a receipt to look at: the panel shows
        ctx, ref, language = self._ctx, self._station.ref, current_language()
        self._runner.submit(
            lambda: render_receipt(
                ctx, ref, language, receipt_no=receipt_no, copy_number=copy_number
            ),
            lambda slip: self._preview_ready(wanted, slip),
            self._preview_failed,
        )

    def _preview_ready(self, wanted: tuple[str, int], slip: RenderedSlip) -> None:
        if wanted != self._preview_wanted:
            return  # a newer receipt was asked for meanwhile
        self.receipt_preview.show_slip(slip)

    def _preview_failed(self, error: BaseException) -> None:
        # Only the picture failed: the payment and its print job are saved.
        reason = error_text(error)
        self._set_note(N_("The receipt cannot be shown: {reason}"), reason=reason)

    def _set_note(self, message: str | None, **params: object) -> None:
        self._note = (message, params) if message else None
        self.receipt_note.setText(_(message).format(**params) if message else "")
        self.receipt_note.setVisible(message is not None)

    # --- printing -----------------------------------------------------------------------------

    def open_print_queue(self, *, every_workstation: bool = False) -> None:
        """The jobs waiting to print (F9); a supervisor's Shift+F9 shows every workstation's."""
        actor = self.actor
        if actor is None or self.print_queue_dialog is not None:
            return
        if every_workstation and not actor.has_role(Role.SUPERVISOR):
            return
        dialog = PrintQueueDialog(
            self._ctx,
            actor,
            self._station.ref,
            self._station.timezone,
            self._runner,
            self.worker,
            self,
            every_workstation=every_workstation,
        )
        self.print_queue_dialog = dialog
        dialog.settings_wanted.connect(lambda: self.open_printer_settings(dialog))
        dialog.finished.connect(lambda _result: self._print_queue_closed())
        dialog.open()

    def open_printer_settings(self, over: QWidget | None = None) -> None:
        """This counter's printer: supervisors and administrators only (the service checks too).

        Opened from the print queue (``over``), where a supervisor finds it.
        """
        actor = self.actor
        if actor is None or not actor.has_role(Role.SUPERVISOR):
            return
        if self.printer_settings_dialog is not None:
            return
        dialog = PrinterSettingsDialog(
            self._ctx, actor, self._station.ref, self._runner, self.worker, over or self
        )
        self.printer_settings_dialog = dialog
        dialog.finished.connect(lambda _result: self._printer_settings_closed())
        dialog.open()

    def _print_queue_closed(self) -> None:
        self.print_queue_dialog = None
        self.printer_status.refresh()
        self.take_keyboard()

    def _printer_settings_closed(self) -> None:
        self.printer_settings_dialog = None
        self.printer_status.refresh()
        queue = self.print_queue_dialog
        if queue is not None:  # back to the queue it was opened from
            queue.reload()
            queue.activateWindow()
            queue.view.setFocus()
        else:
            self.take_keyboard()

    def _forget_customer(self) -> None:
        """Everything of the customer served leaves the screen: account, bills, results,
        receipt, change, notes; and whatever is still being fetched for them is dropped."""
        self._generation += 1
        self.subscriber = None
        self.scanned_invoice = None
        self._shown_query = None
        self._pending_query = None
        self._change_receipt = None
        self.change_given.clear()
        self.change_given.setVisible(False)
        self._results_currency = None
        self._results_more = None
        self.results.set_rows([])
        self._show_results_footer()
        self.panel.clear()
        self._preview_wanted = None  # a receipt still being drawn is not shown
        self.receipt_preview.clear_slip()
        self._set_note(None)
        self.middle.setCurrentWidget(self.placeholder)
        self._say(None)
        self._receipt_panel_choice = None
        self._place_receipt_panel()

    def clear(self) -> None:
        """The next customer (Esc): a blank screen, the search box ready."""
        self._forget_customer()
        # setText, not clear(): clear() can be undone, and Ctrl+Z would bring back
        # the last customer's account number.
        self.search.setText("")
        self.search.setFocus()

    def _forget_typing(self) -> None:
        """The search box keeps what is typed now but no undo history: Ctrl+Z must
        not bring back what was searched for the customer before."""
        if self.search.isUndoAvailable():
            self.search.setText(self.search.text())

    def end_session(self) -> None:
        """The agent signs out: nothing of their customers stays for the next agent,
        not even F6's "last receipt"."""
        self.clear()
        self.last_receipt = None
        self.last_copy = None
        self.last_document = None

    def _supervising(self) -> bool:
        return self.actor is not None and self.actor.has_role(Role.SUPERVISOR)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            _(N_("Scan a bill, or type an account, phone, invoice, meter number or name"))
        )
        self.placeholder.setText(_(N_("Ready for the next customer.")))
        self._receipt_title.setText(_(N_("Last receipt")))
        self._keys_help.setText(
            hint_line(
                [
                    N_("Enter: search"),
                    N_("↓: results"),
                    N_("Enter or F2: payment"),
                    N_("F4: complaint"),
                    N_("Shift+F4: compensation notice"),
                    N_("F6: reprint"),
                    N_("F7: bill copy"),
                    N_("F8: void"),
                    N_("F9: print queue"),
                    N_("F10: takings"),
                    N_("Ctrl+F10: close my till"),
                    *([N_("Ctrl+D: dashboard")] if self._supervising() else []),
                    N_("F12: receipt panel"),
                    N_("Esc: next customer"),
                ]
            )
        )
        self.results.retranslate()
        self.panel.retranslate()
        self.receipt_preview.retranslate()
        self.printer_status.retranslate()
        if self._note is not None:
            self._set_note(self._note[0], **self._note[1])
        if self._said is not None:
            self._say(self._said)
        self._show_results_footer()
        if self.change_given.isVisibleTo(self) and self._change_receipt is not None:
            self._show_change(self._change_receipt)
        # The preview stays in the language it was printed in: it is that paper's picture.
