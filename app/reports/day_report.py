"""The supervisor's end-of-day report of one agency's business day, as a PDF.

What the report shows is gathered here (:class:`DayReport`: counts, minor
units, instants and logins, in no language) and drawn in the reader's language
by :mod:`app.reports.day_report_layout`. The day's figures come from the same
aggregate as the day's closing (:func:`app.closing.figures.day_figures`), so the
report of a closed day and its closing cannot disagree; the closing's own
totals (period and perpetual) are shown beside them when the day is closed, and
a day still open is marked provisional.

Complaints are not in the report: the data model has none yet (they come with
the complaints issue); the report gains that section then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.auth import Actor, require_role
from app.closing.days import agency_zone, day_bounds
from app.closing.figures import Figures, day_figures, of_business_day
from app.context import AppContext
from app.errors import NotFoundError
from app.i18n import N_
from app.money import currency, from_minor
from app.workstations import operator_settings, workstation_ref
from db.models import (
    Agency,
    CashSession,
    Closing,
    ClosingKind,
    Complaint,
    Payment,
    PaymentKind,
    PrintJob,
    PrintJobStatus,
    ReceiptCopy,
    Role,
    Staff,
    TillCount,
    TillReview,
    Workstation,
)

_Money = Callable[[int], Decimal]


@dataclass(frozen=True)
class CounterLine:
    workstation: str
    name: str
    payments: int
    voids: int
    total: Decimal


@dataclass(frozen=True)
class AgentLine:
    login: str
    name: str
    payments: int
    voids: int
    total: Decimal


@dataclass(frozen=True)
class HourLine:
    hour: int  # local hour of the agency, 0..23
    payments: int
    voids: int
    total: Decimal


@dataclass(frozen=True)
class TillLine:
    """A till of the day: how it closed, and its review when there is one."""

    workstation: str
    agent: str
    opened_at: datetime
    closed_at: datetime | None
    closed_how: str | None
    close_reason: str | None
    counted: Decimal | None  # every tender, as last counted
    expected: Decimal | None  # as frozen by the review
    difference: Decimal | None  # counted − expected, from the review
    reason: str | None  # the review's
    reviewed_by: str | None


@dataclass(frozen=True)
class VoidLine:
    at: datetime
    receipt_no: str
    original: str
    workstation: str
    agent: str
    approved_by: str
    amount: Decimal  # negative: what went back to the customer
    reason: str


@dataclass(frozen=True)
class ReprintLine:
    at: datetime
    receipt_no: str
    copy_number: int
    medium: str
    issued_by: str
    workstation: str


@dataclass(frozen=True)
class PrintFailureLine:
    at: datetime
    workstation: str
    document: str
    copy_number: int
    attempts: int
    status: str
    error: str | None  # msgid and params as stored (app.printing.queue.error_record)


@dataclass(frozen=True)
class CompensationLine:
    """The charter's compensations of the day of one kind: money, not takings."""

    kind: str  # CompensationKind: credit on accounts, or waived on bills
    count: int
    total: Decimal


@dataclass(frozen=True)
class ComplaintLine:
    """A complaint opened at the agency that day, with the date the operator owes an answer."""

    number: str
    opened_at: datetime
    category: str  # ComplaintCategory
    channel: str  # ComplaintChannel
    opened_by: str
    commitment: str | None
    due_at: datetime | None
    status: str  # ComplaintStatus, now


@dataclass(frozen=True)
class ClosingLine:
    closed_at: datetime
    closed_by: str
    payments: int
    payments_total: Decimal
    voids: int
    voids_total: Decimal
    period_total: Decimal
    perpetual_total: Decimal
    perpetual_absolute: Decimal


@dataclass(frozen=True)
class DayReport:
    agency: str
    agency_name: str
    agency_name_ar: str | None
    operator_name: str
    operator_name_ar: str | None
    day: date
    timezone: str
    currency: str
    made_at: datetime
    made_by: str
    payments: int
    payments_total: Decimal
    voids: int
    voids_total: Decimal  # negative
    bills_total: Decimal
    topups_total: Decimal
    credit_total: Decimal  # credit added less credit used
    period_total: Decimal
    tenders: dict[str, Decimal]  # tender kind -> net amount (cash net of change)
    counters: tuple[CounterLine, ...]
    agents: tuple[AgentLine, ...]
    hours: tuple[HourLine, ...]
    tills: tuple[TillLine, ...]
    voids_made: tuple[VoidLine, ...]
    reprints: tuple[ReprintLine, ...]
    print_failures: tuple[PrintFailureLine, ...]
    closing: ClosingLine | None  # None: the day is not closed, the report is provisional
    # The charter's compensations of the day, apart from the tenders (credit, waiver).
    compensations: tuple[CompensationLine, ...] = ()
    # The complaints opened at the agency that day (the charter's clock of each).
    complaints: tuple[ComplaintLine, ...] = ()

    @property
    def provisional(self) -> bool:
        return self.closing is None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def day_report_pdf(
    ctx: AppContext, actor: Actor, agency_code: str, day: date, *, language: str
) -> bytes:
    """The end-of-day report (A4 PDF) of ``day`` at the agency, in ``language``.

    Lowest role: supervisor.
    """
    from app.reports.day_report_layout import render_day_report  # reportlab only when drawing

    return render_day_report(load_day_report(ctx, actor, agency_code, day), language)


