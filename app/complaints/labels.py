"""Human names of the complaints' vocabularies, for screens, the slip and the CLI."""

from __future__ import annotations

from app.i18n import N_
from db.models import CommitmentClock, ComplaintCategory, ComplaintChannel, ComplaintStatus

CATEGORIES = {
    ComplaintCategory.NO_SERVICE: N_("No service"),
    ComplaintCategory.SLOW_SERVICE: N_("Slow service"),
    ComplaintCategory.BILLING: N_("Billing"),
    ComplaintCategory.BILL_NOT_RECEIVED: N_("Bill not received"),
    ComplaintCategory.UNJUST_CUTOFF: N_("Unjust cut-off"),
    ComplaintCategory.ACTIVATION_LATE: N_("Activation late"),
    ComplaintCategory.INSTALLATION: N_("Installation"),
    ComplaintCategory.HOTLINE: N_("Hotline"),
    ComplaintCategory.SWITCHING_FEES: N_("Switching fees"),
    ComplaintCategory.OTHER: N_("Other"),
}
CHANNELS = {
    ComplaintChannel.COUNTER: N_("Counter"),
    ComplaintChannel.PHONE: N_("Phone"),
    ComplaintChannel.KIOSK: N_("Kiosk"),
}
STATUSES = {
    # Not "Open": that msgid is an invoice's status ("Impayée" in French).
    ComplaintStatus.OPEN: N_("New"),
    ComplaintStatus.IN_PROGRESS: N_("In progress"),
    ComplaintStatus.WAITING_CUSTOMER: N_("Waiting for the customer"),
    ComplaintStatus.RESOLVED: N_("Resolved"),
    ComplaintStatus.CLOSED: N_("Closed"),
}
CLOCKS = {
    CommitmentClock.CALENDAR_DAYS: N_("calendar days"),
    CommitmentClock.BUSINESS_HOURS: N_("business hours"),
    CommitmentClock.REAL_TIME: N_("real time"),
}
