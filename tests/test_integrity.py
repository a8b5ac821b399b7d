"""Signed chains: a golden serialization, and every kind of tampering caught by verify."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.closing.tills import close_cash_session
from app.integrity.canonical import canonical_bytes, signing_input
from app.integrity.keys import Signer, Verifier, load_signer, public_key_b64
from app.integrity.records import payment_record
from app.integrity.verify import VerifyReport, signed_rows, verify_database
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.printing.copies import reprint
from db.engine import Database
from db.models import (
    Agency,
    Allocation,
    Invoice,
    Payment,
    PaymentKind,
    ReceiptSeries,
    Staff,
    Subscriber,
    Tender,
    TenderKind,
    Workstation,
)
from tests.factories import WORKSTATION, World, add_subscriber, build_world

GOLDEN_SEED = bytes(range(32))


def test_canonical_serialization_is_pinned() -> None:
    record = {"b": 1, "a": "Hélène محمد", "n": None, "l": [True, {"z": -5}]}
    assert canonical_bytes(record) == (
        '{"a":"Hélène محمد","b":1,"l":[true,{"z":-5}],"n":null}'.encode()
    )
    assert signing_input("receipts/ALG01-G01", 7, {"x": 1}, "PREV") == (
        b'{"chain":"receipts/ALG01-G01","prev":"PREV","record":{"x":1},"seq":7,"v":1}'
    )


def test_floats_and_decimals_are_never_signed() -> None:
    with pytest.raises(TypeError):
        canonical_bytes({"amount": 1.5})
    with pytest.raises(TypeError):
        canonical_bytes({"amount": Decimal("1.50")})


def test_payment_record_and_signature_are_pinned() -> None:
    """Changing what is signed breaks every existing receipt: this test must then change too."""
    subscriber = Subscriber(account_number="1000000001", last_name="Benali")
    payment = Payment(
        uid="00000000-0000-4000-8000-000000000001",
        kind=PaymentKind.PAYMENT,
        receipt_no="ALG01-G01-000001",
        series=ReceiptSeries(code="ALG01-G01"),
        workstation=Workstation(code="G01", agency=Agency(code="ALG01")),
        cash_session_id=7,
        subscriber=subscriber,
        agent=Staff(login="amina"),
        approved_by=None,
        voids=None,
        reason=None,
        created_at=datetime(2026, 11, 21, 10, 30, tzinfo=UTC),
        currency="DZD",
        tendered_minor=500000,
        change_minor=80000,
        allocated_minor=420000,
        topups_minor=0,
        credit_used_minor=0,
        credit_added_minor=0,
    )
    payment.tenders = [Tender(position=1, kind=TenderKind.CASH, amount_minor=500000)]
    payment.allocations = [
        Allocation(position=1, invoice=Invoice(number="F1"), amount_minor=420000)
    ]
    payment.topups = []
    record = payment_record(payment, [])
    assert canonical_bytes(record).decode() == (
        '{"account":"1000000001","agency":"ALG01","agent":"amina","allocated":420000,'
        '"allocations":[{"amount":420000,"invoice":"F1"}],"approved_by":null,'
        '"at":"2026-11-21T10:30:00.000000Z","change":80000,"credit_added":0,"credit_used":0,'
        '"currency":"DZD","kind":"payment","reason":null,"receipt":"ALG01-G01-000001",'
        '"reconnections":[],"series":"ALG01-G01","tendered":500000,"tenders":[{"amount":500000,'
        '"authorisation":null,"bank":null,"cheque":null,"kind":"cash","transfer":null}],'
        '"till":7,"topup_sales":[],"topups":0,"uid":"00000000-0000-4000-8000-000000000001",'
        '"voids":null,"workstation":"ALG01-G01"}'
    )
    signer = Signer(Ed25519PrivateKey.from_private_bytes(GOLDEN_SEED))
    signature = signer.sign(signing_input("receipts/ALG01-G01", 1, record, ""))
    assert signature == GOLDEN_SIGNATURE
    assert signer.verifier.verify(signature, signing_input("receipts/ALG01-G01", 1, record, ""))


GOLDEN_SIGNATURE = (
    "DYJmMslDWtLRtLGJdl64AUvRt3AWNcoeKFGxfpxcsvrPe+JN7OGV6YhPEzRnc1JwrKY1J2CEGuLV98ND6g1xDw=="
)


def test_key_file_is_owner_only(tmp_path: Path) -> None:
    world_key = tmp_path / "k" / "signing-key.pem"
    from app.integrity.keys import create_signer

    create_signer(world_key)
    assert world_key.stat().st_mode & 0o077 == 0
    world_key.chmod(0o644)
    from app.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_signer(world_key)


# --- tampering -----------------------------------------------------------------------
#
# Each tamper is done as someone holding the database file would: straight SQL on
# a connection of their own, append-only triggers dropped and foreign keys off.


@pytest.fixture
def ledger(database: Database, tmp_path: Path) -> Iterator[World]:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db, "1000000001", invoices=[(f"F{i}", 100000, date(2026, 10, i)) for i in range(1, 6)]
    )
    for i in range(1, 5):
        take_payment(
            world.ctx,
            world.agent,
            PaymentRequest(
                f"key{i}",
                "1000000001",
                WORKSTATION,
                (TenderInput(TenderKind.CASH, Decimal("1000")),),
                invoice_numbers=(f"F{i}",),
            ),
        )
    yield world


def verify(world: World) -> VerifyReport:
    return verify_database(world.db, world.ctx.signer.verifier)


def tamper(world: World, *statements: str) -> None:
    """Run ``statements`` with every guard off: no append-only trigger, no foreign key."""
    url = make_url(world.db.url)
    if world.db.is_sqlite:
        connection = sqlite3.connect(url.database or "", isolation_level=None)
        try:
            triggers = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')"
            ).fetchall()
            connection.execute("BEGIN")
            for (name,) in triggers:
                connection.execute(f"DROP TRIGGER {name}")
            for statement in statements:
                connection.execute(statement)
            connection.execute("COMMIT")
        finally:
            connection.close()
        return
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as pg:
        # Fires no trigger, checks no foreign key (a superuser's right).
        pg.execute("SET session_replication_role = replica")
        for statement in statements:
            pg.execute(statement.encode())


def scalar(world: World, statement: str) -> object:
    with world.db.read() as session:
        return session.execute(text(statement)).scalar_one()


def named(report: VerifyReport) -> list[tuple[str, str]]:
    return [(p.chain, p.record) for p in report.problems]


def test_untouched_ledger_verifies(ledger: World) -> None:
    report = verify(ledger)
    assert report.ok, [p.translated() for p in report.problems]
    assert report.records >= 4 + 5  # four payments and the journal events of set-up


def test_verify_says_what_it_covered(ledger: World) -> None:
    reprint(ledger.ctx, ledger.agent, "ALG01-G01-000001", workstation=WORKSTATION, language="fr")
    report = verify(ledger)
    assert report.ok, [p.translated() for p in report.problems]
    assert report.chain_records["receipts/ALG01-G01"] == 4
    assert report.chain_records["receipts/ALG01-G02"] == 0
    journal = scalar(ledger, "SELECT COUNT(*) FROM journal_events")
    assert report.chain_records["journal"] == journal
    assert report.checks == {
        "bills recomputed from the ledger": 5,
        "staff accounts checked against the journal": 3,
        "cash sessions checked against the journal": 2,
        "till counts, cash movements and reviews checked against the journal": 0,
        "receipt copies checked against the journal": 1,
        "closings recomputed from the ledger": 0,
        # every event but the three accounts added from the command line has an actor
        "journal actors checked against the staff table": journal - 3,
    }


def test_updated_amount_is_caught_and_named(ledger: World) -> None:
    tamper(ledger, "UPDATE payments SET tendered_minor = 1 WHERE receipt_no = 'ALG01-G01-000002'")
    report = verify(ledger)
    assert [p.record for p in report.problems] == ["ALG01-G01-000002"]
    assert "does not match its signature" in report.problems[0].translated()


def test_updated_tender_is_caught(ledger: World) -> None:
    tamper(
        ledger,
        "UPDATE tenders SET amount_minor = 50 WHERE payment_id = "
        "(SELECT id FROM payments WHERE receipt_no = 'ALG01-G01-000003')",
    )
    assert [p.record for p in verify(ledger).problems] == ["ALG01-G01-000003"]


def _delete_payment(ledger: World, receipt_no: str) -> None:
    victim = f"(SELECT id FROM payments WHERE receipt_no = '{receipt_no}')"
    tamper(
        ledger,
        f"DELETE FROM tenders WHERE payment_id = {victim}",
        f"DELETE FROM allocations WHERE payment_id = {victim}",
        f"DELETE FROM print_jobs WHERE payment_id = {victim}",
        f"DELETE FROM payments WHERE receipt_no = '{receipt_no}'",
    )


def test_deleted_payment_is_caught(ledger: World) -> None:
    _delete_payment(ledger, "ALG01-G01-000002")
    problems = verify(ledger).problems
    assert [p.record for p in problems] == ["ALG01-G01-000003", "F2"]
    assert "missing before it" in problems[0].translated()
    # and the bill it paid still says paid: no payment in the ledger backs it
    assert "marked paid without a payment" in problems[1].translated()


def test_last_payment_cut_off_is_caught(ledger: World) -> None:
    _delete_payment(ledger, "ALG01-G01-000004")
    problems = verify(ledger).problems
    assert named(verify(ledger))[0] == ("receipts/ALG01-G01", "ALG01-G01-000003")
    assert "cut off the end" in problems[0].translated()


def test_orphan_lines_of_a_deleted_payment_are_named(ledger: World) -> None:
    tamper(
        ledger,
        "DELETE FROM print_jobs WHERE payment_id = "
        "(SELECT id FROM payments WHERE receipt_no = 'ALG01-G01-000004')",
        "DELETE FROM payments WHERE receipt_no = 'ALG01-G01-000004'",
    )
    problems = verify(ledger).problems
    assert ("tenders", "-") in [(p.chain, p.record) for p in problems]
    assert ("allocations", "-") in [(p.chain, p.record) for p in problems]


def test_inserted_payment_is_caught(ledger: World) -> None:
    with ledger.db.read() as session:
        row = session.execute(
            text(
                "SELECT series_id, subscriber_id, workstation_id, agent_id, signature FROM payments "
                "WHERE receipt_no = 'ALG01-G01-000004'"
            )
        ).one()
    tamper(
        ledger,
        (
            "INSERT INTO payments (uid, idempotency_key, request_hash, kind, series_id, seq, receipt_no, "
            "subscriber_id, workstation_id, agent_id, created_at, currency, tendered_minor, change_minor, "
            "allocated_minor, topups_minor, credit_used_minor, credit_added_minor, key_id, prev_signature, "
            f"signature) VALUES ('forged', 'forged', 'x', 'payment', {row.series_id}, 5, 'ALG01-G01-000005', "
            f"{row.subscriber_id}, {row.workstation_id}, {row.agent_id}, CURRENT_TIMESTAMP, 'DZD', 100, 0, "
            f"0, 0, 0, 100, '{ledger.ctx.signer.key_id}', '{row.signature}', 'AAAA')"
        ),
    )
    problems = verify(ledger).problems
    assert [p.record for p in problems] == ["ALG01-G01-000005"]


def test_reordered_payments_are_caught(ledger: World) -> None:
    tamper(
        ledger,
        "UPDATE payments SET seq = 99 WHERE receipt_no = 'ALG01-G01-000002'",
        "UPDATE payments SET seq = 2 WHERE receipt_no = 'ALG01-G01-000003'",
        "UPDATE payments SET seq = 3 WHERE receipt_no = 'ALG01-G01-000002'",
    )
    assert verify(ledger).problems[0].record in {"ALG01-G01-000002", "ALG01-G01-000003"}


def test_edited_journal_event_is_caught(ledger: World) -> None:
    tamper(ledger, "UPDATE journal_events SET actor_login = 'someone' WHERE seq = 4")
    problems = verify(ledger).problems
    assert problems[0].chain == "journal"
    assert problems[0].record.startswith("journal #4 ")
    assert "does not match its signature" in problems[0].translated()


# a. what a bill has been paid, and its status --------------------------------------


def test_bill_marked_paid_with_no_payment_is_named(ledger: World) -> None:
    tamper(ledger, "UPDATE invoices SET paid_minor = 100000, status = 'paid' WHERE number = 'F5'")
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("bills", "F5")]
    assert "marked paid without a payment" in problems[0].translated()
    assert "1000.00 DZD" in problems[0].translated()


def test_bill_marked_paid_by_status_alone_is_named(ledger: World) -> None:
    tamper(ledger, "UPDATE invoices SET status = 'paid' WHERE number = 'F5'")
    assert named(verify(ledger)) == [("bills", "F5")]


def test_bill_reopened_after_a_payment_is_named(ledger: World) -> None:
    tamper(ledger, "UPDATE invoices SET paid_minor = 0, status = 'open' WHERE number = 'F1'")
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("bills", "F1")]
    assert "reopened after a payment" in problems[0].translated()


def test_bill_paid_amount_changed_is_named(ledger: World) -> None:
    tamper(
        ledger,
        "UPDATE invoices SET paid_minor = 40000, status = 'partly_paid' WHERE number = 'F1'",
        "UPDATE invoices SET paid_minor = 40000, paid_elsewhere_minor = 40000, "
        "status = 'partly_paid' WHERE number = 'F5'",
    )
    assert named(verify(ledger)) == [("bills", "F1")]  # F5 agrees with what it claims


def test_bill_paid_elsewhere_is_not_a_disagreement(ledger: World) -> None:
    tamper(
        ledger,
        "UPDATE invoices SET paid_minor = 100000, paid_elsewhere_minor = 100000, "
        "status = 'paid' WHERE number = 'F5'",
    )
    assert verify(ledger).ok


# b. the counter, agency and till of a payment are signed -----------------------------


def test_payment_moved_to_another_counter_is_caught(ledger: World) -> None:
    tamper(
        ledger,
        "UPDATE payments SET workstation_id = (SELECT id FROM workstations WHERE code = 'G02') "
        "WHERE receipt_no = 'ALG01-G01-000002'",
    )
    problems = verify(ledger).problems
    assert problems[0].record == "ALG01-G01-000002"
    assert "does not match its signature" in problems[0].translated()


def test_payment_moved_to_another_till_is_caught(ledger: World) -> None:
    other_till = scalar(
        ledger,
        "SELECT c.id FROM cash_sessions c JOIN workstations w ON w.id = c.workstation_id "
        "WHERE w.code = 'G02'",
    )
    tamper(
        ledger,
        f"UPDATE payments SET cash_session_id = {other_till} WHERE receipt_no = 'ALG01-G01-000003'",
    )
    problems = verify(ledger).problems
    assert problems[0].record == "ALG01-G01-000003"
    assert "does not match its signature" in problems[0].translated()
    assert ("cash_sessions", "ALG01-G01-000003") in named(verify(ledger))


def test_payment_record_names_counter_agency_and_till(ledger: World) -> None:
    with ledger.db.engine.connect() as connection:
        rows = [row for row in signed_rows(connection) if row.table == "payments"]
    till = scalar(
        ledger,
        "SELECT c.id FROM cash_sessions c JOIN workstations w ON w.id = c.workstation_id "
        "WHERE w.code = 'G01'",
    )
    assert {(r.record["workstation"], r.record["agency"], r.record["till"]) for r in rows} == {
        ("ALG01-G01", "ALG01", till)
    }


# c. staff: roles, removal, passwords, creation --------------------------------------


def test_role_changed_outside_the_application_is_named(ledger: World) -> None:
    tamper(ledger, "UPDATE staff SET role = 'supervisor' WHERE login = 'amina'")
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("staff", "amina")]
    assert "its role is Supervisor but the journal says Agent" in problems[0].translated()


def test_password_hash_changed_outside_the_application_is_named(ledger: World) -> None:
    from app.auth import hash_password

    tamper(
        ledger,
        f"UPDATE staff SET password_hash = '{hash_password('mine now')}' WHERE login = 'karim'",
    )
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("staff", "karim")]
    assert "password hash is not the one journaled" in problems[0].translated()


def test_removal_undone_outside_the_application_is_named(ledger: World) -> None:
    from app.staff import deactivate_user

    deactivate_user(ledger.ctx, None, "yacine")
    assert verify(ledger).ok
    tamper(ledger, "UPDATE staff SET active = true WHERE login = 'yacine'")
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("staff", "yacine")]
    assert "it is active but the journal says removed" in problems[0].translated()


def test_staff_added_outside_the_application_is_named(ledger: World) -> None:
    from app.auth import hash_password

    tamper(
        ledger,
        "INSERT INTO staff (login, full_name, role, password_hash, active, failed_attempts, "
        f"created_at) VALUES ('mole', 'Mole', 'supervisor', '{hash_password('x' * 10)}', true, 0, "
        "CURRENT_TIMESTAMP)",
    )
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("staff", "mole")]
    assert "no journaled creation" in problems[0].translated()


def test_staff_deleted_outside_the_application_is_named(ledger: World) -> None:
    tamper(ledger, "DELETE FROM staff WHERE login = 'karim'")
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [("staff", "karim")]
    assert "missing (deleted?)" in problems[0].translated()


# d. tills ---------------------------------------------------------------------------


def test_till_float_changed_is_named(ledger: World) -> None:
    tamper(ledger, "UPDATE cash_sessions SET opening_float_minor = 1")
    problems = verify(ledger).problems
    assert [p.chain for p in problems] == ["cash_sessions", "cash_sessions"]
    assert "float differ from the journaled opening" in problems[0].translated()


def test_till_closed_or_reopened_outside_the_application_is_named(ledger: World) -> None:
    close_cash_session(ledger.ctx, ledger.other_agent, "ALG01-G02")
    assert verify(ledger).ok
    tamper(
        ledger,
        "UPDATE cash_sessions SET closed_at = NULL, closed_by_id = NULL "
        "WHERE closed_at IS NOT NULL",
        "UPDATE cash_sessions SET closed_at = CURRENT_TIMESTAMP WHERE workstation_id = "
        "(SELECT id FROM workstations WHERE code = 'G01')",
    )
    messages = sorted(p.translated() for p in verify(ledger).problems)
    assert len(messages) == 2
    assert "closed outside the application" in messages[0]
    assert "reopened outside the application" in messages[1]


def test_till_made_or_deleted_outside_the_application_is_named(ledger: World) -> None:
    tamper(
        ledger,
        "INSERT INTO cash_sessions (workstation_id, opened_by_id, opened_at, opening_float_minor, "
        "closed_by_id, closed_at) SELECT workstation_id, opened_by_id, opened_at, 0, "
        "opened_by_id, opened_at FROM cash_sessions WHERE "
        "workstation_id = (SELECT id FROM workstations WHERE code = 'G02')",
        "DELETE FROM cash_sessions WHERE workstation_id = "
        "(SELECT id FROM workstations WHERE code = 'G02') AND opening_float_minor > 0",
    )
    messages = [p.translated() for p in verify(ledger).problems]
    assert len(messages) == 2
    assert any("no journaled opening" in m for m in messages)
    assert any("opened this till at ALG01-G02 but it is missing" in m for m in messages)


# e. receipt copies --------------------------------------------------------------------


def test_deleted_duplicata_is_named(ledger: World) -> None:
    for _ in range(3):
        reprint(
            ledger.ctx, ledger.agent, "ALG01-G01-000001", workstation=WORKSTATION, language="fr"
        )
    assert verify(ledger).ok
    tamper(ledger, "DELETE FROM receipt_copies WHERE copy_number = 2")
    problems = verify(ledger).problems
    assert named(verify(ledger)) == [
        ("receipt_copies", "ALG01-G01-000001 DUPLICATA 3"),
        ("receipt_copies", "ALG01-G01-000001 DUPLICATA 2"),
    ]
    assert "follows 1: copies are missing" in problems[0].translated()
    assert "journal issued this copy but its record is missing" in problems[1].translated()


def test_last_duplicata_deleted_is_named(ledger: World) -> None:
    reprint(ledger.ctx, ledger.agent, "ALG01-G01-000002", workstation=WORKSTATION, language="fr")
    tamper(ledger, "DELETE FROM receipt_copies")
    assert named(verify(ledger)) == [("receipt_copies", "ALG01-G01-000002 DUPLICATA 1")]


# f. the actor of a journal event ------------------------------------------------------


def test_journal_actor_id_changed_is_named(ledger: World) -> None:
    tamper(
        ledger,
        "UPDATE journal_events SET actor_id = (SELECT id FROM staff WHERE login = 'karim') "
        "WHERE actor_login = 'amina'",
    )
    problems = verify(ledger).problems
    assert problems and {p.chain for p in problems} == {"journal"}
    assert "actor_id is karim's but the signed actor is amina" in problems[0].translated()


# g. a signed payment pointing at a deleted row: named, never a crash ------------------


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            [
                "DELETE FROM subscriber_phones",
                "DELETE FROM subscribers WHERE account_number = '1000000001'",
            ],
            "it points to subscriber #",
        ),
        (["DELETE FROM staff WHERE login = 'amina'"], "it points to staff member #"),
        (["DELETE FROM invoices WHERE number = 'F1'"], "it pays bill #"),
        (["DELETE FROM cash_sessions"], "it points to cash session #"),
        (["DELETE FROM agencies"], "the agency of its workstation #"),
        (["DELETE FROM workstations WHERE code = 'G01'"], "it points to workstation #"),
        (["DELETE FROM receipt_series WHERE code = 'ALG01-G01'"], "its receipt series #"),
    ],
)
def test_payment_pointing_at_a_deleted_row_is_a_named_break(
    ledger: World, statements: list[str], message: str
) -> None:
    tamper(ledger, *statements)
    report = verify(ledger)
    assert not report.ok
    first = report.problems[0]
    assert first.chain.startswith("receipts/") and message in first.translated()


def test_deleted_product_of_a_top_up_is_a_named_break(ledger: World) -> None:
    take_payment(
        ledger.ctx,
        ledger.agent,
        PaymentRequest(
            "topup",
            "1000000001",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("500")),),
            invoice_numbers=(),
            topups=(TopUpInput("MOB500", "0555123456"),),
        ),
    )
    tamper(ledger, "DELETE FROM prepaid_products WHERE code = 'MOB500'")
    problems = verify(ledger).problems
    assert problems[0].record == "ALG01-G01-000005"
    assert "it sells product #" in problems[0].translated()


# i. the wrong key ---------------------------------------------------------------------


def test_chain_resigned_without_the_key_is_caught(ledger: World) -> None:
    """An attacker re-signs every record with a key of their own and swaps the stored public key."""
    forger = Signer(Ed25519PrivateKey.generate())
    with ledger.db.engine.connect() as connection:
        rows = list(signed_rows(connection))
    statements = []
    previous: dict[str, str] = {}
    for row in rows:
        prev = previous.get(row.chain, "")
        signature = forger.sign(signing_input(row.chain, row.seq, row.record, prev))
        statements.append(
            f"UPDATE {row.table} SET key_id = '{forger.key_id}', prev_signature = '{prev}', "
            f"signature = '{signature}' WHERE id = {row.row_id}"
        )
        statements.append(
            f"UPDATE chain_heads SET last_signature = '{signature}' WHERE name = '{row.chain}'"
        )
        previous[row.chain] = signature
    tamper(
        ledger,
        f"UPDATE signing_keys SET key_id = '{forger.key_id}', "
        f"public_key = '{public_key_b64(forger.public_key)}'",
        *statements,
    )
    # Checked with the key held outside the database, the forgery shows at once.
    report = verify(ledger)
    assert report.wrong_key and len(report.problems) == 1
    assert "this is not the database's key" in report.problems[0].translated()
    # The forgery is self-consistent: checked with the stored key only, it would pass.
    assert verify_database(ledger.db, Verifier(forger.public_key)).ok


def test_a_record_signed_by_another_key_is_named(ledger: World) -> None:
    forger = Signer(Ed25519PrivateKey.generate())
    tamper(
        ledger,
        f"UPDATE payments SET key_id = '{forger.key_id}' WHERE receipt_no = 'ALG01-G01-000003'",
    )
    problems = verify(ledger).problems
    assert problems[0].record == "ALG01-G01-000003"
    assert "unknown key" in problems[0].translated()


def test_wrong_key_file_is_one_line_and_fails(
    ledger: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main
    from app.integrity.keys import create_signer

    create_signer(tmp_path / "other.pem")
    code = main(["--database", ledger.db.url, "--key-file", str(tmp_path / "other.pem"), "verify"])
    out = capsys.readouterr()
    assert code == 1
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and "this is not the database's key" in lines[0]
    assert ledger.ctx.signer.key_id in lines[0]


def test_verify_command_prints_its_scope(
    ledger: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main

    key = str(tmp_path / "keys" / "signing-key.pem")
    assert main(["--database", ledger.db.url, "--key-file", key, "verify"]) == 0
    out = capsys.readouterr().out
    assert "OK: 3 chains" in out
    assert "receipts/ALG01-G01: 4 records" in out
    assert "bills recomputed from the ledger: 5" in out
    assert "receipt copies checked against the journal: 0" in out


# parallel checking gives the same answers ---------------------------------------------


@pytest.mark.parametrize("workers", [2, 3])  # messages built in the main process, in workers
def test_signatures_checked_in_worker_processes(ledger: World, workers: int) -> None:
    assert verify_database(ledger.db, ledger.ctx.signer.verifier, workers=workers).ok
    tamper(
        ledger,
        "UPDATE payments SET change_minor = 7 WHERE receipt_no = 'ALG01-G01-000003'",
        "UPDATE journal_events SET details = 'not json' WHERE seq = 5",
    )
    report = verify_database(ledger.db, ledger.ctx.signer.verifier, workers=workers)
    assert report.workers == workers
    assert [p.record for p in report.problems][:2] == [
        "ALG01-G01-000003",
        "journal #5 (cash.session_opened)",
    ]


def test_signature_is_base64_ed25519(ledger: World) -> None:
    with ledger.db.read() as session:
        signature = session.execute(text("SELECT signature FROM payments LIMIT 1")).scalar_one()
    assert len(base64.b64decode(signature)) == 64
