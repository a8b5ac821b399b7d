"""What `verify` checks beyond the signatures: the figures and tables the chains vouch for.

Signed records cannot be changed unnoticed, but several tables beside them move
money or rights and are not signed themselves: what a bill has been paid, the
staff's roles and passwords, the tills, the register of receipt copies. Each
is checked here against what the signed chains say:

- every bill's paid amount and status, recomputed from the ledger's allocations
  (in SQL, grouped, so that only disagreements come back to Python);
- every staff account against the replay of the journal's staff events;
- every till (cash session) against its journaled opening and closing;
- every till count (with its lines), cash movement and till review against the
  journal event that recorded its figures;
- every receipt copy (DUPLICATA n) against the journal, numbers without gaps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, case, func, literal, or_, select

from app.compensation.queries import CLAIM_STATUSES
from app.i18n import N_
from app.integrity.canonical import instant
from app.integrity.records import password_fingerprint
from app.integrity.streams import SignedRow, stream
from app.journal import EventKind
from app.labels import INVOICE_STATUSES, ROLES
from app.money import currency, from_minor
from app.workstations import workstation_ref
from db.models import (
    COMPENSATION_CHAIN,
    Agency,
    Allocation,
    CashSession,
    ClaimStatus,
    Compensation,
    CompensationClaim,
    CompensationKind,
    Invoice,
    InvoiceStatus,
    OperatorSettings,
    Payment,
    PrintJob,
    PrintJobKind,
    ReceiptCopy,
    Staff,
    Tender,
    TenderKind,
    Workstation,
)
from db.models.tills import CashMovement, TillCount, TillCountLine, TillReview

BILLS = N_("bills recomputed from the ledger")
STAFF = N_("staff accounts checked against the journal")
TILLS = N_("cash sessions checked against the journal")
COPIES = N_("receipt copies checked against the journal")
ACTORS = N_("journal actors checked against the staff table")
COMPENSATIONS = N_("compensation claims checked against their ledger")
TILL_RECORDS = N_("till counts, cash movements and reviews checked against the journal")
Z_PRINTS = N_("Z report prints checked against the journal")

_STAFF_KINDS = {
    EventKind.USER_ADDED,
    EventKind.USER_ROLE_CHANGED,
    EventKind.USER_REMOVED,
    EventKind.PASSWORD_CHANGED,
    EventKind.PASSWORD_REHASHED,
}


_GATHERED = _STAFF_KINDS | {
    EventKind.CASH_SESSION_OPENED,
    EventKind.CASH_SESSION_CLOSED,
    EventKind.TILL_FORCE_CLOSED,
    EventKind.RECEIPT_COPY_ISSUED,
    EventKind.TILL_COUNTED,
    EventKind.CASH_MOVEMENT_RECORDED,
    EventKind.TILL_REVIEWED,
    EventKind.TILL_REPORT_PRINTED,
    EventKind.TILL_REPORT_PDF_WRITTEN,
}
_REPORT_PRINT_KINDS = (EventKind.TILL_REPORT_PRINTED, EventKind.TILL_REPORT_PDF_WRITTEN)
# The till records, by the key their journal event names them with.
_TILL_RECORD_KEYS = {
    EventKind.TILL_COUNTED: "count",
    EventKind.CASH_MOVEMENT_RECORDED: "movement",
    EventKind.TILL_REVIEWED: "review",
}


class Reporter(Protocol):
    def problem(
        self,
        chain: str,
        record: str,
        message: str,
        *,
        translate: tuple[str, ...] = (),
        **params: Any,
    ) -> None: ...

    def count(self, check: str, items: int) -> None: ...


@dataclass
class JournalFacts:
    """What the journal says about staff, tills and receipt copies, gathered in one pass."""

    staff: dict[str, dict[str, Any]] = field(default_factory=dict)
    opened: dict[int, dict[str, Any]] = field(default_factory=dict)
    closed: dict[int, dict[str, Any]] = field(default_factory=dict)
    copies: dict[tuple[str, int], str] = field(default_factory=dict)
    # (kind, id) -> the journaled figures of a till count, cash movement or review
    till_records: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    strays: list[tuple[str, str]] = field(default_factory=list)  # (event label, login)
    # (Z reference, copy number) -> the print job it queued (None: a PDF), and copies
    # the journal gives twice
    z_prints: dict[tuple[str, int], int | None] = field(default_factory=dict)
    z_twice: list[tuple[str, int]] = field(default_factory=list)

    def see(self, row: SignedRow) -> None:
        """Take in one journal event (its plain values: kind, at, actor, workstation,
        subject, details); only the few kinds compared later are parsed."""
        kind = row.parts[0]
        if kind not in _GATHERED:
            return
        try:
            details = json.loads(row.parts[5])
        except ValueError:
            return  # not JSON: the event's signature fails, and is named there
        if not isinstance(details, dict):
            return
        subject = row.parts[4] or ""
        if kind in _STAFF_KINDS:
            if kind == EventKind.USER_ADDED:
                self.staff[subject] = dict(details)
            elif subject in self.staff:
                self.staff[subject].update(details)
            else:
                self.strays.append((row.label, subject))
        elif kind == EventKind.CASH_SESSION_OPENED and isinstance(details.get("session"), int):
            self.opened[details["session"]] = details
        elif kind in (EventKind.CASH_SESSION_CLOSED, EventKind.TILL_FORCE_CLOSED) and isinstance(
            details.get("session"), int
        ):
            self.closed[details["session"]] = details
        elif kind in _TILL_RECORD_KEYS and isinstance(details.get(_TILL_RECORD_KEYS[kind]), int):
            key = _TILL_RECORD_KEYS[kind]
            self.till_records[(key, details[key])] = details
        elif kind == EventKind.RECEIPT_COPY_ISSUED and isinstance(details.get("copy"), int):
            self.copies[(subject, details["copy"])] = str(details.get("medium"))
        elif (
            kind in _REPORT_PRINT_KINDS
            and subject.startswith("Z-")
            and isinstance(details.get("copy"), int)
        ):
            printed = (subject, int(details["copy"]))
            if printed in self.z_prints:
                self.z_twice.append(printed)
            job = details.get("job")
            self.z_prints[printed] = job if isinstance(job, int) else None


def _name(vocabulary: Mapping[Any, str], value: object) -> str:
    """The msgid naming ``value`` (translated when shown), or the value itself."""
    return vocabulary.get(value) or str(value)


# -- bills -------------------------------------------------------------------------


def _money_formatter(connection: Connection) -> Any:
    code = connection.scalar(select(OperatorSettings.__table__.c.currency).limit(1))
    if code is None:
        return str
    try:
        cur = currency(code)
    except Exception:  # an unknown currency code must not stop verify
        return str
    return lambda minor: f"{from_minor(int(minor), cur)} {cur.code}"


def check_bills(connection: Connection, report: Reporter) -> None:
    """Every bill's paid amount and status against the ledgers (the payments'
    allocations and the compensations' waivers); disagreements named."""
    invoice = Invoice.__table__.c
    allocation = Allocation.__table__.c
    entry = Compensation.__table__.c
    ledger = (
        select(allocation.invoice_id, func.sum(allocation.amount_minor).label("paid"))
        .group_by(allocation.invoice_id)
        .subquery()
    )
    waivers = (
        select(entry.invoice_id, func.sum(entry.amount_minor).label("waived"))
        .where(entry.kind == CompensationKind.WAIVER, entry.invoice_id.is_not(None))
        .group_by(entry.invoice_id)
        .subquery()
    )
    at_counters = func.coalesce(ledger.c.paid, 0)
    waived = func.coalesce(waivers.c.waived, 0)
    expected_paid = invoice.paid_elsewhere_minor + at_counters + waived
    total = invoice.amount_minor + invoice.late_fee_minor
    expected_status = case(
        (invoice.status == InvoiceStatus.CANCELLED.value, literal(InvoiceStatus.CANCELLED.value)),
        (total - expected_paid <= 0, literal(InvoiceStatus.PAID.value)),
        (expected_paid > 0, literal(InvoiceStatus.PARTLY_PAID.value)),
        else_=literal(InvoiceStatus.OPEN.value),
    )
    source = Invoice.__table__.outerjoin(ledger, ledger.c.invoice_id == invoice.id).outerjoin(
        waivers, waivers.c.invoice_id == invoice.id
    )
    report.count(BILLS, connection.scalar(select(func.count()).select_from(Invoice.__table__)) or 0)
    statement = (
        select(
            invoice.number,
            total,
            invoice.paid_minor,
            invoice.paid_elsewhere_minor,
            at_counters,
            invoice.status,
            expected_status,
            waived,
            invoice.waived_minor,
        )
        .select_from(source)
        .where(
            or_(
                invoice.paid_minor != expected_paid,
                invoice.status != expected_status,
                invoice.waived_minor != waived,
            )
        )
        .order_by(invoice.number)
    )
    money = None
    for (
        number,
        total_,
        paid,
        elsewhere,
        ledger_paid,
        status,
        expected,
        ledger_waived,
        stored_waived,
    ) in stream(connection, statement):
        money = money or _money_formatter(connection)
        if stored_waived != ledger_waived:
            report.problem(
                "bills",
                number,
                N_(
                    "it says {waived} waived but the compensations ledger waives {ledger} of it "
                    "(a waiver edited, added or deleted?)"
                ),
                waived=money(stored_waived),
                ledger=money(ledger_waived),
            )
        should = elsewhere + ledger_paid + ledger_waived
        if paid == should and status == expected:
            continue
        if total_ <= 0 and should == 0 and paid == 0 and status == InvoiceStatus.OPEN:
            continue  # a bill of nothing, never paid: open is as right as paid
        figures = {
            "status": _name(INVOICE_STATUSES, status),
            "expected": _name(INVOICE_STATUSES, expected),
            "paid": money(paid),
            "should": money(should),
            "total": money(total_),
            "elsewhere": money(elsewhere),
            "ledger": money(ledger_paid),
            "waived": money(ledger_waived),
        }
        if status == InvoiceStatus.PAID and expected != InvoiceStatus.PAID:
            message = N_(
                "it is marked paid ({paid} of {total}) but the ledger has {ledger} for it and "
                "{elsewhere} was paid elsewhere: marked paid without a payment?"
            )
        elif expected == InvoiceStatus.PAID and status != InvoiceStatus.PAID:
            message = N_(
                "it is marked {status} ({paid} of {total}) but the ledger has it paid "
                "({should}): reopened after a payment?"
            )
        elif paid != should and ledger_waived:
            message = N_(
                "it says {paid} paid but the ledger has {ledger} for it, {waived} was waived "
                "and {elsewhere} was paid elsewhere ({should} in all)"
            )
        elif paid != should:
            message = N_(
                "it says {paid} paid but the ledger has {ledger} for it and {elsewhere} was "
                "paid elsewhere ({should} in all)"
            )
        else:
            message = N_(
                "its status is {status} but what was paid ({paid} of {total}) makes it {expected}"
            )
        report.problem("bills", number, message, translate=("status", "expected"), **figures)


