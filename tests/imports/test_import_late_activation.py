"""A line the billing system says was activated late is compensated with the import."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.imports.report import report_lines
from app.money import currency, format_amount, from_minor
from db.models import ClaimStatus, CompensationClaim, CompensationSource
from tests.factories import World
from tests.imports.helpers import copy_examples, run, write
from tests.test_compensation_late_activation import add_charter

# Confirmed on 1 October, activated on 10 November: past the charter's 14 days.
LATE = (
    "contract_number,account_number,offer_code,status,requested_on,confirmed_on,"
    "activated_on,line,agency_code,commune,exchange_code\n"
    "IMP-C-0199,IMP-000101,IMP-ADSL-8,active,2026-09-30,2026-10-01,2026-11-10,"
    "021 63 12 99,ALG01,Alger Centre,ALG-CTR-01\n"
)


def _claims(world: World) -> list[tuple[str, str]]:
    with world.db.read() as session:
        return [
            (claim.commitment_code, claim.status)
            for claim in session.scalars(
                select(CompensationClaim).where(
                    CompensationClaim.source == CompensationSource.LATE_ACTIVATION
                )
            )
        ]


def test_an_activation_imported_late_brings_its_compensation_once(
    world: World, tmp_path: Path
) -> None:
    add_charter(world)
    batch = tmp_path / "batch"
    paths = copy_examples(batch, ("offers.csv", "subscribers.csv"))
    late = write(batch, "late.csv", LATE)
    result = run(world.ctx, [*paths, late])
    assert result.applied
    assert _claims(world) == [("ACTIVATION", ClaimStatus.APPLIED)]
    # The administrator reads in the import's report what it paid.
    with world.db.read() as session:
        paid = session.scalars(select(CompensationClaim.amount_minor)).one()
    assert paid > 0
    shown = format_amount(from_minor(paid, currency("DZD")), "DZD", "en")
    assert (
        f"Late activations: 1 contract(s) compensated for {shown}, "
        "0 awaiting approval" in "\n".join(report_lines(result, "en"))
    )
    # The same file again changes nothing and pays nothing twice, and says nothing of it.
    again = run(world.ctx, [late])
    assert again.applied and _claims(world) == [("ACTIVATION", ClaimStatus.APPLIED)]
    assert not any("Late activations" in line for line in report_lines(again, "en"))


def test_a_dry_run_compensates_nothing(world: World, tmp_path: Path) -> None:
    add_charter(world)
    batch = tmp_path / "batch"
    paths = copy_examples(batch, ("offers.csv", "subscribers.csv"))
    late = write(batch, "late.csv", LATE)
    assert not run(world.ctx, [*paths, late], check=True).applied
    assert _claims(world) == []
