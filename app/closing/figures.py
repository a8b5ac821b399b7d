"""The figures a closing freezes, added up one way for the closing and for `verify`.

A payment counts for its business day (``payments.business_day``, or its local
date for payments made before closings existed). Its takings are what stayed
in the drawer or on the terminal: tendered less change. Voids carry the
opposite amounts, so they count against the day they are made in, not the day
of the payment they reverse. Per tender, cash is net of the change handed back,
so the tenders add up to the period total; so do bills + top-ups + credit.

The service (one day of one agency, in SQL with the day's instant bounds) and
`verify` (every day of every agency at once) feed the same :class:`Figures`,
so they cannot disagree on what a figure means.

Compensations the charter gave (credits on accounts, waivers on bills) are money
but not takings: they are counted apart, per kind (count and amount), in the
breakdown of the closing of the business day their entry names, and only when
there are some, so the breakdown of a day without any is what it always was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select

from app.closing.days import day_bounds
from app.integrity.canonical import canonical_bytes
from db.models import Compensation, Payment, PaymentKind, Tender, TenderKind, Workstation

_PAYMENTS = cast(Table, Payment.__table__)
_COMPENSATIONS = cast(Table, Compensation.__table__)
_WORKSTATIONS = cast(Table, Workstation.__table__)
_TENDERS = cast(Table, Tender.__table__)
CASH = str(TenderKind.CASH)


@dataclass
class TillFigures:
    workstation: str
    till: int | None  # the cash session's id
    payments: int = 0
    voids: int = 0
    total: int = 0

    def record(self) -> dict[str, Any]:
        return {
            "workstation": self.workstation,
            "till": self.till,
            "payments": self.payments,
            "voids": self.voids,
            "total": self.total,
        }


@dataclass
class Figures:
    """Counts and totals (minor units) of a period."""

    payments_count: int = 0
    payments_minor: int = 0
    voids_count: int = 0
    voids_minor: int = 0
    bills_minor: int = 0
    topups_minor: int = 0
    credit_minor: int = 0
    tenders: dict[str, int] = field(default_factory=dict)
    tills: dict[tuple[str, int], TillFigures] = field(default_factory=dict)
    # Compensations of the period apart from the tenders: kind -> [count, amount].
    compensations: dict[str, list[int]] = field(default_factory=dict)

    @property
    def period_minor(self) -> int:
        return self.payments_minor + self.voids_minor

    @property
    def active(self) -> bool:
        """Anything recorded in the period, payment or void."""
        return bool(self.payments_count or self.voids_count)

    def add_payments(
        self,
        *,
        kind: str,
        workstation: str,
        till: int | None,
        count: int,
        tendered: int,
        change: int,
        allocated: int,
        topups: int,
        credit: int,
    ) -> None:
        """Add a group of ledger rows of one kind, counter and till."""
        takings = tendered - change
        if kind == PaymentKind.VOID:
            self.voids_count += count
            self.voids_minor += takings
        else:
            self.payments_count += count
            self.payments_minor += takings
        self.bills_minor += allocated
        self.topups_minor += topups
        self.credit_minor += credit
        self.tenders[CASH] = self.tenders.get(CASH, 0) - change  # change leaves the drawer
        key = (workstation, till if till is not None else 0)
        line = self.tills.setdefault(key, TillFigures(workstation, till))
        if kind == PaymentKind.VOID:
            line.voids += count
        else:
            line.payments += count
        line.total += takings

    def add_tender(self, kind: str, amount: int) -> None:
        self.tenders[kind] = self.tenders.get(kind, 0) + amount

    def add_compensations(self, kind: str, count: int, amount: int) -> None:
        """Add compensation entries of one kind (credit or waiver)."""
        line = self.compensations.setdefault(kind, [0, 0])
        line[0] += count
        line[1] += amount

    @property
    def compensations_count(self) -> int:
        return sum(line[0] for line in self.compensations.values())

    @property
    def compensations_minor(self) -> int:
        return sum(line[1] for line in self.compensations.values())

    def add(self, other: Figures) -> None:
        """Add another period's figures (a month from its days, a year from its months)."""
        self.payments_count += other.payments_count
        self.payments_minor += other.payments_minor
        self.voids_count += other.voids_count
        self.voids_minor += other.voids_minor
        self.bills_minor += other.bills_minor
        self.topups_minor += other.topups_minor
        self.credit_minor += other.credit_minor
        for kind, amount in other.tenders.items():
            self.add_tender(kind, amount)
        for key, line in other.tills.items():
            mine = self.tills.setdefault(key, TillFigures(line.workstation, line.till))
            mine.payments += line.payments
            mine.voids += line.voids
            mine.total += line.total
        for kind, (count, amount) in other.compensations.items():
            self.add_compensations(kind, count, amount)

    def breakdown(self) -> dict[str, Any]:
        """Per tender and per till, as signed and stored (zero tenders left out), and
        the compensations when there are some."""
        parts: dict[str, Any] = {
            "tenders": {kind: amount for kind, amount in sorted(self.tenders.items()) if amount},
            "tills": [line.record() for _key, line in sorted(self.tills.items())],
        }
        compensations = {
            kind: {"count": count, "amount": amount}
            for kind, (count, amount) in sorted(self.compensations.items())
            if count or amount
        }
        if compensations:
            parts["compensations"] = compensations
        return parts

    def breakdown_text(self) -> str:
        return canonical_bytes(self.breakdown()).decode("utf-8")

    @classmethod
    def of_closing(cls, columns: dict[str, int], breakdown: str) -> Figures:
        """The figures a stored closing holds (``columns``: its *_count and *_minor values)."""
        figures = cls()
        for name in FIGURE_COLUMNS:
            setattr(figures, name, int(columns[name]))
        try:
            parts = json.loads(breakdown)
        except ValueError:
            parts = {}  # not JSON: its signature fails, and is named there
        for kind, amount in dict(parts.get("tenders") or {}).items():
            figures.add_tender(str(kind), int(amount))
        for line in parts.get("tills") or []:
            till = TillFigures(
                str(line.get("workstation")),
                line.get("till"),
                int(line.get("payments", 0)),
                int(line.get("voids", 0)),
                int(line.get("total", 0)),
            )
            figures.tills[(till.workstation, till.till or 0)] = till
        for kind, line in dict(parts.get("compensations") or {}).items():
            if isinstance(line, dict):
                figures.add_compensations(
                    str(kind), int(line.get("count", 0)), int(line.get("amount", 0))
                )
        return figures

    def columns(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURE_COLUMNS}