# -- compensations ----------------------------------------------------------------------


def check_compensations(connection: Connection, report: Reporter) -> None:
    """Claims against the compensations ledger: each applied claim has exactly one
    entry, of its amount, kind, account and invoice; each entry's claim is applied.

    Counted only where there are claims, so a database without any says nothing."""
    claim = CompensationClaim.__table__.c
    entry = Compensation.__table__.c
    claims = connection.scalar(select(func.count()).select_from(CompensationClaim.__table__)) or 0
    entries = connection.scalar(select(func.count()).select_from(Compensation.__table__)) or 0
    if not claims and not entries:
        return
    report.count(COMPENSATIONS, claims)
    money = _money_formatter(connection)
    # Applied claims without their entry.
    missing = (
        select(claim.id, claim.amount_minor)
        .select_from(
            CompensationClaim.__table__.outerjoin(
                Compensation.__table__, entry.claim_id == claim.id
            )
        )
        .where(claim.status == ClaimStatus.APPLIED, entry.id.is_(None))
        .order_by(claim.id)
    )
    for claim_id, amount in stream(connection, missing):
        report.problem(
            COMPENSATION_CHAIN,
            f"claim {claim_id}",
            N_(
                "the claim is applied ({amount}) but the compensations ledger has no entry "
                "for it (deleted?)"
            ),
            amount=money(amount),
        )
    # Entries that disagree with their claim, or whose claim is not applied.
    statement = (
        select(
            entry.seq,
            entry.claim_id,
            entry.amount_minor,
            entry.kind,
            entry.subscriber_id,
            entry.contract_id,
            entry.invoice_id,
            claim.id,
            claim.status,
            claim.amount_minor,
            claim.kind,
            claim.subscriber_id,
            claim.contract_id,
            claim.invoice_id,
        )
        .select_from(
            Compensation.__table__.outerjoin(
                CompensationClaim.__table__, claim.id == entry.claim_id
            )
        )
        .where(
            or_(
                claim.id.is_(None),
                claim.status != ClaimStatus.APPLIED,
                claim.amount_minor != entry.amount_minor,
                claim.kind != entry.kind,
                claim.subscriber_id != entry.subscriber_id,
                claim.contract_id != entry.contract_id,
                func.coalesce(claim.invoice_id, 0) != func.coalesce(entry.invoice_id, 0),
            )
        )
        .order_by(entry.seq)
    )
    for (
        seq,
        claim_id,
        amount,
        kind,
        subscriber_id,
        contract_id,
        invoice_id,
        found,
        status,
        claimed,
        claim_kind,
        claim_subscriber,
        claim_contract,
        claim_invoice,
    ) in stream(connection, statement):
        label = f"compensation #{seq} (claim {claim_id})"
        if found is None:
            continue  # named with the chain: its claim is missing
        if status != ClaimStatus.APPLIED:
            report.problem(
                COMPENSATION_CHAIN,
                label,
                N_("it pays a claim whose status is {status}, not applied"),
                translate=("status",),
                status=_name(CLAIM_STATUSES, status),
            )
        elif claimed != amount:
            report.problem(
                COMPENSATION_CHAIN,
                label,
                N_("it pays {amount} but its claim says {claimed}"),
                amount=money(amount),
                claimed=money(claimed),
            )
        else:
            report.problem(
                COMPENSATION_CHAIN,
                label,
                N_(
                    "its account, contract, invoice or kind differ from its claim's "
                    "({kind} #{subscriber}/#{contract}/{invoice} against "
                    "{claim_kind} #{claim_subscriber}/#{claim_contract}/{claim_invoice})"
                ),
                kind=kind,
                subscriber=subscriber_id,
                contract=contract_id,
                invoice=invoice_id if invoice_id is not None else "-",
                claim_kind=claim_kind,
                claim_subscriber=claim_subscriber,
                claim_contract=claim_contract,
                claim_invoice=claim_invoice if claim_invoice is not None else "-",
            )