def load_day_report(ctx: AppContext, actor: Actor, agency_code: str, day: date) -> DayReport:
    """What :func:`day_report_pdf` draws, before it is drawn (for the screens and tests).

    Raises :class:`NotFoundError` for an unknown agency.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with ctx.db.read() as session:
        return _gather(session, ctx.now(), actor.login, agency_code, day)


def _gather(session: Session, now: datetime, login: str, agency_code: str, day: date) -> DayReport:
    agency = session.scalars(
        select(Agency).where(Agency.code == agency_code.strip().upper())
    ).first()
    if agency is None:
        raise NotFoundError(N_("Unknown agency {agency}."), field="agency", agency=agency_code)
    settings = operator_settings(session)
    cur = currency(settings.currency)
    zone = agency_zone(agency.timezone, settings.timezone)

    def money(minor: int) -> Decimal:
        return from_minor(minor, cur)

    stations = {
        station.id: station
        for station in session.scalars(
            select(Workstation).where(Workstation.agency_id == agency.id).order_by(Workstation.code)
        )
    }
    refs = {sid: workstation_ref(agency.code, s.code) for sid, s in stations.items()}
    figures = day_figures(session.connection(), refs, day, zone)
    staff = _Staff(session)

    # What the closing's aggregate does not keep: the agent and the hour of each row,
    # added up in SQL per agent, kind and UTC hour (instants are stored as naive UTC on
    # both backends); each UTC hour is one local hour, the agencies' zones being whole
    # hours from UTC (Algiers, Tunis, Paris, summer and winter).
    by_agent: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_hour: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    if refs:
        hour_of = _utc_hour(session)
        rows = session.execute(
            select(
                Payment.agent_id,
                Payment.kind,
                hour_of,
                func.count(),
                func.sum(Payment.tendered_minor - Payment.change_minor),
            )
            .where(Payment.workstation_id.in_(sorted(refs)), of_business_day(day, zone))
            .group_by(Payment.agent_id, Payment.kind, hour_of)
        )
        for agent_id, kind, utc_hour, count, takings in rows:
            void = kind == PaymentKind.VOID
            instant = datetime.strptime(str(utc_hour), "%Y-%m-%d %H").replace(tzinfo=UTC)
            hour = instant.astimezone(zone).hour
            for line in (by_agent[agent_id], by_hour[hour]):
                line[1 if void else 0] += int(count)
                line[2] += int(takings)
    agents = sorted(
        (
            AgentLine(staff.login(agent_id), staff.name(agent_id), n, v, money(total))
            for agent_id, (n, v, total) in by_agent.items()
        ),
        key=lambda line: line.login,
    )
    hours = tuple(
        HourLine(hour, by_hour[hour][0], by_hour[hour][1], money(by_hour[hour][2]))
        for hour in sorted(by_hour)
    )

    counters = _counters(figures, stations, refs, money)
    start, end = day_bounds(day, zone)
    return DayReport(
        agency=agency.code,
        agency_name=agency.name,
        agency_name_ar=agency.name_ar,
        operator_name=settings.name,
        operator_name_ar=settings.name_ar,
        day=day,
        timezone=zone.key,
        currency=cur.code,
        made_at=now,
        made_by=login,
        payments=figures.payments_count,
        payments_total=money(figures.payments_minor),
        voids=figures.voids_count,
        voids_total=money(figures.voids_minor),
        bills_total=money(figures.bills_minor),
        topups_total=money(figures.topups_minor),
        credit_total=money(figures.credit_minor),
        period_total=money(figures.period_minor),
        tenders={kind: money(amount) for kind, amount in sorted(figures.tenders.items()) if amount},
        counters=counters,
        agents=tuple(agents),
        hours=hours,
        tills=_tills(session, refs, figures, start, end, staff, money),
        voids_made=_voids(session, refs, day, zone, staff, money),
        reprints=_reprints(session, refs, start, end, staff),
        print_failures=_print_failures(session, refs, start, end),
        closing=_closing(session, agency.id, day, staff, money),
        compensations=tuple(
            CompensationLine(kind, count, money(amount))
            for kind, (count, amount) in sorted(figures.compensations.items())
        ),
        complaints=_complaints(session, agency.id, start, end, staff),
    )


def _complaints(
    session: Session, agency_id: int, start: datetime, end: datetime, staff: _Staff
) -> tuple[ComplaintLine, ...]:
    rows = session.execute(
        select(
            Complaint.number,
            Complaint.opened_at,
            Complaint.category,
            Complaint.channel,
            Complaint.opened_by_id,
            Complaint.commitment_code,
            Complaint.due_at,
            Complaint.status,
        )
        .where(
            Complaint.agency_id == agency_id,
            Complaint.opened_at >= start,
            Complaint.opened_at < end,
        )
        .order_by(Complaint.opened_at, Complaint.id)
    )
    return tuple(
        ComplaintLine(
            number=row.number,
            opened_at=row.opened_at,
            category=row.category,
            channel=row.channel,
            opened_by=staff.login(row.opened_by_id),
            commitment=row.commitment_code,
            due_at=row.due_at,
            status=row.status,
        )
        for row in rows
    )


def _utc_hour(session: Session) -> ColumnElement[str]:
    """``YYYY-MM-DD HH`` of a payment's instant, in UTC, as text."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(Payment.created_at, 1, 13)  # stored as ISO text
    return func.to_char(Payment.created_at, "YYYY-MM-DD HH24")


