"""What `verify` checks of the closings beyond their signatures.

A signed closing cannot be edited unnoticed, but the ledger it summed can move
under it (a payment's amount changed, a payment added to a closed day): every
daily closing is recomputed from the ledger, with the same arithmetic the
closing used (:class:`app.closing.figures.Figures`), and any disagreement is
named. The closings must also hold together: each agency's days follow each
other without a gap, each perpetual total is the previous one plus the period,
a month is the sum of its days and a year the sum of its months.

The ledger is added up in SQL, grouped by agency, business day, counter, till
and kind, so only a few rows per day come back to Python; payments made before
closings existed have no stored business day and are placed by their local date
(only those from the first closed day on are read).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, literal, select

from app.closing.days import ONE_DAY, day_bounds
from app.closing.figures import FIGURE_COLUMNS, Figures
from app.i18n import N_, gettext
from app.integrity.crosschecks import Reporter
from app.integrity.streams import closing_label, stream
from app.money import currency, from_minor
from app.workstations import workstation_ref
from db.models import (
    Agency,
    Closing,
    ClosingKind,
    Compensation,
    OperatorSettings,
    Payment,
    Tender,
    Workstation,
)

CLOSINGS = N_("closings recomputed from the ledger")

# How a figure is named when it disagrees.
_FIGURE_NAMES = {
    "payments_count": N_("payments"),
    "payments_minor": N_("payments total"),
    "voids_count": N_("voids"),
    "voids_minor": N_("voids total"),
    "bills_minor": N_("bills"),
    "topups_minor": N_("top-ups"),
    "credit_minor": N_("credit"),
    "tenders": N_("per tender"),
    "tills": N_("per till"),
    "compensations": N_("compensations"),
}


@dataclass
class _Stored:
    agency_id: int
    agency: str
    kind: str
    start: date
    end: date
    period: int
    perpetual: int
    perpetual_absolute: int
    figures: Figures

    @property
    def chain(self) -> str:
        return Closing.chain_name_of(self.agency)

    @property
    def label(self) -> str:
        return closing_label(self.kind, self.start.isoformat())


def _stored(connection: Connection) -> list[_Stored]:
    c = Closing.__table__.c
    agency = Agency.__table__.c
    statement = (
        select(
            c.agency_id,
            agency.code,
            c.kind,
            c.period_start,
            c.period_end,
            c.period_minor,
            c.perpetual_minor,
            c.perpetual_absolute_minor,
            c.breakdown,
            *(c[name] for name in FIGURE_COLUMNS),
        )
        .select_from(Closing.__table__.outerjoin(Agency.__table__, agency.id == c.agency_id))
        .order_by(c.agency_id, c.kind, c.period_start)
    )
    found = []
    for row in stream(connection, statement):
        columns = dict(zip(FIGURE_COLUMNS, row[9:], strict=True))
        found.append(
            _Stored(
                row[0],
                row[1] or f"#{row[0]}",
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                Figures.of_closing(columns, row[8]),
            )
        )
    return found


def _zones(connection: Connection) -> tuple[dict[int, ZoneInfo], dict[int, tuple[int, str]]]:
    """Each agency's zone, and each workstation's (agency id, AGENCY-WS)."""
    operator = connection.scalar(select(OperatorSettings.__table__.c.timezone).limit(1)) or "UTC"
    agency = Agency.__table__.c
    zones = {
        agency_id: ZoneInfo(timezone or operator)
        for agency_id, timezone in connection.execute(select(agency.id, agency.timezone))
    }
    station = Workstation.__table__.c
    stations = {
        station_id: (agency_id, workstation_ref(code_a, code))
        for station_id, agency_id, code, code_a in connection.execute(
            select(station.id, station.agency_id, station.code, agency.code).join(
                Agency.__table__, agency.id == station.agency_id
            )
        )
    }
    return zones, stations


def _ledger(
    connection: Connection,
    zones: dict[int, ZoneInfo],
    stations: dict[int, tuple[int, str]],
    since: datetime,
) -> dict[tuple[int, date], Figures]:
    """Every (agency, business day)'s figures, from the ledger."""
    p = Payment.__table__.c
    t = Tender.__table__.c
    figures: dict[tuple[int, date], Figures] = defaultdict(Figures)
    amounts = (
        func.count(),
        func.sum(p.tendered_minor),
        func.sum(p.change_minor),
        func.sum(p.allocated_minor),
        func.sum(p.topups_minor),
        func.sum(p.credit_added_minor - p.credit_used_minor),
    )

    def add(agency_day: tuple[int, date], station: str, till: Any, kind: Any, row: Any) -> None:
        count, tendered, change, allocated, topups, credit = (int(v or 0) for v in row)
        figures[agency_day].add_payments(
            kind=str(kind),
            workstation=station,
            till=till,
            count=count,
            tendered=tendered,
            change=change,
            allocated=allocated,
            topups=topups,
            credit=credit,
        )

    keys = (p.business_day, p.workstation_id, p.cash_session_id, p.kind)
    stated = select(*keys, *amounts).where(p.business_day.is_not(None)).group_by(*keys)
    for day, station, till, kind, *row in stream(connection, stated):
        agency_id, ref = stations.get(station, (-1, f"#{station}"))
        add((agency_id, day), ref, till, kind, row)
    by_tender = (
        select(p.business_day, p.workstation_id, t.kind, func.sum(t.amount_minor))
        .select_from(Tender.__table__.join(Payment.__table__, p.id == t.payment_id))
        .where(p.business_day.is_not(None))
        .group_by(p.business_day, p.workstation_id, t.kind)
    )
    for day, station, kind, amount in stream(connection, by_tender):
        agency_id = stations.get(station, (-1, ""))[0]
        figures[(agency_id, day)].add_tender(str(kind), int(amount or 0))

    # Payments from before closings existed: their day is their local date.
    placed: dict[int, tuple[int, date]] = {}
    legacy = select(
        p.id,
        p.created_at,
        p.workstation_id,
        p.cash_session_id,
        p.kind,
        literal(1),
        p.tendered_minor,
        p.change_minor,
        p.allocated_minor,
        p.topups_minor,
        p.credit_added_minor - p.credit_used_minor,
    ).where(p.business_day.is_(None), p.created_at >= since)
    for payment_id, created_at, station, till, kind, *row in stream(connection, legacy):
        agency_id, ref = stations.get(station, (-1, f"#{station}"))
        zone = zones.get(agency_id, ZoneInfo("UTC"))
        placed[payment_id] = (agency_id, created_at.astimezone(zone).date())
        add(placed[payment_id], ref, till, kind, row)
    if placed:
        legacy_tenders = (
            select(t.payment_id, t.kind, t.amount_minor)
            .select_from(Tender.__table__.join(Payment.__table__, p.id == t.payment_id))
            .where(p.business_day.is_(None), p.created_at >= since)
        )
        for payment_id, kind, amount in stream(connection, legacy_tenders):
            figures[placed[payment_id]].add_tender(str(kind), int(amount))
    # The charter's compensations, apart from the takings, by the day their entry names.
    c = Compensation.__table__.c
    compensations = (
        select(c.agency_id, c.business_day, c.kind, func.count(), func.sum(c.amount_minor))
        .where(c.agency_id.is_not(None), c.business_day.is_not(None))
        .group_by(c.agency_id, c.business_day, c.kind)
    )
    for agency_id, day, kind, count, amount in stream(connection, compensations):
        figures[(agency_id, day)].add_compensations(str(kind), int(count), int(amount or 0))
    return figures


