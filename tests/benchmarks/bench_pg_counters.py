"""Payments per second for 16 counters sharing one PostgreSQL database, beside a raw floor.

Each run drops and recreates its own database (``guichet_bench_counters`` by
default), migrates it, signs with a key of its own made in a temporary folder,
and builds a small demo into it. Then:

- the application: one process per counter (multiprocessing, spawn), each with
  its own agent, workstation and open till, takes ``--payments`` cash payments
  through ``app.payments.service.take_payment`` on subscribers of its own that
  have open bills; every process starts at once, after a warm-up payment;
- the floor: as many processes with raw psycopg, each doing the least a ledger
  write needs, as many times: BEGIN; SELECT its series' head FOR UPDATE;
  INSERT one payment-like row; UPDATE the head; COMMIT (scratch tables; the
  real chains are left alone).

Prints one JSON line of figures: payments per second (all payments over the
wall-clock time from the common start to the last one done), latency
percentiles, and the CPU time the client processes spent meanwhile, to show
whether the clients' CPU is the limit. Nothing is asserted; see README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.auth import Actor, add_user  # noqa: E402
from app.bootstrap import load_database_signer  # noqa: E402
from app.cli.output import ProgressPrinter  # noqa: E402
from app.closing.tills import open_cash_session  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.demo import build_demo  # noqa: E402
from app.errors import ConflictError, GuichetError  # noqa: E402
from app.payments.ledger import OPEN_STATUSES  # noqa: E402
from app.payments.requests import PaymentRequest, TenderInput  # noqa: E402
from app.payments.service import take_payment  # noqa: E402
from app.workstations import workstation_ref  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    Invoice,
    Payment,
    Subscriber,
    TenderKind,
    Workstation,
    WorkstationKind,
)

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_NAME = "guichet_bench_counters"
PASSWORD = "bench-password-1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 2  # untimed payments per counter before the common start
FLOOR_HEADS = "bench_floor_heads"
FLOOR_LEDGER = "bench_floor_payments"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "max_ms": round(ordered[-1], 3),
        "n": len(ordered),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def libpq_url(url: str) -> str:
    """The URL for psycopg itself: no SQLAlchemy driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a local process (a PostgreSQL backend), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # the server is on another machine, or not readable
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def recreate_database(admin_url: str, name: str) -> str:
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


# --- the application ------------------------------------------------------------------


def app_worker(
    index: int,
    url: str,
    key_file: str,
    actor: Actor,
    ref: str,
    accounts: list[str],
    barrier: Barrier,
    results: Any,
) -> None:
    """One counter: two warm-up payments (the second's statements counted), then the timed ones."""
    try:
        database = Database(url, create=False)
        ctx = AppContext(database, load_database_signer(database, Path(key_file)))
        run = time.time_ns()

        def pay(i: int, account: str) -> Callable[[], object]:
            request = PaymentRequest(
                f"bench-{run}-{index}-{i}",
                account,
                ref,
                (TenderInput(TenderKind.CASH, Decimal("1000")),),
            )
            return lambda: take_payment(ctx, actor, request)

        statements: list[str] = []

        def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        pay(0, accounts[0])()  # warm-up: connection, compiled statements, first-time reads
        event.listen(database.engine, "before_cursor_execute", listen)
        pay(1, accounts[1])()  # counted: a payment like the timed ones
        event.remove(database.engine, "before_cursor_execute", listen)
        with database.read() as session:
            backend = int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
        calls = [pay(i, account) for i, account in enumerate(accounts[WARM_UP:], start=WARM_UP)]
        barrier.wait(timeout=600)
        server_before = process_cpu_s(backend)
        cpu_before = time.process_time()
        start = time.monotonic()
        latencies = []
        for call in calls:
            began = time.perf_counter()
            call()
            latencies.append((time.perf_counter() - began) * 1000)
        end = time.monotonic()
        cpu = time.process_time() - cpu_before
        server_after = process_cpu_s(backend)
        server = (
            None if server_before is None or server_after is None else server_after - server_before
        )
        results.put(
            {
                "start": start,
                "end": end,
                "latencies": latencies,
                "cpu_s": cpu,
                "server_cpu_s": server,
                "statements": len(statements),
            }
        )
    except BaseException:
        barrier.abort()
        results.put({"error": f"counter {ref}: {traceback.format_exc()}"})


