"""`python main.py complaint list|show|breaches`: the complaints' board for the operator's IT.

`list` prints the complaints still being handled, breaches first, then by deadline;
`show` one complaint with its history; `breaches` marks the deadlines passed now
(journaled, the automatic compensations proposed), as the board's refresh does.
A cron job may run it. No sign-in: these are the IT's commands on the database.

Exit codes: 0 done, 1 nothing to list, 2 a refusal or a fault (one line).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.bootstrap import open_context
from app.cli.output import say
from app.complaints.board import Board, BoardFilters, BoardRow, board_for_system, complaint_history
from app.complaints.breaches import apply_breaches
from app.complaints.labels import CATEGORIES, STATUSES
from app.complaints.present import left_text
from app.i18n import N_, format_count, gettext
from app.labels import label
from db.models import ComplaintStatus

Handler = Callable[[argparse.Namespace], int]
Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `complaint` (``command`` is the main parser's helper)."""
    _ = gettext
    group = command(
        "complaint",
        _("complaints against the charter: list, show, breaches"),
        lambda _a: (parser.parse_args(["complaint", "--help"]), 2)[1],
        sub,
    )
    group_sub = group.add_subparsers(metavar="ACTION")
    listing = command(
        "list",
        _("the complaints being handled, breaches first, then by deadline"),
        complaint_list,
        group_sub,
    )
    listing.add_argument("--agency", metavar="CODE", help=_("one agency (default: every agency)"))
    listing.add_argument(
        "--status",
        choices=list(ComplaintStatus.ALL),
        help=_("one status (default: every status still handled)"),
    )
    listing.add_argument(
        "--breached", action="store_true", help=_("only the complaints past their deadline")
    )
    show = command("show", _("one complaint and its history"), complaint_show, group_sub)
    show.add_argument("number", metavar="NUMBER")
    command(
        "breaches",
        _("mark the complaints past their deadline now, with their automatic compensation"),
        complaint_breaches,
        group_sub,
    )


def _local(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "-"
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _line(board: Board, row: BoardRow) -> str:
    zone = board.timezones.get(row.agency_id, "UTC")
    mark = "!" if row.breached(board.now) else " "
    return (
        f"{mark} {row.number:<20} {row.account_number:<12} "
        f"{label(CATEGORIES, row.category):<22} {label(STATUSES, row.status):<26} "
        f"{_local(row.due_at, zone):<16}  {left_text(board.left(row))}"
        + (f"  @{row.assigned_login}" if row.assigned_login else "")
    )


def complaint_list(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    filters = BoardFilters(agency=args.agency, status=args.status, breached_only=args.breached)
    board = board_for_system(ctx.db, filters, now=ctx.now())
    if not board.rows:
        say(N_("No complaint to list."))
        return 1
    for row in board.rows:
        print(_line(board, row))
    say(
        N_("{count} complaint(s), {breaches} past their deadline."),
        count=format_count(len(board.rows)),
        breaches=format_count(board.breaches),
    )
    return 0


def complaint_show(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    board, steps = complaint_history(ctx.db, args.number, now=ctx.now())
    row = board.rows[0]
    print(_line(board, row))
    zone = board.timezones.get(row.agency_id, "UTC")
    say(N_("Subscriber: {account} {name}"), account=row.account_number, name=row.subscriber_name)
    if row.contract_number:
        say(N_("Contract: {contract}"), contract=row.contract_number)
    say(N_("Commitment: {code}"), code=row.commitment_code or "-")
    print(row.description)
    for step in steps:
        print(
            f"  {_local(step.at, zone)}  {step.kind:<14} {step.by_login or '-':<12} "
            f"{step.status_to or ''}  {step.note or ''}".rstrip()
        )
    return 0


def complaint_breaches(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    run = apply_breaches(ctx, ctx.now())
    for number in run.numbers:
        print(number)
    say(
        N_("{count} complaint(s) marked past their deadline; {claims} compensation(s) proposed."),
        count=format_count(run.breached),
        claims=format_count(run.claims),
    )
    return 0
