"""Generated months of counter activity, closed day by day, then by month and year.

Whatever the activity: every calendar day from the first one has exactly one
daily closing, dailies add up to their month and months to the year, the
perpetual totals are the running sums of the periods and never decrease, and
each payment belongs to its local day, or to the next when it was made after
its day closed. Algiers (Fridays closed, Saturdays open) and Paris (the clocks
go back on 25 October 2026, a 25-hour day).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.cash import close_cash_session, open_cash_session
from app.closing.closings import close_day, close_month, close_year
from app.closing.figures import Figures
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from db.models import Agency, Closing, ClosingKind, Payment, TenderKind
from tests.conftest import make_sqlite_database
from tests.factories import PASSWORD, WORKSTATION, FrozenClock, World, add_subscriber, build_world

FIRST = date(2026, 10, 20)
LAST = date(2026, 12, 31)
DAYS = (LAST - FIRST).days + 1
PLACES = {"dz": ("Africa/Algiers", 4), "fr": ("Europe/Paris", 6)}  # zone, weekday closed


@dataclass(frozen=True)
class Sale:
    minute: int  # local minute of the day
    cash: int  # whole units
    tender: TenderKind
    voided: bool  # voided a little later the same day


@dataclass(frozen=True)
class Day:
    sales: tuple[Sale, ...]
    late: bool  # a payment after the day's closing, the same evening
    close_it: bool  # closed on its own evening even when empty


sales = st.builds(
    Sale,
    minute=st.sampled_from([5, 30, 9 * 60, 12 * 60 + 30, 17 * 60, 23 * 60 + 30, 23 * 60 + 50]),
    cash=st.integers(min_value=1, max_value=900),
    tender=st.sampled_from([TenderKind.CASH, TenderKind.CARD]),
    voided=st.booleans(),
)
days = st.builds(
    Day,
    sales=st.lists(sales, max_size=2).map(tuple),
    late=st.booleans(),
    close_it=st.booleans(),
)


def _world(template: Path, directory: Path, timezone: str) -> World:
    world = build_world(make_sqlite_database(template, directory), directory / "keys")
    with world.db.write() as session:
        session.execute(update(Agency).values(timezone=timezone))
    for station in (WORKSTATION, "ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, station)
    add_subscriber(
        world.db,
        "1000000001",
        invoices=[(f"F{i}", 50000, date(2026, 1, 1) + timedelta(days=i)) for i in range(300)],
    )
    return world


class Replay:
    def __init__(self, world: World, zone: ZoneInfo) -> None:
        self.world, self.zone, self.keys = world, zone, 0
        clock = world.ctx.clock
        assert isinstance(clock, FrozenClock)
        self.clock = clock
        self.expected_day: dict[str, date] = {}

    def at(self, day: date, minute: int) -> None:
        local = datetime.combine(day, time(minute // 60, minute % 60), self.zone)
        self.clock.now = local.astimezone(UTC)

    def pay(self, sale: Sale, belongs_to: date) -> str:
        self.keys += 1
        request = PaymentRequest(
            f"k{self.keys}",
            "1000000001",
            WORKSTATION,
            (
                TenderInput(
                    sale.tender,
                    Decimal(sale.cash),
                    authorisation_code="A1" if sale.tender == TenderKind.CARD else None,
                ),
            ),
        )
        receipt = take_payment(self.world.ctx, self.world.agent, request).receipt_no
        self.expected_day[receipt] = belongs_to
        return receipt

    def void(self, receipt: str, belongs_to: date) -> None:
        self.keys += 1
        request = VoidRequest(f"v{self.keys}", receipt, WORKSTATION, "mistake", "karim", PASSWORD)
        done = void_payment(self.world.ctx, self.world.agent, request)
        self.expected_day[done.receipt_no] = belongs_to

    def till(self, day: date, minute: int, *, open_it: bool) -> None:
        self.at(day, minute)
        if open_it:
            open_cash_session(self.world.ctx, self.world.agent, WORKSTATION, Decimal("100"))
        else:
            close_cash_session(self.world.ctx, self.world.supervisor, WORKSTATION)

    def run(self, plan: list[Day], closed_weekday: int) -> None:
        ctx, supervisor = self.world.ctx, self.world.supervisor
        late_before = False  # a payment of the evening before belongs to this day
        for offset, spec in enumerate(plan):
            day = FIRST + timedelta(days=offset)
            sold = (
                []
                if day.weekday() == closed_weekday
                else sorted(spec.sales, key=lambda s: s.minute)
            )
            if sold:
                self.till(day, sold[0].minute - 1, open_it=True)
                for sale in sold:
                    self.at(day, sale.minute)
                    receipt = self.pay(sale, day)
                    if sale.voided:
                        self.at(day, sale.minute + 2)
                        self.void(receipt, day)
                self.till(day, 23 * 60 + 54, open_it=False)
            if sold or spec.close_it or late_before or day == LAST:
                self.at(day, 23 * 60 + 55)
                close_day(ctx, supervisor, "ALG01", day)
                late_before = False
                if spec.late and sold and day != LAST:
                    late_before = True
                    self.till(day, 23 * 60 + 56, open_it=True)
                    self.at(day, 23 * 60 + 57)
                    self.pay(Sale(57, 10, TenderKind.CASH, False), day + timedelta(days=1))
                    self.till(day, 23 * 60 + 58, open_it=False)
        self.at(LAST, 23 * 60 + 59)
        with self.world.db.read() as session:
            first = session.scalars(select(Closing.period_start).order_by(Closing.seq)).first()
        assert first is not None  # LAST at least is closed
        for month in range(first.month if first.year == LAST.year else 1, 13):
            close_month(ctx, supervisor, "ALG01", 2026, month)
        close_year(ctx, supervisor, "ALG01", 2026)


def _figures(closing: Closing) -> Figures:
    return Figures.of_closing(
        {
            "payments_count": closing.payments_count,
            "payments_minor": closing.payments_minor,
            "voids_count": closing.voids_count,
            "voids_minor": closing.voids_minor,
            "bills_minor": closing.bills_minor,
            "topups_minor": closing.topups_minor,
            "credit_minor": closing.credit_minor,
        },
        closing.breakdown,
    )


def _sum(closings: list[Closing]) -> Figures:
    total = Figures()
    for closing in closings:
        total.add(_figures(closing))
    return total


def _same(a: Figures, b: Figures) -> bool:
    return a.columns() == b.columns() and a.breakdown() == b.breakdown()


@settings(
    max_examples=8,
    deadline=None,
    # Each example replays ten weeks through the services: shrinking one would take minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(place=st.sampled_from(sorted(PLACES)), plan=st.lists(days, min_size=DAYS, max_size=DAYS))
def test_closings_of_generated_months_hold_together(
    sqlite_template: Path, place: str, plan: list[Day]
) -> None:
    timezone, closed_weekday = PLACES[place]
    with tempfile.TemporaryDirectory() as directory:
        world = _world(sqlite_template, Path(directory), timezone)
        replay = Replay(world, ZoneInfo(timezone))
        replay.run(plan, closed_weekday)
        with world.db.read() as session:
            closings = list(session.scalars(select(Closing).order_by(Closing.seq)))
            business = dict(session.execute(select(Payment.receipt_no, Payment.business_day)).all())
        dailies = [c for c in closings if c.kind == ClosingKind.DAILY]
        months = [c for c in closings if c.kind == ClosingKind.MONTHLY]
        (year,) = [c for c in closings if c.kind == ClosingKind.YEARLY]

        # every day has its closing, in order, from the first day with activity
        first = dailies[0].period_start
        assert [c.period_start for c in dailies] == [
            first + timedelta(days=n) for n in range((LAST - first).days + 1)
        ]
        assert all(c.payments_count == c.voids_count == 0 for c in dailies if c.automatic)
        # each payment in its day, or the next when made after its day closed
        assert business == replay.expected_day
        # dailies add up to their month, months to the year
        for month in months:
            days_of = [c for c in dailies if c.period_start.month == month.period_start.month]
            assert _same(_figures(month), _sum(days_of))
            assert month.perpetual_minor == days_of[-1].perpetual_minor
        assert _same(_figures(year), _sum(months))
        assert (year.perpetual_minor, year.perpetual_absolute_minor) == (
            dailies[-1].perpetual_minor,
            dailies[-1].perpetual_absolute_minor,
        )
        # perpetual totals: running sums that never decrease
        running = absolute = 0
        for closing in dailies:
            running += closing.period_minor
            absolute += closing.payments_minor + abs(closing.voids_minor)
            assert (closing.perpetual_minor, closing.perpetual_absolute_minor) == (
                running,
                absolute,
            )
        perpetual = [c.perpetual_minor for c in dailies]
        assert perpetual == sorted(perpetual)
        assert [c.perpetual_absolute_minor for c in dailies] == sorted(
            c.perpetual_absolute_minor for c in dailies
        )
        assert all(
            sum(_figures(c).tenders.values()) == c.period_minor for c in (*dailies, *months, year)
        )
        assert verify_database(world.db, world.ctx.signer.verifier).ok
        world.db.dispose()
