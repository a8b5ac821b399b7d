"""Outages from the network system: recorded by the import and closed with it, once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.imports.refusals import ImportResult
from app.imports.report import report_lines
from app.integrity.verify import verify_database
from app.money import currency, format_amount, from_minor
from db.models import (
    ClaimStatus,
    CompensationClaim,
    CompensationSource,
    JournalEvent,
    Outage,
)
from tests.factories import World
from tests.imports.helpers import checksum, copy_examples, run, write
from tests.test_outages import add_charter

HEADER = "outage_ref,service,scope,where,started_at,ended_at,description\n"
FIBRE_FEE = 290000  # IMP-FIBRE-100: 2,900.00 DZD a month
# 49 h 15 min down: 25 h 15 min beyond the 24-hour threshold, two started days.
TWO_DAYS = (2 * FIBRE_FEE * 2 + 30) // 60
ACCOUNTS = ("offers.csv", "subscribers.csv", "contracts.csv", "statuses.csv")


def _accounts(world: World, tmp_path: Path) -> None:
    assert run(world.ctx, copy_examples(tmp_path / "accounts", ACCOUNTS)).applied


def _claims(world: World) -> list[tuple[str, int, str]]:
    with world.db.read() as session:
        return [
            (number, claim.amount_minor, claim.status)
            for claim, number in session.execute(
                select(CompensationClaim, Outage.number)
                .join(Outage, Outage.id == CompensationClaim.source_id)
                .where(CompensationClaim.source == CompensationSource.OUTAGE)
                .order_by(CompensationClaim.id)
            )
        ]


def _outage(world: World, number: str) -> Outage:
    with world.db.read() as session:
        outage = session.scalars(select(Outage).where(Outage.number == number)).one()
        session.expunge(outage)
        return outage


def _counts(result: ImportResult) -> tuple[int, int, int]:
    counts = result.counts["outages"]
    return counts.created, counts.updated, counts.unchanged


def _refusals(result: ImportResult) -> list[tuple[int, str]]:
    return sorted((refusal.line, refusal.column) for refusal in result.refusals)


def test_the_example_outage_is_recorded_closed_and_compensated_once(
    world: World, tmp_path: Path
) -> None:
    add_charter(world.db)
    paths = copy_examples(tmp_path / "batch", (*ACCOUNTS, "outages.csv"))
    result = run(world.ctx, paths)
    assert result.applied, [r.translated("en") for r in result.refusals]
    assert _counts(result) == (2, 0, 0)
    # The fibre outage hit IMP-C-0101 (the exchange ALG-CTR-01): two days credited.
    assert _claims(world) == [("NET-2026-0412", TWO_DAYS, ClaimStatus.APPLIED)]
    closed = _outage(world, "NET-2026-0412")
    assert closed.recorded_by_id is None and closed.charter_id is not None
    assert closed.closed_at is not None and closed.closed_by_id is None
    assert (closed.affected_contracts, closed.compensated_minor) == (1, TWO_DAYS)
    # The ADSL one has no end yet: recorded, not closed.
    still = _outage(world, "NET-2026-0419")
    assert still.ended_at is None and still.closed_at is None
    with world.db.read() as session:
        kinds = {
            (event.kind, event.actor_login)
            for event in session.scalars(
                select(JournalEvent).where(JournalEvent.subject == "NET-2026-0412")
            )
        }
    assert kinds == {("outage.recorded", "import"), ("outage.closed", "import")}
    # The report says what the close paid, in the reader's language.
    report = report_lines(result, "en")
    paid = format_amount(from_minor(TWO_DAYS, currency("DZD")), "DZD", "en")
    assert (
        f"Outage NET-2026-0412 closed: 1 contract(s) hit, 1 compensated for {paid}, "
        f"0 awaiting approval for {format_amount(from_minor(0, currency('DZD')), 'DZD', 'en')}."
    ) in report, report
    assert not any("NET-2026-0419" in line for line in report)

    # The same files again: nothing changes, nothing more is paid.
    again = run(world.ctx, copy_examples(tmp_path / "again", (*ACCOUNTS, "outages.csv")))
    assert again.applied and _counts(again) == (0, 0, 2)
    assert not any(line.startswith("Outage") for line in report_lines(again, "en"))
    assert _claims(world) == [("NET-2026-0412", TWO_DAYS, ClaimStatus.APPLIED)]
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_an_open_outage_is_closed_when_its_end_is_imported(world: World, tmp_path: Path) -> None:
    add_charter(world.db)
    _accounts(world, tmp_path)
    open_file = write(
        tmp_path / "one",
        "outages.csv",
        HEADER + "net-77,ftth,lines,021 63 12 01,2026-11-18 08:00,,\n",
    )
    first = run(world.ctx, [open_file])
    assert first.applied and _counts(first) == (1, 0, 0)
    assert _outage(world, "NET-77").closed_at is None and _claims(world) == []

    ended = write(
        tmp_path / "two",
        "outages.csv",
        HEADER + "NET-77,ftth,lines,+213 21 63 12 01,2026-11-18 08:00,2026-11-20 09:15,\n",
    )
    second = run(world.ctx, [ended])
    assert second.applied and _counts(second) == (0, 1, 0)
    assert _outage(world, "NET-77").closed_at is not None
    assert _claims(world) == [("NET-77", TWO_DAYS, ClaimStatus.APPLIED)]
    # Again: unchanged and nothing more paid; a blank end keeps the known end.
    third = run(world.ctx, [ended])
    assert third.applied and _counts(third) == (0, 0, 1)
    fourth = run(world.ctx, [open_file])
    assert fourth.applied and _counts(fourth) == (0, 0, 1)
    assert _claims(world) == [("NET-77", TWO_DAYS, ClaimStatus.APPLIED)]


def test_a_closed_outage_keeps_what_it_was_compensated_from(world: World, tmp_path: Path) -> None:
    add_charter(world.db)
    _accounts(world, tmp_path)
    line = "NET-5,ftth,exchanges,ALG-CTR-01,2026-11-18 08:00,2026-11-20 09:15,Cut\n"
    assert run(world.ctx, [write(tmp_path / "a", "outages.csv", HEADER + line)]).applied
    before = checksum(world.db)
    later = write(
        tmp_path / "b",
        "outages.csv",
        HEADER + "NET-5,ftth,exchanges,ALG-CTR-01,2026-11-18 08:00,2026-11-21 09:15,Cut\n",
    )
    refused = run(world.ctx, [later])
    assert not refused.applied
    assert _refusals(refused) == [(2, "ended_at")]
    assert "closed" in refused.refusals[0].translated("en")
    assert checksum(world.db) == before
    # Its description may still change.
    reworded = write(
        tmp_path / "c",
        "outages.csv",
        HEADER + "NET-5,ftth,exchanges,ALG-CTR-01,2026-11-18 08:00,2026-11-20 09:15,Cable cut\n",
    )
    result = run(world.ctx, [reworded])
    assert result.applied and _counts(result) == (0, 1, 0)
    assert _outage(world, "NET-5").description == "Cable cut"
    assert _claims(world) == [("NET-5", TWO_DAYS, ClaimStatus.APPLIED)]


def test_refusals_name_their_lines_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    add_charter(world.db)
    _accounts(world, tmp_path)
    before = checksum(world.db)
    with world.db.read() as session:
        outages_before = session.scalar(select(func.count(Outage.id)))
    body = (
        HEADER
        + "NET-1,ftth,exchanges,ALG-CTR-01,2026-11-18 08:00,2026-11-20 09:15,fine\n"
        + "NET-2,ftth,districts,ALG-CTR-01,2026-11-18 08:00,2026-11-20 09:15,\n"
        + "NET-3,ftth,exchanges,ALG-CTR-01|NOWHERE-9,2026-11-18 08:00,,\n"
        + "NET-4,adsl,agencies,ALG01,2026-11-20 08:00,2026-11-19 08:00,\n"
        + "NET-6,adsl,agencies,ALG01,yesterday,,\n"
        + "INT-2026-00001,adsl,agencies,ALG01,2026-11-20 08:00,,\n"
        + "NET-7,adsl,agencies,ALG99,2026-11-20 08:00,,\n"
    )
    result = run(world.ctx, [write(tmp_path / "bad", "outages.csv", body)])
    assert not result.applied
    assert _refusals(result) == [
        (3, "scope"),
        (4, "where"),
        (5, "ended_at"),
        (6, "started_at"),
        (7, "outage_ref"),
        (8, "where"),
    ]
    texts = [
        refusal.translated("en")
        for refusal in sorted(result.refusals, key=lambda refusal: refusal.line)
    ]
    assert "NOWHERE-9" in texts[1] and "ALG99" in texts[5]
    assert "after its start" in texts[2]
    assert checksum(world.db) == before
    with world.db.read() as session:
        assert session.scalar(select(func.count(Outage.id))) == outages_before
    assert _claims(world) == []


def test_a_dry_run_records_and_pays_nothing(world: World, tmp_path: Path) -> None:
    add_charter(world.db)
    paths = copy_examples(tmp_path / "batch", (*ACCOUNTS, "outages.csv"))
    result = run(world.ctx, paths, check=True)
    assert not result.applied and result.ok
    assert _counts(result) == (2, 0, 0)
    assert _claims(world) == []
    with world.db.read() as session:
        assert session.scalar(select(func.count(Outage.id))) == 0
