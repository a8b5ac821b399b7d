"""What a payment will do, computed as the agent types, by the rules that will commit it.

The dialog shows the change and the credit live from this; the service then
applies the very same planner inside its transaction, so what the screen
promised is what the receipt says.

Tender lines the agent has not typed into follow what is left to pay
(:func:`left_to_tender`); change is only ever what the typed lines exceed it by.
A payment that leaves part of the ticked bills unpaid without the agent having
typed an amount to pay is only taken after a second confirmation
(:func:`needs_partial_confirmation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.money import currency, from_minor, to_minor
from app.payments.allocation import OpenInvoice, TenderAmount, plan_payment
from app.subscribers import SubscriberView
from db.models import TenderKind


@dataclass(frozen=True)
class PaymentPreview:
    due: Decimal  # selected invoices, less the credit that will be used
    tendered: Decimal
    allocated: Decimal
    change: Decimal
    credit_used: Decimal
    credit_added: Decimal
    topups: Decimal
    paid_in_full: bool
    left_to_pay: Decimal = Decimal(0)  # on the ticked invoices, after this payment
    # Late fees this payment waives: bills delivered late, paid in full by their
    # extended date (app.billing.late_delivery); not part of ``due``.
    late_fees_waived: Decimal = Decimal(0)

    @property
    def paid_on_invoices(self) -> Decimal:
        """The customer's own money that goes to the invoices (the credit used aside)."""
        return self.allocated - self.credit_used


def preview_payment(
    view: SubscriberView,
    *,
    invoice_numbers: Sequence[str],
    tenders: Sequence[tuple[TenderKind, Decimal]],
    topups: Decimal = Decimal(0),
    amount: Decimal | None = None,
    keep_change_as_credit: bool = False,
    late_fees: Mapping[str, Decimal] | None = None,
) -> PaymentPreview:
    """Raises the same ValidationError the payment service would.

    ``late_fees``: by bill number, the late fee paying it in full today waives
    (:func:`app.billing.late_delivery.late_fees_to_waive`); asked without it.
    """
    cur = currency(view.currency)
    fees = late_fees or {}
    chosen = [line for line in view.open_invoices if line.number in set(invoice_numbers)]
    fee_minor = [
        to_minor(fees.get(line.number, Decimal(0)), cur, allow_zero=True) for line in chosen
    ]
    invoices = [
        OpenInvoice(index, to_minor(line.left_to_pay, cur, allow_zero=True) - fee_minor[index])
        for index, line in enumerate(chosen)
    ]
    credit = to_minor(view.credit, cur, allow_zero=True)
    plan = plan_payment(
        currency=cur,
        invoices=invoices,
        tenders=[
            TenderAmount(kind, to_minor(value, cur, field=f"tenders[{i}].amount"))
            for i, (kind, value) in enumerate(tenders, start=1)
        ],
        topups_minor=to_minor(topups, cur, allow_zero=True),
        credit_available_minor=credit,
        amount_minor=None if amount is None else to_minor(amount, cur, allow_zero=True),
        keep_change_as_credit=keep_change_as_credit,
    )
    outstanding = sum(i.outstanding_minor for i in invoices)
    shares = dict(plan.allocations)
    waived = sum(
        fee
        for index, fee in enumerate(fee_minor)
        if fee and shares.get(index, 0) >= invoices[index].outstanding_minor
    )
    return PaymentPreview(
        due=from_minor(max(outstanding - min(credit, outstanding), 0), cur),
        tendered=from_minor(plan.tendered_minor, cur),
        allocated=from_minor(plan.allocated_minor, cur),
        change=from_minor(plan.change_minor, cur),
        credit_used=from_minor(plan.credit_used_minor, cur),
        credit_added=from_minor(plan.credit_added_minor, cur),
        topups=from_minor(plan.topups_minor, cur),
        paid_in_full=plan.allocated_minor == outstanding,
        left_to_pay=from_minor(outstanding - plan.allocated_minor, cur),
        late_fees_waived=from_minor(waived, cur),
    )


def amount_due(
    view: SubscriberView,
    invoice_numbers: Sequence[str],
    late_fees: Mapping[str, Decimal] | None = None,
) -> Decimal:
    """What the customer owes for the chosen invoices once their credit is used
    (and the late fees of bills delivered late, paid in time, waived)."""
    fees = late_fees or {}
    chosen = sum(
        (
            line.left_to_pay - fees.get(line.number, Decimal(0))
            for line in view.open_invoices
            if line.number in set(invoice_numbers)
        ),
        Decimal(0),
    )
    return max(chosen - min(view.credit, chosen), Decimal(0))


def left_to_tender(
    view: SubscriberView,
    invoice_numbers: Sequence[str],
    *,
    amount: Decimal | None,
    topups: Decimal,
    typed: Sequence[Decimal],
    late_fees: Mapping[str, Decimal] | None = None,
) -> Decimal:
    """What the tender lines the agent has not typed into should show.

    The amount to pay (everything due once the credit is used, when none is given)
    and the top-ups, less what the agent typed as received: never below zero, so a
    line that follows never makes change.
    """
    to_pay = amount_due(view, invoice_numbers, late_fees) if amount is None else amount
    return max(to_pay + topups - sum(typed, Decimal(0)), Decimal(0))


def needs_partial_confirmation(preview: PaymentPreview, *, amount_given: bool) -> bool:
    """Tenders short of the ticked bills never silently make a partial payment.

    With an amount to pay typed the agent has said so; otherwise the counter asks
    once more ("Partial payment of X, Y stays to pay").
    """
    return not amount_given and preview.left_to_pay > 0