def _differences(stored: Figures, ledger: Figures, money: Callable[[int], str] = str) -> list[str]:
    """Each figure that differs, named, with the stored and the ledger's values."""
    names = [name for name in FIGURE_COLUMNS if getattr(stored, name) != getattr(ledger, name)]
    mine, theirs = stored.breakdown(), ledger.breakdown()
    names += [
        name for name in ("tenders", "tills", "compensations") if mine.get(name) != theirs.get(name)
    ]
    said = []
    for name in names:
        if name not in FIGURE_COLUMNS:
            said.append(gettext(_FIGURE_NAMES[name]))
            continue
        show = money if name.endswith("_minor") else str
        said.append(
            gettext(N_("{figure} {stored} (ledger {ledger})")).format(
                figure=gettext(_FIGURE_NAMES[name]),
                stored=show(getattr(stored, name)),
                ledger=show(getattr(ledger, name)),
            )
        )
    return said


def _money(connection: Connection) -> Callable[[int], str]:
    code = connection.scalar(select(OperatorSettings.__table__.c.currency).limit(1))
    try:
        cur = currency(code or "")
    except Exception:  # an unknown currency code must not stop verify
        return str
    return lambda minor: f"{from_minor(int(minor), cur)} {cur.code}"


def check_closings(connection: Connection, report: Reporter) -> None:
    """Every daily closing against the ledger, and the closings against each other."""
    closings = _stored(connection)
    report.count(CLOSINGS, len(closings))
    if not closings:
        return
    zones, stations = _zones(connection)
    money = _money(connection)
    dailies = [c for c in closings if c.kind == ClosingKind.DAILY]
    since = min(
        (day_bounds(c.start, zones.get(c.agency_id, ZoneInfo("UTC")))[0] for c in dailies),
        default=None,
    )
    ledger = _ledger(connection, zones, stations, since - ONE_DAY) if since else {}
    for closing in dailies:
        recomputed = ledger.get((closing.agency_id, closing.start), Figures())
        wrong = _differences(closing.figures, recomputed, money)
        if wrong:
            report.problem(
                closing.chain,
                closing.label,
                N_(
                    "its figures no longer match the ledger: {figures} (a payment of that day "
                    "changed, added or removed?)"
                ),
                figures="; ".join(wrong),
            )
    for agency_closings in _by_agency(closings):
        _check_sequence(agency_closings, report)


