"""`python main.py cutoff list --date D [--agency CODE] [--csv FILE]`: the cut-off list.

Run by the operator's IT for the billing system (no sign-in: the system's own
read). Prints the proposed lines, then the excluded ones with their reasons, or
writes them as CSV (formulas neutralised). Exit codes: 0 done, 2 a refusal or a
fault (one line).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.billing.cutoff import (
    CutoffLine,
    cutoff_list,
    exclusion_text,
    export_cutoff_csv,
    parse_cutoff_date,
)
from app.bootstrap import open_database, require_current_schema
from app.cli.output import say
from app.i18n import N_, current_language, format_count, gettext
from app.money import currency, format_money

Handler = Callable[[argparse.Namespace], int]
Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `cutoff list` (``command`` is the main parser's helper)."""
    _ = gettext
    cutoff = command(
        "cutoff",
        _("the cut-off list for the billing system: list"),
        lambda _a: (parser.parse_args(["cutoff", "--help"]), 2)[1],
        sub,
    )
    cutoff_sub = cutoff.add_subparsers(metavar="ACTION")
    listing = command(
        "list",
        _(
            "lines proposed for suspension on a date, and those excluded with their reasons "
            "(bill delivered late, open complaint, paid since the billing extract)"
        ),
        cutoff_list_command,
        cutoff_sub,
    )
    listing.add_argument(
        "--date", dest="on", required=True, metavar="YYYY-MM-DD", help=_("the day of the list")
    )
    listing.add_argument("--agency", metavar="CODE", help=_("one agency (default: every agency)"))
    listing.add_argument("--csv", metavar="FILE", help=_("write the list as CSV to this file"))


def cutoff_list_command(args: argparse.Namespace) -> int:
    on = parse_cutoff_date(args.on)
    database = open_database(args.database)
    require_current_schema(database)
    language = current_language()
    if args.csv:
        path = Path(args.csv)
        result, rows = export_cutoff_csv(
            database, None, on, path, agency_code=args.agency, language=language
        )
        say(
            N_(
                "Cut-off list of {day}: {proposed} line(s) proposed, {excluded} excluded; "
                "{rows} row(s) written to {path}."
            ),
            day=on.isoformat(),
            proposed=format_count(len(result.proposed)),
            excluded=format_count(len(result.excluded)),
            rows=format_count(rows),
            path=str(path),
        )
        return 0
    result = cutoff_list(database, on, agency_code=args.agency)
    cur = currency(result.currency)

    def show(line: CutoffLine) -> str:
        amount = format_money(line.overdue_minor, cur, language) if line.overdue_minor else "-"
        return (
            f"{line.contract_number}  {line.account_number}  {line.subscriber_name:<28} "
            f"{line.agency_code or '-':<8} {amount:>14}  {' '.join(line.overdue_bills)}"
        )

    say(
        N_(
            "Cut-off list of {day} (grace {grace} days, extract {extract}): {proposed} line(s) proposed."
        ),
        day=on.isoformat(),
        grace=result.grace_days,
        extract=result.extract_at.isoformat(timespec="minutes") if result.extract_at else "-",
        proposed=format_count(len(result.proposed)),
    )
    for line in result.proposed:
        print(show(line))
    say(N_("Excluded: {count} line(s)."), count=format_count(len(result.excluded)))
    for line in result.excluded:
        print(show(line))
        for exclusion in line.exclusions:
            print("    " + exclusion_text(exclusion, language))
    return 0
