"""The cut-off list: proposed lines, every exclusion reason, the CSV and the command line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.billing.cutoff import (
    CutoffList,
    ExclusionReason,
    cutoff_list,
    exclusion_text,
    write_cutoff_csv,
)
from app.errors import NotFoundError, PermissionDeniedError
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from db.engine import Database
from db.models import (
    Agency,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ContractStatus,
    Invoice,
    OperatorSettings,
    TenderKind,
)
from tests.factories import NOW, PASSWORD, TODAY, WORKSTATION, World, add_subscriber, build_world

ROOT = Path(__file__).resolve().parent.parent
ON = TODAY  # 2026-11-21; grace 15 days: bills due before 11-06 are overdue beyond it
OLD = date(2026, 10, 1)


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    with world.db.write() as session:
        session.scalars(select(OperatorSettings)).one().billing_extract_at = NOW - timedelta(days=1)
    return world


def subscriber(
    world: World,
    account: str,
    due: date = OLD,
    *,
    delivered: date | None = None,
    status: ContractStatus = ContractStatus.ACTIVE,
    more: list[tuple[str, int, date]] | None = None,
) -> int:
    subscriber_id = add_subscriber(
        world.db, account, invoices=[(f"F{account}", 100_000, due), *(more or [])], status=status
    )
    with world.db.write() as session:
        for bill in session.scalars(select(Invoice).where(Invoice.subscriber_id == subscriber_id)):
            bill.delivery_date = bill.issue_date  # delivered in time unless told otherwise
        if delivered is not None:
            bill = session.scalars(select(Invoice).where(Invoice.number == f"F{account}")).one()
            bill.delivery_date = delivered
    return subscriber_id


def complain(
    world: World,
    subscriber_id: int,
    number: str,
    category: str = ComplaintCategory.BILLING,
    status: str = ComplaintStatus.OPEN,
    *,
    on_contract: bool = True,
) -> None:
    with world.db.write() as session:
        contract = session.scalars(
            select(Invoice.contract_id).where(Invoice.subscriber_id == subscriber_id)
        ).first()
        session.add(
            Complaint(
                number=number,
                agency_id=session.scalar(select(Agency.id)),
                subscriber_id=subscriber_id,
                contract_id=contract if on_contract else None,
                category=category,
                channel="counter",
                description="La facture n'est jamais arrivée",
                language="fr",
                opened_at=NOW - timedelta(days=2),
                opened_by_id=world.agent.staff_id,
                status=status,
                used_minutes=0,
                updated_at=NOW,
            )
        )


def pay(world: World, key: str, account: str, amount: str) -> str:
    request = PaymentRequest(
        idempotency_key=key,
        account_number=account,
        workstation=WORKSTATION,
        tenders=(TenderInput(TenderKind.CASH, Decimal(amount)),),
    )
    return take_payment(world.ctx, world.agent, request).receipt_no


def by_contract(result: CutoffList) -> dict[str, tuple[str, ...]]:
    """Each listed line: 'proposed', or its exclusion reasons."""
    found: dict[str, tuple[str, ...]] = {
        line.contract_number: ("proposed",) for line in result.proposed
    }
    for line in result.excluded:
        found[line.contract_number] = tuple(e.reason for e in line.exclusions)
    return found


def test_every_exclusion_names_its_reason(world: World) -> None:
    subscriber(world, "1000000001")  # overdue since 10-01: proposed
    subscriber(world, "1000000002", due=date(2026, 11, 10))  # still inside the grace: absent
    # Due 10-31, delivered 10-30: late; its term runs to 11-09, the grace to 11-24.
    subscriber(world, "1000000003", due=date(2026, 10, 31), delivered=date(2026, 10, 30))
    # Late too, but its extended term and the grace after it are over (10-08 + 15).
    subscriber(world, "1000000004", due=date(2026, 10, 1), delivered=date(2026, 9, 28))
    complain(world, subscriber(world, "1000000005"), "R-5")  # billing complaint on the line
    complain(
        world,
        subscriber(world, "1000000006"),
        "R-6",
        ComplaintCategory.BILL_NOT_RECEIVED,
        on_contract=False,
    )
    complain(world, subscriber(world, "1000000007"), "R-7", status=ComplaintStatus.RESOLVED)
    complain(world, subscriber(world, "1000000008"), "R-8", ComplaintCategory.NO_SERVICE)
    complain(world, subscriber(world, "1000000009"), "R-9", status=ComplaintStatus.WAITING_CUSTOMER)
    subscriber(world, "1000000010")
    receipt = pay(world, "k10", "1000000010", "1000")  # paid since the extract
    subscriber(world, "1000000011")
    voided = pay(world, "k11", "1000000011", "1000")
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v11", voided, WORKSTATION, "Wrong account", "karim", PASSWORD),
    )
    subscriber(world, "1000000012", status=ContractStatus.SUSPENDED)
    subscriber(world, "1000000013", status=ContractStatus.TERMINATED)
    # Two bills: one excused by its late delivery, the other overdue: the line is proposed.
    subscriber(
        world,
        "1000000014",
        due=date(2026, 10, 31),
        delivered=date(2026, 10, 30),
        more=[("G14", 50_000, date(2026, 9, 1))],
    )

    result = cutoff_list(world.db, ON)
    assert by_contract(result) == {
        "C1000000001": ("proposed",),
        "C1000000003": (ExclusionReason.LATE_DELIVERY,),
        "C1000000004": ("proposed",),
        "C1000000005": (ExclusionReason.COMPLAINT,),
        "C1000000006": (ExclusionReason.COMPLAINT,),
        "C1000000007": ("proposed",),
        "C1000000008": ("proposed",),
        "C1000000009": (ExclusionReason.COMPLAINT,),
        "C1000000010": (ExclusionReason.PAID_SINCE_EXTRACT,),
        "C1000000011": ("proposed",),  # paid and voided since the extract: net nothing
        "C1000000014": ("proposed",),
    }
    assert (result.grace_days, result.late_delivery_days) == (15, 10)
    lines = {line.contract_number: line for line in (*result.proposed, *result.excluded)}
    assert lines["C1000000014"].overdue_bills == ("G14",)
    assert lines["C1000000001"].overdue_minor == 100_000
    assert lines["C1000000001"].oldest_due == OLD
    late = lines["C1000000003"].exclusions[0]
    assert (late.reference, late.on, late.until) == (
        "F1000000003",
        date(2026, 10, 30),
        date(2026, 11, 9),
    )
    paid = lines["C1000000010"].exclusions[0]
    assert (paid.reference, paid.detail) == ("F1000000010", receipt)
    assert "R-6" in exclusion_text(lines["C1000000006"].exclusions[0], "en")
    assert "bill not received" in exclusion_text(lines["C1000000006"].exclusions[0], "en")
    assert receipt in exclusion_text(paid, "en")
    assert "2026" in exclusion_text(late, "en") and "F1000000003" in exclusion_text(late, "en")
    assert "09/11/2026" in exclusion_text(late, "fr")


def test_the_late_term_ends_with_its_grace(world: World) -> None:
    subscriber(world, "1000000003", due=date(2026, 10, 31), delivered=date(2026, 10, 30))
    # Term 11-09, grace 15 days: spared up to 11-24, proposed from 11-25.
    assert by_contract(cutoff_list(world.db, date(2026, 11, 24))) == {
        "C1000000003": (ExclusionReason.LATE_DELIVERY,)
    }
    assert by_contract(cutoff_list(world.db, date(2026, 11, 25))) == {"C1000000003": ("proposed",)}


def test_the_operators_grace_and_extract(world: World) -> None:
    subscriber(world, "1000000001", due=date(2026, 11, 10))
    assert cutoff_list(world.db, ON).proposed == ()
    with world.db.write() as session:
        settings = session.scalars(select(OperatorSettings)).one()
        settings.cutoff_grace_days = 5
    assert by_contract(cutoff_list(world.db, ON)) == {"C1000000001": ("proposed",)}
    subscriber(world, "1000000002")
    pay(world, "k2", "1000000002", "1000")
    with world.db.write() as session:  # the billing system took its extract after that payment
        session.scalars(select(OperatorSettings)).one().billing_extract_at = NOW + timedelta(
            hours=1
        )
    assert "C1000000002" not in by_contract(cutoff_list(world.db, ON))


def test_one_agency_and_the_roles(world: World) -> None:
    subscriber(world, "1000000001")
    assert by_contract(cutoff_list(world.db, ON, agency_code="ALG01")) == {}  # no agency on it
    with world.db.write() as session:
        from db.models import Contract

        session.scalars(select(Contract)).one().agency_id = session.scalar(select(Agency.id))
    assert by_contract(cutoff_list(world.db, ON, agency_code="alg01")) == {
        "C1000000001": ("proposed",)
    }
    with pytest.raises(NotFoundError, match="no agency XX"):
        cutoff_list(world.db, ON, agency_code="XX")
    with pytest.raises(PermissionDeniedError):
        cutoff_list(world.db, ON, actor=world.agent)
    assert cutoff_list(world.db, ON, actor=world.supervisor).proposed


def test_the_csv_is_formula_neutral(world: World) -> None:
    subscriber(world, "1000000001")
    with world.db.write() as session:
        from db.models import Subscriber

        session.scalars(select(Subscriber)).one().first_name = "=HYPERLINK(1)"
    complain(world, subscriber(world, "1000000002"), "R-2")
    out = io.BytesIO()
    rows = write_cutoff_csv(cutoff_list(world.db, ON), out, language="fr")
    text = out.getvalue().decode("utf-8")
    assert rows == 2
    lines = text.splitlines()
    assert lines[0].startswith("decision,contract,account")
    assert lines[1].startswith("proposed,C1000000001,1000000001,'=HYPERLINK(1)")
    assert "1000.00,DZD,2026-10-01" in lines[1]
    assert lines[2].startswith("excluded,C1000000002") and "complaint" in lines[2]


# --- the command line ----------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--language", "en", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        cwd=ROOT,
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_cli_lists_and_writes_csv(world: World, tmp_path: Path) -> None:
    subscriber(world, "1000000001")
    complain(world, subscriber(world, "1000000002"), "R-2")
    listed = run("--database", world.db.url, "cutoff", "list", "--date", "2026-11-21")
    assert listed.returncode == 0, listed.stderr
    assert "1 line(s) proposed" in listed.stdout and "C1000000001" in listed.stdout
    assert "Excluded: 1 line(s)." in listed.stdout
    assert "Open complaint R-2 (billing)" in listed.stdout
    target = tmp_path / "cutoff.csv"
    written = run(
        "--database", world.db.url, "cutoff", "list", "--date", "2026-11-21", "--csv", str(target)
    )
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8").count("\n") == 3
    one_line(
        run("--database", world.db.url, "cutoff", "list", "--date", "21/11/2026"), "not a date"
    )
    one_line(
        run("--database", world.db.url, "cutoff", "list", "--date", "2026-11-21", "--agency", "ZZ"),
        "no agency ZZ",
    )
    one_line(
        run(
            "--database",
            world.db.url,
            "cutoff",
            "list",
            "--date",
            "2026-11-21",
            "--csv",
            str(tmp_path / "missing" / "x.csv"),
        ),
        "Cannot write",
    )
    _ = datetime  # imported for readers of the fixture's extract time