# -- staff ----------------------------------------------------------------------------


def check_staff(connection: Connection, report: Reporter, facts: JournalFacts) -> None:
    """Every account against the journal's replay: roles, removal, passwords, creation."""
    staff = Staff.__table__.c
    seen: set[str] = set()
    checked = 0
    for label, login in facts.strays:
        report.problem(
            "staff", login, N_("{event} changes an account that was never added"), event=label
        )
    rows = stream(
        connection,
        select(staff.login, staff.role, staff.active, staff.password_hash).order_by(staff.login),
    )
    for login, role, active, password_hash in rows:
        checked += 1
        seen.add(login)
        journaled = facts.staff.get(login)
        if journaled is None:
            report.problem(
                "staff",
                login,
                N_("the account has no journaled creation (added outside the application?)"),
            )
            continue
        if journaled.get("role") != role:
            report.problem(
                "staff",
                login,
                N_(
                    "its role is {role} but the journal says {journaled} (changed outside the application?)"
                ),
                translate=("role", "journaled"),
                role=_name(ROLES, role),
                journaled=_name(ROLES, journaled.get("role")),
            )
        if journaled.get("active") != bool(active):
            report.problem(
                "staff",
                login,
                N_(
                    "it is {state} but the journal says {journaled} (changed outside the application?)"
                ),
                translate=("state", "journaled"),
                state=_active(bool(active)),
                journaled=_active(bool(journaled.get("active"))),
            )
        if journaled.get("password") != password_fingerprint(password_hash or ""):
            report.problem(
                "staff",
                login,
                N_("its password hash is not the one journaled (changed outside the application?)"),
            )
    for login in sorted(set(facts.staff) - seen):
        report.problem(
            "staff", login, N_("the journal added this account but it is missing (deleted?)")
        )
    report.count(STAFF, checked)


