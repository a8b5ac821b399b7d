"""`python main.py till status`: every till of the agency, for IT and for scripts.

Like the other commands it runs on the database's machine with no signed-in
actor, and shows what anyone at the agency may see: state, agent, since when,
float. What a till should hold is the supervisor's alone (the blind count):
``--expected`` needs ``--supervisor LOGIN``, whose password is typed (or piped)
and checked as at the counter, and the sign-in is journaled.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.auth import authenticate
from app.bootstrap import open_context, open_database, require_current_schema
from app.cli.output import say
from app.closing.status import TillStatus, till_statuses, tills_expected_cash
from app.closing.till_labels import CLOSED_HOW, TILL_STATES
from app.errors import ValidationError
from app.i18n import N_, gettext
from app.labels import label
from app.money import format_amount
from app.workstations import operator_settings

Command = Callable[..., argparse.ArgumentParser]
Handler = Callable[[argparse.Namespace], int]


def add_parsers(sub: Any, command: Command, show_help: Handler) -> None:
    """Register `till` and its actions (``command`` is the main parser's helper,
    ``show_help`` what `till` alone does)."""
    _ = gettext
    till = command("till", _("tills (cash sessions): status"), show_help, sub)
    till_sub = till.add_subparsers(metavar="ACTION")
    state = command(
        "status",
        _("the till of each counter: open or closed, agent, since when, float"),
        till_status,
        till_sub,
    )
    state.add_argument("--workstation", metavar="W", help=_("one counter, e.g. ALG01-G01"))
    state.add_argument("--agency", metavar="CODE", help=_("the counters of one agency"))
    state.add_argument(
        "--supervisor",
        metavar="LOGIN",
        help=_(
            "also show the cash each open till should hold; asks for this supervisor's password"
        ),
    )


def _password(login: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt=gettext(N_("Password of {login}: ")).format(login=login))
    return sys.stdin.readline().rstrip("\r\n")


def _moment(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def till_status(args: argparse.Namespace) -> int:
    if args.workstation and args.agency:
        raise ValidationError(N_("Give --workstation or --agency, not both."), field="workstation")
    expected: dict[int, Decimal] = {}
    if args.supervisor:
        ctx = open_context(args.database, args.key_file)
        database = ctx.db
        supervisor = authenticate(ctx, args.supervisor, _password(args.supervisor))
        tills = till_statuses(database, agency=args.agency, workstation=args.workstation)
        open_ids = [t.session_id for t in tills if t.state == "open" and t.session_id is not None]
        expected = tills_expected_cash(ctx, supervisor, open_ids)
    else:
        database = open_database(args.database)
        require_current_schema(database)
        tills = till_statuses(database, agency=args.agency, workstation=args.workstation)
    with database.read() as session:
        zone = ZoneInfo(operator_settings(session).timezone)
    if not tills:
        say(N_("No counters."))
    for till in tills:
        _print(till, zone, expected)
    return 0


def _print(till: TillStatus, zone: ZoneInfo, expected: dict[int, Decimal]) -> None:
    state = label(TILL_STATES, till.state)
    if till.session_id is None:
        say(N_("{workstation}: {state}"), workstation=till.workstation, state=state)
        return
    say(
        N_("{workstation}: {state}, till #{till} of {agent}, opened {opened}, float {float}"),
        workstation=till.workstation,
        state=state,
        till=till.session_id,
        agent=till.agent or "-",
        opened=_moment(till.opened_at, zone),
        float=format_amount(till.opening_float or Decimal(0), till.currency),
    )
    if till.closed_at is not None:
        say(
            N_("  closed {closed}: {how}"),
            closed=_moment(till.closed_at, zone),
            how=label(CLOSED_HOW, till.closed_how) if till.closed_how else "-",
        )
    if till.session_id in expected:
        say(
            N_("  expected cash now: {amount}"),
            amount=format_amount(expected[till.session_id], till.currency),
        )