# --- the floor ------------------------------------------------------------------------


def floor_worker(
    index: int, conninfo: str, head: str, payments: int, barrier: Barrier, results: Any
) -> None:
    """The least a ledger write takes: the series' head locked, one row, the head moved."""
    try:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            cursor = connection.cursor()
            backend = connection.info.backend_pid
            signature = "s" * 88

            def commit_one() -> None:
                cursor.execute("BEGIN")
                cursor.execute(
                    f"SELECT last_seq, last_signature FROM {FLOOR_HEADS} WHERE name = %s FOR UPDATE",
                    (head,),
                )
                row = cursor.fetchone()
                assert row is not None
                seq = row[0] + 1
                cursor.execute(
                    f"INSERT INTO {FLOOR_LEDGER} (series, seq, amount_minor, prev_signature, "
                    "signature) VALUES (%s, %s, %s, %s, %s)",
                    (head, seq, 100_000, row[1], signature),
                )
                cursor.execute(
                    f"UPDATE {FLOOR_HEADS} SET last_seq = %s, last_signature = %s WHERE name = %s",
                    (seq, signature, head),
                )
                cursor.execute("COMMIT")

            for _ in range(WARM_UP):  # as the application's workers do
                commit_one()
            barrier.wait(timeout=600)
            server_before = process_cpu_s(backend)
            cpu_before = time.process_time()
            start = time.monotonic()
            latencies = []
            for _ in range(payments):
                began = time.perf_counter()
                commit_one()
                latencies.append((time.perf_counter() - began) * 1000)
            end = time.monotonic()
            cpu = time.process_time() - cpu_before
            server_after = process_cpu_s(backend)
        server = (
            None if server_before is None or server_after is None else server_after - server_before
        )
        results.put(
            {
                "start": start,
                "end": end,
                "latencies": latencies,
                "cpu_s": cpu,
                "server_cpu_s": server,
            }
        )
    except BaseException:
        barrier.abort()
        results.put({"error": f"floor {head}: {traceback.format_exc()}"})


def create_floor_tables(conninfo: str, heads: list[str]) -> None:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(
            f"CREATE TABLE {FLOOR_HEADS} (name text PRIMARY KEY, last_seq bigint NOT NULL, "
            "last_signature text NOT NULL)"
        )
        connection.execute(
            f"CREATE TABLE {FLOOR_LEDGER} (id bigserial PRIMARY KEY, series text NOT NULL, "
            "seq bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
            "amount_minor bigint NOT NULL, prev_signature text NOT NULL, "
            "signature text NOT NULL, UNIQUE (series, seq))"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FLOOR_HEADS} (name, last_seq, last_signature) VALUES (%s, 0, '')",
                [(head,) for head in heads],
            )


# --- running and reporting ------------------------------------------------------------


class ActivitySampler:
    """What the benchmark's PostgreSQL backends are doing, sampled every ``interval`` s.

    ``running``: executing a statement; ``waiting <type>:<event>``: a statement
    waiting (on a lock, on I/O...); ``idle in transaction`` and ``idle``: the
    server waits for the client, which is working (or waiting for a core).
    """

    def __init__(self, conninfo: str, interval: float = 0.05) -> None:
        self.conninfo = conninfo
        self.interval = interval
        self.counts: dict[str, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            while not self.stop.wait(self.interval):
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ).fetchall()
                for state, wait_type, wait_event in rows:
                    if state == "active":
                        key = (
                            "running" if wait_type is None else f"waiting {wait_type}:{wait_event}"
                        )
                    else:
                        key = str(state)
                    self.counts[key] = self.counts.get(key, 0) + 1

    def shares(self) -> dict[str, float]:
        total = sum(self.counts.values()) or 1
        return {
            key: round(count / total, 3)
            for key, count in sorted(self.counts.items(), key=lambda kv: -kv[1])
        }