def _active(active: bool) -> str:
    return N_("active") if active else N_("removed")


# -- tills ----------------------------------------------------------------------------


def check_cash_sessions(connection: Connection, report: Reporter, facts: JournalFacts) -> None:
    """Every till against its journaled opening and closing; payments against their till."""
    session = CashSession.__table__
    workstation = Workstation.__table__
    agency = Agency.__table__
    opener = Staff.__table__.alias("opener")
    closer = Staff.__table__.alias("closer")
    c = session.c
    statement = (
        select(
            c.id,
            workstation.c.code,
            agency.c.code,
            c.opening_float_minor,
            opener.c.login,
            c.opened_at,
            closer.c.login,
            c.closed_at,
            c.closed_how,
            c.close_reason,
        )
        .select_from(
            session.outerjoin(workstation, workstation.c.id == c.workstation_id)
            .outerjoin(agency, agency.c.id == workstation.c.agency_id)
            .outerjoin(opener, opener.c.id == c.opened_by_id)
            .outerjoin(closer, closer.c.id == c.closed_by_id)
        )
        .order_by(c.id)
    )
    checked = 0
    seen: set[int] = set()
    for (
        session_id,
        station,
        agency_code,
        float_minor,
        opened_by,
        opened_at,
        closed_by,
        closed_at,
        closed_how,
        close_reason,
    ) in stream(connection, statement):
        checked += 1
        seen.add(session_id)
        label = f"#{session_id}"
        ref = workstation_ref(agency_code, station) if station and agency_code else None
        opening = facts.opened.get(session_id)
        if opening is None:
            report.problem(
                "cash_sessions",
                label,
                N_(
                    "the till at {workstation} has no journaled opening (made outside the application?)"
                ),
                workstation=ref or "-",
            )
            continue
        differences = [
            name
            for name, stored, journaled in (
                ("workstation", ref, opening.get("workstation")),
                ("float", float_minor, opening.get("float")),
                ("opened_by", opened_by, opening.get("opened_by")),
                ("opened_at", instant(opened_at), opening.get("opened_at")),
            )
            if stored != journaled
        ]
        if differences:
            report.problem(
                "cash_sessions",
                label,
                N_(
                    "its {fields} differ from the journaled opening (changed outside the application?)"
                ),
                fields=", ".join(differences),
            )
        closing = facts.closed.get(session_id)
        if closed_at is None and closing is not None:
            report.problem(
                "cash_sessions",
                label,
                N_("it is open but the journal closed it (reopened outside the application?)"),
            )
        elif closed_at is not None and closing is None:
            report.problem(
                "cash_sessions",
                label,
                N_("it is closed but no closing was journaled (closed outside the application?)"),
            )
        elif closing is not None and (
            closed_by != closing.get("closed_by")
            or instant(closed_at) != closing.get("closed_at")
            or closed_how != closing.get("how")
            or close_reason != closing.get("reason")
        ):
            report.problem(
                "cash_sessions",
                label,
                N_(
                    "who closed it, when, how or why differs from the journal "
                    "(changed outside the application?)"
                ),
            )
    for session_id in sorted(set(facts.opened) - seen):
        report.problem(
            "cash_sessions",
            f"#{session_id}",
            N_("the journal opened this till at {workstation} but it is missing (deleted?)"),
            workstation=facts.opened[session_id].get("workstation"),
        )
    payment = Payment.__table__.c
    misplaced = (
        select(payment.receipt_no, c.id)
        .select_from(Payment.__table__.join(session, c.id == payment.cash_session_id))
        .where(c.workstation_id != payment.workstation_id)
        .order_by(payment.id)
    )
    for receipt_no, session_id in stream(connection, misplaced):
        report.problem(
            "cash_sessions",
            receipt_no,
            N_("the payment's till #{till} belongs to another counter"),
            till=session_id,
        )
    report.count(TILLS, checked)


