"""Outages: recorded, ended, closed by fanning out to the contracts they hit, once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.integrity.verify import verify_database
from app.outages.fanout import close_outage, close_outage_as_system
from app.outages.records import (
    OutageRequest,
    OutageState,
    end_outage,
    list_outages,
    outage_summary,
    record_outage,
)
from db.engine import Database
from db.models import (
    Agency,
    Charter,
    CharterCommitment,
    ClaimStatus,
    Compensation,
    CompensationClaim,
    Contract,
    ContractStatus,
    JournalEvent,
    Offer,
    OutageScope,
    ServiceType,
    Subscriber,
)
from tests.factories import NOW, World, build_world

START = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
END = START + timedelta(hours=49)  # 25 hours beyond the 24-hour threshold: two days
FEE = 160000  # 1,600.00 DZD a month
TWO_DAYS = (2 * FEE * 2 + 30) // 60  # 10667


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path)
    with database.write() as session:
        session.add(Agency(code="ORN01", name="Oran", timezone="Africa/Algiers"))
    return world


def add_charter(
    database: Database,
    *,
    rule: dict[str, int] | None = None,
    automatic: bool = True,
    approval_above_minor: int | None = None,
    services: tuple[str, ...] = ("adsl", "ftth", "fixed_line"),
) -> None:
    with database.write() as session:
        charter = Charter(
            version=1 + (session.scalar(select(func.count(Charter.id))) or 0),
            effective_from=datetime(2020, 1, 1, tzinfo=UTC),
            title="Charte",
            loaded_at=datetime(2020, 1, 1, tzinfo=UTC),
            loaded_by="test",
            source_text="",
            source_sha256="0" * 64,
        )
        session.add(charter)
        session.flush()
        session.add(
            CharterCommitment(
                charter_id=charter.id,
                position=1,
                code="OUTAGE",
                texts=json.dumps({"fr": {"title": "Panne", "text": "Jours offerts"}}),
                services=json.dumps(list(services)),
                categories=json.dumps(["no_service"]),
                clock="real_time",
                target_minutes=1440,
                pauses_when_waiting=False,
                needs_proof=False,
                rule_kind="days_credit",
                rule=json.dumps(
                    rule or {"days": 1, "per_hours": 24, "threshold_hours": 24, "cap_days": 30}
                ),
                automatic=automatic,
                approval_above_minor=approval_above_minor,
            )
        )


@dataclass(frozen=True)
class Place:
    agency: str = "ALG01"
    commune: str = "Alger Centre"
    exchange: str = "ALC1"
    line: str = "+21321000001"


def add_contract(
    database: Database,
    name: str,
    place: Place,
    *,
    service: ServiceType = ServiceType.ADSL,
    status: ContractStatus = ContractStatus.ACTIVE,
    activated_on: date | None = date(2020, 1, 10),
    terminated_on: date | None = None,
    suspended_on: date | None = None,
) -> int:
    with database.write() as session:
        offer = session.scalars(select(Offer).where(Offer.code == "IDOOM")).first()
        if offer is None:
            offer = Offer(
                code="IDOOM", name="Idoom", service=ServiceType.ADSL, monthly_fee_minor=FEE
            )
            session.add(offer)
        agency_id = session.scalars(select(Agency.id).where(Agency.code == place.agency)).one()
        subscriber = Subscriber(
            account_number=f"A{name}",
            last_name=name,
            search_name=name.lower(),
            created_on=date(2020, 1, 1),
        )
        contract = Contract(
            number=f"C{name}",
            subscriber=subscriber,
            service=service,
            line_e164=place.line,
            offer=offer,
            status=status,
            requested_on=date(2020, 1, 1),
            activated_on=activated_on,
            terminated_on=terminated_on,
            suspended_on=suspended_on,
            agency_id=agency_id,
            commune=place.commune,
            exchange_code=place.exchange,
        )
        session.add_all([subscriber, contract])
        session.flush()
        return contract.id


HERE = Place()
ELSEWHERE = Place("ORN01", "Oran", "ORN1", "+21341000001")


def populate(database: Database) -> dict[str, int]:
    """One contract hit, and one beside it for each reason not to be."""
    return {
        "hit": add_contract(database, "hit", HERE),
        "elsewhere": add_contract(database, "elsewhere", ELSEWHERE),
        "other_service": add_contract(
            database, "fibre", Place(line="+21321000002"), service=ServiceType.FTTH
        ),
        "terminated_before": add_contract(
            database,
            "gone",
            Place(line="+21321000003"),
            status=ContractStatus.TERMINATED,
            terminated_on=date(2026, 11, 17),
        ),
        "activated_after": add_contract(
            database, "new", Place(line="+21321000004"), activated_on=date(2026, 11, 21)
        ),
        "pending": add_contract(
            database,
            "pending",
            Place(line="+21321000005"),
            status=ContractStatus.PENDING_ACTIVATION,
            activated_on=None,
        ),
        "suspended_before": add_contract(
            database,
            "cut",
            Place(line="+21321000006"),
            status=ContractStatus.SUSPENDED,
            suspended_on=date(2026, 10, 1),
        ),
        "terminated_during": add_contract(
            database,
            "left",
            Place(line="+21321000007"),
            status=ContractStatus.TERMINATED,
            terminated_on=date(2026, 11, 19),
        ),
        "activated_on_last_day": add_contract(
            database, "fresh", Place(line="+21321000008"), activated_on=date(2026, 11, 20)
        ),
    }


HIT = {"hit", "terminated_during", "activated_on_last_day"}


def request(scope: str, values: list[str], **changes: object) -> OutageRequest:
    base = OutageRequest(
        service="adsl", scope=scope, values=values, start=START, end=END, description="Câble coupé"
    )
    return OutageRequest(**{**base.__dict__, **changes})


def claimed(database: Database) -> dict[int, tuple[int, str]]:
    with database.read() as session:
        return {
            contract: (amount, status)
            for contract, amount, status in session.execute(
                select(
                    CompensationClaim.contract_id,
                    CompensationClaim.amount_minor,
                    CompensationClaim.status,
                )
            )
        }


def ledger(database: Database) -> tuple[int, int]:
    with database.read() as session:
        count, total = session.execute(
            select(
                func.count(Compensation.id), func.coalesce(func.sum(Compensation.amount_minor), 0)
            )
        ).one()
    return int(count), int(total)


SCOPES = [
    (OutageScope.AGENCIES, ["alg01"]),
    (OutageScope.COMMUNES, ["Alger Centre"]),
    (OutageScope.EXCHANGES, ["alc1"]),
    (
        OutageScope.LINES,
        [
            "021 00 00 01",
            "0021321000003",
            "+213 21 00 00 04",
            "021000005",
            "021000006",
            "021000007",
            "021 00 00 08",
            "021000002",
        ],
    ),
]


@pytest.mark.parametrize(("scope", "values"), SCOPES, ids=[s for s, _ in SCOPES])
def test_each_scope_hits_the_live_contracts_of_its_service_there(
    world: World, scope: str, values: list[str]
) -> None:
    add_charter(world.db)
    ids = populate(world.db)
    summary = record_outage(world.ctx, world.supervisor, request(scope, values))
    assert summary.number == "INT-2026-00001"
    assert summary.state == OutageState.ENDED
    outcome = close_outage(world.ctx, world.supervisor, summary.number)
    hit = {ids[name] for name in HIT}
    assert outcome.affected == len(hit)
    assert set(claimed(world.db)) == hit
    assert all(value == (TWO_DAYS, ClaimStatus.APPLIED) for value in claimed(world.db).values())
    assert outcome.applied_minor == outcome.compensated_minor == TWO_DAYS * len(hit)
    assert ledger(world.db) == (len(hit), TWO_DAYS * len(hit))
    shown = outage_summary(world.db, summary.id)
    assert shown.state == OutageState.CLOSED
    assert (shown.affected_contracts, shown.compensated_minor) == (3, 3 * TWO_DAYS)
    assert shown.closed_by == "karim"
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_closing_twice_or_from_an_import_pays_nothing_twice(world: World) -> None:
    add_charter(world.db)
    populate(world.db)
    summary = record_outage(world.ctx, world.supervisor, request("agencies", ["ALG01"]))
    first = close_outage(world.ctx, world.supervisor, summary.id)
    again = close_outage(world.ctx, world.supervisor, summary.id)
    imported = close_outage_as_system(world.ctx, summary.number)
    assert (first.created, first.already_there, first.first_close) == (3, 0, True)
    for later in (again, imported):
        assert (later.created, later.already_there, later.applied_minor) == (0, 3, 0)
        assert later.compensated_minor == first.compensated_minor
        assert later.first_close is False
    assert ledger(world.db) == (3, 3 * TWO_DAYS)
    # A contract placed there since (a correction from the billing system) is caught
    # by a recompute, and only it.
    add_contract(world.db, "late", Place(line="+21321000009"))
    recomputed = close_outage(world.ctx, world.supervisor, summary.id)
    assert (recomputed.created, recomputed.already_there, recomputed.affected) == (1, 3, 4)
    assert ledger(world.db) == (4, 4 * TWO_DAYS)
    with world.db.read() as session:
        kinds = list(
            session.scalars(select(JournalEvent.kind).where(JournalEvent.subject == summary.number))
        )
    assert kinds == ["outage.recorded"] + ["outage.closed"] * 4


def test_the_cap_holds_however_long_the_outage(world: World) -> None:
    add_charter(world.db, rule={"days": 1, "per_hours": 24, "threshold_hours": 24, "cap_days": 5})
    populate(world.db)
    long = request("communes", ["Alger Centre"], start=START - timedelta(days=40))
    outcome = close_outage(
        world.ctx, world.supervisor, record_outage(world.ctx, world.supervisor, long).id
    )
    five_days = (2 * FEE * 5 + 30) // 60
    assert {amount for amount, _ in claimed(world.db).values()} == {five_days}
    # Begun 40 days earlier, it also hit the line terminated the day before the end.
    assert outcome.compensated_minor == 4 * five_days


def test_above_the_commitments_limit_it_waits_for_approval(world: World) -> None:
    add_charter(world.db, approval_above_minor=10000)  # 100.00 DZD; two days are 106.67
    populate(world.db)
    summary = record_outage(world.ctx, world.supervisor, request("exchanges", ["ALC1"]))
    outcome = close_outage(world.ctx, world.supervisor, summary.id)
    assert (outcome.awaiting_approval, outcome.applied, outcome.compensated_minor) == (3, 0, 0)
    assert outcome.awaiting_minor == 3 * TWO_DAYS
    assert {status for _, status in claimed(world.db).values()} == {ClaimStatus.AWAITING_APPROVAL}
    assert ledger(world.db) == (0, 0)


def test_below_the_threshold_the_claims_are_recorded_without_money(world: World) -> None:
    add_charter(world.db)
    populate(world.db)
    short = request("agencies", ["ALG01"], end=START + timedelta(hours=3))
    outcome = close_outage(
        world.ctx, world.supervisor, record_outage(world.ctx, world.supervisor, short).id
    )
    # Over by 11:00 on the 18th: the line activated on the 20th was not hit.
    assert (outcome.recorded, outcome.applied, outcome.compensated_minor) == (2, 0, 0)
    assert ledger(world.db) == (0, 0)


def test_without_a_commitment_the_outage_closes_with_its_count_and_no_money(world: World) -> None:
    populate(world.db)
    summary = record_outage(world.ctx, world.supervisor, request("agencies", ["ALG01"]))
    outcome = close_outage(world.ctx, world.supervisor, summary.id)
    assert (outcome.affected, outcome.created, outcome.commitment_code) == (3, 0, None)
    assert claimed(world.db) == {}


def test_an_outage_recorded_open_is_ended_then_closed(world: World) -> None:
    add_charter(world.db)
    populate(world.db)
    summary = record_outage(world.ctx, world.supervisor, request("agencies", ["ALG01"], end=None))
    assert summary.state == OutageState.OPEN
    with pytest.raises(ValidationError) as refused:
        close_outage(world.ctx, world.supervisor, summary.id)
    assert refused.value.translated("en") == (
        "Outage INT-2026-00001 has no end yet: set its end before closing it."
    )
    with pytest.raises(ValidationError):
        end_outage(world.ctx, world.supervisor, summary.id, START - timedelta(minutes=1))
    ended = end_outage(world.ctx, world.supervisor, summary.number, END)
    assert ended.state == OutageState.ENDED and ended.downtime_minutes == 49 * 60
    close_outage(world.ctx, world.supervisor, summary.id)
    with pytest.raises(ConflictError):
        end_outage(world.ctx, world.supervisor, summary.id, END + timedelta(hours=1))
    assert [o.state for o in list_outages(world.db)] == [OutageState.CLOSED]
    assert list_outages(world.db, state=OutageState.OPEN) == []
    second = record_outage(world.ctx, world.supervisor, request("agencies", ["ALG01"]))
    assert second.number == "INT-2026-00002"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scope": "agencies", "values": ["XXX9"]}, "scope", "There is no agency XXX9."),
        ({"scope": "lines", "values": ["12ab"]}, "scope", "12ab is not a line number."),
        (
            {"scope": "lines", "values": ["021 99 99 99"]},
            "scope",
            "No contract has the line +21321999999.",
        ),
        (
            {"scope": "communes", "values": ["Atlantis"]},
            "scope",
            "No contract is in the commune Atlantis.",
        ),
        ({"scope": "exchanges", "values": ["  "]}, "scope", None),
        ({"scope": "planet"}, "scope", None),
        ({"service": "teleportation"}, "service", None),
        ({"end": START}, "end", "The outage's end must come after its start."),
        ({"start": NOW + timedelta(hours=1), "end": None}, "start", None),
        ({"end": NOW + timedelta(hours=1)}, "end", None),
        ({"start": START.replace(tzinfo=None)}, "start", None),
        ({"description": "x" * 2001}, "description", None),
    ],
)
def test_bad_input_is_one_line_naming_its_field_and_nothing_is_written(
    world: World, changes: dict[str, object], field: str, message: str | None
) -> None:
    populate(world.db)
    base = {"scope": "agencies", "values": ["ALG01"], **changes}
    with pytest.raises(ValidationError) as refused:
        record_outage(world.ctx, world.supervisor, request(**base))  # type: ignore[arg-type]
    assert refused.value.field == field
    text = refused.value.translated("fr")
    assert "\n" not in text and text
    if message is not None:
        assert refused.value.translated("en") == message
    assert list_outages(world.db) == []


def test_an_agent_may_not_record_or_close(world: World) -> None:
    populate(world.db)
    with pytest.raises(PermissionDeniedError):
        record_outage(world.ctx, world.agent, request("agencies", ["ALG01"]))
    summary = record_outage(world.ctx, world.supervisor, request("agencies", ["ALG01"]))
    with pytest.raises(PermissionDeniedError):
        close_outage(world.ctx, world.agent, summary.id)
    with pytest.raises(NotFoundError):
        close_outage(world.ctx, world.supervisor, "INT-1999-00001")


# --- two supervisors at once (PostgreSQL) ------------------------------------------------


@pytest.mark.postgres
def test_two_supervisors_closing_one_outage_at_once_pay_once(
    postgres_database: Database, tmp_path: Path
) -> None:
    import psycopg

    from app.auth import add_user
    from tests.conftest import PG_ADMIN_URL
    from tests.factories import PASSWORD
    from tests.outage_race_workers import close_in_child
    from tests.race_workers import result, start, wait_for_lock_waiters

    world = build_world(postgres_database, tmp_path / "keys")
    with postgres_database.write() as session:
        session.add(Agency(code="ORN01", name="Oran", timezone="Africa/Algiers"))
    add_charter(postgres_database)
    populate(postgres_database)
    other = add_user(world.ctx, "salima", role="supervisor", password=PASSWORD)
    summary = record_outage(world.ctx, world.supervisor, request("agencies", ["ALG01"]))
    url = make_url(postgres_database.url)
    key_file = str(tmp_path / "keys" / "signing-key.pem")
    # Both closes start while a third session holds the outage's row: they queue on it.
    held = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
    held.execute("SELECT 1 FROM outages WHERE id = %s FOR UPDATE", (summary.id,))
    try:
        one = start(close_in_child, postgres_database.url, key_file, world.supervisor, summary.id)
        two = start(close_in_child, postgres_database.url, key_file, other, summary.id)
        wait_for_lock_waiters(PG_ADMIN_URL, str(url.database), 2)
    finally:
        held.commit()
        held.close()
    outcomes = sorted([result(*one), result(*two)], key=lambda o: -int(o[1]))
    assert outcomes == [("ok", 3, 0, 3 * TWO_DAYS), ("ok", 0, 3, 3 * TWO_DAYS)], outcomes
    assert ledger(postgres_database) == (3, 3 * TWO_DAYS)
    assert verify_database(postgres_database, world.ctx.signer.verifier).ok
