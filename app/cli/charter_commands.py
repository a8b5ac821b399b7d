"""`python main.py charter load|show`: the operator's service charter from the command line.

Loading is an administrator's act: the command reads and checks the file first
(every problem, one translated line each with its file line, exit code 2, and no
sign-in attempt spent on a typo), then signs the administrator in (``--admin``;
the password typed at the terminal or read from standard input) and loads the
file as the next version, in one transaction.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.auth import authenticate
from app.bootstrap import open_context, open_database, require_current_schema
from app.charter.charter_file import CharterFileError, read_source
from app.charter.charters import (
    CharterVersion,
    charter_in_force,
    charter_source,
    charter_version,
    charter_versions,
    check_charter_text,
    load_charter,
    operator_terms,
)
from app.charter.commitment_texts import (
    clock_notes,
    compensation_words,
    complaint_words,
    services_words,
    target_words,
)
from app.cli.output import say
from app.errors import ValidationError
from app.i18n import LANGUAGES, N_, current_language, format_count, gettext, join_list
from db.types import utcnow

Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `charter load` and `charter show` (``command`` is the main parser's helper)."""
    _ = gettext
    charter = command(
        "charter",
        _("the operator's service charter: load a new version from a file, or show it"),
        lambda _a: (parser.parse_args(["charter", "--help"]), 2)[1],
    )
    charter_sub = charter.add_subparsers(metavar="ACTION")
    load = command(
        "load",
        _(
            "load a charter file (docs/charter.md) as the next version "
            "(an administrator's login; the password is asked, or read from standard input)"
        ),
        charter_load,
        charter_sub,
    )
    load.add_argument("file", metavar="FILE", help=_("the charter file (TOML)"))
    load.add_argument(
        "--effective-from",
        metavar="WHEN",
        help=_(
            "when the version takes effect, now or later: YYYY-MM-DD or YYYY-MM-DDTHH:MM, "
            "in the operator's time zone (default: the file's effective_from, else now)"
        ),
    )
    load.add_argument(
        "--admin", required=True, metavar="LOGIN", help=_("the administrator's login")
    )
    show = command(
        "show",
        _("show the charter in force (or a version) with its commitments"),
        charter_show,
        charter_sub,
    )
    show.add_argument(
        "--version",
        dest="charter_version",
        type=int,
        metavar="N",
        help=_("this version (default: the one in force, else the latest)"),
    )
    show.add_argument(
        "--language",
        dest="show_language",
        choices=sorted(LANGUAGES),
        help=_("language of the commitments' texts (default: the messages' language)"),
    )
    show.add_argument("--source", action="store_true", help=_("print the file as it was loaded"))


