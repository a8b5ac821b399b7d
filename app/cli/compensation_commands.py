"""`python main.py compensation run|list`: the charter's compensations from the command line.

``run`` applies the late activations now (the scheduled job's work, also safe to
run by hand: nothing is paid twice) and says what it did; ``list`` shows the
claims, newest first (``--awaiting``: only those waiting for a supervisor).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from app.bootstrap import open_context, open_database, require_current_schema
from app.cli.output import say
from app.compensation.late_activation import apply_late_activations
from app.compensation.queries import (
    CLAIM_STATUSES,
    COMPENSATION_KINDS,
    COMPENSATION_SOURCES,
    ClaimLine,
    listed_claims,
)
from app.i18n import N_, current_language, format_count, gettext
from app.money import currency, format_amount, from_minor
from app.workstations import operator_settings
from db.models import ClaimStatus

Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `compensation run|list` (``command`` is the main parser's helper)."""
    _ = gettext
    group = command(
        "compensation",
        _("the charter's compensations: apply late activations, list the claims"),
        lambda _a: (parser.parse_args(["compensation", "--help"]), 2)[1],
    )
    group_sub = group.add_subparsers(metavar="ACTION")
    command(
        "run",
        _("compensate now every line activated late or still pending past its deadline"),
        compensation_run,
        group_sub,
    )
    listing = command(
        "list", _("list the compensation claims, newest first"), compensation_list, group_sub
    )
    listing.add_argument(
        "--awaiting",
        action="store_true",
        help=_("only the claims awaiting a supervisor's approval"),
    )
    listing.add_argument("--limit", type=int, default=50, help=_("at most this many (50)"))


def compensation_run(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    outcome = apply_late_activations(ctx)
    with ctx.db.read() as session:
        code = operator_settings(session).currency
    say(
        N_(
            "Late activations: {examined} line(s) examined, {late} late; {created} new "
            "claim(s): {applied} applied ({applied_amount}), {awaiting} awaiting approval "
            "({awaiting_amount}), {already} already compensated."
        ),
        examined=format_count(outcome.examined),
        late=format_count(outcome.late),
        created=format_count(outcome.created),
        applied=format_count(outcome.applied),
        applied_amount=_money(outcome.applied_minor, code),
        awaiting=format_count(outcome.awaiting_approval),
        awaiting_amount=_money(outcome.awaiting_minor, code),
        already=format_count(outcome.already_there),
    )
    if outcome.no_commitment:
        say(
            N_("{count} line(s) have no charter commitment to judge them by."),
            count=format_count(outcome.no_commitment),
        )
    return 0


def _money(minor: int, code: str) -> str:
    return format_amount(from_minor(minor, currency(code)), code)


def compensation_list(args: argparse.Namespace) -> int:
    database = open_database(args.database)
    require_current_schema(database)
    with database.read() as session:
        zone = ZoneInfo(operator_settings(session).timezone)
        claims = listed_claims(
            session,
            status=ClaimStatus.AWAITING_APPROVAL if args.awaiting else None,
            language=current_language(),
            limit=max(1, args.limit),
        )
    if not claims:
        say(N_("No compensation claim."))
    for claim in claims:
        _say_claim(claim, zone)
    return 0


def _say_claim(claim: ClaimLine, zone: ZoneInfo) -> None:
    say(
        N_(
            "{claim}  {when}  {account} {name}  {source} {cause}  {commitment}  "
            "{amount} ({kind})  {status}"
        ),
        claim=f"K-{claim.claim_id}",
        when=claim.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if claim.created_at.tzinfo
        else claim.created_at.strftime("%Y-%m-%d %H:%M"),
        account=claim.account_number,
        name=claim.subscriber_name,
        source=gettext(COMPENSATION_SOURCES.get(claim.source, claim.source)),
        cause=claim.cause,
        commitment=claim.commitment_title,
        amount=format_amount(claim.amount, claim.currency),
        kind=gettext(COMPENSATION_KINDS.get(claim.kind, claim.kind)),
        status=gettext(CLAIM_STATUSES.get(claim.status, claim.status)),
    )