FIGURE_COLUMNS = (
    "payments_count",
    "payments_minor",
    "voids_count",
    "voids_minor",
    "bills_minor",
    "topups_minor",
    "credit_minor",
)


def of_business_day(day: date, zone: ZoneInfo) -> ColumnElement[bool]:
    """Payments of business day ``day``; the outer instant bounds let the created_at
    index find them (a payment belongs to its local date or, when that day was
    already closed, to the next: never more than a day after its local date)."""
    p = _PAYMENTS.c
    start, end = day_bounds(day, zone)
    return and_(
        p.created_at >= start - timedelta(days=2),
        p.created_at < end + timedelta(days=1),
        or_(
            p.business_day == day,
            and_(p.business_day.is_(None), p.created_at >= start, p.created_at < end),
        ),
    )


def day_figures(
    connection: Connection, stations: dict[int, str], day: date, zone: ZoneInfo
) -> Figures:
    """The figures of business day ``day`` at the workstations ``stations`` (id -> ref)."""
    figures = Figures()
    if not stations:
        return figures
    p = _PAYMENTS.c
    where = and_(p.workstation_id.in_(sorted(stations)), of_business_day(day, zone))
    groups = (
        select(
            p.workstation_id,
            p.cash_session_id,
            p.kind,
            func.count(),
            func.sum(p.tendered_minor),
            func.sum(p.change_minor),
            func.sum(p.allocated_minor),
            func.sum(p.topups_minor),
            func.sum(p.credit_added_minor - p.credit_used_minor),
        )
        .where(where)
        .group_by(p.workstation_id, p.cash_session_id, p.kind)
    )
    for (
        station,
        till,
        kind,
        count,
        tendered,
        change,
        allocated,
        topups,
        credit,
    ) in connection.execute(groups):
        figures.add_payments(
            kind=str(kind),
            workstation=stations[station],
            till=till,
            count=int(count),
            tendered=int(tendered),
            change=int(change),
            allocated=int(allocated),
            topups=int(topups),
            credit=int(credit),
        )
    _add_compensations(connection, figures, sorted(stations), day)
    if not figures.active:
        return figures
    t = _TENDERS.c
    tenders = (
        select(t.kind, func.sum(t.amount_minor))
        .select_from(_TENDERS.join(_PAYMENTS, p.id == t.payment_id))
        .where(where)
        .group_by(t.kind)
    )
    for kind, amount in connection.execute(tenders):
        figures.add_tender(str(kind), int(amount))
    return figures


def _add_compensations(
    connection: Connection, figures: Figures, station_ids: list[int], day: date
) -> None:
    """The compensations of business day ``day`` of the agency these workstations are in."""
    c = _COMPENSATIONS.c
    agencies = select(_WORKSTATIONS.c.agency_id).where(_WORKSTATIONS.c.id.in_(station_ids))
    groups = (
        select(c.kind, func.count(), func.sum(c.amount_minor))
        .where(c.agency_id.in_(agencies), c.business_day == day)
        .group_by(c.kind)
    )
    for kind, count, amount in connection.execute(groups):
        figures.add_compensations(str(kind), int(count), int(amount or 0))