class _Staff:
    """Logins and names by id, each read once."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[int, tuple[str, str]] = {}

    def _get(self, staff_id: int | None) -> tuple[str, str]:
        if staff_id is None:
            return ("", "")
        if staff_id not in self._known:
            person = self._session.get(Staff, staff_id)
            self._known[staff_id] = (
                (person.login, person.full_name or "") if person else (f"#{staff_id}", "")
            )
        return self._known[staff_id]

    def login(self, staff_id: int | None) -> str:
        return self._get(staff_id)[0]

    def name(self, staff_id: int | None) -> str:
        return self._get(staff_id)[1]


def _counters(
    figures: Figures,
    stations: dict[int, Workstation],
    refs: dict[int, str],
    money: _Money,
) -> tuple[CounterLine, ...]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in figures.tills.values():
        total = totals[line.workstation]
        total[0] += line.payments
        total[1] += line.voids
        total[2] += line.total
    names = {refs[sid]: station.name for sid, station in stations.items()}
    return tuple(
        CounterLine(ref, names.get(ref, ""), n, v, money(total))
        for ref, (n, v, total) in sorted(totals.items())
    )


def _tills(
    session: Session,
    refs: dict[int, str],
    figures: Figures,
    start: datetime,
    end: datetime,
    staff: _Staff,
    money: _Money,
) -> tuple[TillLine, ...]:
    """The tills that took the day's payments, and those opened during the day."""
    if not refs:
        return ()
    took = {line.till for line in figures.tills.values() if line.till}
    tills = session.scalars(
        select(CashSession)
        .where(
            CashSession.workstation_id.in_(sorted(refs)),
            or_(
                CashSession.id.in_(sorted(took)),
                and_(CashSession.opened_at >= start, CashSession.opened_at < end),
            ),
        )
        .order_by(CashSession.opened_at, CashSession.id)
    ).all()
    reviews = {
        review.cash_session_id: review
        for review in session.scalars(
            select(TillReview).where(TillReview.cash_session_id.in_([t.id for t in tills]))
        )
    }
    lines = []
    for till in tills:
        review = reviews.get(till.id)
        counted = session.get(TillCount, review.count_id) if review else _last_count(session, till)
        counted_minor = (
            counted.cash_minor
            + counted.cheque_minor
            + counted.card_minor
            + counted.postal_transfer_minor
            if counted is not None
            else None
        )
        expected_minor = (
            review.expected_cash_minor
            + review.expected_cheque_minor
            + review.expected_card_minor
            + review.expected_postal_transfer_minor
            if review is not None
            else None
        )
        lines.append(
            TillLine(
                workstation=refs[till.workstation_id],
                agent=staff.login(till.opened_by_id),
                opened_at=till.opened_at,
                closed_at=till.closed_at,
                closed_how=till.closed_how,
                close_reason=till.close_reason,
                counted=money(counted_minor) if counted_minor is not None else None,
                expected=money(expected_minor) if expected_minor is not None else None,
                difference=money(review.difference_minor) if review is not None else None,
                reason=review.reason if review is not None else None,
                reviewed_by=staff.login(review.reviewed_by_id) if review is not None else None,
            )
        )
    return tuple(lines)


