"""`verify` on a ledger of N signed payments, beside the raw Ed25519 floor.

Builds (once, then reuses) a database of its own with a key of its own: N cash
payments spread over a few counters, each paying one bill, signed with the real
Signer and written with bulk INSERTs (COPY on PostgreSQL). Then times
`verify_database` over it and, in the same run, the floor: the same (signature,
message) pairs checked by the cryptography library with the same number of
worker processes and nothing else. Prints one JSON line.

    .venv/bin/python tests/benchmarks/bench_verify.py                    # 1,000,000 records, SQLite
    .venv/bin/python tests/benchmarks/bench_verify.py --records 100000
    .venv/bin/python tests/benchmarks/bench_verify.py --database postgresql://postgres@127.0.0.1/guichet_bench_verify

A benchmark never writes with a key that is not the database's: an SQLite file
of another key is refused, and a PostgreSQL database must be empty or one this
benchmark built with the key file kept beside its SQLite files (--dir).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.auth import add_user  # noqa: E402
from app.closing.tills import open_cash_session  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.demo.bulk import BulkWriter  # noqa: E402
from app.integrity.canonical import instant, signing_input  # noqa: E402
from app.integrity.keys import Signer, create_signer, load_signer  # noqa: E402
from app.integrity.parallel import (  # noqa: E402
    BATCH_SIZE,
    SignatureChecker,
    _verify_in_worker,
    default_workers,
    failing_indexes,
    process_pool,
)
from app.integrity.records import (  # noqa: E402
    AllocationValues,
    PaymentValues,
    TenderValues,
    payment_record_of,
)
from app.integrity.verify import verify_database  # noqa: E402
from app.workstations import receipt_number  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    CashSession,
    ChainHead,
    Offer,
    OperatorSettings,
    ReceiptSeries,
    SigningKey,
    Workstation,
    WorkstationKind,
)

AGENCY = "BEN01"
SERIES = 8  # counters, hence chains
BILLS_PER_SUBSCRIBER = 10
CHUNK = 10_000  # payments per build transaction
FLOOR_CHUNK = 100_000  # pairs read into memory at a time for the floor
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def marker(records: int) -> str:
    return f"bench-verify {records} records"


def _sql_instant(value: datetime) -> str:
    """How SQLAlchemy stores an instant on both backends: naive UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# -- the database and its key --------------------------------------------------------


def locations(args: argparse.Namespace) -> tuple[str, Path, Path]:
    """(database URL, key file, pairs file) for this run."""
    folder = Path(args.dir).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    if args.database:
        name = make_url(args.database).database or "db"
        stem = f"verify-{make_url(args.database).get_backend_name()}-{name}"
        return args.database, folder / f"{stem}.pem", folder / f"{stem}.pairs"
    stem = f"verify-{args.records}"
    return f"sqlite:///{folder / stem}.db", folder / f"{stem}.pem", folder / f"{stem}.pairs"


def state(url: str, key_file: Path, records: int) -> str:
    """'ready', 'empty', 'ours, unfinished', or SystemExit when the database is not ours."""
    database = Database(url)
    try:
        migrate.upgrade(database)
        with database.read() as session:
            keys = list(session.scalars(select(SigningKey.key_id)))
            name = session.scalar(select(OperatorSettings.name))
    finally:
        database.dispose()
    if not keys and name is None:
        return "empty"
    if not key_file.exists():
        raise SystemExit(f"{url} is signed with {keys} and {key_file} is missing: not ours")
    signer = load_signer(key_file)
    if signer.key_id not in keys:
        raise SystemExit(f"{url} is signed with {keys}, not with {key_file}: refusing to touch it")
    return "ready" if name == marker(records) else "ours, unfinished"