def _read_password(login: str) -> str:
    prompt = gettext(N_("Password of {login}: ")).format(login=login)
    if sys.stdin.isatty():
        return getpass.getpass(prompt=prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _when(text: str, zone: ZoneInfo) -> datetime:
    """``--effective-from``: a date (midnight), a local date and time, or an instant."""
    value = text.strip()
    try:
        if "T" in value or " " in value:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        return datetime.combine(date.fromisoformat(value), time(0), zone)
    except ValueError:
        raise ValidationError(
            N_(
                "{value} is not a date or a moment: give it as YYYY-MM-DD or "
                "YYYY-MM-DDTHH:MM, e.g. 2027-01-01T00:00"
            ),
            field="effective_from",
            value=text,
        ) from None


def _print_problems(error: CharterFileError) -> int:
    for line in error.lines():
        print(gettext(N_("Error: {message}")).format(message=line), file=sys.stderr)
    return 2


def charter_load(args: argparse.Namespace) -> int:
    path = Path(args.file)
    ctx = open_context(args.database, args.key_file)
    try:
        text = read_source(path)
        with ctx.db.read() as session:
            spec = check_charter_text(session, text, file_name=path.name)
            _currency, timezone = operator_terms(session)
        zone = ZoneInfo(timezone)
        effective = _when(args.effective_from, zone) if args.effective_from else None
        # The "now or later" check before the sign-in too: a typo costs no attempt.
        wanted = effective or spec.effective_from
        if wanted is not None and wanted < ctx.now():
            raise ValidationError(
                N_(
                    "The charter cannot take effect in the past ({when}): give a moment now "
                    "or later, or none to put it in force now."
                ),
                field="effective_from",
                when=_moment(wanted, zone),
            )
        actor = authenticate(ctx, args.admin, _read_password(args.admin))
        version = load_charter(ctx, actor, path, effective_from=effective)
    except CharterFileError as error:
        return _print_problems(error)
    say(
        N_(
            "Charter version {version} loaded by {login}: {count} commitment(s), in force "
            "from {effective_from}; SHA-256 {sha256}."
        ),
        version=version.version,
        login=actor.login,
        count=format_count(len(version.commitments)),
        effective_from=_moment(version.effective_from, zone),
        sha256=version.source_sha256,
    )
    return 0


def charter_show(args: argparse.Namespace) -> int:
    database = open_database(args.database)
    require_current_schema(database)
    language = args.show_language or current_language()
    others: list[CharterVersion] = []
    with database.read() as session:
        currency, timezone = operator_terms(session)
        if args.charter_version is not None:
            version = charter_version(session, args.charter_version)
        else:
            versions = charter_versions(session)
            if not versions:
                say(
                    N_(
                        "No charter is loaded yet: load one with "
                        "python main.py charter load FILE --admin LOGIN."
                    )
                )
                return 0
            in_force = charter_in_force(session, utcnow())
            chosen = in_force.id if in_force is not None else versions[-1].id
            version = next(found for found in versions if found.id == chosen)
            others = [found for found in versions if found.id != chosen]
        source = charter_source(session, version.id) if args.source else None
    zone = ZoneInfo(timezone)
    _print_version(version, currency or "EUR", zone, language)
    if others:
        print()
        print(gettext(N_("Other versions:"), language))
        for other in others:
            print(_version_line(other, zone, language))
    if source is not None:
        print()
        print(source, end="" if source.endswith("\n") else "\n")
    return 0


def _moment(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _version_line(version: CharterVersion, zone: ZoneInfo, language: str) -> str:
    if version.until is None:
        return gettext(
            N_("  version {version}: {title}, from {effective_from}, loaded by {login}"), language
        ).format(
            version=version.version,
            title=version.title,
            effective_from=_moment(version.effective_from, zone),
            login=version.loaded_by or "-",
        )
    return gettext(
        N_("  version {version}: {title}, from {effective_from} to {until}, loaded by {login}"),
        language,
    ).format(
        version=version.version,
        title=version.title,
        effective_from=_moment(version.effective_from, zone),
        until=_moment(version.until, zone),
        login=version.loaded_by or "-",
    )


def _print_version(version: CharterVersion, currency: str, zone: ZoneInfo, language: str) -> None:
    _ = gettext
    print(
        _(N_("Charter version {version}: {title}"), language).format(
            version=version.version, title=version.title
        )
    )
    if version.until is None:
        print(
            _(N_("In force from {effective_from}."), language).format(
                effective_from=_moment(version.effective_from, zone)
            )
        )
    else:
        print(
            _(N_("In force from {effective_from} to {until}."), language).format(
                effective_from=_moment(version.effective_from, zone),
                until=_moment(version.until, zone),
            )
        )
    print(
        _(N_("Loaded on {loaded_at} by {login}; SHA-256 {sha256}."), language).format(
            loaded_at=_moment(version.loaded_at, zone),
            login=version.loaded_by or "-",
            sha256=version.source_sha256,
        )
    )
    for commitment in version.commitments:
        print()
        print(f"{commitment.position}. [{commitment.code}] {commitment.title(language)}")
        print("   " + commitment.text(language))
        print(
            "   "
            + _(N_("Services: {services}. Complaints: {categories}."), language).format(
                services=services_words(commitment, language),
                categories=complaint_words(commitment, language),
            )
        )
        target = _(N_("Target: {target}"), language).format(
            target=target_words(commitment, language)
        )
        notes = clock_notes(commitment, language)
        print("   " + (f"{target}; {join_list(notes, language)}." if notes else f"{target}."))
        print(
            "   "
            + _(N_("Compensation: {compensation}"), language).format(
                compensation=compensation_words(commitment, currency, language)
            )
        )
