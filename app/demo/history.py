"""A month of counter payments, taken through the real payment service.

Going through :func:`take_payment` (rather than inserting payment rows) is what
makes the history believable to the rest of the application: receipts are
numbered without gaps per workstation, signed in their chain, allocated oldest
bill first, journaled, and they update the bills they pay. The demo clock is
moved to each payment's time, inside the agency's opening hours, and a cash
session is opened and closed around each working day.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from app.auth import Actor
from app.billing.late_delivery import days_setting, waivable_late_fee
from app.cash import close_cash_session, open_cash_session
from app.context import AppContext
from app.demo.clock import DemoClock
from app.demo.population import Candidate, Weighted
from app.demo.profiles import ProductSpec, Profile
from app.money import currency, from_minor
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from db.models import ServiceType, TenderKind

HISTORY_DAYS = 30
PARTIAL_SHARE = 0.07
CREDIT_SHARE = 0.04  # change left on the account as credit
SPLIT_SHARE = 0.04  # part cash, part card
TOPUP_SHARE = 0.06
TOPUP_ONLY_SHARE = 0.02
CHANGE_SHARE = 0.5  # of cash payments: a round sum handed over, change given back

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OpenDay:
    day: date
    intervals: tuple[tuple[datetime, datetime], ...]  # UTC


@dataclass(frozen=True)
class PlannedTender:
    kind: TenderKind
    amount_minor: int
    cheque_number: str | None = None
    bank: str | None = None
    authorisation_code: str | None = None
    transfer_reference: str | None = None


@dataclass(frozen=True)
class PlannedPayment:
    at: datetime
    # The working day around it, for opening and closing the cash sessions.
    day_opens: datetime
    day_closes: datetime
    order: int
    workstation: str
    account: str
    invoice_numbers: tuple[str, ...]
    amount_minor: int | None
    tenders: tuple[PlannedTender, ...]
    topups: tuple[tuple[str, str], ...]  # (product code, number topped up)
    keep_change_as_credit: bool


def payment_target(subscribers: int) -> int:
    """How many past payments a demo of this size gets."""
    return min(max(subscribers // 100, 20), 10_000)


def open_days(profile: Profile, today: date, closed: set[date]) -> list[OpenDay]:
    """Working days of the last month, before today, with their opening intervals."""
    zone = ZoneInfo(profile.timezone)
    days = []
    for offset in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if day in closed:
            continue
        intervals = tuple(
            (
                datetime.combine(day, opens, zone).astimezone(UTC),
                datetime.combine(day, closes, zone).astimezone(UTC),
            )
            for weekday, opens, closes in sorted(profile.weekly_hours, key=lambda h: h[1])
            if weekday == day.weekday()
        )
        if intervals:
            days.append(OpenDay(day, intervals))
    return days


class PaymentPlanner:
    """Decides who pays what, when, where and how; no database access."""

    def __init__(
        self,
        profile: Profile,
        days: Sequence[OpenDay],
        counters: Sequence[str],
        rng: random.Random,
    ) -> None:
        self.profile = profile
        self.days = days
        self.counters = counters
        self.rng = rng
        self._tender_kinds: Weighted[TenderKind] = Weighted(
            [(weight, kind) for kind, weight in profile.tender_weights]
        )
        self._products: dict[ServiceType, list[ProductSpec]] = {}
        for product in profile.products:
            self._products.setdefault(product.service, []).append(product)

    def _round_up(self, amount: int, unit: int) -> int:
        return -(-amount // unit) * unit

    def _tender(self, kind: TenderKind, amount_minor: int) -> PlannedTender:
        """A tender with the references the counter asks for (cheque, card, transfer)."""
        rng = self.rng
        if kind == TenderKind.CHEQUE:
            return PlannedTender(
                kind,
                amount_minor,
                cheque_number=f"{rng.randrange(10**7):07d}",
                bank=rng.choice(self.profile.banks),
            )
        if kind == TenderKind.CARD:
            return PlannedTender(
                kind, amount_minor, authorisation_code=f"{rng.randrange(10**6):06d}"
            )
        if kind == TenderKind.POSTAL_TRANSFER:
            reference = f"{self.profile.transfer_prefix}{rng.randrange(10**10):010d}"
            return PlannedTender(kind, amount_minor, transfer_reference=reference)
        return PlannedTender(kind, amount_minor)

    def _compose(self, due: int, topups: int) -> tuple[int | None, tuple[PlannedTender, ...], bool]:
        """How ``due`` (bills) and ``topups`` are paid: amount, tenders, keep change as credit.

        Mostly the whole balance in one tender, cash often rounded up to a
        banknote with change given; some pay part of it, some leave the change
        as credit, some split cash and card.
        """
        rng = self.rng
        cash_unit = self.profile.cash_unit_minor
        kind = self._tender_kinds.draw(rng.random())
        draw = rng.random() if due else 1.0
        if draw < PARTIAL_SHARE:
            unit = self.profile.partial_unit_minor
            amount = int(due * rng.uniform(0.3, 0.7)) // unit * unit
            if 0 < amount < due:
                return amount, (self._tender(kind, amount + topups),), False
        elif draw < PARTIAL_SHARE + CREDIT_SHARE:
            cash = self._round_up(due + topups, cash_unit) + cash_unit
            return None, (PlannedTender(TenderKind.CASH, cash),), True
        elif draw < PARTIAL_SHARE + CREDIT_SHARE + SPLIT_SHARE and due > 2 * cash_unit:
            cash = due // 2 // cash_unit * cash_unit
            card = self._tender(TenderKind.CARD, due + topups - cash)
            return None, (PlannedTender(TenderKind.CASH, cash), card), False
        total = due + topups
        if kind == TenderKind.CASH and rng.random() < CHANGE_SHARE:
            total = self._round_up(total, cash_unit)
        return None, (self._tender(kind, total),), False

    def _topups(self, candidate: Candidate) -> tuple[tuple[str, str], ...]:
        services = sorted(s for s in candidate.topup_targets if s in self._products)
        if not services:
            return ()
        service = self.rng.choice(services)
        product = self.rng.choice(self._products[service])
        return ((product.code, self.rng.choice(candidate.topup_targets[service])),)

    def plan(self, candidates: Sequence[Candidate], target: int) -> list[PlannedPayment]:
        """Payments for up to ``target`` candidates, in time order."""
        rng = self.rng
        face_values = {p.code: p.face_value_minor for p in self.profile.products}
        planned: list[PlannedPayment] = []
        for candidate in candidates:
            if len(planned) >= target:
                break
            bills = candidate.open_bills
            if not bills or not self.days:
                continue
            earliest = min(bill.issue for bill in bills)
            days = [d for d in self.days if d.day > earliest]
            if not days:
                continue
            day = rng.choice(days)
            selected = [bill for bill in bills if bill.issue < day.day]
            start, end = rng.choice(day.intervals)
            span = int((end - start).total_seconds()) - 600
            at = start + timedelta(seconds=300 + rng.randrange(max(span, 1)))

            topups: tuple[tuple[str, str], ...] = ()
            if rng.random() < TOPUP_ONLY_SHARE:
                topups = self._topups(candidate)
                if topups:
                    selected = []
            elif rng.random() < TOPUP_SHARE:
                topups = self._topups(candidate)
            topup_minor = sum(face_values[code] for code, _ in topups)
            # What the counter asks that day: a late fee is waived on a bill that
            # reached the subscriber late and is paid by delivery + N (app.billing).
            due = sum(
                bill.outstanding_minor
                - waivable_late_fee(
                    late_fee_minor=bill.late_fee_minor,
                    outstanding_minor=bill.outstanding_minor,
                    delivery_date=bill.delivery,
                    due_date=bill.due,
                    days=days_setting(None),
                    today=day.day,
                )
                for bill in selected
            )

            amount, tenders, keep_credit = self._compose(due, topup_minor)
            planned.append(
                PlannedPayment(
                    at=at,
                    day_opens=day.intervals[0][0],
                    day_closes=day.intervals[-1][1],
                    order=candidate.order,
                    workstation=rng.choice(self.counters),
                    account=candidate.account,
                    invoice_numbers=tuple(bill.number for bill in selected),
                    amount_minor=amount,
                    tenders=tenders,
                    topups=topups,
                    keep_change_as_credit=keep_credit,
                )
            )
        planned.sort(key=lambda p: (p.at, p.order))
        return planned


def take_past_payments(
    ctx: AppContext,
    clock: DemoClock,
    profile: Profile,
    agents: dict[str, Actor],
    planned: Sequence[PlannedPayment],
    *,
    seed: int,
    progress: Progress | None = None,
    day_closed: Callable[[date], None] | None = None,
    count_out: Callable[[str], None] | None = None,
) -> int:
    """Replay the planned payments day by day, each day in its own cash sessions;
    ``count_out(workstation)`` closes a till with its count (else it is closed
    uncounted), and ``day_closed(day)`` is called once a day's tills are closed.

    Lowest role: system (the demo builder; no actor).
    """
    cur = currency(profile.currency)
    taken = 0
    report_every = 100
    for day, group in groupby(
        planned, key=lambda p: p.at.astimezone(ZoneInfo(profile.timezone)).date()
    ):
        payments = list(group)
        stations = sorted({p.workstation for p in payments})
        clock.set(payments[0].day_opens - timedelta(minutes=15))
        for station in stations:
            open_cash_session(ctx, agents[station], station, profile.opening_float)
        for payment in payments:
            clock.set(payment.at)
            taken += 1
            request = PaymentRequest(
                idempotency_key=f"demo-{seed}-{taken}",
                account_number=payment.account,
                workstation=payment.workstation,
                tenders=tuple(
                    TenderInput(
                        tender.kind,
                        from_minor(tender.amount_minor, cur),
                        cheque_number=tender.cheque_number,
                        bank=tender.bank,
                        authorisation_code=tender.authorisation_code,
                        transfer_reference=tender.transfer_reference,
                    )
                    for tender in payment.tenders
                ),
                invoice_numbers=payment.invoice_numbers,
                amount=from_minor(payment.amount_minor, cur)
                if payment.amount_minor is not None
                else None,
                topups=tuple(TopUpInput(code, target) for code, target in payment.topups),
                keep_change_as_credit=payment.keep_change_as_credit,
            )
            take_payment(ctx, agents[payment.workstation], request)
            if progress is not None and taken % report_every == 0:
                progress(taken, len(planned))
        clock.set(max(payments[0].day_closes, payments[-1].at) + timedelta(minutes=10))
        for station in stations:
            if count_out is not None:
                count_out(station)
            else:
                close_cash_session(ctx, agents[station], station)
        if day_closed is not None:
            day_closed(day)
    if progress is not None:
        progress(taken, len(planned))
    return taken