def run_processes(
    target: Callable[..., None], per_process: list[tuple[Any, ...]], conninfo: str
) -> dict[str, object]:
    """Start one process per argument tuple, let them all begin at once, gather figures."""
    spawn = mp.get_context("spawn")
    barrier = spawn.Barrier(len(per_process) + 1)  # and this process, to start the sampler
    results = spawn.Queue()
    sampler = ActivitySampler(conninfo)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = [
        spawn.Process(target=target, args=(index, *args, barrier, results))
        for index, args in enumerate(per_process)
    ]
    for process in processes:
        process.start()
    load_before = load_average()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: reported below
        barrier.wait(timeout=600)
        load_before = load_average()
        sampler.thread.start()
    # Sampled while every worker is at work: until the first one is done.
    reports = [results.get(timeout=1800)]
    sampler.stop.set()
    reports += [results.get(timeout=1800) for _ in processes[1:]]
    for process in processes:
        process.join()
    if sampler.thread.is_alive():
        sampler.thread.join()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    errors = [report["error"] for report in reports if "error" in report]
    if errors:
        # The first failure; the others are most often the barrier it broke.
        print(min(errors, key=lambda e: "BrokenBarrierError" in e), file=sys.stderr)
        sys.exit(1)
    wall = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    latencies = [ms for r in reports for ms in r["latencies"]]
    client_cpu = sum(r["cpu_s"] for r in reports)
    lifetime_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    server = [r["server_cpu_s"] for r in reports]
    figures: dict[str, object] = {
        "payments": len(latencies),
        "wall_s": round(wall, 3),
        "payments_per_s": round(len(latencies) / wall, 1),
        "latency": percentiles(latencies),
        # CPU seconds the clients spent between the common start and their last
        # payment, and the same over wall time: how many of the machine's cores
        # the clients kept busy.
        "client_cpu_s": round(client_cpu, 3),
        "client_cpu_cores": round(client_cpu / wall, 2),
        "client_cpu_ms_per_payment": round(1000 * client_cpu / len(latencies), 3),
        # getrusage(RUSAGE_CHILDREN) over the processes' whole lives: imports,
        # connecting and the warm-up included.
        "client_cpu_s_lifetime": round(lifetime_cpu, 3),
        "load_average": {"start": load_before, "end": load_average()},
        # What the server's backends were doing, from pg_stat_activity samples.
        "backend_states": sampler.shares(),
    }
    if all(s is not None for s in server):
        server_cpu = sum(s for s in server if s is not None)
        figures["server_cpu_s"] = round(server_cpu, 3)
        figures["server_cpu_cores"] = round(server_cpu / wall, 2)
        figures["server_cpu_ms_per_payment"] = round(1000 * server_cpu / len(latencies), 3)
    statements = [r["statements"] for r in reports if "statements" in r]
    if statements:
        figures["statements_per_payment"] = statistics.median_low(statements)
    return figures


