"""The X and Z reports of one till (cash session): what it took, voided, reprinted and counted.

An X report can be asked for at any time and changes nothing; a Z report is the
report of a closed till, available again at any later time (a closed till's
figures no longer move: its payments, voids and counts are append-only).

Everything is read from the ledger and the tills' tables. What a till should
hold, and the difference from the count, come from the supervisor's review
(:func:`app.closing.review.till_review`, which reads
:mod:`app.closing.expected`): nothing is computed twice, and that figure stays
a supervisor's. An agent asking for the report of their own till gets every
other figure (the blind count rule: an agent never sees what the till should
hold, nor the difference), and so does the command line run without a
supervisor's sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.auth import Actor, actor_of, require_role
from app.closing.counts import CountedFigures, CountPurpose, counted_figures
from app.closing.days import agency_zone, day_bounds
from app.closing.review import TillReviewFigures, till_review
from app.closing.till_lock import lock_till
from app.closing.z_prints import (
    MEDIUM_PDF,
    copy_for,
    journal_report_print,
    next_z_copy,
    queue_z_copy,
)
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, PermissionDeniedError
from app.i18n import N_
from app.money import Currency, currency, from_minor
from app.printing.queue import UNFINISHED, queue_job
from app.transactions import write_transaction
from app.workstations import find_workstation, operator_settings, workstation_ref
from db.engine import Database
from db.models import (
    Agency,
    Allocation,
    CashMovement,
    CashSession,
    Payment,
    PaymentKind,
    PrintJob,
    PrintJobKind,
    PrintJobStatus,
    ReceiptCopy,
    Role,
    Staff,
    Tender,
    TenderKind,
    TillCount,
    TopUpSale,
    Workstation,
)
from db.types import utcnow

TENDER_ORDER = (TenderKind.CASH, TenderKind.CHEQUE, TenderKind.CARD, TenderKind.POSTAL_TRANSFER)


class ReportKind(StrEnum):
    X = "x"  # any time, changes nothing
    Z = "z"  # the report of a closed till


@dataclass(frozen=True)
class TenderTotal:
    """One tender's takings: what payments brought in and what voids gave back."""

    tender: str
    count: int  # tender lines of payments
    taken: Decimal  # cash: net of the change given
    voids: int  # tender lines of voids
    refunded: Decimal  # positive: what the voids gave back in this tender (cash: net)

    @property
    def net(self) -> Decimal:
        return self.taken - self.refunded


@dataclass(frozen=True)
class VoidLine:
    receipt_no: str
    original_receipt_no: str
    amount: Decimal  # positive: what the void took back (net of the original's change)
    approved_by: str  # the approving supervisor's full name (login)
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class ReprintLine:
    receipt_no: str
    copy_number: int
    medium: str  # thermal | pdf
    issued_by: str | None
    at: datetime


@dataclass(frozen=True)
class PrintFailure:
    job_id: int
    kind: str
    document_ref: str
    copy_number: int
    status: str  # failed (a direct print, given up) or pending/printing (retrying)
    attempts: int
    error: str | None  # the stored record (msgid and params), translated when shown
    at: datetime


