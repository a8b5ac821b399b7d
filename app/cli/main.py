"""`python main.py [--database URL] COMMAND ...`"""

from __future__ import annotations

import argparse
import locale
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date

from app import config
from app.cli import (
    charter_commands,
    commands,
    compensation_commands,
    complaint_commands,
    cutoff_commands,
    day_commands,
    day_report_command,
    export_commands,
    import_commands,
    import_watch_command,
    outage_commands,
    printing_commands,
    report_commands,
    staff_commands,
    till_commands,
)
from app.db_faults import FAULTS, explain
from app.errors import GuichetError
from app.i18n import LANGUAGES, N_, gettext, set_language

Handler = Callable[[argparse.Namespace], int]


def _language_from_environment() -> str:
    wanted = (
        os.environ.get(config.ENV_LANGUAGE)
        or (locale.getlocale()[0] or "")
        or os.environ.get("LANG", "")
    )
    code = wanted[:2].lower()
    return code if code in LANGUAGES else "en"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            gettext(N_("{value} is not a whole number of at least 1")).format(value=text)
        )
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext(N_("{value} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31")).format(
                value=text
            )
        ) from None


def build_parser() -> argparse.ArgumentParser:
    _ = gettext
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description=_(
            "Guichet, the counter application of telecom and utility agencies. "
            "Without a command it opens the counter application."
        ),
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help=_("database URL (default: GUICHET_DATABASE_URL, else the embedded SQLite file)"),
    )
    parser.add_argument(
        "--key-file",
        metavar="PATH",
        help=_("signing key file (default: GUICHET_KEY_FILE, else the user's config folder)"),
    )
    parser.add_argument("--language", choices=sorted(LANGUAGES), help=_("language of the messages"))
    parser.add_argument(
        "--workstation",
        metavar="AGENCY-WS",
        help=_(
            "this workstation, e.g. ALG01-G01 (default: GUICHET_WORKSTATION, else the first counter)"
        ),
    )
    parser.add_argument(
        "--idle-minutes",
        type=float,
        default=5.0,
        metavar="MIN",
        help=_("lock the counter after this many idle minutes (default 5)"),
    )
    parser.set_defaults(handler=None)  # no command: open the counter
    sub = parser.add_subparsers(title=_("commands"), metavar="COMMAND")

    def command(
        name: str,
        help_text: str,
        handler: Handler,
        parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
    ) -> argparse.ArgumentParser:
        child = parent.add_parser(name, help=help_text, description=help_text)
        child.set_defaults(handler=handler)
        return child

    db = command(
        "db",
        _("database schema: upgrade or status"),
        lambda _a: (parser.parse_args(["db", "--help"]), 2)[1],
    )
    db_sub = db.add_subparsers(metavar="ACTION")
    command("upgrade", _("apply the pending migrations"), commands.db_upgrade, db_sub)
    command(
        "status", _("show the schema revision and pending migrations"), commands.db_status, db_sub
    )

    key = command(
        "key",
        _("the signing key: init or show"),
        lambda _a: (parser.parse_args(["key", "--help"]), 2)[1],
    )
    key_sub = key.add_subparsers(metavar="ACTION")
    command("init", _("create the signing key file for this database"), commands.key_init, key_sub)
    command("show", _("print the key id and public key"), commands.key_show, key_sub)

    demo = command("demo", _("build a realistic demo database (dz, tn or fr)"), commands.demo)
    demo.add_argument(
        "--profile", choices=["dz", "tn", "fr"], default="dz", help=_("operator profile")
    )
    demo.add_argument(
        "--subscribers",
        type=int,
        default=5000,
        metavar="N",
        help=_("number of subscribers (default 5000)"),
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="S",
        help=_("random seed: the same seed gives the same data"),
    )
    demo.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help=_("date the demo is built around (default: today)"),
    )
    demo.add_argument(
        "--keep-existing",
        action="store_true",
        help=_("do nothing if the database already has data"),
    )

    user = command(
        "user",
        _("staff accounts: add, role, remove, password"),
        lambda _a: (parser.parse_args(["user", "--help"]), 2)[1],
    )
    user_sub = user.add_subparsers(metavar="ACTION")
    add = command(
        "add",
        _("add a staff account (password asked, or read from standard input)"),
        commands.user_add,
        user_sub,
    )
    add.add_argument("login")
    add.add_argument(
        "--role", required=True, choices=["agent", "supervisor", "admin"], help=_("role")
    )
    add.add_argument("--name", help=_("full name"))
    add.add_argument("--agency", metavar="CODE", help=_("agency code"))
    add.add_argument(
        "--language", dest="user_language", choices=sorted(LANGUAGES), help=_("the user's language")
    )
    staff_commands.add_parsers(user_sub, command)

    verify = command(
        "verify", _("re-check every signed chain and receipt sequence"), commands.verify
    )
    verify.add_argument(
        "--public-key", metavar="KEY", help=_("trusted public key (base64, or a file holding it)")
    )

    lookup = command(
        "lookup",
        _("find subscribers by account, phone, invoice, barcode, meter or name"),
        commands.lookup,
    )
    lookup.add_argument("query")
    lookup.add_argument(
        "--limit",
        type=_positive_int,
        default=20,
        metavar="N",
        help=_("at most this many subscribers (default 20)"),
    )

    receipt = command(
        "receipt",
        _("receipts: show, print a copy, or write a copy as PDF"),
        lambda _a: (parser.parse_args(["receipt", "--help"]), 2)[1],
    )
    receipt_sub = receipt.add_subparsers(metavar="ACTION")
    show = command("show", _("show a receipt"), commands.receipt_show, receipt_sub)
    show.add_argument("receipt_no")
    reprint = command(
        "print",
        _("print a numbered copy (DUPLICATE n) of a receipt on a printer, now"),
        printing_commands.receipt_print,
        receipt_sub,
    )
    reprint.add_argument("receipt_no")
    _device_argument(reprint)
    _receipt_language_argument(reprint, customer=True)
    pdf = command(
        "pdf",
        _("write a numbered copy (DUPLICATE n) of a receipt as a PDF"),
        printing_commands.receipt_pdf,
        receipt_sub,
    )
    pdf.add_argument("receipt_no")
    pdf.add_argument("--out", required=True, metavar="FILE", help=_("the PDF file to write"))
    pdf.add_argument(
        "--paper",
        choices=["roll80", "a5"],
        default="roll80",
        help=_("80 mm roll (default) or A5 page"),
    )
    _receipt_language_argument(pdf, customer=True)

    check = command(
        "verify-receipt",
        _("check the QR code of a printed receipt: its signature and the ledger"),
        printing_commands.verify_receipt,
    )
    check.add_argument("qr_text", metavar="QR_TEXT", help=_("the text read from the QR code"))
    check.add_argument(
        "--public-key", metavar="KEY", help=_("trusted public key (base64, or a file holding it)")
    )

    printer = command(
        "printer",
        _("receipt printers: test or status"),
        lambda _a: (parser.parse_args(["printer", "--help"]), 2)[1],
    )
    printer_sub = printer.add_subparsers(metavar="ACTION")
    test = command(
        "test", _("print a test page on a printer"), printing_commands.printer_test, printer_sub
    )
    _device_argument(test)
    test.add_argument(
        "--profile", metavar="NAME", help=_("python-escpos profile (default TM-T20II)")
    )
    test.add_argument(
        "--paper", type=int, choices=[58, 80], default=80, help=_("paper width in mm")
    )
    test.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help=_("seconds to wait for the printer")
    )
    _receipt_language_argument(test)
    state = command(
        "status", _("ask a printer for its state"), printing_commands.printer_status, printer_sub
    )
    _device_argument(state)
    state.add_argument(
        "--timeout", type=float, default=2.0, metavar="S", help=_("seconds to wait for the printer")
    )

    till_commands.add_parsers(
        sub, command, lambda _a: (parser.parse_args(["till", "--help"]), 2)[1]
    )

    day_commands.add_parsers(sub, command, parser)
    complaint_commands.add_parsers(sub, command, parser)
    charter_commands.add_parsers(sub, command, parser)
    compensation_commands.add_parsers(sub, command, parser)
    cutoff_commands.add_parsers(sub, command, parser)
    # `report`: one group, each kind of report adding its own action to report_sub.
    report = command(
        "report",
        _("reports: X and Z reports of a till, the end-of-day report of an agency"),
        lambda _a: (parser.parse_args(["report", "--help"]), 2)[1],
    )
    report_sub = report.add_subparsers(metavar="ACTION")
    day_report_command.add_parsers(report_sub, command)
    report_commands.add_parsers(report_sub, command)
    export_commands.add_parsers(sub, command, parser)
    outage_commands.add_parsers(sub, command, parser)
    import_commands.add_parsers(sub, command, parser)
    import_watch_command.add_parsers(sub, command, parser)
    command("status", _("summary of the database (operator, counts, staff)"), commands.status)
    return parser


