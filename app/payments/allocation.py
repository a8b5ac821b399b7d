"""How the money handed over at the counter is split: a pure function, no database.

Given the open invoices in the order they should be paid, the tenders, the
top-ups sold and the account's credit, it decides what goes to each invoice,
what is used from or added to the credit, and the change. It holds, for every
input it accepts::

    tendered - change == allocated + credit_added - credit_used + topups

and never allocates more to an invoice than is left on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.errors import ValidationError
from app.i18n import N_
from app.money import Currency, Money
from db.models import TenderKind


@dataclass(frozen=True)
class OpenInvoice:
    invoice_id: int
    outstanding_minor: int


@dataclass(frozen=True)
class TenderAmount:
    kind: TenderKind
    amount_minor: int


@dataclass(frozen=True)
class AllocationPlan:
    allocations: tuple[tuple[int, int], ...]  # (invoice_id, amount_minor), in paying order
    tendered_minor: int
    change_minor: int
    topups_minor: int
    credit_used_minor: int
    credit_added_minor: int

    @property
    def allocated_minor(self) -> int:
        return sum(amount for _, amount in self.allocations)


def plan_payment(
    *,
    currency: Currency,
    invoices: Sequence[OpenInvoice],
    tenders: Sequence[TenderAmount],
    topups_minor: int = 0,
    credit_available_minor: int = 0,
    amount_minor: int | None = None,
    use_credit: bool = True,
    keep_change_as_credit: bool = False,
) -> AllocationPlan:
    """Split a payment; ``amount_minor`` is what the customer pays toward the account.

    ``amount_minor=None`` means "everything due, as far as the tenders go": the
    account's credit is used first, the rest is paid from the tenders, and any
    excess is change (or credit, with ``keep_change_as_credit``). An explicit
    amount larger than what is due leaves the surplus on the account as credit.
    """
    if topups_minor < 0 or credit_available_minor < 0:
        raise ValueError("top-ups and credit cannot be negative")
    tendered = sum(t.amount_minor for t in tenders)
    cash = sum(t.amount_minor for t in tenders if t.kind == TenderKind.CASH)
    outstanding = sum(i.outstanding_minor for i in invoices)
    usable_credit = min(credit_available_minor, outstanding) if use_credit else 0

    if amount_minor is None:
        if keep_change_as_credit:
            amount_minor = max(tendered - topups_minor, 0)
        else:
            amount_minor = min(outstanding - usable_credit, max(tendered - topups_minor, 0))
    elif amount_minor < 0:
        raise ValidationError(N_("The amount cannot be negative."), field="amount")

    if outstanding == 0 and topups_minor == 0 and amount_minor == 0:
        raise ValidationError(N_("There is nothing to pay on this account."), field="amount")
    if not tenders and not (usable_credit > 0 and topups_minor == 0 and amount_minor == 0):
        raise ValidationError(N_("Enter at least one tender."), field="tenders")

    shortfall = amount_minor + topups_minor - tendered
    if shortfall > 0:
        raise ValidationError(
            N_("The tenders are short of the amount to pay by {missing}."),
            field="tenders",
            missing=Money(shortfall, currency),
        )

    # Credit covers only what the customer's own money does not.
    credit_used = min(usable_credit, max(outstanding - amount_minor, 0))
    funds = amount_minor + credit_used
    allocations: list[tuple[int, int]] = []
    for invoice in invoices:
        if funds == 0:
            break
        share = min(funds, invoice.outstanding_minor)
        if share > 0:
            allocations.append((invoice.invoice_id, share))
            funds -= share
    credit_added = funds  # paid beyond every selected invoice: kept on the account

    excess = tendered - amount_minor - topups_minor
    if keep_change_as_credit:
        credit_added += excess
        change = 0
    else:
        change = excess
        if change > cash:
            raise ValidationError(
                N_(
                    "Change can only be given from cash: the non-cash tenders exceed "
                    "the amount by {excess}. Lower them or keep the excess as credit."
                ),
                field="tenders",
                excess=Money(change - cash, currency),
            )
    return AllocationPlan(
        allocations=tuple(allocations),
        tendered_minor=tendered,
        change_minor=change,
        topups_minor=topups_minor,
        credit_used_minor=credit_used,
        credit_added_minor=credit_added,
    )
