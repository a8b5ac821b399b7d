"""`python main.py report day --agency CODE --date D --pdf FILE --supervisor LOGIN`.

The end-of-day report is a supervisor's: the command takes their login and
their password (typed at the terminal, or one line of standard input), signs
them in as the counter would, and writes the PDF as them. The date and the
file are checked before the password, so a typo costs no sign-in attempt. A
refusal is one translated line and exit code 2; the file is written under a
temporary name and renamed, so a viewer never opens half a report.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.auth import authenticate
from app.bootstrap import open_context
from app.cli.day_commands import _day, _read_password
from app.cli.output import say
from app.errors import ValidationError
from app.i18n import LANGUAGES, N_, current_language, gettext
from app.reports.day_report import day_report_pdf

Command = Callable[..., argparse.ArgumentParser]


def add_parsers(report_sub: Any, command: Command) -> None:
    """Register `day` under the `report` group (``command`` is the main parser's helper)."""
    _ = gettext
    day = command(
        "day",
        _(
            "the end-of-day report of an agency's business day as a PDF "
            "(a supervisor's login; the password is asked, or read from standard input)"
        ),
        report_day,
        report_sub,
    )
    day.add_argument("--agency", required=True, metavar="CODE", help=_("agency code"))
    day.add_argument("--date", required=True, metavar="YYYY-MM-DD", help=_("the business day"))
    day.add_argument("--pdf", required=True, metavar="FILE", help=_("the PDF file to write"))
    day.add_argument(
        "--supervisor", required=True, metavar="LOGIN", help=_("the supervisor's login")
    )
    day.add_argument(
        "--report-language",
        choices=sorted(LANGUAGES),
        help=_("language of the report (default: the messages' language)"),
    )


def _target(text: str) -> Path:
    out = Path(text)
    if out.is_dir():
        raise ValidationError(
            N_("--pdf {path} is a folder: give the name of the PDF file to write."),
            field="pdf",
            path=str(out),
        )
    if not out.parent.is_dir():
        raise ValidationError(
            N_("Cannot write {path}: its folder does not exist."), field="pdf", path=str(out)
        )
    return out


def _write(out: Path, pdf: bytes) -> None:
    partial = out.with_name(out.name + ".part")
    try:
        partial.write_bytes(pdf)
        os.replace(partial, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ValidationError(
            N_("Cannot write {path}: {reason}"),
            field="pdf",
            path=str(out),
            reason=error.strerror or str(error),
        ) from None


def report_day(args: argparse.Namespace) -> int:
    day = _day(args.date)
    out = _target(args.pdf)
    language = args.report_language or current_language()
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _read_password(args.supervisor))
    pdf = day_report_pdf(ctx, actor, args.agency, day, language=language)
    _write(out, pdf)
    say(
        N_("End-of-day report of {agency} for {day} written to {path}."),
        agency=args.agency.strip().upper(),
        day=day.isoformat(),
        path=str(out),
    )
    return 0
