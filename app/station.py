"""This workstation: which agency and operator it serves, as the sign-in screen shows it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.errors import NotFoundError
from app.i18n import N_
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.engine import Database
from db.models import Agency, Workstation, WorkstationKind


@dataclass(frozen=True)
class DemoLoginHint:
    login: str
    password: str
    role: str
    full_name: str


@dataclass(frozen=True)
class StationInfo:
    ref: str
    name: str
    kind: str
    agency_code: str
    agency_name: str
    agency_name_ar: str | None
    timezone: str
    operator_name: str
    operator_name_ar: str | None
    country: str
    currency: str
    default_language: str
    hotline: str | None
    demo_logins: tuple[DemoLoginHint, ...]  # empty on a real database


def load_station(db: Database, ref: str | None = None) -> StationInfo:
    """The named workstation, or the first counter when none is configured (a demo).

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        settings = operator_settings(session)
        station: Workstation | None
        if ref:
            station = find_workstation(session, ref)
        else:
            station = session.scalars(
                select(Workstation)
                .join(Agency)
                .where(Workstation.kind == WorkstationKind.COUNTER)
                .order_by(Agency.code, Workstation.code)
                .options(joinedload(Workstation.agency))
            ).first()
            if station is None:
                raise NotFoundError(
                    N_("This database has no counter workstation."), field="workstation"
                )
        hints = tuple(DemoLoginHint(**item) for item in json.loads(settings.demo_logins or "[]"))
        return StationInfo(
            ref=workstation_ref(station.agency.code, station.code),
            name=station.name,
            kind=str(station.kind),
            agency_code=station.agency.code,
            agency_name=station.agency.name,
            agency_name_ar=station.agency.name_ar,
            timezone=station.agency.timezone or settings.timezone,
            operator_name=settings.name,
            operator_name_ar=settings.name_ar,
            country=settings.country,
            currency=settings.currency,
            default_language=settings.default_language,
            hotline=settings.hotline,
            demo_logins=hints,
        )


def record_demo_logins(db: Database, logins: list[DemoLoginHint]) -> None:
    """Keep a demo's logins for its sign-in screen (never a real database).

    Lowest role: system (the demo builder; no actor).
    """
    with db.write() as session:
        operator_settings(session).demo_logins = json.dumps(
            [hint.__dict__ for hint in logins], ensure_ascii=False
        )
