"""The codes of NF525's technical event journal (JET) for Guichet's own event kinds.

Guichet's journal names its events in its own words (``closing.day_closed``); an
auditor who knows NF525 reads the JET code beside them. The table below is data,
not logic, so a code can be corrected without touching the services.

Sources: the NF525 certification guideline of Infocert (section R19, "Journal
des Evènements Techniques") is not public; the codes below are those quoted by
public pages that map their own events to it, and ``verified=True`` marks a
code quoted by at least one of them with the meaning Guichet gives it:

- RetailForce (fiscal middleware), "EventCode mapping Technical Event Log NF525
  R19" (support.retailforce.cloud/hc/en-gb/articles/7076661762961) and the JET
  codes of its LogEntryType reference (dom.retailforce.cloud): 20 intermediate
  fiscal archiving, 30 fiscal year or fiscal period end archiving, 40 stopping
  the terminal or logging off, 50 period closing (day or month).
- Certinia (FinancialForce) Accounting help, "Tracking for JET File", reference
  table for JET codes (help.certinia.com/main/2024.3/Content/Accounting/Features/
  Localization/AdminTasks/SettingUpLocalization/SettingUpLocalizationFrance/
  TrackingForJetFile.htm; the same table in help.financialforce.com 2023.2): 30,
  50 as above, 60 annual period end or fiscal period end closing, 90 detection of
  an integrity failure in secure data or in a fiscal archive, 250 installation of
  a major new version.
- fiskaltrust's interface documentation for France (github.com/fiskaltrust/
  interface-doc, pull request 396) also names 90 "Detection of an integrity flaw
  in secured data or a tax archive".

So the year closing is 60, and 90 is not an export (it was assumed so before
these were found): no public source gives the data export a JET code, so
Guichet's export is journaled under its own name only, without a JET code,
until the certifier names one. Should verify ever journal the failures it
finds, that event is JET 90 (``INTEGRITY_FAILURE``).
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
# Detected by verify; not journaled by Guichet today (verify only reads).
INTEGRITY_FAILURE = JetCode(
    90, "Detection of an integrity failure in secured data or a fiscal archive", verified=True
)

JET_CODES: dict[str, JetCode] = {
    EventKind.DAY_CLOSED: JetCode(50, "Period closing (day/month)", verified=True),
    EventKind.MONTH_CLOSED: JetCode(50, "Period closing (day/month)", verified=True),
    EventKind.YEAR_CLOSED: JetCode(
        60, "Annual period end or fiscal period end closing", verified=True
    ),
    # An archive of any period but a whole year; a whole year is PERIOD_END_ARCHIVE.
    EventKind.ARCHIVE_MADE: INTERMEDIATE_ARCHIVE,
    # EventKind.EXPORT_WRITTEN: no public source gives it a code (90, once assumed, is
    # the detection of an integrity failure); journaled under Guichet's name only.
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
