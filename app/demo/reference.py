"""The operator, its agencies and calendars, workstations, offers and prepaid products.

A few hundred rows: written with the ORM, in the transaction that first checks
the database is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.charter.calendar_store import package_holidays
from app.config import data_dir
from app.demo.history import HISTORY_DAYS
from app.demo.logo import demo_logo
from app.demo.profiles import Profile
from app.errors import ConflictError
from app.i18n import N_
from app.workstations import workstation_ref
from db.models import (
    Agency,
    AgencyDayException,
    HolidayDecision,
    Offer,
    OpeningHours,
    OperatorSettings,
    PrepaidProduct,
    ReceiptSeries,
    Subscriber,
    Workstation,
    WorkstationKind,
)

# Public holidays are not written: the calendars take them live from the holidays
# package (app.charter.calendar_store). The demo still needs them around the build
# date: the payment history skips them and the exceptional days avoid them.
HOLIDAYS_BEFORE = timedelta(days=45)
HOLIDAYS_AFTER = timedelta(days=366)


@dataclass(frozen=True)
class Reference:
    offer_ids: dict[str, int]
    workstations: tuple[str, ...]
    # Counter workstations of the first agency: where the demo agents sit and
    # where the past payments were taken.
    first_counters: tuple[str, ...]


def public_holidays(profile: Profile, today: date) -> dict[date, str]:
    """The country's public holidays, lunar ones included, around ``today`` (English
    names, as the calendars' decisions name them)."""
    first, last = today - HOLIDAYS_BEFORE, today + HOLIDAYS_AFTER
    days: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for holiday in package_holidays(profile.country, year):
            if first <= holiday.day <= last:
                days.setdefault(holiday.day, holiday.name)
    return days


def demo_holiday_decisions(
    session: Session, profile: Profile, today: date, decided_by_id: int
) -> list[HolidayDecision]:
    """What a supervisor decided on the demo's lunar holidays: the latest one before
    ``today`` was announced a day later than estimated (all its days moved), so the
    calendar screen shows a decided holiday beside the estimated ones still ahead.

    The demo builder calls it once the supervisor exists; none for a country without
    lunar holidays.
    """
    # Before the payment history, which skips the package's dates.
    before = today - timedelta(days=HISTORY_DAYS + 1)
    past = [
        h
        for year in (before.year - 1, before.year)
        for h in package_holidays(profile.country, year)
        if h.estimated and h.day < before
    ]
    if not past:
        return []
    last = past[-1]
    base = last.name.removesuffix(" Holiday")
    feast = [
        h for h in past if h.name.removesuffix(" Holiday") == base and (last.day - h.day).days < 5
    ]
    decided_at = datetime.combine(
        feast[0].day - timedelta(days=1), time(20), ZoneInfo(profile.timezone)
    )
    decisions = [
        HolidayDecision(
            country=profile.country,
            agency_id=None,
            name=h.name,
            estimated_on=h.day,
            actual_on=h.day + timedelta(days=1),
            decided_by_id=decided_by_id,
            decided_at=decided_at.astimezone(UTC),
            note=DEMO_DECISION_NOTE,
        )
        for h in feast
    ]
    session.add_all(decisions)
    return decisions


DEMO_DECISION_NOTE = "Date officielle annoncée la veille"


def ensure_empty(session: Session) -> None:
    operator = session.scalars(select(OperatorSettings)).first()
    if operator is not None:
        raise ConflictError(
            N_(
                "This database already belongs to {operator}; the demo is only built "
                "into an empty database."
            ),
            field="database",
            operator=operator.name,
        )
    if session.scalar(select(func.count()).select_from(Subscriber)):
        raise ConflictError(
            N_(
                "This database already holds subscribers; the demo is only built into an "
                "empty database."
            ),
            field="database",
        )


def demo_printer(ref: str) -> str:
    """A demo counter "prints" into a file in the data folder: the queue, the
    status and the reprints all work without a printer on the desk. IT points
    real counters at their printers in the printer settings."""
    folder = data_dir() / "demo-printers"
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / f"{ref}.escpos").resolve().as_uri()


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def write_reference(session: Session, profile: Profile, today: date) -> Reference:
    session.add(
        OperatorSettings(
            code=profile.operator_code,
            name=profile.operator_name,
            name_ar=profile.operator_name_ar,
            country=profile.country,
            currency=profile.currency,
            default_language=profile.default_language,
            timezone=profile.timezone,
            hotline=profile.hotline,
            receipt_footer=profile.receipt_footer,
            logo_png=demo_logo(profile.operator_code, "DEMO"),
        )
    )
    # Exceptional days are placed off the public holidays (an exception would hide one).
    closed_days = public_holidays(profile, today)
    agencies = []
    refs: list[str] = []
    for spec in profile.agencies:
        agency = Agency(
            code=spec.code,
            name=spec.name,
            name_ar=spec.name_ar,
            address=spec.address,
            city=spec.city,
            timezone=profile.timezone,
        )
        session.add(agency)
        agencies.append(agency)
        for weekday, opens_at, closes_at in profile.weekly_hours:
            session.add(
                OpeningHours(agency=agency, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
            )
        stations = [
            (f"G{n:02d}", f"{profile.counter_label} {n}", WorkstationKind.COUNTER)
            for n in range(1, spec.counters + 1)
        ]
        stations.append(("K01", f"{profile.kiosk_label} 1", WorkstationKind.KIOSK))
        for code, name, kind in stations:
            ref = workstation_ref(spec.code, code)
            session.add(
                Workstation(
                    agency=agency,
                    code=code,
                    name=name,
                    kind=kind,
                    series=ReceiptSeries(code=ref),
                    printer_uri=demo_printer(ref),
                    printer_profile="TM-T20II",
                    paper_width_mm=80,
                )
            )
            refs.append(ref)

    for override in profile.overrides:
        day = _next_weekday(today + timedelta(weeks=override.weeks_ahead), override.weekday)
        while day in closed_days:  # an exception on a holiday would hide the holiday
            day += timedelta(weeks=1)
        session.add(
            AgencyDayException(
                agency=agencies[override.agency_index],
                day=day,
                is_open=override.is_open,
                opens_at=override.opens_at,
                closes_at=override.closes_at,
                reason=override.reason,
            )
        )

    offers = [
        Offer(
            code=spec.code,
            name=spec.name,
            name_ar=spec.name_ar,
            service=spec.service,
            monthly_fee_minor=spec.monthly_fee_minor,
        )
        for spec in profile.offers
    ]
    session.add_all(offers)
    session.add_all(
        PrepaidProduct(
            code=spec.code,
            name=spec.name,
            name_ar=spec.name_ar,
            service=spec.service,
            face_value_minor=spec.face_value_minor,
            active=True,
        )
        for spec in profile.products
    )
    session.flush()
    first = profile.agencies[0]
    return Reference(
        offer_ids={offer.code: offer.id for offer in offers},
        workstations=tuple(refs),
        first_counters=tuple(
            workstation_ref(first.code, f"G{n:02d}") for n in range(1, first.counters + 1)
        ),
    )
