"""A counter's printer state on its lease, for the dashboard: on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, update

from app.printing.status import PrinterStatus
from app.station_lease import (
    LEASE_SECONDS,
    PRINTER_STATE_FRESH_SECONDS,
    Holder,
    PrinterState,
    acquire,
    printer_states,
    renew,
)
from db import migrate
from db.engine import Database
from db.models import WorkstationLease
from tests.factories import NOW, WORKSTATION, FrozenClock, World, build_world

FIRST = Holder(host="PC-GUICHET-1", pid=4242, token="11111111-1111-1111-1111-111111111111")
SECOND = Holder(host="PC-GUICHET-2", pid=777, token="22222222-2222-2222-2222-222222222222")


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def _at(world: World, seconds: float) -> None:
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = NOW + timedelta(seconds=seconds)


def _downgrade(database: Database, revision: str) -> None:
    from alembic import command

    config = migrate.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_migration_adds_the_columns_and_keeps_the_leases(world: World) -> None:
    acquire(world.ctx, WORKSTATION, FIRST, agent=world.agent)
    _downgrade(world.db, "0010")
    columns = {c["name"] for c in inspect(world.db.engine).get_columns("workstation_leases")}
    assert "printer_state" not in columns and "printer_state_at" not in columns
    migrate.upgrade(world.db)
    assert migrate.current_revision(world.db) == "0011" == migrate.head_revision()
    # A counter started before the upgrade has said nothing of its printer yet.
    reported = printer_states(world.ctx, "ALG01")[WORKSTATION]
    assert reported.alive and reported.status is None and reported.age_seconds is None
    assert not reported.fresh


def test_the_heartbeat_writes_the_printer_state_the_dashboard_reads(world: World) -> None:
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    acquire(world.ctx, "ALG01-G02", SECOND)
    _at(world, 30)
    # The worker read it 12 s before this beat, by the counter's own clock.
    read = PrinterState(PrinterStatus.PAPER_OUT, NOW + timedelta(seconds=18))
    lease = renew(world.ctx, lease, agent=world.agent, printer=read)
    _at(world, 40)
    states = printer_states(world.ctx, "ALG01")
    assert set(states) == {WORKSTATION, "ALG01-G02"}  # one per running counter
    mine = states[WORKSTATION]
    assert mine.status == PrinterStatus.PAPER_OUT and mine.alive and mine.fresh
    assert mine.age_seconds == pytest.approx(22)
    assert mine.read_at == NOW + timedelta(seconds=18)
    assert states["ALG01-G02"].status is None and not states["ALG01-G02"].fresh
    # A beat without a reading (the worker not started yet) keeps what was said.
    _at(world, 60)
    renew(world.ctx, lease)
    assert printer_states(world.ctx, "ALG01")[WORKSTATION].status == PrinterStatus.PAPER_OUT
    assert printer_states(world.ctx, "ORN01") == {}  # no counter of that agency runs


def test_a_reading_too_old_or_a_counter_gone_is_not_fresh(world: World) -> None:
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    _at(world, 120)
    # Alive, but the worker last read its printer long ago (its thread is stuck).
    stuck = PrinterState(PrinterStatus.ONLINE, NOW)
    lease = renew(world.ctx, lease, printer=stuck)
    reported = printer_states(world.ctx, "ALG01")[WORKSTATION]
    assert reported.alive and reported.age_seconds == pytest.approx(120)
    assert not reported.fresh
    renew(
        world.ctx, lease, printer=PrinterState(PrinterStatus.ONLINE, NOW + timedelta(seconds=119))
    )
    assert printer_states(world.ctx, "ALG01")[WORKSTATION].fresh
    # The counter crashed: its lease runs out and its last word goes stale with it.
    _at(world, 120 + LEASE_SECONDS + 1)
    gone = printer_states(world.ctx, "ALG01")[WORKSTATION]
    assert not gone.alive and not gone.fresh
    assert gone.status == PrinterStatus.ONLINE
    assert gone.age_seconds == pytest.approx(LEASE_SECONDS + 2)
    assert PRINTER_STATE_FRESH_SECONDS <= LEASE_SECONDS


def test_a_counter_taking_over_a_lease_does_not_inherit_its_printer_state(world: World) -> None:
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    renew(world.ctx, lease, printer=PrinterState(PrinterStatus.COVER_OPEN, NOW))
    _at(world, LEASE_SECONDS + 1)
    acquire(world.ctx, WORKSTATION, SECOND)
    reported = printer_states(world.ctx, "ALG01")[WORKSTATION]
    assert reported.alive and reported.status is None and not reported.fresh
    taken = acquire(world.ctx, "ALG01-G02", SECOND, printer=PrinterState(PrinterStatus.ONLINE, NOW))
    assert taken.workstation == "ALG01-G02"
    assert printer_states(world.ctx, "ALG01")["ALG01-G02"].status == PrinterStatus.ONLINE


def test_a_clock_ahead_on_the_counter_cannot_make_a_reading_look_fresher(world: World) -> None:
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    # A reading "from the future" (the counter's clock was changed meanwhile): age 0.
    renew(world.ctx, lease, printer=PrinterState(PrinterStatus.ONLINE, NOW + timedelta(hours=1)))
    reported = printer_states(world.ctx, "ALG01")[WORKSTATION]
    assert reported.age_seconds == 0 and reported.read_at == NOW


def test_a_state_this_version_cannot_name_is_unknown(world: World) -> None:
    acquire(world.ctx, WORKSTATION, FIRST)
    with world.db.write() as session:
        session.execute(
            update(WorkstationLease).values(printer_state="jammed", printer_state_at=NOW)
        )
        assert session.scalars(select(WorkstationLease.printer_state)).one() == "jammed"
    assert printer_states(world.ctx, "ALG01")[WORKSTATION].status == PrinterStatus.UNKNOWN
