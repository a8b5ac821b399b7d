"""Each workstation's receipt printer: where it is, what model, what paper.

Only supervisors and administrators change it (the agent at the counter may
redirect a stuck job, not reconfigure the counter); every change is journaled.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import Actor, require_role
from app.context import AppContext
from app.journal import EventKind, record_action
from app.printing.devices import parse_printer_uri
from app.printing.escpos_capabilities import get_profile
from app.printing.escpos_render import DEFAULT_PROFILE, PrinterModel, check_printer_model
from app.printing.queue import queue_job
from app.workstations import find_workstation, workstation_ref
from db.engine import Database
from db.models import PrintJobKind, Role

# Profiles of python-escpos offered in the settings screen: common counter printers.
SUGGESTED_PROFILES = (
    "TM-T20II",
    "TM-T88V",
    "TM-T88IV",
    "TM-T88III",
    "TM-P80",
    "TSP600",
    "RP326",
    "POS-5890",
    "NT-5890K",
    "ZJ-5870",
    "default",
)


@dataclass(frozen=True)
class PrinterSettings:
    workstation: str
    printer_uri: str | None
    profile: str
    paper_width_mm: int

    @property
    def model(self) -> PrinterModel:
        return PrinterModel(self.profile, self.paper_width_mm)


def profile_names() -> list[tuple[str, str]]:
    """(profile, printer name) for the settings screen's list."""
    names = []
    for profile in SUGGESTED_PROFILES:
        data = get_profile(profile).profile_data
        names.append((profile, str(data.get("name") or profile)))
    return names


def load_printer_settings(db: Database, workstation: str) -> PrinterSettings:
    """A workstation's printer as set up. Lowest role: none (a read; no actor)."""
    with db.read() as session:
        station = find_workstation(session, workstation)
        return PrinterSettings(
            workstation=workstation_ref(station.agency.code, station.code),
            printer_uri=station.printer_uri,
            profile=station.printer_profile or DEFAULT_PROFILE,
            paper_width_mm=station.paper_width_mm or 80,
        )


def save_printer_settings(
    ctx: AppContext,
    actor: Actor,
    workstation: str,
    *,
    printer_uri: str | None,
    profile: str | None,
    paper_width_mm: int | None,
) -> PrinterSettings:
    """Check and store a workstation's printer; an empty URI means "no printer".

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    typed = (printer_uri or "").strip()
    uri = parse_printer_uri(typed).uri if typed else None
    model = check_printer_model(profile, paper_width_mm)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        before = {
            "printer_uri": station.printer_uri,
            "profile": station.printer_profile,
            "paper_width_mm": station.paper_width_mm,
        }
        station.printer_uri = uri
        station.printer_profile = model.profile
        station.paper_width_mm = model.paper_width_mm
        ref = workstation_ref(station.agency.code, station.code)
        record_action(
            session,
            ctx,
            EventKind.PRINTER_SETTINGS_CHANGED,
            actor,
            workstation=ref,
            subject=ref,
            details={
                "before": before,
                "after": {
                    "printer_uri": uri,
                    "profile": model.profile,
                    "paper_width_mm": model.paper_width_mm,
                },
            },
        )
    return PrinterSettings(ref, uri, model.profile, model.paper_width_mm)


def queue_test_page(ctx: AppContext, actor: Actor, workstation: str, *, language: str) -> int:
    """Put a test page at the end of the workstation's queue; returns the job id.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        ref = workstation_ref(station.agency.code, station.code)
        job = queue_job(
            session,
            kind=PrintJobKind.TEST_PAGE,
            workstation=station,
            document_ref=ref,
            language=language,
            now=ctx.now(),
            created_by_id=actor.staff_id,
        )
        record_action(
            session, ctx, EventKind.TEST_PAGE_PRINTED, actor, workstation=ref, subject=ref
        )
        return job.id
