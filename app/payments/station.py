"""The counter a payment is taken at, read in one statement.

A payment needs its workstation, the workstation's receipt series and agency,
and the operator's currency and languages: read as one plain row, since three
ORM lookups cost a payment more than the disk's commit does. The till open there
is read once the series is locked (:func:`open_till`), with the agency's last
closed day: a closing takes every series head of the agency, so what is read
after the lock is what the payment's business day must follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import Session

from app.closing.days import LAST_CLOSED_DAY, as_date
from app.payments.ledger import till_not_open
from app.workstations import find_workstation, operator_settings
from db.models import Agency, CashSession, OperatorSettings, ReceiptSeries, Workstation


@dataclass(frozen=True)
class PayingStation:
    workstation_id: int
    workstation_code: str
    agency_code: str
    agency_id: int
    series_id: int
    series_code: str
    currency: str
    default_language: str
    timezone: str  # the agency's, else the operator's

    @property
    def chain_name(self) -> str:
        return ReceiptSeries.chain_name_of(self.series_code)


_STATION = (
    select(
        Workstation.id.label("workstation_id"),
        Workstation.code.label("workstation_code"),
        Agency.code.label("agency_code"),
        Agency.id.label("agency_id"),
        Agency.timezone.label("agency_timezone"),
        ReceiptSeries.id.label("series_id"),
        ReceiptSeries.code.label("series_code"),
        OperatorSettings.currency,
        OperatorSettings.default_language,
        OperatorSettings.timezone,
    )
    .select_from(Workstation)
    .join(Agency, Agency.id == Workstation.agency_id)
    .join(ReceiptSeries, ReceiptSeries.id == Workstation.series_id)
    .join(OperatorSettings, true())
    .where(Agency.code == bindparam("agency"), Workstation.code == bindparam("code"))
    .order_by(OperatorSettings.id)
    .limit(1)
)


def paying_station(session: Session, ref: str) -> PayingStation:
    """The workstation ``ref`` (AGENCY-WORKSTATION) with what a payment there needs.

    An unknown workstation or a database without an operator get the message
    their own service gives.
    """
    agency_code, _, code = ref.strip().upper().rpartition("-")
    row = session.connection().execute(_STATION, {"agency": agency_code, "code": code}).first()
    if row is None:
        find_workstation(session, ref)  # says which of the two is missing
        operator_settings(session)
        raise AssertionError("a workstation was not read")  # pragma: no cover
    return PayingStation(
        workstation_id=row.workstation_id,
        workstation_code=row.workstation_code,
        agency_code=row.agency_code,
        agency_id=row.agency_id,
        series_id=row.series_id,
        series_code=row.series_code,
        currency=row.currency,
        default_language=row.default_language,
        timezone=row.agency_timezone or row.timezone,
    )


# The last closed day rides along as a scalar subquery: no statement of its own.
_OPEN_TILL = select(
    CashSession.id, CashSession.opened_by_id, LAST_CLOSED_DAY.label("last_closed")
).where(CashSession.workstation_id == bindparam("workstation_id"), CashSession.closed_at.is_(None))


def open_till(session: Session, station: PayingStation) -> tuple[int, int, date | None]:
    """The id of the till (cash session) open at ``station``, who opened it, and the
    agency's last closed business day; read once the series is locked."""
    row = (
        session.connection()
        .execute(
            _OPEN_TILL,
            {"workstation_id": station.workstation_id, "agency_id": station.agency_id},
        )
        .first()
    )
    if row is None:
        raise till_not_open(station.series_code)
    return int(row.id), int(row.opened_by_id), as_date(row.last_closed)