# -- till counts, movements and reviews -------------------------------------------------


def check_till_records(connection: Connection, report: Reporter, facts: JournalFacts) -> None:
    """Every till count (with its lines), cash movement and review against its journal event.

    Each is rebuilt from its stored row exactly as the service journaled it
    (the same builders), so any edited figure, moved line or changed name shows.
    Also: a count's totals agree with its lines, and an opening count with its till's float.
    """
    from app.closing.counts import count_details
    from app.closing.movements import movement_details
    from app.closing.review import review_details

    journaled = dict(facts.till_records)
    checked = 0

    def compare(table: str, key: str, record_id: int, stored: dict[str, Any], label: str) -> None:
        event = journaled.pop((key, record_id), None)
        if event is None:
            report.problem(
                table,
                label,
                N_("it has no journal event (written outside the application?)"),
            )
            return
        differences = sorted(
            name for name in stored.keys() | event.keys() if stored.get(name) != event.get(name)
        )
        if differences:
            report.problem(
                table,
                label,
                N_("its {fields} differ from the journal (changed outside the application?)"),
                fields=", ".join(differences),
            )

    staff = Staff.__table__
    count = TillCount.__table__
    line = TillCountLine.__table__
    counter = staff.alias("counter")
    rows = stream(
        connection,
        select(
            count,
            counter.c.login.label("counter_login"),
            *[c.label(f"line_{c.name}") for c in line.c],
        )
        .select_from(
            count.outerjoin(counter, counter.c.id == count.c.counted_by_id).outerjoin(
                line, line.c.count_id == count.c.id
            )
        )
        .order_by(count.c.id, line.c.position, line.c.id),
    )
    floats = dict(
        connection.execute(
            select(CashSession.__table__.c.id, CashSession.__table__.c.opening_float_minor)
        )
        .tuples()
        .all()
    )
    current: tuple[TillCount, str | None] | None = None

    def finish(item: tuple[TillCount, str | None]) -> None:
        row, login = item
        label = f"#{row.id} (till #{row.cash_session_id})"
        compare("till_counts", "count", row.id, count_details(row, login), label)
        cash = sum(x.amount_minor for x in row.lines if x.kind != "cheque")
        cheques = sum(x.amount_minor for x in row.lines if x.kind == "cheque")
        if cash != row.cash_minor or cheques != row.cheque_minor:
            report.problem("till_counts", label, N_("its totals do not add up to its lines"))
        if row.purpose == "opening" and floats.get(row.cash_session_id) != row.cash_minor:
            report.problem(
                "till_counts", label, N_("the float counted differs from the till's float")
            )

    for found in rows:
        values = found._mapping
        if current is None or current[0].id != values["id"]:
            if current is not None:
                finish(current)
            checked += 1
            counted = TillCount(**{c.name: values[c.name] for c in count.c})
            counted.lines = []
            current = (counted, values["counter_login"])
        if values["line_id"] is not None:
            current[0].lines.append(
                TillCountLine(**{c.name: values[f"line_{c.name}"] for c in line.c})
            )
    if current is not None:
        finish(current)

    movement = CashMovement.__table__
    recorder, approver = staff.alias("recorder"), staff.alias("approver")
    for found in stream(
        connection,
        select(
            movement,
            recorder.c.login.label("recorder_login"),
            approver.c.login.label("approver_login"),
        )
        .select_from(
            movement.outerjoin(recorder, recorder.c.id == movement.c.recorded_by_id).outerjoin(
                approver, approver.c.id == movement.c.approved_by_id
            )
        )
        .order_by(movement.c.id),
    ):
        checked += 1
        values = found._mapping
        row = CashMovement(**{c.name: values[c.name] for c in movement.c})
        compare(
            "cash_movements",
            "movement",
            row.id,
            movement_details(row, values["recorder_login"], values["approver_login"]),
            f"#{row.id} (till #{row.cash_session_id})",
        )

    review = TillReview.__table__
    reviewer = staff.alias("reviewer")
    for found in stream(
        connection,
        select(review, reviewer.c.login.label("reviewer_login"))
        .select_from(review.outerjoin(reviewer, reviewer.c.id == review.c.reviewed_by_id))
        .order_by(review.c.id),
    ):
        checked += 1
        values = found._mapping
        reviewed = TillReview(**{c.name: values[c.name] for c in review.c})
        compare(
            "till_reviews",
            "review",
            reviewed.id,
            review_details(reviewed, values["reviewer_login"]),
            f"#{reviewed.id} (till #{reviewed.cash_session_id})",
        )

    _check_counted_cheques(connection, report)
    tables = {"count": "till_counts", "movement": "cash_movements", "review": "till_reviews"}
    for (key, record_id), event in sorted(journaled.items()):
        report.problem(
            tables[key],
            f"#{record_id} (till #{event.get('session')})",
            N_("the journal recorded it but it is missing (deleted?)"),
        )
    report.count(TILL_RECORDS, checked)