def _last_count(session: Session, till: CashSession) -> TillCount | None:
    """The latest closing count or recount of a till not reviewed yet."""
    return session.scalars(
        select(TillCount)
        .where(TillCount.cash_session_id == till.id, TillCount.purpose != "opening")
        .order_by(TillCount.seq.desc())
        .limit(1)
    ).first()


def _voids(
    session: Session,
    refs: dict[int, str],
    day: date,
    zone: ZoneInfo,
    staff: _Staff,
    money: _Money,
) -> tuple[VoidLine, ...]:
    if not refs:
        return ()
    original = aliased(Payment)
    rows = session.execute(
        select(
            Payment.created_at,
            Payment.receipt_no,
            original.receipt_no,
            Payment.workstation_id,
            Payment.agent_id,
            Payment.approved_by_id,
            Payment.tendered_minor - Payment.change_minor,
            Payment.reason,
        )
        .join(original, original.id == Payment.voids_payment_id)
        .where(
            Payment.workstation_id.in_(sorted(refs)),
            Payment.kind == PaymentKind.VOID,
            of_business_day(day, zone),
        )
        .order_by(Payment.created_at, Payment.id)
    )
    return tuple(
        VoidLine(
            at,
            receipt,
            voided,
            refs[station],
            staff.login(agent),
            staff.login(approver),
            money(amount),
            reason or "",
        )
        for at, receipt, voided, station, agent, approver, amount, reason in rows
    )


def _reprints(
    session: Session, refs: dict[int, str], start: datetime, end: datetime, staff: _Staff
) -> tuple[ReprintLine, ...]:
    """Copies issued during the day of receipts taken at the agency."""
    if not refs:
        return ()
    rows = session.execute(
        select(
            ReceiptCopy.issued_at,
            Payment.receipt_no,
            ReceiptCopy.copy_number,
            ReceiptCopy.medium,
            ReceiptCopy.issued_by_id,
            ReceiptCopy.workstation,
            Payment.workstation_id,
        )
        .join(Payment, Payment.id == ReceiptCopy.payment_id)
        .where(
            Payment.workstation_id.in_(sorted(refs)),
            ReceiptCopy.issued_at >= start,
            ReceiptCopy.issued_at < end,
        )
        .order_by(ReceiptCopy.issued_at, ReceiptCopy.id)
    )
    return tuple(
        ReprintLine(at, receipt, number, medium, staff.login(by), where or refs[station])
        for at, receipt, number, medium, by, where, station in rows
    )


def _print_failures(
    session: Session, refs: dict[int, str], start: datetime, end: datetime
) -> tuple[PrintFailureLine, ...]:
    """Jobs of the day's counters that failed, or wait for another try after a failure."""
    if not refs:
        return ()
    jobs = session.scalars(
        select(PrintJob)
        .where(
            PrintJob.workstation_id.in_(sorted(refs)),
            PrintJob.created_at >= start,
            PrintJob.created_at < end,
            or_(PrintJob.status == PrintJobStatus.FAILED, PrintJob.last_error.is_not(None)),
        )
        .order_by(PrintJob.created_at, PrintJob.id)
    )
    return tuple(
        PrintFailureLine(
            job.created_at,
            refs[job.workstation_id] if job.workstation_id else "",
            job.document_ref,
            job.copy_number,
            job.attempts,
            str(job.status),
            job.last_error,
        )
        for job in jobs
    )


def _closing(
    session: Session, agency_id: int, day: date, staff: _Staff, money: _Money
) -> ClosingLine | None:
    closing = session.scalars(
        select(Closing).where(
            Closing.agency_id == agency_id,
            Closing.kind == ClosingKind.DAILY,
            Closing.period_start == day,
        )
    ).first()
    if closing is None:
        return None
    return ClosingLine(
        closed_at=closing.closed_at,
        closed_by=staff.login(closing.closed_by_id),
        payments=closing.payments_count,
        payments_total=money(closing.payments_minor),
        voids=closing.voids_count,
        voids_total=money(closing.voids_minor),
        period_total=money(closing.period_minor),
        perpetual_total=money(closing.perpetual_minor),
        perpetual_absolute=money(closing.perpetual_absolute_minor),
    )