def _device_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        required=True,
        metavar="URI",
        help=gettext(
            N_(
                "the printer: tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyS0, "
                "file:///path or cups://QUEUE"
            )
        ),
    )


def _receipt_language_argument(parser: argparse.ArgumentParser, *, customer: bool = False) -> None:
    """``customer``: a receipt, whose default is the customer's language, not the messages'."""
    default = (
        N_("language of the printed slip (default: the subscriber's, else the operator's)")
        if customer
        else N_("language of the printed slip (default: the messages' language)")
    )
    parser.add_argument("--receipt-language", choices=sorted(LANGUAGES), help=gettext(default))


def main(argv: Sequence[str] | None = None, *, gui: Handler | None = None) -> int:
    """Run a command; without one, open the counter application through ``gui``.

    ``gui`` is handed in by ``main.py`` so that this package never imports Qt.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--language", choices=sorted(LANGUAGES))
    known, _rest = pre.parse_known_args(argv)
    set_language(known.language or _language_from_environment())
    args = build_parser().parse_args(argv)
    if args.handler is None:
        args.handler = gui or commands.status
    try:
        return int(args.handler(args))
    except GuichetError as error:
        _print_error(error)
        return 2
    except FAULTS as error:  # a database or file fault no service put into words
        _print_error(explain(error, _database_url(args)))
        return 2
    except KeyboardInterrupt:
        return 130


def _print_error(error: GuichetError) -> None:
    message = " ".join(error.translated().split())  # one line, whatever a driver said
    print(gettext(N_("Error: {message}")).format(message=message), file=sys.stderr)


def _database_url(args: argparse.Namespace) -> str | None:
    try:
        return config.database_url(args.database)
    except (GuichetError, OSError):
        return args.database