def fresh(url: str, key_file: Path, pairs_file: Path) -> None:
    """Start an SQLite bench file of our own afresh (never a database we did not make)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise SystemExit(f"{url} holds an unfinished bench: give an empty PostgreSQL database")
    path = Path(parsed.database or "")
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), key_file, pairs_file):
        leftover.unlink(missing_ok=True)


# -- building ---------------------------------------------------------------------------


def build(url: str, key_file: Path, pairs_file: Path, records: int) -> None:
    database = Database(url)
    migrate.upgrade(database)
    signer = create_signer(key_file) if not key_file.exists() else load_signer(key_file)
    ctx = AppContext(database, signer)
    started = time.perf_counter()
    with database.write() as session:
        signer.register(session)
        session.add(
            OperatorSettings(
                code="BENCH",
                name="bench-verify building",
                country="DZ",
                currency="DZD",
                default_language="fr",
                timezone="Africa/Algiers",
            )
        )
        agency = Agency(code=AGENCY, name="Bench", timezone="Africa/Algiers")
        session.add(agency)
        for n in range(1, SERIES + 1):
            session.add(
                Workstation(
                    agency=agency,
                    code=f"G{n:02d}",
                    name=f"Guichet {n}",
                    kind=WorkstationKind.COUNTER,
                    series=ReceiptSeries(code=f"{AGENCY}-G{n:02d}"),
                )
            )
    stations = []
    for n in range(1, SERIES + 1):
        ref = f"{AGENCY}-G{n:02d}"
        agent = add_user(ctx, f"agent{n:02d}", role="agent", password="bench-password-1")
        till = open_cash_session(ctx, agent, ref, Decimal("10000"))
        stations.append((ref, agent, till.session_id))
    with database.read() as session:
        ids = {
            code: (series_id, station_id)
            for code, series_id, station_id in session.execute(
                select(ReceiptSeries.code, ReceiptSeries.id, Workstation.id).join(
                    Workstation, Workstation.series_id == ReceiptSeries.id
                )
            )
        }
        assert session.scalar(select(func.count()).select_from(CashSession)) == SERIES
    subscribers = -(-records // BILLS_PER_SUBSCRIBER)
    _people(database, subscribers)
    heads = {ref: (0, "") for ref, _a, _t in stations}
    with pairs_file.open("wb") as pairs:
        for first in range(0, records, CHUNK):
            count = min(CHUNK, records - first)
            rows = _payments(signer, stations, ids, heads, first, count, pairs)
            with database.write() as session:
                writer = BulkWriter(session.connection())
                for table, columns, values in rows:
                    writer.insert(table, columns, values)
            done = first + count
            if done % 100_000 == 0 or done == records:
                rate = done / (time.perf_counter() - started)
                log(f"  built {done:,}/{records:,} payments ({rate:,.0f}/s)")
    with database.write() as session:
        for ref, (seq, signature) in heads.items():
            name = f"receipts/{ref}"
            head = session.get(ChainHead, name)
            if head is None:
                session.add(ChainHead(name=name, last_seq=seq, last_signature=signature))
            else:
                head.last_seq, head.last_signature = seq, signature
        session.execute(
            OperatorSettings.__table__.update().values(name=marker(records))  # type: ignore[attr-defined]
        )
        BulkWriter(session.connection()).after_load(
            ["subscribers", "contracts", "invoices", "payments", "tenders", "allocations"]
        )
    database.dispose()
    log(f"  built in {time.perf_counter() - started:.0f} s")


def _people(database: Database, subscribers: int) -> None:
    """Subscribers with one contract and BILLS_PER_SUBSCRIBER bills each, all paid below."""
    with database.write() as session:
        writer = BulkWriter(session.connection())
        offer = Offer(code="BENCH", name="Bench", service="adsl", monthly_fee_minor=100000)
        session.add(offer)
        session.flush()
        offer_id = offer.id
        for first in range(1, subscribers + 1, 50_000):
            last = min(subscribers, first + 49_999)
            writer.insert(
                "subscribers",
                ("id", "account_number", "last_name", "search_name", "created_on"),
                [(i, f"9{i:09d}", "Bench", "bench", "2020-01-01") for i in range(first, last + 1)],
            )
            writer.insert(
                "contracts",
                ("id", "number", "subscriber_id", "service", "offer_id", "status", "requested_on"),
                [
                    (i, f"C9{i:09d}", i, "adsl", offer_id, "active", "2020-01-01")
                    for i in range(first, last + 1)
                ],
            )
            writer.insert(
                "invoices",
                (
                    "id",
                    "number",
                    "contract_id",
                    "subscriber_id",
                    "period_start",
                    "period_end",
                    "issue_date",
                    "due_date",
                    "amount_minor",
                    "late_fee_minor",
                    "paid_minor",
                    "paid_elsewhere_minor",
                    "status",
                    "barcode",
                ),
                [
                    (
                        invoice,
                        f"B{invoice:010d}",
                        subscriber,
                        subscriber,
                        "2026-01-01",
                        "2026-01-31",
                        "2026-02-01",
                        "2026-02-20",
                        _amount(invoice),
                        0,
                        _amount(invoice),
                        0,
                        "paid",
                        f"BC{invoice:010d}",
                    )
                    for subscriber in range(first, last + 1)
                    for invoice in range(
                        (subscriber - 1) * BILLS_PER_SUBSCRIBER + 1,
                        subscriber * BILLS_PER_SUBSCRIBER + 1,
                    )
                ],
            )


def _amount(invoice: int) -> int:
    return 100_000 + (invoice * 7919) % 900_000


PAYMENT_COLUMNS = (
    "id",
    "uid",
    "idempotency_key",
    "request_hash",
    "kind",
    "series_id",
    "seq",
    "receipt_no",
    "subscriber_id",
    "workstation_id",
    "cash_session_id",
    "agent_id",
    "created_at",
    "currency",
    "tendered_minor",
    "change_minor",
    "allocated_minor",
    "topups_minor",
    "credit_used_minor",
    "credit_added_minor",
    "key_id",
    "prev_signature",
    "signature",
)


def _payments(
    signer: Signer,
    stations: Sequence[tuple[str, object, int]],
    ids: dict[str, tuple[int, int]],
    heads: dict[str, tuple[int, str]],
    first: int,
    count: int,
    pairs: object,
) -> list[tuple[str, tuple[str, ...], Sequence[tuple[object, ...]]]]:
    """Payment ``first`` + 1 ... signed in its chain, with its tender and allocation."""
    payments: list[tuple[object, ...]] = []
    tenders: list[tuple[object, ...]] = []
    allocations: list[tuple[object, ...]] = []
    write = pairs.write  # type: ignore[attr-defined]
    for n in range(first + 1, first + count + 1):
        ref, agent, till = stations[n % SERIES]
        series_id, station_id = ids[ref]
        seq, prev = heads[ref]
        seq += 1
        amount = _amount(n)
        subscriber = (n - 1) // BILLS_PER_SUBSCRIBER + 1
        at = START + timedelta(seconds=n)
        receipt = receipt_number(ref, seq)
        uid = f"00000000-0000-4000-8000-{n:012d}"
        values = PaymentValues(
            uid,
            "payment",
            receipt,
            None,
            f"9{subscriber:09d}",
            ref,
            ref,
            AGENCY,
            till,
            agent.login,  # type: ignore[attr-defined]
            None,
            None,
            instant(at),
            "DZD",
            amount,
            0,
            amount,
            0,
            0,
            0,
        )
        record = payment_record_of(
            values,
            [TenderValues(1, "cash", amount, None, None, None, None)],
            [AllocationValues(1, f"B{n:010d}", amount)],
            [],
            [],
        )
        chain = f"receipts/{ref}"
        message = signing_input(chain, seq, record, prev)
        signature = signer.sign(message)
        write(struct.pack("<I", len(message)) + signature.encode("ascii") + message)
        heads[ref] = (seq, signature)
        payments.append(
            (
                n,
                uid,
                f"bench-{n}",
                "bench",
                "payment",
                series_id,
                seq,
                receipt,
                subscriber,
                station_id,
                till,
                agent.staff_id,  # type: ignore[attr-defined]
                _sql_instant(at),
                "DZD",
                amount,
                0,
                amount,
                0,
                0,
                0,
                signer.key_id,
                prev,
                signature,
            )
        )
        tenders.append((n, n, 1, "cash", amount))
        allocations.append((n, n, 1, n, amount))
    return [
        ("payments", PAYMENT_COLUMNS, payments),
        ("tenders", ("id", "payment_id", "position", "kind", "amount_minor"), tenders),
        (
            "allocations",
            ("id", "payment_id", "position", "invoice_id", "amount_minor"),
            allocations,
        ),
    ]


# -- measuring --------------------------------------------------------------------------


def read_pairs(path: Path, limit: int) -> Iterator[list[tuple[str, bytes]]]:
    with path.open("rb") as handle:
        chunk: list[tuple[str, bytes]] = []
        while header := handle.read(4 + 88):
            (length,) = struct.unpack("<I", header[:4])
            chunk.append((header[4:].decode("ascii"), handle.read(length)))
            if len(chunk) == limit:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds of a live process (Linux): the pool's workers are the forkserver's
    children, not ours, so RUSAGE_CHILDREN never sees them."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_peak_mib(pid: int) -> float:
    """Peak resident memory of a live process (Linux), MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pool_cpu(pool: ProcessPoolExecutor | None) -> float:
    processes = getattr(pool, "_processes", None) or {}
    return sum(process_cpu(pid) for pid in list(processes))


