"""The command line as IT runs it: real processes, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db import migrate
from db.engine import Database
from db.models import TenderKind
from tests.factories import WORKSTATION, add_subscriber, build_world

ROOT = Path(__file__).resolve().parent.parent


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--language", "en", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("db", "key", "demo", "user", "verify", "lookup", "receipt", "status"):
        assert f"    {command} " in result.stdout


def test_refuses_an_empty_or_outdated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    empty = run("--database", url, "status")
    assert empty.returncode == 2 and "python main.py db upgrade" in empty.stderr
    migrate.upgrade(Database(url), "0001")
    outdated = run("--database", url, "status")
    assert outdated.returncode == 2
    pending = migrate.pending_revisions(Database(url))  # every revision after 0001
    assert pending[:2] == ["0002", "0003"] and pending[-1] == migrate.head_revision()
    assert (
        f"{len(pending)} migration(s) ({', '.join(pending)})" in outdated.stderr
        and "python main.py db upgrade" in outdated.stderr
    )
    upgraded = run("--database", url, "db", "upgrade")
    assert upgraded.returncode == 0 and f"now at {migrate.head_revision()}" in upgraded.stdout


def test_user_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    assert run("--database", url, "db", "upgrade").returncode == 0
    added = run(
        "--database",
        url,
        "user",
        "add",
        "Nadia",
        "--role",
        "supervisor",
        "--name",
        "Nadia B.",
        stdin="a long password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "User nadia added with the role supervisor" in added.stdout
    short = run("--database", url, "user", "add", "omar", "--role", "agent", stdin="123\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr

    from app.auth import authenticate
    from app.bootstrap import open_context

    ctx = open_context(url)
    assert authenticate(ctx, "nadia", "a long password").full_name == "Nadia B."


def test_verify_exits_zero_then_names_the_tampered_receipt(
    database: Database, tmp_path: Path
) -> None:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db,
        "1000000001",
        invoices=[("F1", 100000, date(2026, 10, 1)), ("F2", 100000, date(2026, 11, 1))],
    )
    for number in ("F1", "F2"):
        take_payment(
            world.ctx,
            world.agent,
            PaymentRequest(
                number,
                "1000000001",
                WORKSTATION,
                (TenderInput(TenderKind.CASH, Decimal("1000")),),
                invoice_numbers=(number,),
            ),
        )
    key = str(tmp_path / "keys" / "signing-key.pem")
    good = run("--database", database.url, "--key-file", key, "verify")
    assert good.returncode == 0, good.stderr
    assert "OK: 3 chains" in good.stdout
    with database.write() as session:
        if database.is_sqlite:
            session.execute(text("DROP TRIGGER payments_no_update"))
        else:
            session.execute(text("ALTER TABLE payments DISABLE TRIGGER payments_append_only"))
        session.execute(
            text("UPDATE payments SET change_minor = 99 WHERE receipt_no = 'ALG01-G01-000001'")
        )
    bad = run("--database", database.url, "--key-file", key, "verify")
    assert bad.returncode == 1
    assert "ALG01-G01-000001" in bad.stderr and "does not match its signature" in bad.stderr


def test_wrong_key_file_is_refused(database: Database, tmp_path: Path) -> None:
    build_world(database, tmp_path / "keys")
    missing = run(
        "--database", database.url, "--key-file", str(tmp_path / "other.pem"), "key", "init"
    )
    assert (
        missing.returncode == 2 and "is missing; this database is signed with key" in missing.stderr
    )
    from app.integrity.keys import create_signer

    create_signer(tmp_path / "other.pem")
    other = run(
        "--database", database.url, "--key-file", str(tmp_path / "other.pem"), "key", "init"
    )
    assert other.returncode == 2 and "is not the signing key of this database" in other.stderr


@pytest.mark.parametrize("query", ["0555 12 34 56", "helene"])
def test_lookup_prints_the_subscriber(
    sqlite_database: Database, tmp_path: Path, query: str
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", phone="+213555123456")
    result = run("--database", sqlite_database.url, "lookup", query)
    assert result.returncode == 0, result.stderr
    assert "1000000001" in result.stdout and "Hélène Benali" in result.stdout


def test_receipt_show_in_french(sqlite_database: Database, tmp_path: Path) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 123456, date(2026, 10, 1))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "k", "1000000001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1300")),)
        ),
    )
    shown = run(
        "--database", sqlite_database.url, "--language", "fr", "receipt", "show", "alg01-g01-000001"
    )
    assert shown.returncode == 0, shown.stderr
    assert "ALG01-G01-000001" in shown.stdout
    readable = shown.stdout.replace("\u202f", " ").replace("\xa0", " ")  # Babel's narrow spaces
    assert "1 234,56 DZD" in readable and "Monnaie rendue 65,44 DZD" in readable
    assert "Espèces" in shown.stdout
