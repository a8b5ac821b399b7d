"""The event journal: who did what, when, at which workstation; signed and append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.context import AppContext
from app.integrity import chain
from app.integrity.canonical import canonical_bytes
from app.integrity.keys import Signer
from app.integrity.records import journal_record
from db.models import JOURNAL_CHAIN, JournalEvent
from db.types import utcnow


class EventKind:
    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    ACCOUNT_LOCKED = "auth.account_locked"
    SCREEN_LOCKED = "auth.screen_locked"
    SCREEN_UNLOCKED = "auth.screen_unlocked"
    USER_ADDED = "staff.user_added"
    USER_ROLE_CHANGED = "staff.role_changed"
    USER_REMOVED = "staff.user_removed"
    PASSWORD_CHANGED = "staff.password_changed"
    PASSWORD_REHASHED = "staff.password_rehashed"
    PAYMENT_VOIDED = "payment.voided"
    VOID_REFUSED = "payment.void_refused"
    CASH_SESSION_OPENED = "cash.session_opened"
    CASH_SESSION_CLOSED = "cash.session_closed"
    # The till's counts, movements and reviews, each with its figures (verify compares).
    TILL_COUNTED = "cash.till_counted"
    CASH_MOVEMENT_RECORDED = "cash.movement_recorded"
    TILL_REVIEWED = "cash.till_reviewed"
    TILL_HANDED_OVER = "cash.till_handed_over"
    TILL_FORCE_CLOSED = "cash.till_force_closed"
    COUNT_THRESHOLD_SET = "cash.count_threshold_set"
    # Closings of an agency's business day, month and year (each also in its own chain).
    DAY_CLOSED = "closing.day_closed"
    MONTH_CLOSED = "closing.month_closed"
    YEAR_CLOSED = "closing.year_closed"
    # The accounting export and the signed period archive (their NF525 JET code is in
    # the details: see app.jet).
    EXPORT_WRITTEN = "export.written"
    ARCHIVE_MADE = "archive.made"
    # A till's report on paper (a Z: the original at the close, then its copies) or as a
    # PDF (an X or a Z), with the till, the copy number and whose figures it holds
    # (see app.closing.z_prints).
    TILL_REPORT_PRINTED = "report.till_report_printed"
    TILL_REPORT_PDF_WRITTEN = "report.till_report_pdf_written"
    BILL_COPY_ISSUED = "document.bill_copy_issued"
    RECEIPT_COPY_ISSUED = "receipt.copy_issued"
    PRINT_JOBS_REDIRECTED = "print.jobs_redirected"
    PRINTER_SETTINGS_CHANGED = "print.printer_settings_changed"
    TEST_PAGE_PRINTED = "print.test_page"
    # A charter file loaded as a new version, with its number and the file's SHA-256.
    CHARTER_LOADED = "charter.loaded"
    # Complaints against the charter (app.complaints): each change of one is also a
    # ComplaintEvent; the journal names the complaint number as the subject.
    COMPLAINT_OPENED = "complaint.opened"
    COMPLAINT_STATUS_CHANGED = "complaint.status_changed"
    COMPLAINT_ASSIGNED = "complaint.assigned"
    COMPLAINT_NOTE_ADDED = "complaint.note_added"
    COMPLAINT_BREACHED = "complaint.breached"
    COMPLAINT_SLIP_PRINTED = "complaint.slip_printed"
    COMPLAINT_DEADLINES_RECOMPUTED = "complaint.deadlines_recomputed"
    # An agency's calendar changed (app.charter.calendar_changes): a holiday confirmed,
    # moved or cancelled, an exceptional opening or closure, the weekly hours; the
    # details name how many running complaint deadlines moved.
    CALENDAR_HOLIDAY_DECIDED = "calendar.holiday_decided"
    CALENDAR_EXCEPTION_ADDED = "calendar.exception_added"
    CALENDAR_EXCEPTION_REMOVED = "calendar.exception_removed"
    CALENDAR_HOURS_CHANGED = "calendar.hours_changed"
    # Outages (app.outages): recorded, their end set, closed with the contracts hit and
    # the compensation written (the details carry the figures); the subject is the number.
    OUTAGE_RECORDED = "outage.recorded"
    OUTAGE_END_SET = "outage.end_set"
    # An imported outage not closed yet, corrected by a later file (service, place,
    # start or description; the details name the fields before and after).
    OUTAGE_CORRECTED = "outage.corrected"
    OUTAGE_CLOSED = "outage.closed"


def record_event(
    session: Session,
    signer: Signer,
    kind: str,
    *,
    actor_id: int | None = None,
    actor_login: str | None = None,
    workstation: str | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> JournalEvent:
    """Append one signed event in the caller's transaction."""
    event = JournalEvent(
        occurred_at=occurred_at or utcnow(),
        kind=kind,
        actor_id=actor_id,
        actor_login=actor_login,
        workstation=workstation,
        subject=subject,
        details=canonical_bytes(details or {}).decode("utf-8"),
    )
    link = chain.append(session, signer, JOURNAL_CHAIN, lambda _seq: journal_record(event))
    event.seq = link.seq
    event.key_id = link.key_id
    event.prev_signature = link.prev_signature
    event.signature = link.signature
    session.add(event)
    session.flush()
    return event


class Acting(Protocol):
    """Whoever acts: a signed-in member of staff (see app.auth.Actor)."""

    @property
    def staff_id(self) -> int: ...

    @property
    def login(self) -> str: ...


def record_action(
    session: Session,
    ctx: AppContext,
    kind: str,
    actor: Acting,
    *,
    workstation: str | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> JournalEvent:
    """Journal what a signed-in person did, now."""
    return record_event(
        session,
        ctx.signer,
        kind,
        actor_id=actor.staff_id,
        actor_login=actor.login,
        workstation=workstation,
        subject=subject,
        details=details,
        occurred_at=ctx.now(),
    )
