"""The operator, its agencies and calendars, workstations, offers and prepaid products.

A few hundred rows: written with the ORM, in the transaction that first checks
the database is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import data_dir
from app.demo.logo import demo_logo
from app.demo.profiles import Profile
from app.errors import ConflictError
from app.i18n import N_
from app.workstations import workstation_ref
from db.models import (
    Agency,
    AgencyDayException,
    Offer,
    OpeningHours,
    OperatorSettings,
    PrepaidProduct,
    ReceiptSeries,
    Subscriber,
    Workstation,
    WorkstationKind,
)

# Holidays are stored from the start of the payment history (closed days are
# skipped there too) to a year ahead, for SLA clocks and opening-hours screens.
HOLIDAYS_BEFORE = timedelta(days=45)
HOLIDAYS_AFTER = timedelta(days=366)

# The holidays library names Tunisian holidays in Arabic or English only; the
# demo operator works in French.
_TN_HOLIDAYS_FR = {
    "New Year's Day": "Jour de l'An",
    "Revolution and Youth Day": "Fête de la Révolution et de la Jeunesse",
    "Independence Day": "Fête de l'Indépendance",
    "Martyrs' Day": "Journée des Martyrs",
    "Labor Day": "Fête du Travail",
    "Republic Day": "Fête de la République",
    "Women's Day": "Fête de la Femme",
    "Evacuation Day": "Fête de l'Évacuation",
    "Eid al-Fitr": "Aïd el-Fitr",
    "Eid al-Fitr Holiday": "Aïd el-Fitr",
    "Day of Arafah": "Jour d'Arafat",
    "Eid al-Adha": "Aïd el-Adha",
    "Eid al-Adha Holiday": "Aïd el-Adha",
    "Islamic New Year": "Ras el-Am el-Hijri",
    "Prophet's Birthday": "Mouled",
}
_ESTIMATED = " (estimated)"


@dataclass(frozen=True)
class Reference:
    offer_ids: dict[str, int]
    workstations: tuple[str, ...]
    # Counter workstations of the first agency: where the demo agents sit and
    # where the past payments were taken.
    first_counters: tuple[str, ...]


def _french_holiday_name(name: str) -> str:
    parts = []
    for part in name.split("; "):
        estimated = part.endswith(_ESTIMATED)
        base = part.removesuffix(_ESTIMATED)
        french = _TN_HOLIDAYS_FR.get(base, base)
        parts.append(f"{french} (estimé)" if estimated else french)
    return " ; ".join(dict.fromkeys(parts))


def public_holidays(profile: Profile, today: date) -> dict[date, str]:
    """The country's public holidays, lunar ones included, around ``today``."""
    first, last = today - HOLIDAYS_BEFORE, today + HOLIDAYS_AFTER
    calendar = holidays.country_holidays(
        profile.country,
        years=range(first.year, last.year + 1),
        language=profile.holiday_language,
    )
    days = {}
    for day, name in sorted(calendar.items()):
        if first <= day <= last:
            days[day] = _french_holiday_name(name) if profile.country == "TN" else name
    return days


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
        for day, name in closed_days.items():
            session.add(AgencyDayException(agency=agency, day=day, is_open=False, reason=name))
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
