"""The subscriber at the counter: who they are, their lines, what they owe, what they paid."""

from __future__ import annotations

from typing import Any

from app.i18n import N_, current_language, gettext
from app.labels import CONTRACT_STATUSES, PAYMENT_KINDS, SERVICES, label
from app.subscribers import ContractLine, OpenInvoiceLine, RecentPayment, SubscriberView
from ui.compensation_rows import CompensationsStrip
from ui.complaint_strip import ComplaintsStrip
from ui.formatting import day, ltr, moment, money, period
from ui.qt import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.table_model import Column, RowsModel

_ = gettext


def _table(model: RowsModel[Any]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    # Rows as tall as the text needs, no taller: the open bills get the room.
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    # Columns as wide as their contents, the last one taking what is left; the
    # columns are chosen to fit a 1024 px screen, so nothing ever scrolls sideways.
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    return view


def _fit_rows(view: QTableView, rows: int) -> None:
    """Make ``view`` exactly tall enough for its header and ``rows`` rows."""
    height = (
        view.horizontalHeader().sizeHint().height()
        + rows * view.verticalHeader().defaultSectionSize()
        + 2 * view.frameWidth()
    )
    view.setFixedHeight(height)


class SubscriberPanel(QWidget):
    def __init__(self, timezone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_data: SubscriberView | None = None
        self._timezone = timezone
        currency = lambda: self.view_data.currency if self.view_data else "EUR"  # noqa: E731

        self.name = named(QLabel(), "title")
        self.name_ar = named(QLabel(), "title")
        self.name_ar.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.account = QLabel()
        self.phones = named(QLabel(), "muted")
        self.address = named(QLabel(), "muted")
        self.due_caption = named(QLabel(), "muted")
        self.due = named(QLabel(), "big")
        self.credit = QLabel()
        self.badges = QLabel()
        self.badges.setTextFormat(Qt.TextFormat.RichText)

        self.contracts = RowsModel[ContractLine](
            [
                Column("number", N_("Contract"), lambda c: c.number),
                Column("service", N_("Service"), lambda c: label(SERVICES, c.service)),
                Column("line", N_("Line or meter"), lambda c: ltr(c.line_or_meter)),
                Column(
                    "offer",
                    N_("Offer"),
                    lambda c: (c.offer_ar if current_language() == "ar" else None) or c.offer,
                ),
                Column(
                    "status",
                    N_("Status"),
                    lambda c: (
                        label(CONTRACT_STATUSES, c.status)
                        + (
                            " · " + _(N_("reconnection requested"))
                            if c.reconnection_requested
                            else ""
                        )
                    ),
                    colour=lambda c: (
                        "#b00020"
                        if c.status == "suspended"
                        else ("#b56a00" if c.status == "pending_activation" else None)
                    ),
                ),
            ]
        )
        self.invoices = RowsModel[OpenInvoiceLine](
            [
                Column("number", N_("Invoice"), lambda i: i.number),
                Column("period", N_("Period"), lambda i: period(i.period_start, i.period_end)),
                Column("due", N_("Due date"), lambda i: day(i.due_date)),
                Column(
                    "left",
                    N_("Left to pay"),
                    lambda i: money(i.left_to_pay, currency()),
                    align_end=True,
                ),
                Column(
                    "marks",
                    N_("Marks"),
                    lambda i: " · ".join(
                        [_(N_("overdue"))] * i.overdue
                        + [_(N_("delivered late"))] * i.delivered_late
                    ),
                    colour=lambda i: "#b00020" if i.overdue else None,
                ),
            ]
        )
        self.payments = RowsModel[RecentPayment](
            [
                Column("receipt", N_("Receipt"), lambda p: p.receipt_no),
                Column("when", N_("Date"), lambda p: moment(p.created_at, self._timezone)),
                Column(
                    "kind",
                    N_("Kind"),
                    lambda p: (
                        label(PAYMENT_KINDS, p.kind) + (" · " + _(N_("voided")) if p.voided else "")
                    ),
                ),
                Column(
                    "amount", N_("Amount"), lambda p: money(p.amount, currency()), align_end=True
                ),
            ]
        )
        self.contracts_view = _table(self.contracts)
        self.invoices_view = _table(self.invoices)
        self.payments_view = _table(self.payments)
        self.payments_view.setObjectName("recent_payments")
        self.compensations = CompensationsStrip()

        # Wrapped rather than widening the window: on a 1024 px screen the card shares
        # the width with the receipt panel after a payment.
        for text in (self.name, self.name_ar, self.account, self.phones, self.address):
            text.setWordWrap(True)
        identity = named(QFrame(), "card")
        grid = QGridLayout(identity)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.name_ar, 0, 1)
        grid.addWidget(self.due_caption, 0, 2, alignment=Qt.AlignmentFlag.AlignTrailing)
        grid.addWidget(self.account, 1, 0)
        grid.addWidget(self.badges, 1, 1)
        grid.addWidget(self.due, 1, 2, 2, 1, alignment=Qt.AlignmentFlag.AlignTrailing)
        grid.addWidget(self.phones, 2, 0)
        grid.addWidget(self.address, 2, 1)
        # Only when there is credit: an empty row would take a bill's place.
        grid.addWidget(self.credit, 3, 2, alignment=Qt.AlignmentFlag.AlignTrailing)
        grid.addWidget(self.compensations, 3, 0, 1, 2)  # the row's free start: no bill's room
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        # The subscriber's complaints with their clocks (read when shown: see attach()).
        self.complaints = ComplaintsStrip()
        self._invoices_title = named(QLabel(), "muted")
        # A subscriber's lines and last payments are few and shown whole; the open
        # bills, the reason the customer came, take the rest of the height.
        _fit_rows(self.contracts_view, 2)
        _fit_rows(self.payments_view, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(identity)
        layout.addWidget(self.complaints)
        # The lines and the last payments go by their column headers (Contract…,
        # Receipt…): a title over each would take a bill's row.
        layout.addWidget(self.contracts_view)
        layout.addWidget(self._invoices_title)
        layout.addWidget(self.invoices_view, 1)
        layout.addWidget(self.payments_view)
        self.retranslate()

    def show_subscriber(self, view: SubscriberView) -> None:
        self.view_data = view
        # Every line in sight, up to three; beyond that the list scrolls.
        _fit_rows(self.contracts_view, max(2, min(3, len(view.contracts))))
        _fit_rows(self.payments_view, max(1, min(2, len(view.recent_payments))))
        self.contracts.set_rows(view.contracts)
        self.invoices.set_rows(view.open_invoices)
        self.payments.set_rows(view.recent_payments)
        self.compensations.show_rows(view.compensations)
        self.complaints.show_for(view.subscriber_id)
        self.retranslate()

    def clear(self) -> None:
        self.view_data = None
        for model in (self.contracts, self.invoices, self.payments):
            model.set_rows([])
        self.compensations.show_rows([])
        self.complaints.show_for(None)
        self.retranslate()

    def selected_invoice(self) -> str | None:
        """The invoice picked in the list, else the oldest open one."""
        rows = self.invoices_view.selectionModel().selectedRows()
        if rows:
            return self.invoices.row_at(rows[0].row()).number
        return self.invoices.rows[0].number if self.invoices.rows else None

    def selected_receipt(self) -> str | None:
        rows = self.payments_view.selectionModel().selectedRows()
        if rows:
            return self.payments.row_at(rows[0].row()).receipt_no
        return self.payments.rows[0].receipt_no if self.payments.rows else None

    def retranslate(self) -> None:
        # Said by a screen reader; on screen the column headers say it.
        self.contracts_view.setAccessibleName(_(N_("Contracts")))
        self._invoices_title.setText(_(N_("Open invoices, oldest first")))
        self.payments_view.setAccessibleName(_(N_("Last payments")))
        for model in (self.contracts, self.invoices, self.payments):
            model.retranslate()
        self.complaints.retranslate()
        self.compensations.retranslate()
        view = self.view_data
        if view is None:
            for widget in (
                self.name,
                self.name_ar,
                self.account,
                self.phones,
                self.address,
                self.due_caption,
                self.due,
                self.credit,
                self.badges,
            ):
                widget.clear()
            return
        self.name.setText(view.display_name)
        self.name_ar.setText(view.name_ar or "")
        self.account.setText(_(N_("Account {account}")).format(account=ltr(view.account_number)))
        self.phones.setText(" · ".join(ltr(phone) for phone in view.phones))
        self.address.setText(", ".join(part for part in (view.address, view.city) if part))
        self.due_caption.setText(_(N_("Amount due")))
        self.due.setText(money(view.total_due, view.currency))
        self.credit.setText(
            _(N_("Credit on the account: {amount}")).format(
                amount=money(view.credit, view.currency)
            )
            if view.credit
            else ""
        )
        self.credit.setVisible(bool(view.credit))
        statuses = sorted(
            {c.status for c in view.contracts if c.status in ("suspended", "pending_activation")}
        )
        self.badges.setText(
            " ".join(
                f'<span style="background:{"#b00020" if s == "suspended" else "#b56a00"};'
                f'color:white;padding:2px 8px;">&nbsp;{label(CONTRACT_STATUSES, s)}&nbsp;</span>'
                for s in statuses
            )
        )
