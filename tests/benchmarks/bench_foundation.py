"""Lookup and payment-commit latency on a national-scale demo database.

Each figure comes with a floor measured in the same run: the raw ``sqlite3``
lookup beside the counter's lookup, and the raw WAL commit (BEGIN IMMEDIATE,
one INSERT, COMMIT, synchronous=FULL) beside each payment commit. Prints one
JSON line of figures; see README.md beside this file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.auth import Actor, add_user, authenticate  # noqa: E402
from app.bootstrap import load_database_signer  # noqa: E402
from app.cli.output import ProgressPrinter  # noqa: E402
from app.closing.tills import open_cash_session  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.errors import ConflictError, GuichetError  # noqa: E402
from app.lookup import find_subscribers  # noqa: E402
from app.payments.requests import PaymentRequest, TenderInput  # noqa: E402
from app.payments.service import take_payment  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Invoice,
    InvoiceStatus,
    OperatorSettings,
    Subscriber,
    SubscriberPhone,
    TenderKind,
    Workstation,
)

BENCH_LOGIN = "bench.agent"
BENCH_PASSWORD = "bench-password-1"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "max_ms": round(ordered[-1], 3),
        "n": len(ordered),
    }


def timed(calls: list[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


class RawCommitFloor:
    """The least a durable SQLite write costs on this disk: a raw ``sqlite3`` connection
    on a scratch file beside the benchmark database, WAL, synchronous=FULL, and one
    ``BEGIN IMMEDIATE; INSERT one row; COMMIT`` per sample."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / f"commit-floor-{os.getpid()}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = FULL")
        self.connection.execute(
            "CREATE TABLE ledger (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
            "amount_minor INTEGER NOT NULL, created_at TEXT NOT NULL, signature TEXT NOT NULL)"
        )
        self.seq = 0

    def commit_one(self) -> None:
        self.seq += 1
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(
            "INSERT INTO ledger (seq, amount_minor, created_at, signature) VALUES (?, ?, ?, ?)",
            (self.seq, 100_000, "2026-01-01T10:00:00+00:00", "s" * 88),
        )
        cursor.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def count_statements(database: Database, call: Callable[[], object]) -> list[str]:
    """The SQL statements ``call`` sends through the engine (BEGIN IMMEDIATE included on
    SQLite; COMMIT is the driver's commit() and is not a statement)."""
    seen: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    return seen


