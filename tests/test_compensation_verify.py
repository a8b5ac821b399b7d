"""`verify` and the compensations ledger: the chain, the claims, the waived bills."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.compensation.claims import ClaimProposal, propose_claims
from db.engine import Database
from db.models import CompensationKind, CompensationSource, Contract, Invoice
from tests.factories import NOW, World, add_subscriber, build_world
from tests.test_integrity import named, tamper, verify


class _Commitment:
    code = "OUTAGE"
    charter_id = None
    rule_kind = "days_credit"
    rule = "{}"
    automatic = True
    approval_above_minor = None


def _ids(world: World, account: str) -> tuple[int, int]:
    with world.db.read() as session:
        contract = session.scalars(select(Contract).where(Contract.number == f"C{account}")).one()
        return contract.subscriber_id, contract.id


@pytest.fixture
def compensated(database: Database, tmp_path: Path) -> Iterator[World]:
    """Three entries: two credits and a waiver of bill W1 (partly)."""
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "700001")
    add_subscriber(world.db, "700002", invoices=[("W1", 160000, date(2026, 11, 30))])
    first, first_contract = _ids(world, "700001")
    second, second_contract = _ids(world, "700002")
    with world.db.read() as session:
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.number == "W1")).one()
    proposals = [
        ClaimProposal(CompensationSource.OUTAGE, 1, first, first_contract, 5333, "DZD", "credit"),
        ClaimProposal(CompensationSource.OUTAGE, 1, second, second_contract, 700, "DZD", "credit"),
    ]
    waiver = ClaimProposal(
        CompensationSource.LATE_ACTIVATION,
        second_contract,
        second,
        second_contract,
        40000,
        "DZD",
        CompensationKind.WAIVER,
        invoice_id=invoice_id,
    )
    with world.db.write() as session:
        propose_claims(session, world.ctx.signer, _Commitment(), proposals, now=NOW)
        propose_claims(session, world.ctx.signer, _Commitment(), [waiver], now=NOW)
    yield world


def test_an_untouched_compensations_ledger_verifies(compensated: World) -> None:
    report = verify(compensated)
    assert report.ok, [p.translated() for p in report.problems]
    assert report.chain_records["compensations"] == 3
    assert report.checks["compensation claims checked against their ledger"] == 3


def test_an_edited_entry_is_caught_and_named(compensated: World) -> None:
    tamper(compensated, "UPDATE compensations SET amount_minor = 999999 WHERE seq = 2")
    report = verify(compensated)
    assert ("compensations", "compensation #2 (claim 2)") in named(report)
    messages = [p.translated() for p in report.problems]
    assert any("does not match its signature" in m for m in messages)
    assert any("but its claim says" in m for m in messages)


def test_a_deleted_entry_is_caught_and_its_claim_named(compensated: World) -> None:
    tamper(compensated, "DELETE FROM compensations WHERE seq = 3")
    report = verify(compensated)
    problems = {(p.chain, p.record): p.translated() for p in report.problems}
    assert "records cut off the end" in problems[("compensations", "compensation #2 (claim 2)")]
    assert "has no entry" in problems[("compensations", "claim 3")]
    # The waiver is gone from the ledger but not from the bill.
    bill = [p.translated() for p in report.problems if p.record == "W1"]
    assert any("waives 0.00 DZD" in m for m in bill) and any("400.00 DZD paid" in m for m in bill)


def test_a_deleted_entry_in_the_middle_is_caught(compensated: World) -> None:
    tamper(compensated, "DELETE FROM compensations WHERE seq = 2")
    problems = {(p.chain, p.record): p.translated() for p in verify(compensated).problems}
    assert "missing before it" in problems[("compensations", "compensation #3 (claim 3)")]


def test_reordered_entries_are_caught(compensated: World) -> None:
    tamper(
        compensated,
        "UPDATE compensations SET seq = 100 WHERE seq = 1",
        "UPDATE compensations SET seq = 1 WHERE seq = 2",
        "UPDATE compensations SET seq = 2 WHERE seq = 100",
    )
    report = verify(compensated)
    assert [p.chain for p in report.problems] == ["compensations"]
    assert report.problems[0].record == "compensation #1 (claim 2)"


def test_a_claim_refused_after_its_entry_was_written_is_caught(compensated: World) -> None:
    tamper(compensated, "UPDATE compensation_claims SET status = 'refused' WHERE id = 1")
    report = verify(compensated)
    assert named(report) == [("compensations", "compensation #1 (claim 1)")]
    assert "Refused" in report.problems[0].translated()


def test_an_applied_claim_without_money_is_caught(compensated: World) -> None:
    tamper(
        compensated,
        "INSERT INTO compensation_claims (source, source_id, subscriber_id, contract_id, "
        "commitment_code, rule_kind, basis, kind, amount_minor, currency, status, created_at) "
        "SELECT 'outage', 9, subscriber_id, contract_id, 'OUTAGE', 'days_credit', '{}', "
        "'credit', 100, 'DZD', 'applied', created_at FROM compensation_claims WHERE id = 1",
    )
    report = verify(compensated)
    assert named(report) == [("compensations", "claim 4")]


def test_waived_and_paid_amounts_of_a_bill_are_checked(compensated: World) -> None:
    assert verify(compensated).ok
    tamper(compensated, "UPDATE invoices SET waived_minor = 0 WHERE number = 'W1'")
    report = verify(compensated)
    assert named(report) == [("bills", "W1")]
    assert "waives 400.00 DZD" in report.problems[0].translated()
    tamper(
        compensated,
        "UPDATE invoices SET waived_minor = 40000, paid_minor = 100 WHERE number = 'W1'",
    )
    report = verify(compensated)
    assert named(report) == [("bills", "W1")]
    assert "400.00 DZD was waived" in report.problems[0].translated()
