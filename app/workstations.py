"""Finding a workstation and numbering its receipts."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from app.errors import NotFoundError
from app.i18n import N_
from db.models import Agency, OperatorSettings, Workstation


def workstation_ref(agency_code: str, workstation_code: str) -> str:
    """How a workstation is named everywhere: agency code, dash, workstation code."""
    return f"{agency_code}-{workstation_code}"


def receipt_number(series_code: str, seq: int) -> str:
    """Readable and sortable: ALG01-G02-000123."""
    return f"{series_code}-{seq:06d}"


# Built once: every payment and void asks, and building costs more than running.
_WORKSTATION = (
    select(Workstation)
    .join(Agency)
    .where(Agency.code == bindparam("agency"), Workstation.code == bindparam("code"))
    .options(joinedload(Workstation.agency), joinedload(Workstation.series))
)
_OPERATOR = select(OperatorSettings)


def find_workstation(session: Session, ref: str) -> Workstation:
    agency_code, _, code = ref.strip().upper().rpartition("-")
    workstation = session.scalars(_WORKSTATION, {"agency": agency_code, "code": code}).first()
    if workstation is None:
        raise NotFoundError(
            N_("Unknown workstation {ref}; expected AGENCY-WORKSTATION, e.g. ALG01-G01."),
            field="workstation",
            ref=ref,
        )
    return workstation


def operator_settings(session: Session) -> OperatorSettings:
    settings = session.scalars(_OPERATOR).first()
    if settings is None:
        raise NotFoundError(
            N_("This database has no operator yet. Create the demo with: python main.py demo"),
            field="database",
        )
    return settings
