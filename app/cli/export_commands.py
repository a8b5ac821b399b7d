"""`python main.py export` and `archive make|verify`: the accounting export and the signed archive.

Exporting and archiving are a supervisor's acts: like `day close`, the command
takes the supervisor's login (``--supervisor``) and their password (typed, or
one line of standard input), and works as them. The dates are read before the
password, so a typo costs no sign-in attempt. `archive verify` needs neither a
database nor a sign-in: only the archive and a public key the checker trusts.

Exit codes: 0 done (or the archive holds), 1 the archive has findings (one line
each), 2 a refusal or a fault (one line).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app import config
from app.archive.make import make_archive
from app.archive.verify import verify_archive
from app.auth import authenticate
from app.bootstrap import open_context
from app.cli.commands import given_verifier
from app.cli.output import say, warn
from app.errors import ConfigurationError, ValidationError
from app.exports.service import export_period
from app.i18n import N_, format_count, gettext
from app.integrity.keys import Verifier, load_signer

Handler = Callable[[argparse.Namespace], int]
Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `export` and `archive` (``command`` is the main parser's helper)."""
    _ = gettext
    export = command(
        "export",
        _(
            "write the accounting export of a period as CSV files into a folder "
            "(a supervisor's login; the password is asked, or read from standard input)"
        ),
        export_command,
        sub,
    )
    _period_arguments(export)
    export.add_argument("--out", required=True, metavar="DIR", help=_("the folder to write to"))
    export.add_argument(
        "--bom", action="store_true", help=_("start each file with a BOM, for spreadsheets")
    )
    _supervisor_argument(export)

    archive = command(
        "archive",
        _("signed archives of a period: make or verify"),
        lambda _a: (parser.parse_args(["archive", "--help"]), 2)[1],
        sub,
    )
    archive_sub = archive.add_subparsers(metavar="ACTION")
    make = command(
        "make",
        _("write the signed archive (ZIP) of a period's export"),
        archive_make,
        archive_sub,
    )
    _period_arguments(make)
    make.add_argument("--out", required=True, metavar="FILE", help=_("the ZIP file to write"))
    _supervisor_argument(make)
    check = command(
        "verify",
        _("check an archive offline with the public key: its signature and every file"),
        archive_verify,
        archive_sub,
    )
    check.add_argument("file", metavar="FILE", help=_("the archive (ZIP)"))
    check.add_argument(
        "--public-key",
        metavar="KEY",
        help=_(
            "trusted public key (base64, or a file holding it); default: the key file's public half"
        ),
    )


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    _ = gettext
    parser.add_argument(
        "--from", dest="start", required=True, metavar="YYYY-MM-DD", help=_("first business day")
    )
    parser.add_argument(
        "--to", dest="end", required=True, metavar="YYYY-MM-DD", help=_("last business day")
    )
    parser.add_argument("--agency", metavar="CODE", help=_("one agency (default: every agency)"))


def _supervisor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--supervisor", required=True, metavar="LOGIN", help=gettext(N_("the supervisor's login"))
    )


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            N_("{value} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31"),
            field=field,
            value=text,
        ) from None


def _period(args: argparse.Namespace) -> tuple[date, date]:
    start, end = _day(args.start, "from"), _day(args.end, "to")
    if end < start:
        raise ValidationError(
            N_("The period ends on {end}, before it starts on {start}."),
            field="to",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    return start, end


def _password(login: str) -> str:
    prompt = gettext(N_("Password of {login}: ")).format(login=login)
    if sys.stdin.isatty():
        return getpass.getpass(prompt=prompt)
    return sys.stdin.readline().rstrip("\r\n")


def export_command(args: argparse.Namespace) -> int:
    start, end = _period(args)
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _password(args.supervisor))
    result = export_period(ctx, actor, start, end, args.out, agency=args.agency, bom=args.bom)
    for file in result.files:
        say(N_("  {file}: {rows} row(s)"), file=file.name, rows=format_count(file.rows))
    say(
        N_("Exported {start} to {end} ({agency}) into {folder}: {count} files."),
        start=start.isoformat(),
        end=end.isoformat(),
        agency=result.agency or gettext(N_("every agency")),
        folder=str(result.directory),
        count=len(result.files),
    )
    _warn_not_closed(result.not_closed, end)
    return 0


def _warn_not_closed(not_closed: dict[str, str | None], end: date) -> None:
    """Open days are exported as they stand; the accounts want closed ones."""
    for agency, last in sorted(not_closed.items()):
        warn(
            N_(
                "Warning: {agency} has days up to {end} not closed yet (last closed: {last}); "
                "they are written as they stand now."
            ),
            agency=agency,
            end=end.isoformat(),
            last=last or "-",
        )


def archive_make(args: argparse.Namespace) -> int:
    start, end = _period(args)
    ctx = open_context(args.database, args.key_file)
    actor = authenticate(ctx, args.supervisor, _password(args.supervisor))
    result = make_archive(ctx, actor, start, end, args.out, agency=args.agency)
    say(
        N_(
            "Archive {path}: {start} to {end} ({agency}), {count} files, {rows} row(s), "
            "signed with key {key_id}."
        ),
        path=str(result.path),
        start=start.isoformat(),
        end=end.isoformat(),
        agency=result.agency or gettext(N_("every agency")),
        count=len(result.files),
        rows=format_count(sum(file.rows for file in result.files)),
        key_id=result.key_id,
    )
    _warn_not_closed(result.not_closed, end)
    return 0


def _trusted_key(args: argparse.Namespace) -> Verifier:
    """The key to check with: given, or the public half of this machine's key file;
    never a key the archive carries."""
    if args.public_key:
        return given_verifier(args.public_key)
    path = config.key_file(args.key_file)
    if path.exists():
        return load_signer(path).verifier
    raise ConfigurationError(
        N_(
            "Give the public key to check the archive with: --public-key KEY (printed by "
            "python main.py key show), or a file holding it."
        ),
        field="public_key",
    )


def archive_verify(args: argparse.Namespace) -> int:
    verifier = _trusted_key(args)
    report = verify_archive(Path(args.file), verifier)
    for finding in report.findings:
        warn(N_("FAILED: {problem}"), problem=finding.translated())
    if not report.ok:
        return 1
    start, end = report.period or ("?", "?")
    say(
        N_(
            "OK: {path} holds: {count} files, {rows} row(s), from {start} to {end}, "
            "signed with key {key_id}."
        ),
        path=args.file,
        count=report.files,
        rows=format_count(report.rows),
        start=start,
        end=end,
        key_id=report.key_id,
    )
    return 0
