"""`python main.py outage record|end|close|list|show`: outages from the command line.

Recording, ending and closing are a supervisor's acts: the command takes the
supervisor's login (``--supervisor``) and their password (typed at the terminal,
or one line of standard input when a script pipes it in), as `day close` does.
Times are typed in the operator's time zone (``YYYY-MM-DD HH:MM``) or as an
instant with its offset. A refusal is one translated line and exit code 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.auth import authenticate
from app.bootstrap import open_context, open_database, require_current_schema
from app.cli.output import say
from app.i18n import N_, format_count, gettext, join_list
from app.labels import SERVICES, label
from app.money import currency as currency_of
from app.money import format_amount, from_minor
from app.outages.fanout import CloseOutcome, close_outage
from app.outages.labels import CLOSED, NO_COMMITMENT, SCOPES, STATES
from app.outages.records import (
    OutageRequest,
    OutageState,
    OutageSummary,
    end_outage,
    list_outages,
    operator_timezone,
    outage_summary,
    parse_when,
    record_outage,
)
from db.engine import Database
from db.models import OutageScope, ServiceType

Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `outage record|end|close|list|show` (``command`` is the main parser's helper)."""
    _ = gettext
    outage = command(
        "outage",
        _("outages: record one, set its end, close it (compensation), list or show them"),
        lambda _a: (parser.parse_args(["outage", "--help"]), 2)[1],
    )
    outage_sub = outage.add_subparsers(metavar="ACTION")
    when = _("in the operator's time zone, YYYY-MM-DD HH:MM")

    record = command(
        "record",
        _(
            "record an outage: its service, where, when (a supervisor's login; the "
            "password is asked, or read from standard input)"
        ),
        outage_record,
        outage_sub,
    )
    record.add_argument(
        "--service",
        required=True,
        choices=[str(s) for s in ServiceType],
        help=_("the service down"),
    )
    record.add_argument(
        "--scope", required=True, choices=list(OutageScope.ALL), help=_("what the values name")
    )
    record.add_argument(
        "values",
        nargs="+",
        metavar="VALUE",
        help=_("agency codes, communes, exchange codes or line numbers"),
    )
    record.add_argument("--start", required=True, metavar="WHEN", help=when)
    record.add_argument("--end", metavar="WHEN", help=when)
    record.add_argument("--description", metavar="TEXT", help=_("what happened"))
    _supervisor_argument(record)

    end = command("end", _("set the end of an outage recorded without one"), outage_end, outage_sub)
    end.add_argument("number", metavar="NUMBER", help=_("the outage's number, e.g. INT-2026-00001"))
    end.add_argument("--at", required=True, metavar="WHEN", help=when)
    _supervisor_argument(end)

    close = command(
        "close",
        _("close an ended outage: find the contracts it hit and compensate each once"),
        outage_close,
        outage_sub,
    )
    close.add_argument(
        "number", metavar="NUMBER", help=_("the outage's number, e.g. INT-2026-00001")
    )
    _supervisor_argument(close)

    listing = command("list", _("the outages, latest first"), outage_list, outage_sub)
    listing.add_argument(
        "--state", choices=list(OutageState.ALL), help=_("only open, ended or closed ones")
    )
    listing.add_argument(
        "--limit", type=int, default=50, metavar="N", help=_("how many outages (default 50)")
    )

    show = command("show", _("one outage in full"), outage_show, outage_sub)
    show.add_argument(
        "number", metavar="NUMBER", help=_("the outage's number, e.g. INT-2026-00001")
    )


def _supervisor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--supervisor", required=True, metavar="LOGIN", help=gettext(N_("the supervisor's login"))
    )


