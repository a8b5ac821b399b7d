"""Names of an outage's states and scopes, and the sentence of a close's figures, for
the screen and the command line alike."""

from __future__ import annotations

from app.i18n import N_
from app.outages.records import OutageState
from db.models import OutageScope

STATES = {
    OutageState.OPEN: N_("Service down"),
    OutageState.ENDED: N_("Ended, to close"),
    OutageState.CLOSED: N_("Closed"),
}
SCOPES = {
    OutageScope.AGENCIES: N_("Agencies"),
    OutageScope.COMMUNES: N_("Communes"),
    OutageScope.EXCHANGES: N_("Exchanges"),
    OutageScope.LINES: N_("Lines"),
}
# Placeholders: number, affected, created, applied, applied_amount, awaiting,
# awaiting_amount, recorded, already, total, commitment.
CLOSED = N_(
    "Outage {number} closed: {affected} contract(s) hit; {created} new claim(s): {applied} "
    "applied for {applied_amount}, {awaiting} awaiting approval for {awaiting_amount}, "
    "{recorded} without money; {already} already compensated, skipped. Compensated in "
    "all: {total} (commitment {commitment})."
)
NO_COMMITMENT = N_(
    "No commitment of the charter in force at the outage's start covers this service: "
    "nothing was compensated."
)
