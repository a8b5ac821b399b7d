"""Properties of the allocation planner, for any invoices, tenders, credit and options."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.money import CURRENCIES
from app.payments.allocation import OpenInvoice, TenderAmount, plan_payment
from db.models import TenderKind

amounts = st.integers(min_value=1, max_value=10**9)
invoices = st.lists(amounts, max_size=8).map(
    lambda values: [OpenInvoice(i + 1, v) for i, v in enumerate(values)]
)
tenders = st.lists(st.builds(TenderAmount, st.sampled_from(list(TenderKind)), amounts), max_size=4)


@given(
    invoices=invoices,
    tenders=tenders,
    topups=st.integers(min_value=0, max_value=10**7),
    credit=st.integers(min_value=0, max_value=10**8),
    amount=st.none() | st.integers(min_value=0, max_value=10**9),
    use_credit=st.booleans(),
    keep=st.booleans(),
)
def test_money_is_conserved_and_never_over_allocated(
    invoices: list[OpenInvoice],
    tenders: list[TenderAmount],
    topups: int,
    credit: int,
    amount: int | None,
    use_credit: bool,
    keep: bool,
) -> None:
    try:
        plan = plan_payment(
            currency=CURRENCIES["DZD"],
            invoices=invoices,
            tenders=tenders,
            topups_minor=topups,
            credit_available_minor=credit,
            amount_minor=amount,
            use_credit=use_credit,
            keep_change_as_credit=keep,
        )
    except ValidationError:
        assume(False)
        return
    # tendered - change = allocated + credit (net) + top-ups
    assert plan.tendered_minor - plan.change_minor == (
        plan.allocated_minor + plan.credit_added_minor - plan.credit_used_minor + plan.topups_minor
    )
    outstanding = {i.invoice_id: i.outstanding_minor for i in invoices}
    for invoice_id, share in plan.allocations:
        assert 0 < share <= outstanding[invoice_id]
    assert len({invoice_id for invoice_id, _ in plan.allocations}) == len(plan.allocations)
    assert min(plan.change_minor, plan.credit_used_minor, plan.credit_added_minor) >= 0
    assert plan.credit_used_minor <= (credit if use_credit else 0)
    cash = sum(t.amount_minor for t in tenders if t.kind == TenderKind.CASH)
    assert plan.change_minor <= cash
    # Older invoices are paid in full before a newer one gets anything.
    paid = dict(plan.allocations)
    shares = [paid.get(i.invoice_id, 0) for i in invoices]
    for earlier, later, invoice in zip(shares, shares[1:], invoices, strict=False):
        if later > 0:
            assert earlier == invoice.outstanding_minor


@given(invoices=invoices.filter(bool), extra=st.integers(min_value=0, max_value=10**6))
def test_exact_cash_pays_everything_with_no_change(invoices: list[OpenInvoice], extra: int) -> None:
    due = sum(i.outstanding_minor for i in invoices)
    plan = plan_payment(
        currency=CURRENCIES["EUR"],
        invoices=invoices,
        tenders=[TenderAmount(TenderKind.CASH, due + extra)],
    )
    assert plan.allocated_minor == due
    assert plan.change_minor == extra
    assert plan.credit_added_minor == 0
