"""`python main.py day close|status`: closing an agency's business day from the command line.

Closing is a supervisor's act: the command takes the supervisor's login
(``--supervisor``, as `till status` does) and their password (typed at the terminal, or one line of standard
input when a script pipes it in), signs them in as the counter would, and
closes as them. A refusal is one translated line and exit code 2; nothing is
half-written (each closing is one transaction).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from app.auth import authenticate
from app.bootstrap import open_context, open_database, require_current_schema
from app.cli.output import say
from app.closing.closings import (
    ClosingInfo,
    close_day,
    close_month,
    close_year,
    closing_status,
    period_label,
)
from app.errors import ValidationError
from app.i18n import N_, format_count, gettext, join_list
from app.money import format_amount
from db.models import ClosingKind

Handler = Callable[[argparse.Namespace], int]
Command = Callable[..., argparse.ArgumentParser]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `day close` and `day status` (``command`` is the main parser's helper)."""
    _ = gettext
    day = command(
        "day",
        _("the agency's business day: close it (or a month, a year), or show its closings"),
        lambda _a: (parser.parse_args(["day", "--help"]), 2)[1],
    )
    day_sub = day.add_subparsers(metavar="ACTION")
    close = command(
        "close",
        _(
            "close a business day of an agency, or a month or a year from its days "
            "(a supervisor's login; the password is asked, or read from standard input)"
        ),
        day_close,
        day_sub,
    )
    close.add_argument("--agency", required=True, metavar="CODE", help=_("agency code"))
    period = close.add_mutually_exclusive_group(required=True)
    period.add_argument("--date", metavar="YYYY-MM-DD", help=_("the business day to close"))
    period.add_argument("--month", metavar="YYYY-MM", help=_("the month to close"))
    period.add_argument("--year", metavar="YYYY", help=_("the year to close"))
    close.add_argument(
        "--supervisor", required=True, metavar="LOGIN", help=_("the closing supervisor's login")
    )
    status = command(
        "status", _("the agency's last closings and the tills still open"), day_status, day_sub
    )
    status.add_argument("--agency", required=True, metavar="CODE", help=_("agency code"))
    status.add_argument(
        "--limit", type=int, default=10, metavar="N", help=_("how many closings (default 10)")
    )


def _read_password(login: str) -> str:
    prompt = gettext(N_("Password of {login}: ")).format(login=login)
    if sys.stdin.isatty():
        return getpass.getpass(prompt=prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            N_("{value} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31"),
            field="date",
            value=text,
        ) from None


def _month(text: str) -> tuple[int, int]:
    found = _MONTH.match(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError(
            N_("{value} is not a month: give it as YYYY-MM, e.g. 2026-03"),
            field="month",
            value=text,
        )
    return int(found.group(1)), int(found.group(2))


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise ValidationError(
            N_("{value} is not a year: give it as YYYY, e.g. 2026"), field="year", value=text
        )
    return int(text)


def day_close(args: argparse.Namespace) -> int:
    # The period is read before anything else: a typo costs no sign-in attempt.
    closing: Callable[..., ClosingInfo]
    if args.date:
        day = _day(args.date)
        closing = lambda ctx, actor: close_day(ctx, actor, args.agency, day)  # noqa: E731
    elif args.month:
        year, month = _month(args.month)
        closing = lambda ctx, actor: close_month(ctx, actor, args.agency, year, month)  # noqa: E731
    else:
        whole = _year(args.year)
        closing = lambda ctx, actor: close_year(ctx, actor, args.agency, whole)  # noqa: E731
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _read_password(args.supervisor))
    info = closing(ctx, actor)
    _say_closed(info)
    return 0


_CLOSED = {
    ClosingKind.DAILY: N_(
        "Business day {period} of {agency} closed by {login}: {payments} payment(s) for "
        "{payments_total}, {voids} void(s) for {voids_total}; period total {period_total}, "
        "perpetual total {perpetual_total} ({perpetual_absolute} with voids in absolute value)."
    ),
    ClosingKind.MONTHLY: N_(
        "Month {period} of {agency} closed by {login}: {payments} payment(s) for "
        "{payments_total}, {voids} void(s) for {voids_total}; period total {period_total}, "
        "perpetual total {perpetual_total} ({perpetual_absolute} with voids in absolute value)."
    ),
    ClosingKind.YEARLY: N_(
        "Year {period} of {agency} closed by {login}: {payments} payment(s) for "
        "{payments_total}, {voids} void(s) for {voids_total}; period total {period_total}, "
        "perpetual total {perpetual_total} ({perpetual_absolute} with voids in absolute value)."
    ),
}


_LISTED = {
    ClosingKind.DAILY: N_(
        "  day {period}: period total {period_total}, perpetual total {perpetual_total}, "
        "closed by {login} at {closed_at}{automatic}"
    ),
    ClosingKind.MONTHLY: N_(
        "  month {period}: period total {period_total}, perpetual total {perpetual_total}, "
        "closed by {login} at {closed_at}{automatic}"
    ),
    ClosingKind.YEARLY: N_(
        "  year {period}: period total {period_total}, perpetual total {perpetual_total}, "
        "closed by {login} at {closed_at}{automatic}"
    ),
}


def _figures(info: ClosingInfo) -> dict[str, str]:
    def money(amount: Any) -> str:
        return format_amount(amount, info.currency)

    return {
        "period": period_label(info.kind, info.period_start),
        "agency": info.agency,
        "login": info.closed_by,
        "payments": format_count(info.payments),
        "payments_total": money(info.payments_total),
        "voids": format_count(info.voids),
        "voids_total": money(info.voids_total),
        "period_total": money(info.period_total),
        "perpetual_total": money(info.perpetual_total),
        "perpetual_absolute": money(info.perpetual_absolute),
    }


def _say_closed(info: ClosingInfo) -> None:
    say(_CLOSED[info.kind], **_figures(info))
    if info.gap_days:
        say(
            N_("Closed with it, as nothing was recorded on them: {days}."),
            days=join_list(day.isoformat() for day in info.gap_days),
        )


def day_status(args: argparse.Namespace) -> int:
    database = open_database(args.database)
    require_current_schema(database)
    status = closing_status(database, args.agency, limit=max(1, args.limit))
    say(
        N_("{agency}: last closed business day {day}."),
        agency=status.agency,
        day=status.last_closed_day.isoformat() if status.last_closed_day else "-",
    )
    if status.open_tills:
        say(N_("Tills still open: {tills}."), tills=join_list(status.open_tills))
    for info in status.closings:
        figures = _figures(info)
        say(
            _LISTED[info.kind],
            **figures,
            closed_at=f"{info.closed_at:%Y-%m-%d %H:%M} UTC",
            automatic=gettext(N_(" (closed empty with the next day)")) if info.automatic else "",
        )
    return 0