class WorkerClock:
    """Adds up the CPU time of verify's worker processes, read just before they stop."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.peak_mib = 0.0  # the largest worker's
        self._close = SignatureChecker.close

    def __enter__(self) -> WorkerClock:
        clock, close = self, self._close

        def counting_close(checker: SignatureChecker[Any]) -> None:
            clock.seconds += pool_cpu(checker._pool)
            for pid in list(getattr(checker._pool, "_processes", None) or {}):
                clock.peak_mib = max(clock.peak_mib, process_peak_mib(pid))
            close(checker)

        SignatureChecker.close = counting_close  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_exc: object) -> None:
        SignatureChecker.close = self._close  # type: ignore[method-assign]


def floor_run(raw_key: bytes, pairs_file: Path, workers: int) -> tuple[float, float, int, int]:
    """Check every pair with ``workers`` processes: (seconds, cpu seconds, pairs, failed)."""
    key = Ed25519PublicKey.from_public_bytes(raw_key)
    pool = process_pool(raw_key, workers) if workers else None
    if pool is not None:
        list(pool.map(_verify_in_worker, [[]] * workers))  # workers started, as in verify
    seconds, cpu, total, failed = 0.0, 0.0, 0, 0
    try:
        for chunk in read_pairs(pairs_file, FLOOR_CHUNK):
            batches = [chunk[i : i + BATCH_SIZE] for i in range(0, len(chunk), BATCH_SIZE)]
            started, started_cpu = time.perf_counter(), own_cpu() + pool_cpu(pool)
            if pool is None:
                failed += sum(len(failing_indexes(key, batch)) for batch in batches)
            else:
                failed += sum(len(f) for f in pool.map(_verify_in_worker, batches))
            seconds += time.perf_counter() - started
            cpu += own_cpu() + pool_cpu(pool) - started_cpu
            total += len(chunk)
    finally:
        if pool is not None:
            pool.shutdown()
    return seconds, cpu, total, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", metavar="URL", help="an empty PostgreSQL database")
    parser.add_argument("--dir", default="~/.cache/guichet-bench", help="bench files")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url, key_file, pairs_file = locations(args)
    if args.build_only:
        build(url, key_file, pairs_file, args.records)
        return 0
    status = state(url, key_file, args.records)
    if status != "ready" or not pairs_file.exists():
        if status == "ready":  # the database is ours but the pairs are gone
            raise SystemExit(f"{pairs_file} is missing; delete {url} to rebuild")
        if status != "empty" or make_url(url).get_backend_name() == "sqlite":
            fresh(url, key_file, pairs_file)
        log(f"building {args.records:,} signed payments in {url} ...")
        # In a child process, so that this one's peak memory is verify's alone.
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--build-only"], check=True)
    workers = default_workers() if args.workers is None else args.workers
    signer = load_signer(key_file)
    database = Database(url)
    log(f"verify with {workers} worker process(es) ...")
    started, started_cpu = time.perf_counter(), own_cpu()
    with WorkerClock() as workers_cpu:
        report = verify_database(database, signer.verifier, workers=workers)
    verify_s = time.perf_counter() - started
    verify_cpu = own_cpu() - started_cpu + workers_cpu.seconds
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    database.dispose()
    if not report.ok:
        for problem in report.problems[:5]:
            log(f"  {problem.chain}: {problem.record}: {problem.translated()}")
        raise SystemExit("verify failed on the bench database")
    log("floor: the same signatures, cryptography alone ...")
    raw = signer.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    floor_s, floor_cpu, pairs, failed = floor_run(raw, pairs_file, workers)
    assert failed == 0 and pairs == args.records, (failed, pairs)
    print(
        json.dumps(
            {
                "backend": make_url(url).get_backend_name(),
                "records": report.records,
                "payments": args.records,
                "workers": workers,
                "verify_s": round(verify_s, 2),
                "verify_records_per_s": round(report.records / verify_s),
                "verify_us_per_record": round(verify_s / report.records * 1e6, 1),
                "floor_s": round(floor_s, 2),
                "floor_records_per_s": round(pairs / floor_s),
                "ratio_to_floor": round(verify_s / floor_s, 2),
                # CPU seconds (all processes): what a loaded machine disturbs least
                "verify_cpu_s": round(verify_cpu, 2),
                "floor_cpu_s": round(floor_cpu, 2),
                "cpu_ratio_to_floor": round(verify_cpu / floor_cpu, 2),
                "load_average": round(os.getloadavg()[0], 1),
                "peak_rss_mib": round(peak_kib / 1024, 1),
                "worker_peak_rss_mib": round(workers_cpu.peak_mib, 1),
                "checks": report.checks,
                "cpus": os.cpu_count(),
                "date": date.today().isoformat(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
