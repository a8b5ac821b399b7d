"""Lookup and payment-commit latency on a national-scale demo database.

Prints one JSON line of figures; see README.md beside this file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.auth import Actor, add_user, authenticate  # noqa: E402
from app.bootstrap import load_database_signer  # noqa: E402
from app.cash import open_cash_session  # noqa: E402
from app.cli.output import ProgressPrinter  # noqa: E402
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

    with database.read() as session:
        country = session.scalars(select(OperatorSettings.country)).one()
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
        return lambda: find_subscribers(database, query, country=country, limit=20)

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
        figures["raw_sqlite_account_floor"] = percentiles(
            timed(
                [
                    lambda a=a: raw.execute(
                        "SELECT id FROM subscribers WHERE account_number = ?", (a,)
                    ).fetchone()
                    for a in accounts
                ]
            )
        )
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

    figures["payment_commit"] = percentiles(
        timed([pay(i, account) for i, account in enumerate(payable)])
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
