"""Human names of the tills' closed vocabularies, for screens, reports and the CLI.

Translated when shown (``app.labels.label``); the keys are what the database stores.
"""

from __future__ import annotations

from app.i18n import N_

MOVEMENT_KINDS = {
    "drop": N_("Drop to the safe"),
    "deposit": N_("Bank deposit"),
    "top_up": N_("Float top-up"),
}
COUNT_PURPOSES = {
    "opening": N_("Opening float"),
    "closing": N_("Closing count"),
    "recount": N_("Recount"),
}
CLOSED_HOW = {
    "count": N_("closed with the agent's count"),
    "handover": N_("handed over to the next agent"),
    "forced": N_("closed by a supervisor"),
}
DENOMINATION_KINDS = {"note": N_("Note"), "coin": N_("Coin")}
TILL_STATES = {
    "open": N_("open"),
    "counted": N_("counted, awaiting review"),
    "reviewed": N_("counted and reviewed"),
    "closed": N_("closed, not counted"),
    "none": N_("never opened"),
}
