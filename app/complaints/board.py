"""The supervisor's board of complaints, a subscriber's complaints, and the board as CSV.

The board lists the complaints still being handled, breaches first, then by
deadline (the nearest first), then those whose clock stands still (waiting for
the customer) or that no commitment covers. One query, on the
``ix_complaints_status_due`` index, with the names joined in; what is left on
each clock is counted only for the rows a screen shows (:meth:`Board.left`):
counting business minutes on a calendar for ten thousand rows nobody looks at
would cost more than the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy import ColumnElement, Select, and_, case, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from app.auth import Actor, require_role
from app.complaints.clock import BusinessCalendar, ClockRule, TimeLeft, time_left
from app.complaints.labels import CATEGORIES, CHANNELS, STATUSES
from app.complaints.terms import agency_calendar
from app.context import AppContext
from app.errors import ValidationError
from app.exports.csv_writer import TableWriter
from app.i18n import N_, gettext
from db.engine import Database
from db.models import (
    Agency,
    CommitmentClock,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintStatus,
    Contract,
    Role,
    Staff,
    Subscriber,
)

DESCRIPTION_SHOWN = 160  # characters of the description the board reads
BOARD_LIMIT = 20_000  # rows at most on the board (10,000 open complaints is a large operator)


@dataclass(frozen=True)
class BoardFilters:
    agency: str | None = None  # agency code
    category: str | None = None
    status: str | None = None  # one of ComplaintStatus.ACTIVE
    agent: str | None = None  # login of the staff it is assigned to
    breached_only: bool = False


@dataclass(slots=True)
class BoardRow:
    """One complaint on the board (or in a subscriber's list)."""

    id: int
    number: str
    agency_id: int
    agency_code: str
    account_number: str
    first_name: str | None
    last_name: str
    contract_number: str | None
    category: str
    channel: str
    status: str
    opened_at: datetime | None  # None on the board's own read (see _select_rows)
    assigned_login: str | None
    assigned_name: str | None
    commitment_code: str | None
    clock: str | None
    target_minutes: int | None
    used_minutes: int | None
    running_since: datetime | None
    due_at: datetime | None
    breached_at: datetime | None
    description: str = ""
    outcome: str | None = None
    left: TimeLeft | None = None  # counted when first shown

    @property
    def subscriber_name(self) -> str:
        return Subscriber.display_name_of(self.first_name, self.last_name)

    def breached(self, now: datetime) -> bool:
        return self.breached_at is not None or (
            self.due_at is not None and self.due_at <= now and self.status in ComplaintStatus.ACTIVE
        )


class _Clock:
    """What :func:`app.complaints.clock.time_left` reads of a complaint, from a row."""

    def __init__(self, row: BoardRow) -> None:
        self.clock = row.clock
        self.target_minutes = row.target_minutes
        self.used_minutes = row.used_minutes or 0
        self.running_since = row.running_since
        self.due_at = row.due_at
        self.breached_at = row.breached_at
        self.status = row.status


@dataclass
class Board:
    """The rows and what counts their clocks: :meth:`left` for the rows on screen."""

    rows: list[BoardRow]
    now: datetime
    timezones: dict[int, str]
    calendars: dict[int, BusinessCalendar] = field(default_factory=dict)
    truncated: bool = False

    def left(self, row: BoardRow) -> TimeLeft:
        if row.left is None:
            rule = None
            if row.clock is not None:
                calendar = self.calendars.get(row.agency_id)
                rule = ClockRule(row.clock, self.timezones.get(row.agency_id, "UTC"), calendar)
                if row.clock == CommitmentClock.BUSINESS_HOURS and calendar is None:
                    rule = None
            row.left = time_left(_Clock(row), rule, self.now)  # type: ignore[arg-type]
        return row.left

    @property
    def breaches(self) -> int:
        return sum(1 for row in self.rows if row.breached(self.now))


_ASSIGNEE = aliased(Staff)


def _select_rows(now: datetime, *, full: bool = True) -> Select[Any]:
    """The rows, in the board's order. ``full=False`` is the board's own read: what the
    table shows (the description cut short, no opening or running instants); the CSV,
    a subscriber's list and one complaint read everything."""
    breached_first = case(
        (or_(Complaint.breached_at.is_not(None), Complaint.due_at <= now), 0), else_=1
    )
    # Clocks standing still (waiting for the customer), then complaints no commitment covers.
    no_deadline_last = case(
        (Complaint.due_at.is_not(None), 0), (Complaint.clock.is_not(None), 1), else_=2
    )
    return (
        select(
            Complaint.id,
            Complaint.number,
            Complaint.agency_id,
            Agency.code,
            Subscriber.account_number,
            Subscriber.first_name,
            Subscriber.last_name,
            Contract.number,
            Complaint.category,
            Complaint.channel,
            Complaint.status,
            Complaint.opened_at if full else null().label("opened_at"),
            _ASSIGNEE.login,
            _ASSIGNEE.full_name,
            Complaint.commitment_code,
            Complaint.clock,
            Complaint.target_minutes,
            Complaint.used_minutes,
            Complaint.running_since if full else null().label("running_since"),
            Complaint.due_at,
            Complaint.breached_at,
            Complaint.description
            if full
            else func.substr(Complaint.description, 1, DESCRIPTION_SHOWN).label("description"),
            Complaint.outcome if full else null().label("outcome"),
        )
        .join(Agency, Agency.id == Complaint.agency_id)
        .join(Subscriber, Subscriber.id == Complaint.subscriber_id)
        .outerjoin(Contract, Contract.id == Complaint.contract_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Complaint.assigned_to_id)
        .order_by(
            breached_first, no_deadline_last, Complaint.due_at, Complaint.opened_at, Complaint.id
        )
    )


def _row(values: Any) -> BoardRow:
    """A row of :func:`_select_rows`, whose columns are BoardRow's fields in order."""
    return BoardRow(*values)


def _check_filters(filters: BoardFilters) -> None:
    if filters.status is not None and filters.status not in ComplaintStatus.ALL:
        raise ValidationError(
            N_("Unknown complaint status {status}."), field="status", status=filters.status
        )
    if filters.category is not None and filters.category not in ComplaintCategory.ALL:
        raise ValidationError(
            N_("Unknown complaint category {category}."),
            field="category",
            category=filters.category,
        )


def _board(
    session: Session, filters: BoardFilters, now: datetime, *, limit: int, full: bool = False
) -> Board:
    statement = _select_rows(now, full=full)
    statuses = (filters.status,) if filters.status else ComplaintStatus.ACTIVE
    conditions: list[ColumnElement[bool]] = [Complaint.status.in_(statuses)]
    if filters.agency:
        conditions.append(Agency.code == filters.agency.strip().upper())
    if filters.category:
        conditions.append(Complaint.category == filters.category)
    if filters.agent:
        conditions.append(_ASSIGNEE.login == filters.agent.strip().lower())
    if filters.breached_only:
        conditions.append(or_(Complaint.breached_at.is_not(None), Complaint.due_at <= now))
    rows = [
        _row(values)
        for values in session.execute(statement.where(and_(*conditions)).limit(limit + 1))
    ]
    truncated = len(rows) > limit
    rows = rows[:limit]
    agency_ids = {row.agency_id for row in rows}
    timezones: dict[int, str] = {
        agency_id: zone
        for agency_id, zone in session.execute(
            select(Agency.id, Agency.timezone).where(Agency.id.in_(agency_ids))
        )
    }
    calendars: dict[int, BusinessCalendar] = {}
    for agency_id in sorted(
        {row.agency_id for row in rows if row.clock == CommitmentClock.BUSINESS_HOURS}
    ):
        calendars[agency_id] = agency_calendar(session, agency_id)
    return Board(rows, now, timezones, calendars, truncated)


def complaints_board(
    db: Database,
    actor: Actor,
    filters: BoardFilters,
    *,
    now: datetime,
    limit: int = BOARD_LIMIT,
    full: bool = False,
) -> Board:
    """The complaints still being handled, breaches first, then by deadline; ``full``
    reads each whole (the description, when it was opened), as the CSV does.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    _check_filters(filters)
    with db.read() as session:
        return _board(session, filters, now, limit=limit, full=full)


def board_for_system(
    db: Database, filters: BoardFilters, *, now: datetime, limit: int = BOARD_LIMIT
) -> Board:
    """The board for the command line (the operator's IT on the database).

    Lowest role: system (the command line; no actor).
    """
    _check_filters(filters)
    with db.read() as session:
        return _board(session, filters, now, limit=limit, full=True)


def subscriber_complaints(db: Database, subscriber_id: int, *, now: datetime) -> Board:
    """Every complaint of a subscriber, the latest first, each with its clock.

    Lowest role: none (a read, as the subscriber view; no actor).
    """
    with db.read() as session:
        statement = _select_rows(now).where(Complaint.subscriber_id == subscriber_id)
        statement = statement.order_by(None).order_by(
            Complaint.opened_at.desc(), Complaint.id.desc()
        )
        rows = [_row(values) for values in session.execute(statement.limit(200))]
        agency_ids = {row.agency_id for row in rows}
        timezones = {
            agency_id: zone
            for agency_id, zone in session.execute(
                select(Agency.id, Agency.timezone).where(Agency.id.in_(agency_ids))
            )
        }
        calendars: dict[int, BusinessCalendar] = {
            agency_id: agency_calendar(session, agency_id)
            for agency_id in sorted(
                {
                    row.agency_id
                    for row in rows
                    if row.clock == CommitmentClock.BUSINESS_HOURS
                    and row.status in ComplaintStatus.ACTIVE
                }
            )
        }
        board = Board(rows, now, timezones, calendars)
        for row in rows:
            board.left(row)
        return board


@dataclass(frozen=True)
class HistoryStep:
    at: datetime
    kind: str
    by_login: str | None
    status_from: str | None
    status_to: str | None
    note: str | None


def complaint_history(
    db: Database, number: str, *, now: datetime
) -> tuple[Board, list[HistoryStep]]:
    """One complaint (the board's only row, with its clock at ``now``) and its history,
    oldest step first.

    Lowest role: none (a read; no actor).
    """
    from app.complaints.records import find_complaint

    with db.read() as session:
        complaint = find_complaint(session, number)
        statement = _select_rows(now).where(Complaint.id == complaint.id)
        row = _row(session.execute(statement).one())
        zone = session.scalar(select(Agency.timezone).where(Agency.id == row.agency_id))
        calendars: dict[int, BusinessCalendar] = {}
        if row.clock == CommitmentClock.BUSINESS_HOURS and row.status in ComplaintStatus.ACTIVE:
            calendars[row.agency_id] = agency_calendar(session, row.agency_id)
        board = Board([row], now, {row.agency_id: zone or "UTC"}, calendars)
        board.left(row)
        by = aliased(Staff)
        steps = [
            HistoryStep(at, kind, login, status_from, status_to, note)
            for at, kind, login, status_from, status_to, note in session.execute(
                select(
                    ComplaintEvent.at,
                    ComplaintEvent.kind,
                    by.login,
                    ComplaintEvent.status_from,
                    ComplaintEvent.status_to,
                    ComplaintEvent.note,
                )
                .outerjoin(by, by.id == ComplaintEvent.by_id)
                .where(ComplaintEvent.complaint_id == complaint.id)
                .order_by(ComplaintEvent.id)
            )
        ]
        return board, steps


CSV_HEADER = (
    "number",
    "agency",
    "account",
    "subscriber",
    "contract",
    "category",
    "channel",
    "status",
    "opened_at",
    "assigned_to",
    "commitment",
    "clock",
    "due_at",
    "breached",
    "breached_at",
    "description",
)


def export_board_csv(
    ctx: AppContext,
    actor: Actor,
    filters: BoardFilters,
    stream: IO[bytes],
    *,
    language: str | None = None,
    bom: bool = True,
) -> int:
    """The board as CSV (UTF-8, cells a spreadsheet would run made inert); returns the
    number of rows written. Categories and statuses are written in ``language``.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    now = ctx.now()
    board = complaints_board(ctx.db, actor, filters, now=now, full=True)
    writer = TableWriter(stream, CSV_HEADER, bom=bom)
    writer.write_rows(
        (
            row.number,
            row.agency_code,
            row.account_number,
            row.subscriber_name,
            row.contract_number,
            gettext(CATEGORIES.get(row.category, row.category), language),
            gettext(CHANNELS.get(row.channel, row.channel), language),
            gettext(STATUSES.get(row.status, row.status), language),
            row.opened_at,
            row.assigned_login,
            row.commitment_code,
            row.clock,
            row.due_at,
            row.breached(now),
            row.breached_at,
            row.description,
        )
        for row in board.rows
    )
    writer.close()
    return writer.rows
