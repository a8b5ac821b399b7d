"""The commands themselves; each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

from argparse import Namespace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import config
from app.auth import add_user
from app.bootstrap import load_database_signer, open_context, open_database, require_current_schema
from app.cli.output import ProgressPrinter, read_password, say, warn
from app.errors import ValidationError
from app.i18n import N_, format_count, gettext
from app.integrity.keys import Verifier, load_signer, public_key_b64, public_key_from_b64
from app.integrity.verify import trusted_verifier_from_database, verify_database
from app.labels import PAYMENT_KINDS, TENDER_KINDS, label
from app.lookup import find_subscribers
from app.money import format_amount
from app.payments.summary import load_payment, summarize
from app.station import DemoLoginHint, record_demo_logins
from app.workstations import operator_settings
from db import migrate
from db.models import (
    Agency,
    Contract,
    Invoice,
    OperatorSettings,
    Payment,
    Staff,
    Subscriber,
    Workstation,
)


def db_upgrade(args: Namespace) -> int:
    database = open_database(args.database, create=True)
    pending = migrate.pending_revisions(database)
    migrate.upgrade(database)
    say(
        N_("Database {url}: {count} migration(s) applied, now at {revision}."),
        url=_safe_url(database.url),
        count=len(pending),
        revision=migrate.head_revision(),
    )
    return 0


def db_status(args: Namespace) -> int:
    database = open_database(args.database)
    pending = migrate.pending_revisions(database)
    say(
        N_("Database {url}: revision {current}, latest {head}, {count} pending."),
        url=_safe_url(database.url),
        current=migrate.current_revision(database) or "-",
        head=migrate.head_revision(),
        count=len(pending),
    )
    return 1 if pending else 0


def key_init(args: Namespace) -> int:
    database = open_database(args.database)
    require_current_schema(database)
    signer = load_database_signer(database, config.key_file(args.key_file), create=True)
    say(
        N_("Signing key {key_id} in {path}."),
        key_id=signer.key_id,
        path=config.key_file(args.key_file),
    )
    return 0


def key_show(args: Namespace) -> int:
    signer = load_signer(config.key_file(args.key_file))
    say(
        N_("Key {key_id}, public key {public}"),
        key_id=signer.key_id,
        public=public_key_b64(signer.public_key),
    )
    return 0


def demo(args: Namespace) -> int:
    from app.demo import build_demo  # imported late: only this command needs the name lists

    database = open_database(args.database, create=True)
    migrate.upgrade(database)
    with database.read() as session:
        existing = session.scalar(select(OperatorSettings.name))
    if existing is not None and args.keep_existing:
        say(N_("The database already holds {name}; it is kept as it is."), name=existing)
        return 0
    signer = load_database_signer(database, config.key_file(args.key_file), create=True)
    today: date | None = args.today  # checked by the parser: nothing is written for a bad date
    say(
        N_("Building the {profile} demo with {count} subscribers in {url}..."),
        profile=args.profile,
        count=format_count(args.subscribers),
        url=_safe_url(database.url),
    )
    summary = build_demo(
        database,
        signer,
        profile=args.profile,
        subscribers=args.subscribers,
        seed=args.seed,
        today=today,
        progress=ProgressPrinter(),
    )
    say(
        N_(
            "{operator} ({currency}): {agencies} agencies, {subscribers} subscribers, {contracts} contracts, "
            "{invoices} invoices, {payments} payments, in {seconds} s."
        ),
        operator=summary.operator_name,
        currency=summary.currency,
        agencies=summary.agencies,
        subscribers=format_count(summary.subscribers),
        contracts=format_count(summary.contracts),
        invoices=format_count(summary.invoices),
        payments=format_count(summary.payments),
        seconds=f"{summary.seconds:.1f}",
    )
    record_demo_logins(
        database,
        [DemoLoginHint(d.login, d.password, d.role, d.full_name) for d in summary.logins],
    )
    say(N_("Demo logins:"))
    for login in summary.logins:
        print(f"  {login.login:<12} {login.password:<16} {login.role:<11} {login.full_name}")
    return 0


def user_add(args: Namespace) -> int:
    ctx = open_context(args.database, args.key_file, create_key=True)
    actor = add_user(
        ctx,
        args.login,
        role=args.role,
        password=read_password(N_("Password: "), N_("Password again: ")),
        full_name=args.name,
        agency_code=args.agency,
        language=args.user_language,
    )
    say(N_("User {login} added with the role {role}."), login=actor.login, role=str(actor.role))
    return 0


def given_verifier(value: str) -> Verifier:
    """The verifier of ``--public-key``: the base64 key itself, or a file holding it."""
    path = Path(value)
    if path.is_dir():
        raise ValidationError(
            N_("--public-key {value} is a folder: give the public key, or a file holding it."),
            field="public_key",
            value=value,
        )
    text = path.read_text(errors="replace").strip() if path.exists() else value.strip()
    try:
        return Verifier(public_key_from_b64(text))
    except ValueError:  # bad base64 (binascii.Error) or not 32 bytes
        raise ValidationError(
            N_(
                "--public-key {value} is not an Ed25519 public key: give the 44-character "
                "base64 key printed by python main.py key show, or a file holding it."
            ),
            field="public_key",
            value=value if len(value) <= 60 else value[:57] + "...",
        ) from None


def verify(args: Namespace) -> int:
    database = open_database(args.database)
    require_current_schema(database)
    if args.public_key:
        verifier, source = given_verifier(args.public_key), _t(N_("the given public key"))
    elif config.key_file(args.key_file).exists():
        verifier, source = (
            load_signer(config.key_file(args.key_file)).verifier,
            _t(N_("the key file")),
        )
    else:
        stored = trusted_verifier_from_database(database)
        if stored is None:
            say(N_("Nothing to verify: no record was ever signed in this database."))
            return 0
        verifier, source = stored, _t(N_("the public key stored in the database"))
        warn(
            N_(
                "Warning: no key file here; checking against the public key stored in the database, "
                "which whoever can write the database could replace. Give --public-key to be sure."
            )
        )
    report = verify_database(database, verifier, key_source=source)
    if report.wrong_key:
        warn(N_("FAILED: {problem}"), problem=report.problems[0].translated())
        return 1
    for problem in report.problems:
        warn(
            N_("BROKEN {chain}: {record}: {problem}"),
            chain=problem.chain,
            record=problem.record,
            problem=problem.translated(),
        )
    say(N_("Checked:"))
    for chain_name, records in report.chain_records.items():
        say(N_("  {chain}: {records} records"), chain=chain_name, records=format_count(records))
    for check, items in report.checks.items():
        print(f"  {_t(check)}: {format_count(items)}")
    if report.ok:
        say(
            N_(
                "OK: {chains} chains, {records} records, every sequence and signature holds "
                "(key {key_id}, from {source})."
            ),
            chains=report.chains,
            records=format_count(report.records),
            key_id=report.key_id,
            source=source,
        )
        return 0
    warn(
        N_(
            "FAILED: {count} problem(s); the first broken record of each chain and every "
            "disagreement are named above."
        ),
        count=len(report.problems),
    )
    return 1


def lookup(args: Namespace) -> int:
    ctx_db = open_database(args.database)
    require_current_schema(ctx_db)
    with ctx_db.read() as session:
        country = operator_settings(session).country
    result = find_subscribers(ctx_db, args.query, country=country, limit=args.limit)
    if not result.hits:
        say(N_("No subscriber found for {query}."), query=args.query)
        return 1
    for hit in result.hits:
        print(
            f"{hit.account_number}  {hit.display_name:<32} {hit.name_ar or '':<24} "
            f"{hit.city or '':<16} {hit.matched_by}: {hit.matched_value}"
        )
    if result.has_more:
        say(N_("More subscribers match; refine the search."))
    return 0


def receipt_show(args: Namespace) -> int:
    ctx_db = open_database(args.database)
    require_current_schema(ctx_db)
    with ctx_db.read() as session:
        summary = summarize(session, load_payment(session, receipt_no=args.receipt_no))

    def money(amount: Decimal) -> str:
        return format_amount(amount, summary.currency)

    print(
        f"{summary.receipt_no}  {label(PAYMENT_KINDS, summary.kind)}  "
        f"{summary.created_at:%Y-%m-%d %H:%M} UTC"
    )
    say(
        N_("Account {account}, {name}"),
        account=summary.account_number,
        name=summary.subscriber_name,
    )
    if summary.voids_receipt_no:
        say(N_("Voids receipt {receipt_no}"), receipt_no=summary.voids_receipt_no)
    for line in summary.allocations:
        say(
            N_("  Invoice {number}: {amount} (left to pay {left})"),
            number=line.invoice_number,
            amount=money(line.amount),
            left=money(line.left_after),
        )
    for topup in summary.topup_lines:
        say(
            N_("  Top-up {product} x{quantity} for {target}: {amount}"),
            product=topup.product_name,
            quantity=topup.quantity,
            target=topup.target_number,
            amount=money(topup.amount),
        )
    for tender in summary.tenders:
        print(
            f"  {label(TENDER_KINDS, tender.kind)}: {money(tender.amount)} {tender.reference or ''}"
        )
    say(
        N_("  Change {change}, credit used {used}, credit added {added}, credit now {balance}"),
        change=money(summary.change),
        used=money(summary.credit_used),
        added=money(summary.credit_added),
        balance=money(summary.credit_balance_after),
    )
    for contract in summary.reconnections:
        say(N_("  Reconnection requested for {contract}"), contract=contract)
    return 0


def status(args: Namespace) -> int:
    """What `python main.py` shows until the counter screen exists: the database at a glance."""
    database = open_database(args.database)
    require_current_schema(database)
    with database.read() as session:
        settings = operator_settings(session)

        def count(model: type) -> str:
            return format_count(session.scalar(select(func.count()).select_from(model)) or 0)

        say(
            N_("Guichet: {operator} ({country}, {currency}), database {url}"),
            operator=settings.name,
            country=settings.country,
            currency=settings.currency,
            url=_safe_url(database.url),
        )
        say(
            N_("{agencies} agencies, {workstations} workstations, {staff} staff"),
            agencies=count(Agency),
            workstations=count(Workstation),
            staff=count(Staff),
        )
        say(
            N_(
                "{subscribers} subscribers, {contracts} contracts, {invoices} invoices, {payments} payments"
            ),
            subscribers=count(Subscriber),
            contracts=count(Contract),
            invoices=count(Invoice),
            payments=count(Payment),
        )
        logins = list(session.scalars(select(Staff).order_by(Staff.role, Staff.login)))
        if logins:
            say(N_("Staff:"))
            for staff in logins:
                print(f"  {staff.login:<12} {staff.role:<11} {staff.full_name}")
    say(N_("Open the counter with: python main.py"))
    return 0


_t = gettext


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
