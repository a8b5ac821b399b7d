"""What a void would reverse, read before anyone types a password.

The supervisor approves a void with their own credentials; they must see what
they approve first: which receipt, whose, how much, paid how, which bills open
again, which top-ups were delivered and cannot be taken back, and how much cash
leaves the drawer. The same checks as the void itself run here, so a receipt
that cannot be voided is refused by name before the supervisor is called over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.auth import Actor, require_role
from app.context import AppContext
from app.payments.service import receipt_language
from app.payments.summary import (
    AllocationLine,
    TenderLine,
    TopUpLine,
    load_payment,
    summarize,
)
from app.payments.void import refusal_to_void
from app.workstations import operator_settings, workstation_ref
from db.models import Role, TenderKind


@dataclass(frozen=True)
class VoidPreview:
    receipt_no: str
    created_at: datetime  # UTC; shown in ``timezone``
    timezone: str  # the agency's where the payment was taken
    workstation: str
    agent_name: str
    account_number: str
    subscriber_name: str
    subscriber_name_ar: str | None
    currency: str
    amount: Decimal  # what the customer paid, net of the change
    change: Decimal
    credit_used: Decimal
    credit_added: Decimal
    tenders: tuple[TenderLine, ...]
    bills: tuple[AllocationLine, ...]  # each opens again by its amount
    topups: tuple[TopUpLine, ...]  # delivered already: the void cannot take them back
    cash_back: Decimal  # the cash that leaves the drawer: cash taken less the change given
    slip_language: str  # the CANCELLATION slip's, by the customer's language rule

    @property
    def topups_delivered(self) -> bool:
        return bool(self.topups)

    @property
    def opens_drawer(self) -> bool:
        """The same rule as the slip's drawer pulse (app.printing.receipt)."""
        return any(t.kind == TenderKind.CASH and t.amount for t in self.tenders)

    @property
    def topup_numbers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.target_number for line in self.topups))


def void_preview(ctx: AppContext, actor: Actor, receipt_no: str) -> VoidPreview:
    """The payment a void of ``receipt_no`` would reverse; refused by name as the void would be.

    A read: nothing is written and nothing is journaled. The agent asks; the
    supervisor approves afterwards with :func:`app.payments.void.void_payment`.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    with ctx.db.read() as session:
        original = load_payment(session, receipt_no=receipt_no)
        refusal = refusal_to_void(session, original)
        if refusal is not None:
            raise refusal
        summary = summarize(session, original)
        settings = operator_settings(session)
        station = original.workstation
        cash = sum((t.amount for t in summary.tenders if t.kind == TenderKind.CASH), Decimal(0))
        return VoidPreview(
            receipt_no=summary.receipt_no,
            created_at=summary.created_at,
            timezone=station.agency.timezone or settings.timezone,
            workstation=workstation_ref(station.agency.code, station.code),
            agent_name=original.agent.full_name,
            account_number=summary.account_number,
            subscriber_name=summary.subscriber_name,
            subscriber_name_ar=original.subscriber.name_ar,
            currency=summary.currency,
            amount=summary.tendered - summary.change,
            change=summary.change,
            credit_used=summary.credit_used,
            credit_added=summary.credit_added,
            tenders=summary.tenders,
            bills=summary.allocations,
            topups=summary.topup_lines,
            cash_back=max(cash - summary.change, Decimal(0)),
            slip_language=receipt_language(None, original.subscriber, settings),
        )
