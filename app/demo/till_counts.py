"""The demo's tills counted out at the end of each day, as an agency's would be.

Each agent counts their till blind (notes and coins for what the drawer holds,
the cheques one by one, the card and postal totals), and the supervisor reviews
it. Now and then the cash is a little short or over, and the supervisor writes
why: a fresh demo shows counts, differences and their reasons in the dashboard,
the Z reports and the end-of-day report. Through the real services, so each
count and review is journaled and signed like any other.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import func, select

from app.auth import Actor
from app.closing.counts import ChequeInput, CountInput
from app.closing.denominations import Denomination, cash_of
from app.closing.expected import cheques_in_till, expected_for
from app.closing.review import review_till
from app.closing.tills import close_till, open_session_for
from app.context import AppContext
from app.money import currency, from_minor
from app.workstations import find_workstation, operator_settings
from db.models import Payment, Tender, TenderKind

# About one till in twelve is a little off, by the smallest note or coin or two.
DIFFERENCE_ODDS = 12

# What a supervisor writes, in the operator's language (data typed by a person).
REASONS = {
    "fr": (
        "Erreur de rendu de monnaie constatée avec l'agent.",
        "Pièce tombée sous le tiroir, retrouvée le lendemain.",
        "Client revenu rendre un trop-perçu après la fermeture.",
    ),
    "ar": (
        "خطأ في رد الباقي تم التحقق منه مع العون.",
        "قطعة نقدية سقطت تحت الدرج ووجدت في اليوم التالي.",
        "زبون أعاد مبلغا زائدا بعد الإغلاق.",
    ),
    "en": (
        "Change given wrongly, checked with the agent.",
        "A coin fell under the drawer, found the next day.",
        "A customer brought back an overpayment after closing.",
    ),
}


def in_notes_and_coins(amount_minor: int, denominations: Sequence[Denomination]) -> dict[str, int]:
    """``amount_minor`` counted the way a drawer holds it: largest notes first."""
    counted: dict[str, int] = {}
    left = amount_minor
    for denomination in sorted(denominations, key=lambda d: -d.value_minor):
        pieces, left = divmod(left, denomination.value_minor)
        if pieces:
            counted[denomination.key] = pieces
    return counted


def _slips(ctx: AppContext, till_id: int, kind: TenderKind) -> int:
    with ctx.db.read() as session:
        return int(
            session.scalar(
                select(func.count(Tender.id))
                .join(Payment, Payment.id == Tender.payment_id)
                .where(Payment.cash_session_id == till_id, Tender.kind == kind)
            )
            or 0
        )


class DemoTillCounter:
    """Called with each counter at the end of a day of history: its agent counts the till
    out blind and the supervisor reviews the count, with a reason when it is off."""

    def __init__(
        self,
        ctx: AppContext,
        agents: dict[str, Actor],
        supervisor: Actor,
        *,
        rng: random.Random,
        language: str,
    ) -> None:
        self.ctx = ctx
        self.agents = agents
        self.supervisor = supervisor
        self.rng = rng
        self.reasons = REASONS.get(language, REASONS["en"])

    def __call__(self, workstation: str) -> None:
        ctx = self.ctx
        with ctx.db.read() as session:
            station = find_workstation(session, workstation)
            till = open_session_for(session, station.id)
            if till is None:
                return
            till_id = till.id
            expected = expected_for(session, till)
            cheques = list(cheques_in_till(session, till_id))
            cash = cash_of(operator_settings(session).currency)
        cur = currency(cash.currency)
        smallest = min(d.value_minor for d in cash.denominations)
        off = 0
        if self.rng.randrange(DIFFERENCE_ODDS) == 0:
            off = self.rng.choice((-2, -1, 1)) * smallest
        drawer = in_notes_and_coins(max(0, expected.cash.total_minor + off), cash.denominations)
        by_key = cash.by_key()
        counted = sum(by_key[key].value_minor * pieces for key, pieces in drawer.items())
        count = CountInput(
            cash=drawer,
            cheques=[
                ChequeInput(cheque.number, cheque.bank, from_minor(cheque.amount_minor, cur))
                for cheque in cheques
            ],
            card_total=from_minor(expected.card_minor, cur),
            card_slips=_slips(ctx, till_id, TenderKind.CARD),
            postal_total=from_minor(expected.postal_transfer_minor, cur),
            postal_transfers=_slips(ctx, till_id, TenderKind.POSTAL_TRANSFER),
        )
        close_till(ctx, self.agents[workstation], workstation, count)
        # Off by what was drawn, or by what no coin can make up: either way, said why.
        reason = self.rng.choice(self.reasons) if counted != expected.cash.total_minor else None
        review_till(ctx, self.supervisor, till_id, reason=reason)
