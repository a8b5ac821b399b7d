"""A year of bills per line: periods, dates, amounts and what has been paid.

The billing calendar is computed once per build (a few dozen periods); each
contract then only picks its periods and draws amounts and payment states, which
keeps the per-invoice cost to a handful of random draws and two f-strings.

State as of the build date, the way the billing system would export it:

- bills not yet due are mostly open (a few already paid online);
- bills due in the last two months are mostly paid, some unpaid with a late
  fee, some part-paid;
- older bills are nearly all paid, at the post office or online: ``paid_minor``
  covers them without any counter payment in this database;
- a suspended line has its last one to three overdue bills unpaid, with a late
  fee, and was suspended two to four weeks after the first of them fell due.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.demo.profiles import OfferSpec, Profile
from db.models import InvoiceStatus

OPEN = InvoiceStatus.OPEN.value
PARTLY_PAID = InvoiceStatus.PARTLY_PAID.value
PAID = InvoiceStatus.PAID.value

# Subscribers are spread over billing cycles (bills issued 1 to 15 days after
# the period ends), so that due dates, and the queues they bring, spread too.
CYCLES = 8
GRACE_DAYS = 15  # no late fee in the first two weeks after the due date
RECENT_DAYS = 60
LATE_DELIVERY_SHARE = 0.05
ON_TIME = 1 - LATE_DELIVERY_SHARE

_SUMMER = {6: 1.6, 7: 1.9, 8: 1.9, 9: 1.4}
_WINTER = {12: 2.0, 1: 2.4, 2: 2.2, 3: 1.5, 6: 0.45, 7: 0.35, 8: 0.35, 9: 0.5}

# Invoice row columns, in the order of the tuples built below.
INVOICE_COLUMNS = (
    "id",
    "number",
    "contract_id",
    "subscriber_id",
    "period_start",
    "period_end",
    "issue_date",
    "delivery_date",
    "due_date",
    "amount_minor",
    "late_fee_minor",
    "paid_minor",
    "paid_elsewhere_minor",  # the billing system's own record: no counter paid these
    "status",
    "barcode",
)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    start_iso: str
    end_iso: str
    issue: date
    issue_iso: str
    due: date
    due_iso: str
    number_prefix: str  # "F" + the year of issue
    # Delivery dates to draw from: on time, and less than 10 days before the due
    # date (``Invoice.delivered_late``). None: not delivered yet on the build date.
    on_time: tuple[str | None, ...]
    late: tuple[str | None, ...]
    summer: float
    winter: float
    # Where the due date stands on the build date, which decides how likely the
    # bill is paid: NOT_DUE, RECENT (due in the last two months) or OLD.
    age: int
    past_grace: bool  # due more than GRACE_DAYS ago: a late fee applies if unpaid


NOT_DUE, RECENT, OLD = 0, 1, 2


@dataclass(frozen=True, slots=True)
class OpenBill:
    """An unpaid bill of a subscriber picked for a past counter payment."""

    number: str
    issue: date
    due: date
    outstanding_minor: int
    late_fee_minor: int = 0
    delivery: date | None = None  # None: not known to have reached the subscriber


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def _season(factors: dict[int, float], start: date, months: int) -> float:
    total = 0.0
    for offset in range(months):
        month = (start.month - 1 + offset) % 12 + 1
        total += factors.get(month, 1.0)
    return total / months


def _iso_or_none(day: date, today: date) -> str | None:
    return day.isoformat() if day <= today else None


def billing_calendar(profile: Profile, today: date, rng: random.Random) -> list[list[Period]]:
    """For each billing cycle, the periods whose bill is issued by ``today``, oldest first.

    A year of them: 12 monthly or 6 bimonthly periods.
    """
    months = profile.billing_months
    count = 12 // months
    cycles = []
    for cycle in range(CYCLES):
        issue_delay = 1 + 2 * cycle
        due_days = rng.randint(*profile.due_days)
        # Walk back from the period that contains today, aligned so that
        # bimonthly periods are January-February, March-April...
        first_month = today.month - (today.month - 1) % months
        start = date(today.year, first_month, 1)
        periods: list[Period] = []
        while len(periods) < count:
            end = _month_start(start.year, start.month + months) - timedelta(days=1)
            issue = end + timedelta(days=issue_delay)
            if issue <= today:
                due = issue + timedelta(days=due_days)
                periods.append(
                    Period(
                        start=start,
                        end=end,
                        start_iso=start.isoformat(),
                        end_iso=end.isoformat(),
                        issue=issue,
                        issue_iso=issue.isoformat(),
                        due=due,
                        due_iso=due.isoformat(),
                        number_prefix=f"F{issue.year}",
                        on_time=tuple(
                            _iso_or_none(issue + timedelta(days=d), today) for d in range(2, 7)
                        ),
                        late=tuple(
                            _iso_or_none(due - timedelta(days=d), today) for d in range(2, 10)
                        ),
                        summer=_season(_SUMMER, start, months),
                        winter=_season(_WINTER, start, months),
                        age=NOT_DUE
                        if due >= today
                        else RECENT
                        if due >= today - timedelta(days=RECENT_DAYS)
                        else OLD,
                        past_grace=due < today - timedelta(days=GRACE_DAYS),
                    )
                )
            start = _month_start(start.year, start.month - months)
        periods.reverse()
        cycles.append(periods)
    return cycles


class InvoiceMaker:
    """Draws the invoices of one contract; numbers and ids run on across the build."""

    def __init__(self, profile: Profile, today: date, rng: random.Random) -> None:
        self.profile = profile
        self.today = today
        self.calendar = billing_calendar(profile, today, rng)
        self._random = rng.random
        self._next_id = 1
        self._overdue_limit = today - timedelta(days=GRACE_DAYS)

    @property
    def count(self) -> int:
        return self._next_id - 1

    def late_fee(self, amount: int) -> int:
        return max(self.profile.late_fee_min_minor, amount * self.profile.late_fee_percent // 100)

    def amount(self, offer: OfferSpec, period: Period) -> int:
        random_ = self._random
        months = self.profile.billing_months
        amount = offer.monthly_fee_minor * months
        if offer.units_per_month:
            season = period.summer if offer.season == "summer" else period.winter
            units = int(offer.units_per_month * months * season * (0.45 + random_()))
            amount += units * offer.unit_price_minor
        if offer.usage_max_minor and random_() < offer.usage_share:
            amount += int(random_() * offer.usage_max_minor)
        if offer.tax_percent:
            amount = amount * (100 + offer.tax_percent) // 100
        return amount

    def _part(self, total: int) -> int:
        unit = self.profile.partial_unit_minor
        paid = int(total * (0.2 + 0.6 * self._random())) // unit * unit
        if not 0 < paid < total:
            paid = total // 2
        return paid

    def contract_invoices(
        self,
        out: list[tuple[object, ...]],
        *,
        contract_id: int,
        subscriber_id: int,
        account: str,
        offer: OfferSpec,
        cycle: int,
        activated: date,
        terminated: date | None,
        suspended: bool,
        capture: list[OpenBill] | None,
    ) -> date | None:
        """Append the contract's invoice rows to ``out``.

        For a suspended contract, returns the suspension date, or None when the
        line has no bill old enough to have been suspended for: its bills are
        then drawn as an active line's, and the caller keeps it active.

        This loop runs for every one of tens of millions of bills: it keeps to
        local names and precomputed period facts on purpose.
        """
        random_ = self._random
        periods = [
            p
            for p in self.calendar[cycle]
            if p.end >= activated and (terminated is None or p.start <= terminated)
        ]
        first_unpaid = len(periods)
        suspended_on = None
        if suspended:
            overdue = [i for i, p in enumerate(periods) if p.past_grace]
            if overdue:
                first_unpaid = overdue[-min(len(overdue), 1 + int(random_() * 3))]
                due = periods[first_unpaid].due
                suspended_on = min(due + timedelta(days=15 + int(random_() * 15)), self.today)
        variable = bool(offer.units_per_month or offer.usage_max_minor)
        flat_amount = 0 if variable else self.amount(offer, periods[0]) if periods else 0
        fee_percent = self.profile.late_fee_percent
        fee_min = self.profile.late_fee_min_minor
        closed = terminated is not None
        next_id = self._next_id
        for index, period in enumerate(periods):
            amount = self.amount(offer, period) if variable else flat_amount
            fee = 0
            if index >= first_unpaid:
                status = OPEN
                if period.past_grace:
                    fee = max(fee_min, amount * fee_percent // 100)
                    if random_() < 0.3:
                        status = PARTLY_PAID
            elif closed:
                status = PAID
            else:
                draw = random_()
                age = period.age
                if age == NOT_DUE:
                    status = OPEN if draw < 0.85 else PAID if draw < 0.95 else PARTLY_PAID
                elif age == RECENT:
                    status = PAID if draw < 0.75 else OPEN if draw < 0.9 else PARTLY_PAID
                else:
                    status = PAID if draw < 0.97 else PARTLY_PAID if draw < 0.985 else OPEN
                    if draw < 0.05:  # paid, but late
                        fee = max(fee_min, amount * fee_percent // 100)
                if status != PAID and period.past_grace:
                    fee = max(fee_min, amount * fee_percent // 100)
            total = amount + fee
            if status == PAID:
                paid = total
            elif status == OPEN:
                paid = 0
            else:
                paid = self._part(total)
            # One draw decides whether the bill came late and which day.
            draw = random_()
            if draw < LATE_DELIVERY_SHARE:
                late = period.late
                delivery = late[int(draw / LATE_DELIVERY_SHARE * len(late))]
            else:
                on_time = period.on_time
                delivery = on_time[int((draw - LATE_DELIVERY_SHARE) * len(on_time) / ON_TIME)]
            number = f"{period.number_prefix}{next_id:09d}"
            out.append(
                (
                    next_id,
                    number,
                    contract_id,
                    subscriber_id,
                    period.start_iso,
                    period.end_iso,
                    period.issue_iso,
                    delivery,
                    period.due_iso,
                    amount,
                    fee,
                    paid,
                    paid,
                    status,
                    # Digits only, as printed under the bill's barcode; unique
                    # through the invoice counter.
                    f"{account}{next_id:09d}{amount:010d}",
                )
            )
            next_id += 1
            if capture is not None and status != PAID:
                capture.append(
                    OpenBill(
                        number,
                        period.issue,
                        period.due,
                        total - paid,
                        fee,
                        date.fromisoformat(delivery) if delivery else None,
                    )
                )
        self._next_id = next_id
        return suspended_on
