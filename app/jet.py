"""The codes of NF525's technical event journal (JET) for Guichet's own event kinds.

Guichet's journal names its events in its own words (``closing.day_closed``); an
auditor who knows NF525 reads the JET code beside them. The table below is data,
not logic, so a code can be corrected without touching the services.

Source: the NF525 certification guideline of Infocert (section R19, "Journal des
Evènements Techniques") is not public. The codes marked ``verified=True`` are
those quoted by a fiscal middleware vendor's public mapping of that section
(RetailForce, "EventCode mapping Technical Event Log NF525 R19",
support.retailforce.cloud/hc/en-gb/articles/7076661762961, and the JET codes in
its LogEntryType reference, dom.retailforce.cloud): 20 intermediate fiscal
archiving, 30 fiscal year or period end archiving, 40 stopping the terminal or
logging off, 50 period closing (day or month). The codes marked
``verified=False`` could not be checked against a public source and must be
confirmed with the certifier before an NF525 audit; they are written into the
journal with ``"jet_verified": false`` so nobody mistakes them for checked ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.journal import EventKind


@dataclass(frozen=True)
class JetCode:
    code: int
    meaning: str  # the guideline's wording, in English, for the docs and the auditor
    verified: bool


INTERMEDIATE_ARCHIVE = JetCode(20, "Intermediate fiscal archiving", verified=True)
PERIOD_END_ARCHIVE = JetCode(30, "Fiscal year or fiscal period end archiving", verified=True)

JET_CODES: dict[str, JetCode] = {
    EventKind.DAY_CLOSED: JetCode(50, "Period closing (day/month)", verified=True),
    EventKind.MONTH_CLOSED: JetCode(50, "Period closing (day/month)", verified=True),
    # Not in the public excerpt of R19: the year (fiscal year) closing's code is assumed.
    EventKind.YEAR_CLOSED: JetCode(60, "Fiscal year closing", verified=False),
    # An archive of any period but a whole year; a whole year is PERIOD_END_ARCHIVE.
    EventKind.ARCHIVE_MADE: INTERMEDIATE_ARCHIVE,
    # Not in the public excerpt of R19: the data export's code is assumed.
    EventKind.EXPORT_WRITTEN: JetCode(90, "Export of data", verified=False),
}


def jet_code(kind: str) -> JetCode | None:
    """The JET code of an event kind, or None when NF525 has none for it."""
    return JET_CODES.get(kind)


def archive_jet_code(start: date, end: date) -> JetCode:
    """An archive of a whole calendar year is a period-end archive (30), any other an
    intermediate one (20)."""
    whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    return PERIOD_END_ARCHIVE if whole_year and start.year == end.year else INTERMEDIATE_ARCHIVE


def jet_details(code: JetCode | None) -> dict[str, Any]:
    """What goes into an event's signed details beside Guichet's own name."""
    if code is None:
        return {}
    return {"jet": code.code, "jet_verified": code.verified}
