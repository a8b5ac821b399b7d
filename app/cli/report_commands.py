"""`python main.py report x|z --workstation W [--date D] [--pdf FILE] [--print] [--supervisor LOGIN]`.

The X report (any time, changes nothing) and the Z report (of a closed till) of
a counter's till, printed to the terminal, written as a PDF (80 mm roll) and/or
queued on the counter's thermal printer through the durable print queue.

Without ``--date`` an X is about the counter's open till (else its latest) and
a Z about its latest closed till; with ``--date`` every till opened that local
day at the agency, one after the other. Like `till status`, the command run
without a sign-in shows everything but what the till should hold and the
difference (the blind count rule); ``--supervisor LOGIN`` adds them, the
password typed or piped in. The date, the workstation and the PDF's folder are
checked before the password, so a typo costs no sign-in attempt. A refusal is
one translated line and exit code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.auth import Actor, authenticate
from app.bootstrap import open_context, open_database, require_current_schema
from app.cli.day_commands import _day, _read_password
from app.cli.day_report_command import _target, _write
from app.cli.output import say
from app.context import AppContext
from app.i18n import LANGUAGES, N_, current_language, gettext, is_right_to_left
from app.printing.slip import plain_text
from app.printing.till_report_slip import combined_slip, till_report_pdf, till_report_slip
from app.reports.till_report import (
    ReportKind,
    TillReport,
    blind_till_report,
    queue_till_report,
    till_report,
    tills_for_report,
)
from app.workstations import find_workstation, workstation_ref

Command = Callable[..., argparse.ArgumentParser]

_DIRECTION_MARKS = dict.fromkeys([0x202A, 0x202B, 0x202C])


def add_parsers(report_sub: Any, command: Command) -> None:
    """Register `x` and `z` under the `report` group (``command`` is the main parser's helper)."""
    _ = gettext
    for kind, help_text in (
        (ReportKind.X, _("the X report of a counter's till: any time, it changes nothing")),
        (ReportKind.Z, _("the Z report of a counter's closed till, again at any time")),
    ):
        action = command(kind.value, help_text, report_till, report_sub)
        action.set_defaults(report_kind=kind)
        action.add_argument(
            "--workstation", required=True, metavar="W", help=_("the counter, e.g. ALG01-G01")
        )
        action.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help=_("the tills opened on this business day (default: the current or last till)"),
        )
        action.add_argument("--pdf", metavar="FILE", help=_("also write the report as a PDF"))
        action.add_argument(
            "--print",
            dest="print_it",
            action="store_true",
            help=_("also queue the report on the counter's receipt printer"),
        )
        action.add_argument(
            "--supervisor",
            metavar="LOGIN",
            help=_(
                "add what the till should hold and the difference; "
                "asks for this supervisor's password"
            ),
        )
        action.add_argument(
            "--report-language",
            choices=sorted(LANGUAGES),
            help=_("language of the report (default: the messages' language)"),
        )


def report_till(args: argparse.Namespace) -> int:
    kind = ReportKind(args.report_kind)
    day = _day(args.date) if args.date else None
    out = _target(args.pdf) if args.pdf else None
    language = args.report_language or current_language()
    database = open_database(args.database)
    require_current_schema(database)
    with database.read() as session:
        station = find_workstation(session, args.workstation)
        workstation = workstation_ref(station.agency.code, station.code)
    tills = tills_for_report(database, workstation, kind, day)
    ctx: AppContext | None = None
    actor: Actor | None = None
    # A PDF is journaled (who, which tills, which copy): it needs the signing key too.
    if args.supervisor or args.print_it or out is not None:
        database.dispose()
        ctx = open_context(args.database, args.key_file)
        actor = (
            authenticate(ctx, args.supervisor, _read_password(args.supervisor))
            if args.supervisor
            else None
        )
        reports = [
            till_report(ctx, actor, till, kind) if actor else blind_till_report(ctx.db, till, kind)
            for till in tills
        ]
    else:
        reports = [blind_till_report(database, till, kind) for till in tills]
    slip = combined_slip([till_report_slip(report, language) for report in reports])
    text = plain_text(slip)
    if not is_right_to_left(language):
        text = text.translate(_DIRECTION_MARKS)
    print(text)
    if out is not None:
        assert ctx is not None
        _write(out, till_report_pdf(ctx, actor, tills, kind, language=language))
        say(N_("Report written to {path}."), path=str(out))
    if ctx is not None and args.print_it:
        for report in reports:
            _queue(ctx, report, workstation, language, actor)
    return 0


def _queue(
    ctx: AppContext, report: TillReport, workstation: str, language: str, actor: Actor | None
) -> None:
    job = queue_till_report(
        ctx, report.till_id, report.kind, workstation=workstation, language=language, actor=actor
    )
    say(
        N_("Report of till #{till} queued on the printer of {workstation} (print job {job})."),
        till=report.till_id,
        workstation=workstation,
        job=job,
    )