def statement_kinds(statements: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for statement in statements:
        words = statement.split()
        kind = words[0].upper() if words else "?"
        if kind == "SELECT" and "FOR UPDATE" in statement.upper():
            kind = "SELECT FOR UPDATE"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def prepare(url: str, subscribers: int, key_file: Path) -> tuple[Database, AppContext]:
    from app.demo import build_demo

    database = Database(url)
    migrate.upgrade(database)
    with database.read() as session:
        built = session.scalar(select(OperatorSettings.id)) is not None
    # As the application does: a new key only for a database that has none yet; a
    # missing or foreign key on a signed database stops here, before anything is
    # written that `verify` would then reject.
    signer = load_database_signer(database, key_file, create=True)
    if not built:
        print(f"building a {subscribers:,}-subscriber demo in {url} ...", file=sys.stderr)
        start = time.perf_counter()
        build_demo(
            database,
            signer,
            profile="dz",
            subscribers=subscribers,
            seed=7,
            progress=ProgressPrinter(),
        )
        print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return database, AppContext(database, signer)


def bench_agent(ctx: AppContext) -> Actor:
    with contextlib.suppress(ConflictError):
        add_user(ctx, BENCH_LOGIN, role="agent", password=BENCH_PASSWORD)
    return authenticate(ctx, BENCH_LOGIN, BENCH_PASSWORD)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="database URL (default: a SQLite file under /tmp)")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument(
        "--show-statements",
        action="store_true",
        help="print on stderr the SQL statements of the counted payment",
    )
    parser.add_argument(
        "--key-file",
        type=Path,
        help="the database's signing key (default: beside the default SQLite file; "
        "created only for a database that has no key yet)",
    )
    args = parser.parse_args()
    work = Path("/tmp/guichet-bench")
    work.mkdir(exist_ok=True)
    url = args.database or f"sqlite:///{work / f'demo-{args.subscribers}.db'}"
    key_file = args.key_file or work / f"key-{args.subscribers}.pem"
    try:
        database, ctx = prepare(url, args.subscribers, key_file)
    except GuichetError as error:
        hint = " Give the database's key with --key-file PATH." if error.field == "key_file" else ""
        print(f"bench_foundation: {error.translated('en')}{hint}", file=sys.stderr)
        sys.exit(2)
    rng = random.Random(11)
    load_at_start = [round(x, 2) for x in os.getloadavg()]

    with database.read() as session:
        country, currency = session.execute(
            select(OperatorSettings.country, OperatorSettings.currency)
        ).one()
        max_id = session.scalar(select(func.max(Subscriber.id))) or 0
        ids = [rng.randint(1, max_id) for _ in range(args.samples)]
        rows = session.execute(
            select(Subscriber.id, Subscriber.account_number, Subscriber.last_name).where(
                Subscriber.id.in_(ids)
            )
        ).all()
        phones = list(
            session.scalars(
                select(SubscriberPhone.number_e164).where(SubscriberPhone.subscriber_id.in_(ids))
            )
        )
    accounts = [row.account_number for row in rows]
    fragments = [row.last_name.split()[-1][:3] for row in rows]
    national = ["0" + phone[4:] if phone.startswith("+213") else phone for phone in phones]

    def lookup(query: str) -> Callable[[], object]:
        return lambda: find_subscribers(
            database, query, country=country, currency=currency, limit=20
        )

    timed([lookup(a) for a in accounts[:20]])  # warm the caches, as a day at the counter does
    figures: dict[str, object] = {
        "database": make_url(url).get_backend_name(),
        "subscribers": max_id,
        "lookup_account": percentiles(timed([lookup(a) for a in accounts])),
        "lookup_phone": percentiles(timed([lookup(p) for p in national])),
        "lookup_name_fragment": percentiles(timed([lookup(f) for f in fragments])),
    }
    if database.is_sqlite:
        raw = sqlite3.connect(make_url(url).database or "")

        def raw_lookup(account: str) -> Callable[[], object]:
            return lambda: raw.execute(
                "SELECT id FROM subscribers WHERE account_number = ?", (account,)
            ).fetchone()

        figures["raw_sqlite_account_floor"] = percentiles(timed([raw_lookup(a) for a in accounts]))
        raw.close()

    agent = bench_agent(ctx)
    with database.read() as session:
        station = session.scalars(select(Workstation).order_by(Workstation.id)).first()
        assert station is not None
        ref = f"{station.agency.code}-{station.code}"
        payable = list(
            session.execute(
                select(Subscriber.account_number)
                .join(Invoice, Invoice.subscriber_id == Subscriber.id)
                .where(Invoice.status == InvoiceStatus.OPEN)
                .group_by(Subscriber.account_number)
                .limit(args.payments)
            ).scalars()
        )
    with contextlib.suppress(ConflictError):
        open_cash_session(ctx, agent, ref, Decimal("10000"))
    run = time.time_ns()

    def pay(i: int, account: str) -> Callable[[], object]:
        request = PaymentRequest(
            f"bench-{run}-{i}", account, ref, (TenderInput(TenderKind.CASH, Decimal("1000")),)
        )
        return lambda: take_payment(ctx, agent, request)

    # One payment, not timed, with every statement it sends counted.
    statements = count_statements(database, pay(-1, payable[0]))
    figures["payment_statements"] = len(statements)
    figures["payment_statement_kinds"] = statement_kinds(statements)
    if args.show_statements:
        for statement in statements:
            print(statement[:300], file=sys.stderr)

    payments = [pay(i, account) for i, account in enumerate(payable)]
    if not database.is_sqlite:
        figures["payment_commit"] = percentiles(timed(payments))
    else:
        # Payment commits and raw commits interleaved one for one, so that both meet
        # the same load from whatever else runs on the machine.
        floor = RawCommitFloor(Path(make_url(url).database or "").resolve().parent)
        payment_ms: list[float] = []
        floor_ms: list[float] = []
        payment_cpu_s = 0.0
        try:
            floor.commit_one()  # the file and its WAL exist before the first sample
            for payment in payments:
                cpu_before = time.process_time()
                payment_ms += timed([payment])
                payment_cpu_s += time.process_time() - cpu_before
                floor_ms += timed([floor.commit_one])
        finally:
            floor.close()
        commit, raw_commit = percentiles(payment_ms), percentiles(floor_ms)
        figures["payment_commit"] = commit
        figures["raw_commit_floor"] = raw_commit
        figures["payment_commit_vs_floor_p50"] = round(commit["p50_ms"] / raw_commit["p50_ms"], 2)
        figures["payment_commit_vs_floor_p95"] = round(commit["p95_ms"] / raw_commit["p95_ms"], 2)
        # This process's CPU per payment: what is not waiting for the disk (or for a core).
        figures["payment_cpu_ms_mean"] = round(1000 * payment_cpu_s / len(payments), 3)
    figures["load_average"] = {
        "start": load_at_start,
        "end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