@dataclass(frozen=True)
class TillReport:
    kind: ReportKind
    till_id: int
    workstation: str
    operator_name: str
    operator_name_ar: str | None
    agency_name: str
    agency_name_ar: str | None
    timezone: str
    currency: str
    agent_login: str
    agent_name: str
    opened_at: datetime
    opening_float: Decimal
    closed_at: datetime | None
    closed_by: str | None
    closed_how: str | None
    close_reason: str | None
    generated_at: datetime
    generated_by: str | None  # the login asking; None: the command line without a sign-in
    first_receipt: str | None
    last_receipt: str | None
    payments: int
    payments_total: Decimal  # what payments brought in, net of the change given
    voids: int
    voids_total: Decimal  # positive: what voids gave back
    tenders: tuple[TenderTotal, ...]
    change_given: Decimal  # by payments (a void's change is in its refund)
    bills_count: int  # bill lines paid by payments
    bills: Decimal  # net of voids
    topups_count: int  # top-ups sold by payments
    topups: Decimal  # net of voids
    credit_kept: Decimal  # overpayments kept on accounts, net of voids
    credit_used: Decimal  # account credit spent, net of voids
    void_lines: tuple[VoidLine, ...]
    reprints: tuple[ReprintLine, ...]
    print_failures: tuple[PrintFailure, ...]
    count: CountedFigures | None  # the count compared (latest closing count or recount)
    recounts: int
    # The supervisor's view only: expected against counted per tender, each cash term.
    review: TillReviewFigures | None
    expected_withheld: bool  # True: the reader may not see what the till should hold

    @property
    def net_total(self) -> Decimal:
        return self.payments_total - self.voids_total

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def report_ref(kind: ReportKind, till_id: int) -> str:
    """A report's print job reference: ``X-42``, ``Z-42`` (see :func:`app.closing.z_prints.z_ref`)."""
    return f"{ReportKind(kind).value.upper()}-{till_id}"


def parse_report_ref(ref: str) -> tuple[ReportKind, int]:
    kind, _, till = ref.partition("-")
    return ReportKind(kind.lower()), int(till)