def _check_counted_cheques(connection: Connection, report: Reporter) -> None:
    """Each cheque of a count names a cheque tendered in the same till, for its amount."""
    count, line = TillCount.__table__, TillCountLine.__table__
    tender, payment = Tender.__table__, Payment.__table__
    statement = (
        select(count.c.id, count.c.cash_session_id, line.c.cheque_number)
        .select_from(
            line.join(count, count.c.id == line.c.count_id)
            .outerjoin(tender, tender.c.id == line.c.tender_id)
            .outerjoin(payment, payment.c.id == tender.c.payment_id)
        )
        .where(
            line.c.kind == "cheque",
            or_(
                tender.c.id.is_(None),
                tender.c.kind != TenderKind.CHEQUE.value,
                tender.c.amount_minor != line.c.amount_minor,
                payment.c.cash_session_id != count.c.cash_session_id,
            ),
        )
        .order_by(count.c.id, line.c.position)
    )
    for count_id, till_id, number in stream(connection, statement):
        report.problem(
            "till_counts",
            f"#{count_id} (till #{till_id})",
            N_("its cheque {number} is not a cheque tendered in this till"),
            number=number,
        )


# -- receipt copies -------------------------------------------------------------------


def check_receipt_copies(connection: Connection, report: Reporter, facts: JournalFacts) -> None:
    """Every DUPLICATA n against the journal; copy numbers 1, 2, 3... without a gap."""
    copy = ReceiptCopy.__table__.c
    payment = Payment.__table__.c
    statement = (
        select(copy.payment_id, payment.receipt_no, copy.copy_number, copy.medium)
        .select_from(
            ReceiptCopy.__table__.outerjoin(Payment.__table__, payment.id == copy.payment_id)
        )
        .order_by(copy.payment_id, copy.copy_number)
    )
    journaled = dict(facts.copies)
    checked = 0
    last: tuple[int, int] | None = None  # (payment id, copy number) of the row before
    for payment_id, receipt_no, number, medium in stream(connection, statement):
        checked += 1
        label = f"{receipt_no or '#' + str(payment_id)} DUPLICATA {number}"
        expected = last[1] + 1 if last is not None and last[0] == payment_id else 1
        if number != expected:
            report.problem(
                "receipt_copies",
                label,
                N_("copy number {number} follows {previous}: copies are missing (deleted?)"),
                number=number,
                previous=expected - 1,
            )
        last = (payment_id, number)
        medium_journaled = journaled.pop((receipt_no or "", number), None)
        if medium_journaled is None:
            report.problem(
                "receipt_copies",
                label,
                N_("this copy is not in the journal (added outside the application?)"),
            )
        elif medium_journaled != medium:
            report.problem(
                "receipt_copies",
                label,
                N_("it says {medium} but the journal says {journaled}"),
                medium=medium,
                journaled=medium_journaled,
            )
    for receipt_no, number in sorted(journaled):
        report.problem(
            "receipt_copies",
            f"{receipt_no} DUPLICATA {number}",
            N_("the journal issued this copy but its record is missing (deleted?)"),
        )
    report.count(COPIES, checked)


