"""The supervisor's review of a till: expected against counted, per tender, and why.

Only here (and in the supervisor's status, :mod:`app.closing.status`) does
anyone see what a till should have held: every function checks the supervisor
role first. A recount is stored beside the earlier counts (never over them) and
the review takes the latest; a difference beyond the operator's threshold, on
any tender and either way, needs the supervisor's reason. A review is written
once and journaled with its figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.closing.counts import (
    CountedFigures,
    CountInput,
    CountPurpose,
    counted_figures,
    write_count,
)
from app.closing.denominations import cash_of
from app.closing.expected import ExpectedTill, cheques_in_till, expected_for
from app.closing.ownership import require_till_holder
from app.closing.till_lock import lock_till
from app.context import AppContext
from app.errors import ConflictError, ValidationError
from app.i18n import N_
from app.integrity.canonical import instant
from app.journal import EventKind, record_action
from app.money import Currency, Money, currency, from_minor, to_minor
from app.transactions import write_transaction
from app.workstations import operator_settings, workstation_ref
from db.models import (
    Agency,
    CashSession,
    OperatorSettings,
    Role,
    Staff,
    TenderKind,
    TillCount,
    TillCountLine,
    TillReview,
    Workstation,
)

REASON_MAX = 500
_TENDERS = (TenderKind.CASH, TenderKind.CHEQUE, TenderKind.CARD, TenderKind.POSTAL_TRANSFER)


@dataclass(frozen=True)
class ExpectedCashTerms:
    """Each term of the expected cash, for the supervisor to read how it was reached."""

    opening_float: Decimal
    cash_tendered: Decimal
    change_given: Decimal
    cash_refunded: Decimal
    top_ups: Decimal
    drops: Decimal
    deposits: Decimal
    expected: Decimal


@dataclass(frozen=True)
class TenderLine:
    tender: str
    expected: Decimal
    counted: Decimal | None  # None while the till has no count
    difference: Decimal | None  # counted − expected


@dataclass(frozen=True)
class ChequeLine:
    number: str
    bank: str
    amount: Decimal


@dataclass(frozen=True)
class TillReviewFigures:
    session_id: int
    workstation: str
    currency: str
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    closed_how: str | None
    close_reason: str | None
    counts: tuple[CountedFigures, ...]  # every count, oldest first, recounts beside
    reviewed_count: int | None  # the id of the count compared (the latest closing or recount)
    cash: ExpectedCashTerms
    tenders: tuple[TenderLine, ...]
    difference: Decimal | None
    threshold: Decimal
    needs_reason: bool
    cheques_not_counted: tuple[ChequeLine, ...]  # tendered here, missing from the count
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_reason: str | None


def threshold_minor(settings: OperatorSettings, cur: Currency) -> int:
    """The difference beyond which a review needs a reason (the operator's, or the currency's)."""
    if settings.count_difference_threshold_minor is not None:
        return settings.count_difference_threshold_minor
    return cash_of(cur.code).difference_threshold_minor


def _login(session: Session, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    staff = session.get(Staff, staff_id)
    return staff.login if staff is not None else f"#{staff_id}"


def _counts(session: Session, till_id: int) -> list[TillCount]:
    return list(
        session.scalars(
            select(TillCount).where(TillCount.cash_session_id == till_id).order_by(TillCount.seq)
        )
    )


def counted_since_close(session: Session, till: CashSession) -> bool:
    """Whether the till has a closing count or a recount (an opening count does not do)."""
    return (
        session.scalar(
            select(TillCount.id)
            .where(TillCount.cash_session_id == till.id, TillCount.purpose != CountPurpose.OPENING)
            .limit(1)
        )
        is not None
    )


def _compared(counts: list[TillCount]) -> TillCount | None:
    closing = [c for c in counts if c.purpose != CountPurpose.OPENING]
    return closing[-1] if closing else None


def _figures(session: Session, till: CashSession, station: Workstation) -> TillReviewFigures:
    settings = operator_settings(session)
    cur = currency(settings.currency)
    expected = expected_for(session, till)
    counts = _counts(session, till.id)
    latest = _compared(counts)
    threshold = threshold_minor(settings, cur)
    counted_minor = _counted_by_tender(latest)
    lines, over = [], False
    for kind in _TENDERS:
        should = expected.by_tender()[kind.value]
        has = counted_minor.get(kind.value) if counted_minor is not None else None
        if has is not None and abs(has - should) > threshold:
            over = True
        lines.append(
            TenderLine(
                kind.value,
                from_minor(should, cur),
                from_minor(has, cur) if has is not None else None,
                from_minor(has - should, cur) if has is not None else None,
            )
        )
    review = session.scalars(
        select(TillReview).where(TillReview.cash_session_id == till.id)
    ).first()
    agency = session.get(Agency, station.agency_id)
    return TillReviewFigures(
        session_id=till.id,
        workstation=workstation_ref(agency.code if agency else "?", station.code),
        currency=cur.code,
        opened_by=_login(session, till.opened_by_id) or "",
        opened_at=till.opened_at,
        closed_by=_login(session, till.closed_by_id),
        closed_at=till.closed_at,
        closed_how=till.closed_how,
        close_reason=till.close_reason,
        counts=tuple(
            counted_figures(c, _login(session, c.counted_by_id) or "", cur) for c in counts
        ),
        reviewed_count=latest.id if latest is not None else None,
        cash=_terms(expected, cur),
        tenders=tuple(lines),
        difference=_total_difference(lines),
        threshold=from_minor(threshold, cur),
        needs_reason=over,
        cheques_not_counted=_cheques_not_counted(session, till.id, latest, cur),
        reviewed_by=_login(session, review.reviewed_by_id) if review else None,
        reviewed_at=review.reviewed_at if review else None,
        review_reason=review.reason if review else None,
    )


def _counted_by_tender(count: TillCount | None) -> dict[str, int] | None:
    if count is None:
        return None
    return {
        TenderKind.CASH.value: count.cash_minor,
        TenderKind.CHEQUE.value: count.cheque_minor,
        TenderKind.CARD.value: count.card_minor,
        TenderKind.POSTAL_TRANSFER.value: count.postal_transfer_minor,
    }


def _total_difference(lines: list[TenderLine]) -> Decimal | None:
    if any(line.difference is None for line in lines):
        return None
    return sum((line.difference or Decimal(0) for line in lines), Decimal(0))


def _terms(expected: ExpectedTill, cur: Currency) -> ExpectedCashTerms:
    cash = expected.cash
    return ExpectedCashTerms(
        *(
            from_minor(minor, cur)
            for minor in (
                cash.float_minor,
                cash.tendered_minor,
                cash.change_minor,
                cash.refunded_minor,
                cash.top_ups_minor,
                cash.drops_minor,
                cash.deposits_minor,
                cash.total_minor,
            )
        )
    )


def _cheques_not_counted(
    session: Session, till_id: int, count: TillCount | None, cur: Currency
) -> tuple[ChequeLine, ...]:
    if count is None:
        return ()
    listed = {
        line.tender_id
        for line in session.scalars(
            select(TillCountLine).where(
                TillCountLine.count_id == count.id, TillCountLine.kind == "cheque"
            )
        )
    }
    return tuple(
        ChequeLine(c.number, c.bank, from_minor(c.amount_minor, cur))
        for c in cheques_in_till(session, till_id)
        if c.tender_id not in listed
    )


def till_review(ctx: AppContext, actor: Actor, till_id: int) -> TillReviewFigures:
    """Expected against counted for till ``till_id``, per tender, with each cash term.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    with ctx.db.read() as session:
        till = session.get(CashSession, till_id)
        if till is None:
            raise ConflictError(N_("There is no till #{till}."), field="till", till=till_id)
        station = session.get(Workstation, till.workstation_id)
        assert station is not None
        return _figures(session, till, station)