# -- reading -----------------------------------------------------------------------------
def _login(session: Session, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    staff = session.get(Staff, staff_id)
    return staff.login if staff is not None else f"#{staff_id}"


def _load_till(session: Session, till_id: int) -> tuple[CashSession, Workstation]:
    till = session.get(CashSession, till_id)
    if till is None:
        raise NotFoundError(N_("There is no till #{till}."), field="till", till=till_id)
    station = session.get(Workstation, till.workstation_id)
    assert station is not None
    return till, station


def _check_kind(till: CashSession, kind: ReportKind) -> None:
    if kind == ReportKind.Z and till.closed_at is None:
        raise ConflictError(
            N_(
                "Till #{till} is still open: its Z report comes once it is closed; "
                "an X report shows it now."
            ),
            field="till",
            till=till.id,
        )


def _tenders(
    session: Session, till_id: int, cur: Currency, change: dict[str, int]
) -> tuple[TenderTotal, ...]:
    """Per tender, payments against voids; cash net of the change handed back
    (``change``: per payment kind; a void's is negative)."""
    rows = session.execute(
        select(Payment.kind, Tender.kind, func.count(Tender.id), func.sum(Tender.amount_minor))
        .join(Tender, Tender.payment_id == Payment.id)
        .where(Payment.cash_session_id == till_id)
        .group_by(Payment.kind, Tender.kind)
    )
    found: dict[tuple[str, str], tuple[int, int]] = {
        (str(pk), str(tk)): (int(n), int(total or 0)) for pk, tk, n, total in rows
    }
    answer = []
    for kind in TENDER_ORDER:
        count, taken = found.get((PaymentKind.PAYMENT.value, kind.value), (0, 0))
        voids, back = found.get((PaymentKind.VOID.value, kind.value), (0, 0))
        if kind == TenderKind.CASH:  # what stayed in the drawer, and what left it
            taken -= change.get(PaymentKind.PAYMENT.value, 0)
            back -= change.get(PaymentKind.VOID.value, 0)
        if count or voids:
            answer.append(
                TenderTotal(
                    kind.value, count, from_minor(taken, cur), voids, from_minor(-back, cur)
                )
            )
    return tuple(answer)


@dataclass(frozen=True)
class _Sums:
    count: int
    net: int  # tendered − change
    change: int
    allocated: int
    topups: int
    credit_added: int
    credit_used: int


def _sums(session: Session, till_id: int) -> dict[str, _Sums]:
    rows = session.execute(
        select(
            Payment.kind,
            func.count(Payment.id),
            func.sum(Payment.tendered_minor - Payment.change_minor),
            func.sum(Payment.change_minor),
            func.sum(Payment.allocated_minor),
            func.sum(Payment.topups_minor),
            func.sum(Payment.credit_added_minor),
            func.sum(Payment.credit_used_minor),
        )
        .where(Payment.cash_session_id == till_id)
        .group_by(Payment.kind)
    )
    return {str(kind): _Sums(*(int(value or 0) for value in values)) for kind, *values in rows}


def _line_count(session: Session, till_id: int, table: type[Allocation] | type[TopUpSale]) -> int:
    return int(
        session.scalar(
            select(func.count(table.id))
            .join(Payment, Payment.id == table.payment_id)
            .where(Payment.cash_session_id == till_id, Payment.kind == PaymentKind.PAYMENT)
        )
        or 0
    )


def _receipt_bounds(session: Session, till_id: int) -> tuple[str | None, str | None]:
    def edge(descending: bool) -> str | None:
        order = Payment.seq.desc() if descending else Payment.seq
        return session.scalar(
            select(Payment.receipt_no)
            .where(Payment.cash_session_id == till_id)
            .order_by(order)
            .limit(1)
        )

    return edge(False), edge(True)


def _void_lines(session: Session, till_id: int, cur: Currency) -> tuple[VoidLine, ...]:
    original = aliased(Payment)
    rows = session.execute(
        select(
            Payment.receipt_no,
            original.receipt_no,
            Payment.tendered_minor - Payment.change_minor,
            Staff.full_name,
            Staff.login,
            Payment.created_at,
            Payment.reason,
        )
        .join(original, original.id == Payment.voids_payment_id)
        .outerjoin(Staff, Staff.id == Payment.approved_by_id)
        .where(Payment.cash_session_id == till_id, Payment.kind == PaymentKind.VOID)
        .order_by(Payment.seq)
    )
    return tuple(
        VoidLine(
            receipt_no,
            original_no,
            from_minor(-int(net), cur),
            f"{name} ({login})" if login else "-",
            at,
            reason,
        )
        for receipt_no, original_no, net, name, login, at, reason in rows
    )


def _during(column: InstrumentedAttribute[datetime], till: CashSession) -> ColumnElement[bool]:
    """``column`` (an instant) falls while the till was open."""
    if till.closed_at is None:
        return column >= till.opened_at
    return and_(column >= till.opened_at, column <= till.closed_at)


def _reprints(session: Session, till: CashSession, station: Workstation) -> tuple[ReprintLine, ...]:
    """Copies of receipts issued at this counter while the till was open."""
    rows = session.execute(
        select(
            Payment.receipt_no,
            ReceiptCopy.copy_number,
            ReceiptCopy.medium,
            Staff.login,
            ReceiptCopy.issued_at,
        )
        .join(Payment, Payment.id == ReceiptCopy.payment_id)
        .outerjoin(Staff, Staff.id == ReceiptCopy.issued_by_id)
        .where(
            ReceiptCopy.workstation == station.series.code,
            _during(ReceiptCopy.issued_at, till),
        )
        .order_by(ReceiptCopy.issued_at, ReceiptCopy.id)
    )
    return tuple(ReprintLine(*row) for row in rows)


def _print_failures(
    session: Session, till: CashSession, station: Workstation
) -> tuple[PrintFailure, ...]:
    """Jobs of this counter (queued while the till was open) or of the till's receipts
    that failed for good or are waiting to be tried again after a failure."""
    in_till = select(Payment.id).where(Payment.cash_session_id == till.id).scalar_subquery()
    rows = session.scalars(
        select(PrintJob)
        .where(
            or_(
                and_(
                    PrintJob.workstation_id == station.id,
                    _during(PrintJob.created_at, till),
                ),
                PrintJob.payment_id.in_(in_till),
            ),
            or_(
                PrintJob.status == PrintJobStatus.FAILED,
                and_(PrintJob.status.in_(UNFINISHED), PrintJob.last_error.is_not(None)),
            ),
        )
        .order_by(PrintJob.id)
    )
    return tuple(
        PrintFailure(
            job.id,
            str(job.kind),
            job.document_ref,
            job.copy_number,
            str(job.status),
            job.attempts,
            job.last_error,
            job.created_at,
        )
        for job in rows
    )


def _count(session: Session, till_id: int, cur: Currency) -> tuple[CountedFigures | None, int]:
    """The count a review compares (the latest closing count or recount), and the recounts."""
    counts = [
        c
        for c in session.scalars(
            select(TillCount).where(TillCount.cash_session_id == till_id).order_by(TillCount.seq)
        )
        if c.purpose != CountPurpose.OPENING
    ]
    if not counts:
        return None, 0
    latest = counts[-1]
    recounts = sum(c.purpose == CountPurpose.RECOUNT for c in counts)
    return counted_figures(latest, _login(session, latest.counted_by_id) or "", cur), recounts


def _report(
    session: Session,
    till: CashSession,
    station: Workstation,
    kind: ReportKind,
    *,
    now: datetime,
    generated_by: str | None,
    review: TillReviewFigures | None,
) -> TillReport:
    settings = operator_settings(session)
    cur = currency(settings.currency)
    agency = session.get(Agency, station.agency_id)
    assert agency is not None
    agent = session.get(Staff, till.opened_by_id)
    sums = _sums(session, till.id)
    none = _Sums(0, 0, 0, 0, 0, 0, 0)
    paid, voided = sums.get(PaymentKind.PAYMENT.value, none), sums.get(PaymentKind.VOID.value, none)
    first, last = _receipt_bounds(session, till.id)
    count, recounts = _count(session, till.id, cur)

    def money(minor: int) -> Decimal:
        return from_minor(minor, cur)

    return TillReport(
        kind=kind,
        till_id=till.id,
        workstation=workstation_ref(agency.code, station.code),
        operator_name=settings.name,
        operator_name_ar=settings.name_ar,
        agency_name=agency.name,
        agency_name_ar=agency.name_ar,
        timezone=agency.timezone or settings.timezone,
        currency=cur.code,
        agent_login=agent.login if agent else f"#{till.opened_by_id}",
        agent_name=agent.full_name if agent else f"#{till.opened_by_id}",
        opened_at=till.opened_at,
        opening_float=money(till.opening_float_minor),
        closed_at=till.closed_at,
        closed_by=_login(session, till.closed_by_id),
        closed_how=till.closed_how,
        close_reason=till.close_reason,
        generated_at=now,
        generated_by=generated_by,
        first_receipt=first,
        last_receipt=last,
        payments=paid.count,
        payments_total=money(paid.net),
        voids=voided.count,
        voids_total=money(-voided.net),
        tenders=_tenders(session, till.id, cur, {k: v.change for k, v in sums.items()}),
        change_given=money(paid.change),
        bills_count=_line_count(session, till.id, Allocation),
        bills=money(paid.allocated + voided.allocated),
        topups_count=_line_count(session, till.id, TopUpSale),
        topups=money(paid.topups + voided.topups),
        credit_kept=money(paid.credit_added + voided.credit_added),
        credit_used=money(paid.credit_used + voided.credit_used),
        void_lines=_void_lines(session, till.id, cur),
        reprints=_reprints(session, till, station),
        print_failures=_print_failures(session, till, station),
        count=count,
        recounts=recounts,
        review=review,
        expected_withheld=review is None,
    )


# How often an X is read again when payments keep coming in between its two reads.
SNAPSHOT_TRIES = 3


def _marker(session: Session, till_id: int) -> tuple[int, int, int]:
    """What changes when anything is added to the till: its last payment, its
    movements and its counts (all append-only)."""
    return (
        int(
            session.scalar(select(func.max(Payment.id)).where(Payment.cash_session_id == till_id))
            or 0
        ),
        int(
            session.scalar(
                select(func.count(CashMovement.id)).where(CashMovement.cash_session_id == till_id)
            )
            or 0
        ),
        int(
            session.scalar(
                select(func.count(TillCount.id)).where(TillCount.cash_session_id == till_id)
            )
            or 0
        ),
    )


# -- the services ------------------------------------------------------------------------
def till_report(ctx: AppContext, actor: Actor, till_id: int, kind: ReportKind) -> TillReport:
    """The X or Z report of till ``till_id``; a Z needs the till closed.

    A supervisor's report holds what the till should hold and the difference from
    the count (from :func:`app.closing.review.till_review`); an agent's, of a till
    they opened, holds everything else and never those.

    Lowest role: agent (the till they opened, without what it should hold); supervisor
    for any till, with everything.
    """
    require_role(actor, Role.AGENT)
    kind = ReportKind(kind)
    full = actor.has_role(Role.SUPERVISOR)
    with ctx.db.read() as session:
        till, _station = _load_till(session, till_id)
        if not full and till.opened_by_id != actor.staff_id:
            raise PermissionDeniedError(
                N_("Till #{till} belongs to {login}: its report is theirs or a supervisor's."),
                field="till",
                till=till_id,
                login=_login(session, till.opened_by_id) or "-",
            )
        _check_kind(till, kind)
        before = _marker(session, till_id)
    for _attempt in range(SNAPSHOT_TRIES):
        # The supervisor's review is the one place expected figures come from; it
        # checks the role again itself. It reads in a transaction of its own: when
        # nothing was added to the till from before it to after the report's own
        # read, both read the same till.
        review = till_review(ctx, actor, till_id) if full else None
        with ctx.db.read() as session:
            till, station = _load_till(session, till_id)
            report = _report(
                session, till, station, kind, now=ctx.now(), generated_by=actor.login, review=review
            )
            after = _marker(session, till_id)
        if after == before:
            break
        before = after  # a payment, movement or count came in between: read again
    return report


def blind_till_report(
    db: Database, till_id: int, kind: ReportKind, *, now: datetime | None = None
) -> TillReport:
    """The X or Z report without what the till should hold nor the difference.

    For the command line run without a supervisor's sign-in (which needs no
    signing key to read it) and for printing a report queued by someone who is
    not a supervisor.

    Lowest role: system.
    """
    kind = ReportKind(kind)
    with db.read() as session:
        till, station = _load_till(session, till_id)
        _check_kind(till, kind)
        return _report(
            session, till, station, kind, now=now or utcnow(), generated_by=None, review=None
        )


def report_as(ctx: AppContext, staff_id: int | None, till_id: int, kind: ReportKind) -> TillReport:
    """The report as the member of staff ``staff_id`` may read it today (a print job's
    author); None or a member of staff who is not a supervisor: the blind report.

    Lowest role: system (the print worker; no actor).
    """
    if staff_id is not None:
        with ctx.db.read() as session:
            staff = session.get(Staff, staff_id)
            author = actor_of(staff) if staff is not None and staff.active else None
        if author is not None and author.has_role(Role.SUPERVISOR):
            return till_report(ctx, author, till_id, kind)
    return blind_till_report(ctx.db, till_id, kind, now=ctx.now())


def tills_for_report(
    db: Database, workstation: str, kind: ReportKind, day: date | None = None
) -> list[int]:
    """Which tills of ``workstation`` a report is about, oldest first.

    ``day`` None: for an X the open till, else the latest; for a Z the latest closed
    till. With ``day``: every till opened on that local day at the agency (a Z only the
    closed ones).

    Lowest role: none (a read; no actor).
    """
    kind = ReportKind(kind)
    with db.read() as session:
        station = find_workstation(session, workstation)
        ref = workstation_ref(station.agency.code, station.code)
        statement = select(CashSession).where(CashSession.workstation_id == station.id)
        if kind == ReportKind.Z:
            statement = statement.where(CashSession.closed_at.is_not(None))
        if day is not None:
            zone = agency_zone(station.agency.timezone, operator_settings(session).timezone)
            start, end = day_bounds(day, zone)
            tills = list(
                session.scalars(
                    statement.where(
                        CashSession.opened_at >= start, CashSession.opened_at < end
                    ).order_by(CashSession.opened_at, CashSession.id)
                )
            )
            if not tills:
                raise NotFoundError(
                    N_("No till was opened at {workstation} on {day}.")
                    if kind == ReportKind.X
                    else N_("No till opened at {workstation} on {day} is closed yet."),
                    field="date",
                    workstation=ref,
                    day=day.isoformat(),
                )
            return [till.id for till in tills]
        if kind == ReportKind.X:
            statement = statement.order_by(
                CashSession.closed_at.is_not(None),
                CashSession.opened_at.desc(),
                CashSession.id.desc(),
            )
        else:
            statement = statement.order_by(CashSession.closed_at.desc(), CashSession.id.desc())
        latest = session.scalars(statement.limit(1)).first()
        if latest is None:
            raise NotFoundError(
                N_("No till was ever opened at {workstation}.")
                if kind == ReportKind.X
                else N_("No till of {workstation} is closed yet: its Z report comes once it is."),
                field="workstation",
                workstation=ref,
            )
        return [latest.id]


def queue_till_report(
    ctx: AppContext,
    till_id: int,
    kind: ReportKind,
    *,
    workstation: str,
    language: str,
    actor: Actor | None = None,
) -> int:
    """Queue the report on ``workstation``'s printer, through the durable print queue;
    returns the job's id.

    The job is rendered when it prints, as its author may read it: with a
    supervisor's figures only when a supervisor queued it. ``actor`` None: the
    command line without a sign-in (the report without expected figures).

    A Z is one document: its first print is the original (normally the close's
    own, :mod:`app.closing.z_prints`), every later one DUPLICATE n, numbered with
    the till locked and journaled with who asked and whose figures it holds. An X
    is a new report each time and is not journaled.

    Lowest role: system (the command line); with an actor, what :func:`till_report`
    allows them (an agent, their own till).
    """
    kind = ReportKind(kind)
    if actor is not None:
        till_report(ctx, actor, till_id, kind)  # refuses what the actor may not see

    def work(session: Session) -> int:
        if kind == ReportKind.Z:
            till, _station = lock_till(session, till_id)  # one copy number each
        else:
            till, _station = _load_till(session, till_id)
        _check_kind(till, kind)
        station = find_workstation(session, workstation)
        if kind == ReportKind.Z:
            return queue_z_copy(session, ctx, actor, till, station, language=language).id
        job = queue_job(
            session,
            kind=PrintJobKind.TILL_REPORT,
            workstation=station,
            document_ref=report_ref(kind, till_id),
            language=language,
            now=ctx.now(),
            created_by_id=actor.staff_id if actor is not None else None,
        )
        return job.id

    return write_transaction(ctx.db, work)


def register_report_pdf(
    ctx: AppContext,
    actor: Actor | None,
    till_ids: list[int],
    kind: ReportKind,
    *,
    language: str,
    workstation: str | None = None,
) -> dict[int, int]:
    """Journal the PDF about to be written of these tills' X or Z reports: who, which
    tills, which copy; returns each till's copy number (a Z's DUPLICATE n, 0 for an X).

    ``workstation``: where it is written, if at a counter. ``actor`` None: the command
    line without a sign-in.

    Lowest role: system (the command line); with an actor, what :func:`till_report`
    allows them (an agent, their own tills).
    """
    kind = ReportKind(kind)
    if actor is not None:
        for till_id in till_ids:
            till_report(ctx, actor, till_id, kind)  # refuses what the actor may not see

    def work(session: Session) -> dict[int, int]:
        copies: dict[int, int] = {}
        for till_id in till_ids:
            if kind == ReportKind.Z:
                till, _station = lock_till(session, till_id)
                copies[till_id] = next_z_copy(session, till_id)
            else:
                till, _station = _load_till(session, till_id)
                copies[till_id] = 0
            _check_kind(till, kind)
            journal_report_print(
                session,
                ctx,
                actor,
                till_id=till_id,
                ref=report_ref(kind, till_id),
                copy=copies[till_id],
                copy_of=copy_for(actor),
                medium=MEDIUM_PDF,
                language=language,
                workstation=workstation,
            )
        return copies

    return write_transaction(ctx.db, work)