def prepare(
    admin_url: str, name: str, subscribers: int, counters: int, payments: int, work: Path
) -> tuple[str, Path, list[tuple[Actor, str, list[str]]], list[str]]:
    """A fresh database with a demo, and per counter: an agent, its open till, its subscribers."""
    url = recreate_database(admin_url, name)
    database = Database(url)
    migrate.upgrade(database)
    key_file = work / "signing-key.pem"
    signer = load_database_signer(database, key_file, create=True)
    print(f"building a {subscribers:,}-subscriber demo in {name} ...", file=sys.stderr)
    started = time.perf_counter()
    build_demo(
        database, signer, profile="dz", subscribers=subscribers, seed=7, progress=ProgressPrinter()
    )
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    ctx = AppContext(database, signer)
    with database.read() as session:
        stations = session.execute(
            select(Agency.code, Workstation.code, Workstation.id)
            .join(Workstation.agency)
            .where(Workstation.kind == WorkstationKind.COUNTER)
            .order_by(Workstation.id)
            .limit(counters)
        ).all()
        wanted = counters * (payments + WARM_UP)
        first_open = (
            select(Invoice.subscriber_id)
            .where(Invoice.status.in_(OPEN_STATUSES))
            .group_by(Invoice.subscriber_id)
            .order_by(Invoice.subscriber_id)
            .limit(wanted)
            .subquery()
        )
        accounts = list(
            session.scalars(
                select(Subscriber.account_number)
                .join(first_open, first_open.c.subscriber_id == Subscriber.id)
                .order_by(Subscriber.id)
            )
        )
    if len(stations) < counters:
        sys.exit(f"bench_pg_counters: the demo has {len(stations)} counters, not {counters}")
    if len(accounts) < wanted:
        sys.exit(
            f"bench_pg_counters: {len(accounts)} subscribers with open bills, {wanted} needed; "
            "give more --subscribers"
        )
    seats = []
    for index, (agency, code, _id) in enumerate(stations, start=1):
        ref = workstation_ref(agency, code)
        actor = add_user(
            ctx, f"bench.counter{index:02d}", role="agent", password=PASSWORD, agency_code=agency
        )
        with contextlib.suppress(ConflictError):  # the demo may have left it open
            open_cash_session(ctx, actor, ref, Decimal("10000"))
        mine = accounts[(index - 1) * (payments + WARM_UP) : index * (payments + WARM_UP)]
        seats.append((actor, ref, mine))
    database.engine.dispose()
    return url, key_file, seats, [f"floor:{ref}" for _, ref, _ in seats]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"(default {ADMIN_URL})")
    parser.add_argument(
        "--database-name",
        default=DATABASE_NAME,
        help=f"the benchmark's own database, dropped and recreated (default {DATABASE_NAME})",
    )
    parser.add_argument("--counters", type=int, default=16)
    parser.add_argument("--payments", type=int, default=40, help="payments per counter")
    parser.add_argument("--subscribers", type=int, default=3000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="guichet-bench-counters-") as folder:
        try:
            url, key_file, seats, heads = prepare(
                args.admin_url,
                args.database_name,
                args.subscribers,
                args.counters,
                args.payments,
                Path(folder),
            )
        except (GuichetError, psycopg.OperationalError) as error:
            message = error.translated("en") if isinstance(error, GuichetError) else str(error)
            print(f"bench_pg_counters: {message}", file=sys.stderr)
            sys.exit(2)

        print(f"{args.counters} counters x {args.payments} payments ...", file=sys.stderr)
        app = run_processes(
            app_worker,
            [(url, str(key_file), actor, ref, accounts) for actor, ref, accounts in seats],
            libpq_url(url),
        )
        conninfo = libpq_url(url)
        create_floor_tables(conninfo, heads)
        print(f"floor: {args.counters} x {args.payments} raw transactions ...", file=sys.stderr)
        floor = run_processes(
            floor_worker, [(conninfo, head, args.payments) for head in heads], conninfo
        )

        database = Database(url, create=False)
        with database.read() as session:
            # Every payment the workers were asked for, warm-ups included, is in the ledger.
            ledger = (
                session.scalar(
                    select(func.count())
                    .select_from(Payment)
                    .where(Payment.idempotency_key.like("bench-%"))
                )
                or 0
            )
        database.engine.dispose()

    app_rate, floor_rate = app["payments_per_s"], floor["payments_per_s"]
    app_latency, floor_latency = app["latency"], floor["latency"]
    assert isinstance(app_rate, float) and isinstance(floor_rate, float)
    assert isinstance(app_latency, dict) and isinstance(floor_latency, dict)
    print(
        json.dumps(
            {
                "database": "postgresql",
                "counters": args.counters,
                "payments_per_counter": args.payments,
                "subscribers": args.subscribers,
                "cpus": os.cpu_count(),
                "bench_payments_in_ledger": ledger,
                "bench_payments_asked": args.counters * (args.payments + WARM_UP),
                "app": app,
                "raw_psycopg_floor": floor,
                "floor_over_app_payments_per_s": round(floor_rate / app_rate, 2),
                "app_over_floor_p50": round(app_latency["p50_ms"] / floor_latency["p50_ms"], 2),
                "app_over_floor_p95": round(app_latency["p95_ms"] / floor_latency["p95_ms"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