def _read_password(login: str) -> str:
    prompt = gettext(N_("Password of {login}: ")).format(login=login)
    if sys.stdin.isatty():
        return getpass.getpass(prompt=prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _open_database(args: argparse.Namespace) -> Database:
    database = open_database(args.database)
    require_current_schema(database)
    return database


def outage_record(args: argparse.Namespace) -> int:
    # Everything typed is read before the sign-in: a typo costs no attempt.
    database = _open_database(args)
    zone = operator_timezone(database)
    start = _when(args.start, zone, "start")
    end = _when(args.end, zone, "end") if args.end else None
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _read_password(args.supervisor))
    summary = record_outage(
        ctx,
        actor,
        OutageRequest(args.service, args.scope, args.values, start, end, args.description),
    )
    say(N_("Outage {number} recorded."), number=summary.number)
    _say_summary(summary)
    return 0


def outage_end(args: argparse.Namespace) -> int:
    database = _open_database(args)
    end = _when(args.at, operator_timezone(database), "end")
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _read_password(args.supervisor))
    summary = end_outage(ctx, actor, args.number, end)
    say(N_("Outage {number}: end set."), number=summary.number)
    _say_summary(summary)
    return 0


def outage_close(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _read_password(args.supervisor))
    say_closed(close_outage(ctx, actor, args.number))
    return 0


def close_figures(outcome: CloseOutcome) -> dict[str, str]:
    """The figures of a close, formatted for the current language."""
    unit = currency_of(outcome.currency)

    def money(minor: int) -> str:
        return format_amount(from_minor(minor, unit), outcome.currency)

    return {
        "number": outcome.number,
        "affected": format_count(outcome.affected),
        "created": format_count(outcome.created),
        "applied": format_count(outcome.applied),
        "applied_amount": money(outcome.applied_minor),
        "awaiting": format_count(outcome.awaiting_approval),
        "awaiting_amount": money(outcome.awaiting_minor),
        "recorded": format_count(outcome.recorded),
        "already": format_count(outcome.already_there),
        "total": money(outcome.compensated_minor),
        "commitment": outcome.commitment_code or "-",
    }


def say_closed(outcome: CloseOutcome) -> None:
    say(CLOSED, **close_figures(outcome))
    if outcome.commitment_code is None:
        say(NO_COMMITMENT)


def _when(text: str, timezone: str, field: str) -> datetime:
    return parse_when(text, timezone, field)


def _moment(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "-"
    return f"{value.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}"


def _money(minor: int | None, code: str) -> str:
    if minor is None:
        return "-"
    return format_amount(from_minor(minor, currency_of(code)), code)


def _say_summary(summary: OutageSummary) -> None:
    zone = summary.timezone
    say(
        N_("{number}  {service}  {state}  from {start} to {end}  {scope}: {values}"),
        number=summary.number,
        service=label(SERVICES, summary.service),
        state=label(STATES, summary.state),
        start=_moment(summary.started_at, zone),
        end=_moment(summary.ended_at, zone),
        scope=label(SCOPES, summary.scope),
        values=join_list(summary.values[:5]) + (" …" if len(summary.values) > 5 else ""),
    )
    if summary.closed_at is not None:
        say(
            N_("  closed by {login} at {closed}: {affected} contract(s) hit, {total} compensated"),
            login=summary.closed_by or "import",
            closed=_moment(summary.closed_at, zone),
            affected=format_count(summary.affected_contracts or 0),
            total=_money(summary.compensated_minor, summary.currency),
        )


def outage_list(args: argparse.Namespace) -> int:
    outages = list_outages(_open_database(args), state=args.state, limit=max(1, args.limit))
    if not outages:
        say(N_("No outage."))
    for summary in outages:
        _say_summary(summary)
    return 0


def outage_show(args: argparse.Namespace) -> int:
    summary = outage_summary(_open_database(args), args.number)
    _say_summary(summary)
    say(
        N_("  recorded by {login} at {recorded}"),
        login=summary.recorded_by or "import",
        recorded=_moment(summary.recorded_at, summary.timezone),
    )
    if summary.description:
        say(N_("  description: {text}"), text=summary.description)
    if len(summary.values) > 5:
        say(N_("  all of them: {values}"), values=join_list(summary.values))
    return 0
