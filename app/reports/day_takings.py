"""Today's takings at an agency, as a supervisor watches them during the day.

Everything is read from the ledger: voids count against the tender kinds of
the payments they reverse (their amounts are negative), so the totals are what
is really in the drawers and on the card terminal. Cash is counted net of the
change given back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import Actor, require_role
from app.money import currency, from_minor
from app.workstations import operator_settings
from db.engine import Database
from db.models import Agency, Payment, PaymentKind, Role, TenderKind, Workstation


@dataclass(frozen=True)
class WorkstationTakings:
    workstation: str
    payments: int
    voids: int
    by_tender: dict[str, Decimal]  # tender kind -> net amount

    @property
    def total(self) -> Decimal:
        return sum(self.by_tender.values(), Decimal(0))


@dataclass(frozen=True)
class DayTakings:
    agency: str
    day: date
    currency: str
    workstations: tuple[WorkstationTakings, ...]

    @property
    def payments(self) -> int:
        return sum(w.payments for w in self.workstations)

    @property
    def voids(self) -> int:
        return sum(w.voids for w in self.workstations)

    def by_tender(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for station in self.workstations:
            for kind, amount in station.by_tender.items():
                totals[kind] += amount
        return dict(totals)

    @property
    def total(self) -> Decimal:
        return sum(self.by_tender().values(), Decimal(0))


def _utc_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The agency's local day as an instant range (Saturday openings included)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def day_takings(db: Database, actor: Actor, agency_code: str, *, now: datetime) -> DayTakings:
    """Takings of the agency's local day that contains ``now``; supervisors only.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with db.read() as session:
        cur = currency(operator_settings(session).currency)
        agency = session.scalars(select(Agency).where(Agency.code == agency_code)).one()
        day = now.astimezone(ZoneInfo(agency.timezone)).date()
        start, end = _utc_bounds(day, agency.timezone)
        stations = session.scalars(
            select(Workstation).where(Workstation.agency_id == agency.id).order_by(Workstation.code)
        ).all()
        payments = session.scalars(
            select(Payment)
            .where(
                Payment.workstation_id.in_([s.id for s in stations]),
                Payment.created_at >= start,
                Payment.created_at < end,
            )
            .options(selectinload(Payment.tenders))
        ).all()
        per_station: dict[int, list[Payment]] = defaultdict(list)
        for payment in payments:
            per_station[payment.workstation_id].append(payment)
        rows = []
        for station in stations:
            minor: dict[str, int] = defaultdict(int)
            for payment in per_station[station.id]:
                for tender in payment.tenders:
                    minor[str(tender.kind)] += tender.amount_minor
                minor[str(TenderKind.CASH)] -= payment.change_minor  # change leaves the drawer
            taken = per_station[station.id]
            rows.append(
                WorkstationTakings(
                    workstation=f"{agency.code}-{station.code}",
                    payments=sum(p.kind == PaymentKind.PAYMENT for p in taken),
                    voids=sum(p.kind == PaymentKind.VOID for p in taken),
                    by_tender={k: from_minor(v, cur) for k, v in minor.items() if v},
                )
            )
        return DayTakings(agency.code, day, cur.code, tuple(rows))