def review_till(
    ctx: AppContext, actor: Actor, till_id: int, *, reason: str | None = None
) -> TillReviewFigures:
    """Accept the latest count of a closed till; a difference beyond the threshold needs ``reason``.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    why = (reason or "").strip() or None
    if why is not None and len(why) > REASON_MAX:
        raise ValidationError(
            N_("The reason has at most {count} characters."), field="reason", count=REASON_MAX
        )

    def work(session: Session) -> TillReviewFigures:
        till, station = lock_till(session, till_id)
        _require_reviewable(session, till)
        figures = _figures(session, till, station)
        if figures.reviewed_count is None:
            raise ConflictError(
                N_("Till #{till} has not been counted yet: count it before the review."),
                field="till",
                till=till_id,
            )
        if figures.needs_reason and why is None:
            cur = currency(figures.currency)
            raise ValidationError(
                N_("The difference is more than {threshold}: give its reason."),
                field="reason",
                threshold=Money(threshold_minor(operator_settings(session), cur), cur),
            )
        _write_review(session, ctx, actor, till, station, figures, why)
        return _figures(session, till, station)

    return write_transaction(ctx.db, work)


def _require_reviewable(session: Session, till: CashSession) -> None:
    if till.closed_at is None:
        raise ConflictError(
            N_("Till #{till} is still open: it is reviewed once counted and closed."),
            field="till",
            till=till.id,
        )
    done = session.scalar(select(TillReview.id).where(TillReview.cash_session_id == till.id))
    if done is not None:
        raise ConflictError(N_("Till #{till} was already reviewed."), field="till", till=till.id)


def _write_review(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    till: CashSession,
    station: Workstation,
    figures: TillReviewFigures,
    reason: str | None,
) -> None:
    cur = currency(figures.currency)

    def minor(amount: Decimal | None) -> int:
        return to_minor(amount or 0, cur, allow_zero=True, allow_negative=True)

    expected = {line.tender: minor(line.expected) for line in figures.tenders}
    difference = minor(figures.difference)
    review = TillReview(
        cash_session_id=till.id,
        count_id=figures.reviewed_count,
        reviewed_by_id=actor.staff_id,
        reviewed_at=ctx.now(),
        currency=cur.code,
        expected_cash_minor=expected[TenderKind.CASH.value],
        expected_cheque_minor=expected[TenderKind.CHEQUE.value],
        expected_card_minor=expected[TenderKind.CARD.value],
        expected_postal_transfer_minor=expected[TenderKind.POSTAL_TRANSFER.value],
        difference_minor=difference,
        reason=reason,
    )
    session.add(review)
    session.flush()
    record_action(
        session,
        ctx,
        EventKind.TILL_REVIEWED,
        actor,
        workstation=station.series.code,
        subject=str(till.id),
        details=review_details(review, actor.login),
    )


def review_details(review: TillReview, reviewed_by: str | None) -> dict[str, object]:
    """What the journal keeps of a review; ``verify`` compares the stored row with it."""
    return {
        "review": review.id,
        "session": review.cash_session_id,
        "count": review.count_id,
        "reviewed_by": reviewed_by,
        "reviewed_at": instant(review.reviewed_at),
        "currency": review.currency,
        "expected_cash": review.expected_cash_minor,
        "expected_cheque": review.expected_cheque_minor,
        "expected_card": review.expected_card_minor,
        "expected_postal_transfer": review.expected_postal_transfer_minor,
        "difference": review.difference_minor,
        "reason": review.reason,
    }


def recount_till(ctx: AppContext, actor: Actor, till_id: int, count: CountInput) -> CountedFigures:
    """Count a closed till again, before its review: stored beside the earlier counts.

    The answer, as for the first count, holds only what was counted.

    Lowest role: agent, for the till they opened; supervisor for any.
    """
    require_role(actor, Role.AGENT)

    def work(session: Session) -> CountedFigures:
        till, station = lock_till(session, till_id)
        require_till_holder(session, actor, till)
        _require_reviewable(session, till)
        cur = currency(operator_settings(session).currency)
        counted = write_count(
            session,
            ctx,
            actor,
            till,
            CountPurpose.RECOUNT,
            count,
            cur,
            workstation=station.series.code,
        )
        return counted_figures(counted, actor.login, cur)

    return write_transaction(ctx.db, work)


def set_count_threshold(ctx: AppContext, actor: Actor, amount: Decimal | str | None) -> None:
    """Set the till difference beyond which a review needs a reason; None: the currency's default.

    Lowest role: admin.
    """
    require_role(actor, Role.ADMIN)
    with ctx.db.write() as session:
        settings = operator_settings(session)
        cur = currency(settings.currency)
        minor = (
            None if amount is None else to_minor(amount, cur, field="threshold", allow_zero=True)
        )
        settings.count_difference_threshold_minor = minor
        record_action(
            session,
            ctx,
            EventKind.COUNT_THRESHOLD_SET,
            actor,
            details={"threshold": minor, "currency": cur.code},
        )