# -- Z report prints ---------------------------------------------------------------------


def check_z_prints(connection: Connection, report: Reporter, facts: JournalFacts) -> None:
    """Every print of a till's Z against the journal (see app.closing.z_prints): each
    Z print job has its event naming it with its copy number, each event on paper its
    job, and a Z's copies (on paper and as PDF) are numbered 0, 1, 2... once each."""
    job = PrintJob.__table__.c
    jobs = {
        job_id: (ref, number)
        for job_id, ref, number in connection.execute(
            select(job.id, job.document_ref, job.copy_number).where(
                job.kind == PrintJobKind.TILL_REPORT, job.document_ref.like("Z-%")
            )
        ).tuples()
    }
    checked = 0
    numbers: dict[str, list[int]] = {}
    for (ref, number), job_id in sorted(facts.z_prints.items()):
        checked += 1
        numbers.setdefault(ref, []).append(number)
        if job_id is None:
            continue  # a PDF: nothing else was written
        found = jobs.pop(job_id, None)
        if found is None:
            report.problem(
                "print_jobs",
                f"{ref} copy {number}",
                N_("the journal printed this copy but its print job #{job} is missing (deleted?)"),
                job=job_id,
            )
        elif found != (ref, number):
            report.problem(
                "print_jobs",
                f"#{job_id}",
                N_("it prints {found} but the journal says {journaled} (changed?)"),
                found=f"{found[0]} copy {found[1]}",
                journaled=f"{ref} copy {number}",
            )
    for job_id, (ref, number) in sorted(jobs.items()):
        checked += 1
        report.problem(
            "print_jobs",
            f"#{job_id} ({ref} copy {number})",
            N_("this print job is not in the journal (added outside the application?)"),
        )
    for ref, number in sorted(set(facts.z_twice)):
        report.problem(
            "print_jobs", f"{ref} copy {number}", N_("the journal gives this copy number twice")
        )
    for ref, seen in sorted(numbers.items()):
        if sorted(seen) != list(range(len(seen))):
            report.problem(
                "print_jobs",
                ref,
                N_("its copies are numbered {numbers}: some are missing (deleted?)"),
                numbers=", ".join(str(n) for n in sorted(seen)),
            )
    if checked:  # said only where tills printed their Z
        report.count(Z_PRINTS, checked)


__all__ = [
    "ACTORS",
    "BILLS",
    "COPIES",
    "STAFF",
    "TILLS",
    "TILL_RECORDS",
    "Z_PRINTS",
    "JournalFacts",
    "check_bills",
    "check_cash_sessions",
    "check_receipt_copies",
    "check_staff",
    "check_till_records",
    "check_z_prints",
]