def _by_agency(closings: list[_Stored]) -> Iterator[list[_Stored]]:
    grouped: dict[int, list[_Stored]] = defaultdict(list)
    for closing in closings:
        grouped[closing.agency_id].append(closing)
    return iter(grouped.values())


def _check_sequence(closings: list[_Stored], report: Reporter) -> None:
    """Days without a gap, perpetual totals that follow, periods that add up."""
    dailies = sorted((c for c in closings if c.kind == ClosingKind.DAILY), key=lambda c: c.start)
    perpetual = (0, 0)
    previous: _Stored | None = None
    for closing in dailies:
        if previous is not None and closing.start != previous.start + ONE_DAY:
            report.problem(
                closing.chain,
                closing.label,
                N_("the day before it, {day}, has no closing (deleted?)"),
                day=(closing.start - ONE_DAY).isoformat(),
            )
        figures = closing.figures
        perpetual = (
            perpetual[0] + figures.period_minor,
            perpetual[1] + figures.payments_minor + abs(figures.voids_minor),
        )
        if (closing.perpetual, closing.perpetual_absolute) != perpetual:
            report.problem(
                closing.chain,
                closing.label,
                N_(
                    "its perpetual totals ({total}, {absolute}) are not the previous ones plus "
                    "the day ({expected_total}, {expected_absolute})"
                ),
                total=closing.perpetual,
                absolute=closing.perpetual_absolute,
                expected_total=perpetual[0],
                expected_absolute=perpetual[1],
            )
            perpetual = (closing.perpetual, closing.perpetual_absolute)
        previous = closing
    by_start = {(c.kind, c.start): c for c in closings}
    for closing in closings:
        part_kind = {
            ClosingKind.MONTHLY: ClosingKind.DAILY,
            ClosingKind.YEARLY: ClosingKind.MONTHLY,
        }
        if closing.kind not in part_kind:
            continue
        parts = [
            c
            for (kind, start), c in sorted(by_start.items(), key=lambda item: item[0][1])
            if kind == part_kind[closing.kind] and closing.start <= start <= closing.end
        ]
        total = Figures()
        for part in parts:
            total.add(part.figures)
        last = parts[-1] if parts else None
        if (
            _differences(closing.figures, total)
            or last is None
            or (closing.perpetual, closing.perpetual_absolute)
            != (last.perpetual, last.perpetual_absolute)
        ):
            report.problem(
                closing.chain,
                closing.label,
                N_("its figures are not the sum of the closings of its days or months"),
            )
