"""`python main.py import FILE... [--check] [--kind K] [--encoding E] [--separator S]`.

Imports the files as one batch, all or nothing, with a progress bar (rate and time
left) on a terminal; prints the report and saves it next to each file (not for a
``--check``, which writes nothing at all). Exit 0 when everything was accepted,
1 when any line was refused, 130 when interrupted (nothing written).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.bootstrap import open_context
from app.cli.file_bars import FileBars
from app.cli.output import say, warn
from app.i18n import N_, gettext
from app.imports.apply import ImportOptions, import_files
from app.imports.kinds import KINDS
from app.imports.report import report_lines, save_reports

Command = Callable[..., argparse.ArgumentParser]


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Register `import` (``command`` is the main parser's helper)."""
    _ = gettext
    child = command(
        "import",
        _(
            "import files of the billing system as one batch, all or nothing "
            "(offers, subscribers, contracts, invoices, payments elsewhere, ...)"
        ),
        import_command,
    )
    child.add_argument("files", nargs="+", metavar="FILE", help=_("CSV or XLSX files"))
    child.add_argument(
        "--check",
        action="store_true",
        help=_("say what would be created, updated and refused; write nothing"),
    )
    child.add_argument(
        "--kind", choices=sorted(KINDS), help=_("the kind of every file (default: from its header)")
    )
    child.add_argument(
        "--encoding", metavar="E", help=_("utf-8, cp1256 or latin-1 (default: detected)")
    )
    child.add_argument("--separator", metavar="S", help=_(", or ; or tab (default: detected)"))


def import_command(args: argparse.Namespace) -> int:
    paths = [Path(name) for name in args.files]
    for path in paths:
        if not path.is_file():
            warn(N_("Error: {path} is not a file."), path=str(path))
            return 2
    ctx = open_context(args.database, args.key_file)
    options = ImportOptions(
        check=args.check, kind=args.kind, encoding=args.encoding, separator=args.separator
    )
    bars = FileBars()
    try:
        result = import_files(ctx, paths, options, progress=bars)
    except KeyboardInterrupt:
        bars.close()
        warn(N_("Import interrupted: everything was rolled back, nothing was written."))
        return 130
    bars.close()
    lines = report_lines(result)
    for line in lines:
        print(line)
    if not args.check:
        saved = save_reports(paths, lines)
        if saved:
            say(N_("Report saved next to each file: {path}"), path=str(saved[0]))
    return 0 if result.ok else 1
