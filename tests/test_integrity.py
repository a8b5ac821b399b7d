"""Signed chains: a golden serialization, and every kind of tampering caught by verify."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.integrity.canonical import canonical_bytes, signing_input
from app.integrity.keys import Signer, Verifier, load_signer, public_key_b64
from app.integrity.records import payment_record
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import (
    Allocation,
    Invoice,
    Payment,
    PaymentKind,
    ReceiptSeries,
    Staff,
    Subscriber,
    Tender,
    TenderKind,
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
        '{"account":"1000000001","agent":"amina","allocated":420000,'
        '"allocations":[{"amount":420000,"invoice":"F1"}],"approved_by":null,'
        '"at":"2026-11-21T10:30:00.000000Z","change":80000,"credit_added":0,"credit_used":0,'
        '"currency":"DZD","kind":"payment","reason":null,"receipt":"ALG01-G01-000001",'
        '"reconnections":[],"tendered":500000,"tenders":[{"amount":500000,"authorisation":null,'
        '"bank":null,"cheque":null,"kind":"cash","transfer":null}],"topup_sales":[],"topups":0,'
        '"uid":"00000000-0000-4000-8000-000000000001","voids":null,"workstation":"ALG01-G01"}'
    )
    signer = Signer(Ed25519PrivateKey.from_private_bytes(GOLDEN_SEED))
    signature = signer.sign(signing_input("receipts/ALG01-G01", 1, record, ""))
    assert signature == GOLDEN_SIGNATURE
    assert signer.verifier.verify(signature, signing_input("receipts/ALG01-G01", 1, record, ""))


GOLDEN_SIGNATURE = (
    "euPgkF/6c8BDvXSpbEolXSVfuk9PvZhhuLGmmytDGyNRvTO9CbM7k7YeyTDIeJJfMA0rKnMicd3eL3tN0ZkpCg=="
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


@pytest.fixture
def ledger(database: Database, tmp_path: Path) -> Iterator[World]:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db, "1000000001", invoices=[(f"F{i}", 100000, date(2026, 10, i)) for i in range(1, 5)]
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


def verify(world: World):
    return verify_database(world.db, world.ctx.signer.verifier)


def without_guards(world: World, session: Session) -> None:
    """What someone with raw database access would do first: drop the append-only triggers."""
    tables = ("payments", "tenders", "allocations", "journal_events")
    for table in tables:
        if world.db.is_sqlite:
            session.execute(text(f"DROP TRIGGER {table}_no_update"))
            session.execute(text(f"DROP TRIGGER {table}_no_delete"))
        else:
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))


def tamper(world: World, *statements: str) -> None:
    with world.db.write() as session:
        without_guards(world, session)
        for statement in statements:
            session.execute(text(statement))


def test_untouched_ledger_verifies(ledger: World) -> None:
    report = verify(ledger)
    assert report.ok, [p.translated() for p in report.problems]
    assert report.records >= 4 + 5  # four payments and the journal events of set-up


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


def test_deleted_payment_is_caught(ledger: World) -> None:
    victim = "(SELECT id FROM payments WHERE receipt_no = 'ALG01-G01-000002')"
    tamper(
        ledger,
        f"DELETE FROM tenders WHERE payment_id = {victim}",
        f"DELETE FROM allocations WHERE payment_id = {victim}",
        f"DELETE FROM print_jobs WHERE payment_id = {victim}",
        "DELETE FROM payments WHERE receipt_no = 'ALG01-G01-000002'",
    )
    problems = verify(ledger).problems
    assert [p.record for p in problems] == ["ALG01-G01-000003"]
    assert "missing before it" in problems[0].translated()


def test_last_payment_cut_off_is_caught(ledger: World) -> None:
    victim = "(SELECT id FROM payments WHERE receipt_no = 'ALG01-G01-000004')"
    tamper(
        ledger,
        f"DELETE FROM tenders WHERE payment_id = {victim}",
        f"DELETE FROM allocations WHERE payment_id = {victim}",
        f"DELETE FROM print_jobs WHERE payment_id = {victim}",
        "DELETE FROM payments WHERE receipt_no = 'ALG01-G01-000004'",
    )
    problems = verify(ledger).problems
    assert len(problems) == 1 and "cut off the end" in problems[0].translated()


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
    tamper(ledger, "UPDATE journal_events SET actor_login = 'someone' WHERE seq = 2")
    problems = verify(ledger).problems
    assert len(problems) == 1 and problems[0].chain == "journal"
    assert problems[0].record.startswith("journal #2 ")


def test_chain_resigned_without_the_key_is_caught(ledger: World) -> None:
    """An attacker re-signs every record with a key of their own and swaps the stored public key."""
    forger = Signer(Ed25519PrivateKey.generate())
    with ledger.db.write() as session:
        without_guards(ledger, session)
        session.execute(
            text("UPDATE signing_keys SET key_id = :k, public_key = :p"),
            {"k": forger.key_id, "p": public_key_b64(forger.public_key)},
        )
        from app.integrity.verify import _journal_links, _payment_links

        series = session.query(ReceiptSeries).filter_by(code="ALG01-G01").one()
        for chain_name, links, table in (
            (series.chain_name, list(_payment_links(session, series)), "payments"),
            ("journal", list(_journal_links(session)), "journal_events"),
        ):
            prev = ""
            for link in links:
                signature = forger.sign(signing_input(chain_name, link.seq, link.record, prev))
                session.execute(
                    text(
                        f"UPDATE {table} SET key_id = :k, prev_signature = :p, "
                        "signature = :s WHERE seq = :q"
                        + (" AND series_id = :sid" if table == "payments" else "")
                    ),
                    {
                        "k": forger.key_id,
                        "p": prev,
                        "s": signature,
                        "q": link.seq,
                        "sid": series.id,
                    },
                )
                prev = signature
            session.execute(
                text("UPDATE chain_heads SET last_signature = :s WHERE name = :n"),
                {"s": prev, "n": chain_name},
            )
    # Checked with the key held outside the database, the forgery shows at once.
    problems = verify(ledger).problems
    assert problems and "unknown key" in problems[0].translated()
    assert problems[0].record == "ALG01-G01-000001"
    # The forgery is self-consistent: checked with the stored key only, it would pass.
    assert verify_database(ledger.db, Verifier(forger.public_key)).ok


def test_signature_is_base64_ed25519(ledger: World) -> None:
    with ledger.db.read() as session:
        signature = session.execute(text("SELECT signature FROM payments LIMIT 1")).scalar_one()
    assert len(base64.b64decode(signature)) == 64
