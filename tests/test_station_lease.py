"""One running counter per workstation: the lease, on SQLite and PostgreSQL.

The races start real processes (spawned, as another counter would be) and
check that exactly one of them gets the workstation.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.errors import NotFoundError
from app.i18n import set_language
from app.station_lease import (
    LEASE_SECONDS,
    Holder,
    WorkstationInUseError,
    acquire,
    release,
    renew,
    this_process,
)
from db.engine import Database
from db.models import Agency, ReceiptSeries, Workstation, WorkstationKind, WorkstationLease
from tests.conftest import PG_ADMIN_URL
from tests.factories import NOW, WORKSTATION, FrozenClock, World, build_world
from tests.lease_workers import start_counter
from tests.race_workers import wait_for_lock_waiters

FIRST = Holder(host="PC-GUICHET-1", pid=4242, token="11111111-1111-1111-1111-111111111111")
SECOND = Holder(host="PC-GUICHET-2", pid=777, token="22222222-2222-2222-2222-222222222222")


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def _clock(world: World) -> FrozenClock:
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    return clock


def _leases(database: Database) -> list[tuple[str, int, str | None]]:
    with database.read() as session:
        return [
            (row.host, row.pid, row.agent_login)
            for row in session.scalars(select(WorkstationLease)).all()
        ]


def test_a_second_counter_is_refused_naming_the_first(world: World) -> None:
    acquire(world.ctx, WORKSTATION, FIRST, agent=world.agent)
    with pytest.raises(WorkstationInUseError) as refused:
        acquire(world.ctx, WORKSTATION, SECOND)
    message = refused.value.translated("en")
    assert "\n" not in message
    for named in ("ALG01-G01", "PC-GUICHET-1", "4242", "Amina", "(amina)", "91 s"):
        assert named in message, (named, message)
    assert "21/11/2026" in message  # since when, in the agency's time and the reader's language
    assert "11:30" in message  # 10:30 UTC in Algiers
    assert _leases(world.db) == [("PC-GUICHET-1", 4242, "amina")]


def test_the_refusal_reads_in_french_and_arabic(world: World) -> None:
    acquire(world.ctx, WORKSTATION, FIRST)
    with pytest.raises(WorkstationInUseError) as refused:
        acquire(world.ctx, WORKSTATION, SECOND)
    english = refused.value.translated("en")
    assert "nobody signed in" in english
    arabic = refused.value.translated("ar")
    # Host, process and date are isolated: they keep their own direction in Arabic.
    assert "\u2068PC-GUICHET-1\u2069" in arabic and "\u20684242\u2069" in arabic
    set_language("fr")
    assert str(refused.value) == refused.value.translated("fr")


def test_the_same_process_takes_its_own_lease_again(world: World) -> None:
    first = acquire(world.ctx, WORKSTATION, FIRST)
    _clock(world).now = NOW + timedelta(seconds=10)
    again = acquire(world.ctx, "alg01-g01", FIRST)
    assert again.expires_at > first.expires_at
    assert _leases(world.db) == [("PC-GUICHET-1", 4242, None)]


def test_another_workstation_is_another_lease(world: World) -> None:
    acquire(world.ctx, WORKSTATION, FIRST)
    acquire(world.ctx, "ALG01-G02", SECOND)
    assert len(_leases(world.db)) == 2


def test_a_kiosk_is_held_the_same_way(world: World) -> None:
    with world.db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == "ALG01")).one()
        session.add(
            Workstation(
                agency=agency,
                code="K01",
                name="Borne 1",
                kind=WorkstationKind.KIOSK,
                series=ReceiptSeries(code="ALG01-K01"),
            )
        )
    acquire(world.ctx, "ALG01-K01", FIRST)
    with pytest.raises(WorkstationInUseError) as refused:
        acquire(world.ctx, "ALG01-K01", SECOND)
    assert "ALG01-K01" in refused.value.translated("en")


def test_an_unknown_workstation_is_named(world: World) -> None:
    with pytest.raises(NotFoundError):
        acquire(world.ctx, "ALG01-G99", FIRST)


def test_a_crashed_counter_frees_the_workstation_after_the_lease(world: World) -> None:
    clock = _clock(world)
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    clock.now = NOW + timedelta(seconds=LEASE_SECONDS - 1)
    with pytest.raises(WorkstationInUseError):
        acquire(world.ctx, WORKSTATION, SECOND)
    clock.now = NOW + timedelta(seconds=LEASE_SECONDS + 1)
    acquire(world.ctx, WORKSTATION, SECOND)
    assert _leases(world.db) == [("PC-GUICHET-2", 777, None)]
    # The first counter wakes up: its heartbeat is refused, and its exit frees nothing.
    with pytest.raises(WorkstationInUseError) as refused:
        renew(world.ctx, lease)
    assert "PC-GUICHET-2" in refused.value.translated("en")
    release(world.ctx, lease)
    assert _leases(world.db) == [("PC-GUICHET-2", 777, None)]


def test_the_heartbeat_keeps_the_lease_and_names_the_agent(world: World) -> None:
    clock = _clock(world)
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    for beat in range(1, 6):  # well past one lease's length, renewed every 30 s
        clock.now = NOW + timedelta(seconds=30 * beat)
        lease = renew(world.ctx, lease, agent=world.agent if beat < 5 else None)
        with pytest.raises(WorkstationInUseError):
            acquire(world.ctx, WORKSTATION, SECOND)
        if beat == 4:
            assert _leases(world.db) == [("PC-GUICHET-1", 4242, "amina")]
    assert _leases(world.db) == [("PC-GUICHET-1", 4242, None)]  # signed out


def test_a_heartbeat_after_a_clean_release_takes_it_again(world: World) -> None:
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    release(world.ctx, lease)
    assert _leases(world.db) == []
    renew(world.ctx, lease)
    assert _leases(world.db) == [("PC-GUICHET-1", 4242, None)]


def test_a_clean_exit_frees_the_workstation_at_once(world: World) -> None:
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    release(world.ctx, lease)
    acquire(world.ctx, WORKSTATION, SECOND)
    assert _leases(world.db) == [("PC-GUICHET-2", 777, None)]


@pytest.mark.skipif(os.name != "posix", reason="process ids are probed on POSIX only")
def test_a_dead_process_of_this_computer_is_taken_over_at_once(world: World) -> None:
    here = this_process()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    crashed = Holder(host=here.host, pid=int(dead.stdout), token="dead-0000")
    acquire(world.ctx, WORKSTATION, crashed)
    acquire(world.ctx, WORKSTATION, here)  # no wait for the lease to expire
    assert _leases(world.db) == [(here.host, here.pid, None)]
    # A live process of this computer (this test's parent) is not taken over.
    alive = Holder(host=here.host, pid=os.getppid(), token="alive-0000")
    release(world.ctx, acquire(world.ctx, WORKSTATION, here))
    acquire(world.ctx, WORKSTATION, alive)
    with pytest.raises(WorkstationInUseError):
        acquire(world.ctx, WORKSTATION, here)


# -- real processes racing -------------------------------------------------------------------
def _start_counters(world: World, tmp_path: Path, count: int) -> tuple[list, object, object]:
    context = multiprocessing.get_context("spawn")
    go, out = context.Event(), context.Queue()
    key_file = str(tmp_path / "keys" / "signing-key.pem")
    processes = [
        context.Process(target=start_counter, args=(world.db.url, key_file, WORKSTATION, go, out))
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    return processes, go, out


def _outcomes(processes: list, out: object) -> list[tuple[str, str]]:
    outcomes = [out.get(timeout=120) for _ in processes]  # type: ignore[attr-defined]
    for process in processes:
        process.join(60)
    return sorted(outcomes)


def _assert_exactly_one_won(world: World, outcomes: list[tuple[str, str]]) -> None:
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("refused") == len(outcomes) - 1, outcomes
    winner = next(pid for kind, pid in outcomes if kind == "ok")
    assert [host_pid[1] for host_pid in _leases(world.db)] == [int(winner)]
    for kind, message in outcomes:
        if kind == "refused":
            assert f"(process {winner})" in message, message


def test_counters_started_at_once_one_gets_the_workstation(world: World, tmp_path: Path) -> None:
    processes, go, out = _start_counters(world, tmp_path, 4)
    go.set()  # type: ignore[attr-defined]
    _assert_exactly_one_won(world, _outcomes(processes, out))


def test_counters_racing_for_an_expired_lease_one_takes_it(world: World, tmp_path: Path) -> None:
    world.ctx.clock = lambda: datetime.now(UTC) - timedelta(seconds=LEASE_SECONDS * 2)
    acquire(world.ctx, WORKSTATION, FIRST)  # crashed long ago, on another computer
    processes, go, out = _start_counters(world, tmp_path, 4)
    go.set()  # type: ignore[attr-defined]
    _assert_exactly_one_won(world, _outcomes(processes, out))


def _raw_url(database: Database) -> str:
    return make_url(database.url).set(drivername="postgresql").render_as_string(False)


@pytest.mark.postgres
def test_two_counters_blocked_on_one_insert_one_wins(
    postgres_database: Database, tmp_path: Path
) -> None:
    """Both counters reach the INSERT while a third transaction holds the key, then race."""
    world = build_world(postgres_database, tmp_path / "keys")
    with psycopg.connect(_raw_url(world.db)) as holder:
        holder.execute(
            "INSERT INTO workstation_leases (workstation_id, token, host, pid, acquired_at,"
            " renewed_at, expires_at) SELECT id, 'x', 'x', 1, now(), now(), now()"
            " FROM workstations WHERE code = 'G01'"
        )
        processes, go, out = _start_counters(world, tmp_path, 2)
        go.set()  # type: ignore[attr-defined]
        wait_for_lock_waiters(PG_ADMIN_URL, str(make_url(world.db.url).database), 2)
        holder.rollback()  # the key is free again: both go on at the same instant
    _assert_exactly_one_won(world, _outcomes(processes, out))


@pytest.mark.postgres
def test_two_counters_blocked_on_an_expired_lease_one_takes_it(
    postgres_database: Database, tmp_path: Path
) -> None:
    world = build_world(postgres_database, tmp_path / "keys")
    world.ctx.clock = lambda: datetime.now(UTC) - timedelta(seconds=LEASE_SECONDS * 2)
    acquire(world.ctx, WORKSTATION, FIRST)
    with psycopg.connect(_raw_url(world.db)) as holder:
        holder.execute("SELECT * FROM workstation_leases FOR UPDATE")
        processes, go, out = _start_counters(world, tmp_path, 2)
        go.set()  # type: ignore[attr-defined]
        wait_for_lock_waiters(PG_ADMIN_URL, str(make_url(world.db.url).database), 2)
        holder.rollback()
    _assert_exactly_one_won(world, _outcomes(processes, out))


def test_started_from_a_terminal_the_refusal_is_one_line(
    sqlite_database: Database, tmp_path: Path
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    world.ctx.clock = lambda: datetime.now(UTC)
    acquire(world.ctx, WORKSTATION, FIRST, agent=world.agent)
    root = Path(__file__).resolve().parents[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    child = subprocess.run(
        [
            sys.executable,
            str(root / "main.py"),
            "--language",
            "en",
            "--database",
            world.db.url,
            "--key-file",
            str(tmp_path / "keys" / "signing-key.pem"),
            "--workstation",
            WORKSTATION,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=root,
    )
    assert child.returncode == 2, child.stderr
    assert "Traceback" not in child.stderr, child.stderr
    lines = [line for line in child.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, child.stderr
    assert lines[0].startswith("Error: Workstation ALG01-G01 is already open on PC-GUICHET-1")
    assert "(process 4242)" in lines[0] and "Amina" in lines[0]


@pytest.mark.postgres
def test_a_pc_whose_clock_runs_ahead_cannot_take_a_live_lease(
    postgres_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL leases are measured by the server's clock, not the counter PC's."""
    import app.station_lease
    import db.types

    world = build_world(postgres_database, tmp_path / "keys")
    world.ctx.clock = db.types.utcnow  # the production clock: the server's time is used
    lease = acquire(world.ctx, WORKSTATION, FIRST)
    server_now = datetime.now(UTC)
    assert abs((lease.expires_at - server_now).total_seconds() - LEASE_SECONDS) < 30

    def ahead() -> datetime:  # a PC ten minutes fast, as an unsynchronised one may be
        return datetime.now(UTC) + timedelta(minutes=10)

    monkeypatch.setattr(app.station_lease, "utcnow", ahead)
    world.ctx.clock = ahead
    with pytest.raises(WorkstationInUseError):
        acquire(world.ctx, WORKSTATION, SECOND)
    assert _leases(world.db) == [("PC-GUICHET-1", 4242, None)]
