"""Importing the billing system's files: subscribers, contracts and 12 months of bills.

    .venv/bin/python tests/benchmarks/bench_import.py                      # 50,000 subscribers
    .venv/bin/python tests/benchmarks/bench_import.py --subscribers 100000
    .venv/bin/python tests/benchmarks/bench_import.py --subscribers 1000000 --small 250000

For each of two sizes (``--subscribers`` and ``--small``, a quarter by default) a
child process generates the files (offers, subscribers with an Arabic name and a
mobile, one contract each, ``--months`` bills per contract; CSV, ``;`` separator,
decimal comma, as a billing system writes them), creates a fresh SQLite database
of its own with a key of its own in ``--dir`` (nothing else is ever written to),
and times ``app.imports.apply.import_files`` on them: one transaction, all or
nothing. It reports rows per second and its peak RSS, and that of the second
process reading the big files: memory must not grow with the file size, so the two
sizes' peaks should be about the same. (Files under 4 MiB are read in the import's own
process: below about 65,000 subscribers, the subscribers and contracts are, so a
smaller size's reader peak counts only the bills' reader and compares with nothing.)

Floor, measured in the same child on the same disk: the same rows, already as
Python tuples (no reading, no parsing, no checks), inserted with the raw sqlite3
module's ``executemany`` into a fresh migrated database (same indexes and
full-text trigger), one transaction; ``import_over_floor`` is the ratio.

Then (largest size only) a monthly cycle: one new bill per contract imported into
the database just filled (``cycle_rows_per_s``), and the same first batch imported a
second time: 0 created, 0 updated, and how long proving that took.

Prints one JSON line of figures (progress on stderr). Target: at least 20,000 rows
per second on SQLite on 2 cores.

With ``--keep`` the imported databases stay in ``--dir`` (each with one counter,
``ALG01-G01``), so that the lookup and payment benchmark can be run on what the import
built, with the database's own key::

    .venv/bin/python tests/benchmarks/bench_foundation.py \
        --database sqlite:////tmp/guichet-bench-import/n1000000/import.db \
        --key-file /tmp/guichet-bench-import/n1000000/import-key.pem
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.context import AppContext  # noqa: E402
from app.imports.apply import ImportOptions, import_files  # noqa: E402
from app.integrity.keys import create_signer  # noqa: E402
from app.lookup.normalize import search_name_for  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    OperatorSettings,
    ReceiptSeries,
    Workstation,
    WorkstationKind,
)

OFFERS = (
    ("FIBRE-100", "ftth", "2900,00"),
    ("ADSL-8", "adsl", "1600,00"),
    ("FIXE", "fixed_line", "500,00"),
)
FIRST = ("Yasmine", "Mohamed", "Nadia", "Karim", "Hélène", "Amine", "Leïla", "Sofiane")
LAST = ("Belkacem", "Ould Ali", "Haddad", "Saadi", "Benali", "Mansouri", "Kaci", "Zerrouki")
ARABIC = ("بلقاسم", "ولد علي", "حداد", "سعدي", "بن علي", "منصوري", "قاسي", "زروقي")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def generate(directory: Path, subscribers: int, months: int) -> tuple[list[Path], int]:
    """The batch's files, written a line at a time; returns them and their row count."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [
        directory / name
        for name in ("offers.csv", "subscribers.csv", "contracts.csv", "invoices.csv")
    ]
    rows = 0
    with paths[0].open("w", encoding="utf-8") as out:
        out.write("offer_code;name;service;monthly_fee\n")
        for code, service, fee in OFFERS:
            out.write(f"{code};Offre {code};{service};{fee}\n")
            rows += 1
    with (
        paths[1].open("w", encoding="utf-8") as people,
        paths[2].open("w", encoding="utf-8") as lines,
        paths[3].open("w", encoding="utf-8") as bills,
    ):
        people.write("account_number;first_name;last_name;name_ar;mobile;city;created_on\n")
        lines.write(
            "contract_number;account_number;offer_code;status;requested_on;activated_on;agency_code\n"
        )
        bills.write(
            "invoice_number;contract_number;period_start;period_end;issue_date;due_date;"
            "amount;late_fee;barcode\n"
        )
        for n in range(subscribers):
            i = n % 8
            account = f"A{n:08d}"
            people.write(
                f"{account};{FIRST[i]};{LAST[(n // 8) % 8]};{ARABIC[(n // 8) % 8]};"
                f"05{50 + n % 50}{n % 1000000:06d};Alger;15/01/2024\n"
            )
            code, _service, fee = OFFERS[n % 3]
            lines.write(f"C{n:08d};{account};{code};active;2024-01-15;2024-01-22;ALG01\n")
            for month in range(1, months + 1):
                bills.write(
                    f"F{n:08d}-{month:02d};C{n:08d};01/{month:02d}/2025;28/{month:02d}/2025;"
                    f"05/{month:02d}/2025;28/{month:02d}/2025;{fee};0;9{n:08d}{month:02d}\n"
                )
            rows += 2 + months
    return paths, rows


def fresh_database(directory: Path, name: str) -> tuple[Database, AppContext]:
    for suffix in ("", "-wal", "-shm", ".import.lock"):
        (directory / f"{name}.db{suffix}").unlink(missing_ok=True)
    key = directory / f"{name}-key.pem"
    key.unlink(missing_ok=True)
    database = Database(f"sqlite:///{directory / f'{name}.db'}")
    migrate.upgrade(database)
    signer = create_signer(key)
    with database.write() as session:
        signer.register(session)
        session.add(
            OperatorSettings(
                code="BENCH",
                name="Benchmark",
                country="DZ",
                currency="DZD",
                default_language="fr",
                timezone="Africa/Algiers",
            )
        )
        agency = Agency(code="ALG01", name="Alger Centre", timezone="Africa/Algiers")
        session.add(agency)
        # One counter, as the operator's IT sets up an agency, so that the lookup and
        # payment benchmark can run on the imported database (--keep).
        session.add(
            Workstation(
                agency=agency,
                code="G01",
                name="Guichet 1",
                kind=WorkstationKind.COUNTER,
                series=ReceiptSeries(code="ALG01-G01"),
                printer_uri="file:///dev/null",
                printer_profile="TM-T20II",
                paper_width_mm=80,
            )
        )
    return database, AppContext(database, signer)


def floor(directory: Path, subscribers: int, months: int) -> float:
    """The same rows as tuples, raw sqlite3 executemany, one transaction."""
    database, _ctx = fresh_database(directory, "floor")
    path = database.engine.url.database
    database.dispose()
    assert path is not None
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(
        "INSERT INTO offers (id, code, name, service, monthly_fee_minor) VALUES (?, ?, ?, ?, ?)",
        [
            (i + 1, code, f"Offre {code}", service, int(fee.replace(",", "")))
            for i, (code, service, fee) in enumerate(OFFERS)
        ],
    )
    chunk = 2000
    for start in range(0, subscribers, chunk):
        ids = range(start, min(subscribers, start + chunk))
        people = []
        phones = []
        lines = []
        bills = []
        for n in ids:
            i = n % 8
            last, arabic = LAST[(n // 8) % 8], ARABIC[(n // 8) % 8]
            people.append(
                (
                    n + 1,
                    f"A{n:08d}",
                    FIRST[i],
                    last,
                    arabic,
                    search_name_for(FIRST[i], last, arabic),
                    "Alger",
                    "2024-01-15",
                )
            )
            phones.append((n + 1, f"+2135{50 + n % 50}{n % 1000000:06d}", "mobile"))
            lines.append(
                (
                    n + 1,
                    f"C{n:08d}",
                    n + 1,
                    OFFERS[n % 3][1],
                    n % 3 + 1,
                    "active",
                    "2024-01-15",
                    "2024-01-22",
                    1,
                )
            )
            fee = int(OFFERS[n % 3][2].replace(",", ""))
            for month in range(1, months + 1):
                bills.append(
                    (
                        f"F{n:08d}-{month:02d}",
                        n + 1,
                        n + 1,
                        f"2025-{month:02d}-01",
                        f"2025-{month:02d}-28",
                        f"2025-{month:02d}-05",
                        f"2025-{month:02d}-28",
                        fee,
                        0,
                        0,
                        0,
                        0,
                        "open",
                        f"9{n:08d}{month:02d}",
                    )
                )
        connection.executemany(
            "INSERT INTO subscribers (id, account_number, first_name, last_name, name_ar, "
            "search_name, city, created_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            people,
        )
        connection.executemany(
            "INSERT INTO subscriber_phones (subscriber_id, number_e164, kind) VALUES (?, ?, ?)",
            phones,
        )
        connection.executemany(
            "INSERT INTO contracts (id, number, subscriber_id, service, offer_id, status, "
            "requested_on, activated_on, agency_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            lines,
        )
        connection.executemany(
            "INSERT INTO invoices (number, contract_id, subscriber_id, period_start, period_end, issue_date, due_date, "
            "amount_minor, late_fee_minor, paid_minor, paid_elsewhere_minor, waived_minor, status, barcode) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            bills,
        )
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def child(args: argparse.Namespace) -> None:
    directory = Path(args.dir) / f"n{args.subscribers}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    paths, rows = generate(directory / "files", args.subscribers, args.months)
    generated = time.perf_counter() - started
    size = sum(path.stat().st_size for path in paths)
    _say(
        f"{args.subscribers}: {rows:,} rows, {size / 2**20:.0f} MiB generated in {generated:.0f} s"
    )
    database, ctx = fresh_database(directory, "import")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cpu = time.process_time()
    result = import_files(ctx, paths, ImportOptions(), who="bench")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert result.ok and result.applied, [r.translated() for r in result.refusals[:5]]
    _say(f"{args.subscribers}: imported in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
    figures: dict[str, object] = {
        "subscribers": args.subscribers,
        "rows": rows,
        "file_mib": round(size / 2**20, 1),
        "import_s": round(seconds, 2),
        "import_cpu_s": round(cpu, 2),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        # The second process that reads and parses the big files (app.imports.reader).
        "reader_peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "rss_before_import_mib": round(rss_before / 1024, 1),
    }
    if args.cycle:
        cycle = directory / "files" / "cycle.csv"
        with cycle.open("w", encoding="utf-8") as bills:
            bills.write(
                "invoice_number;contract_number;period_start;period_end;issue_date;due_date;"
                "amount;late_fee;barcode\n"
            )
            for n in range(args.subscribers):
                fee = OFFERS[n % 3][2]
                bills.write(
                    f"F{n:08d}-N1;C{n:08d};01/01/2026;31/01/2026;05/02/2026;05/03/2026;"
                    f"{fee};0;8{n:08d}01\n"
                )
        started = time.perf_counter()
        monthly = import_files(ctx, [cycle], ImportOptions(), who="bench")
        seconds_cycle = time.perf_counter() - started
        assert monthly.ok and monthly.counts["invoices"].created == args.subscribers
        figures["cycle_bills"] = args.subscribers
        figures["cycle_s"] = round(seconds_cycle, 2)
        figures["cycle_rows_per_s"] = round(args.subscribers / seconds_cycle)
    if args.again:
        started = time.perf_counter()
        again = import_files(ctx, paths, ImportOptions(), who="bench")
        figures["again_s"] = round(time.perf_counter() - started, 2)
        figures["again_created_updated"] = sum(c.created + c.updated for c in again.counts.values())
    database.dispose()
    floor_s = floor(directory, args.subscribers, args.months)
    figures["floor_s"] = round(floor_s, 2)
    figures["floor_rows_per_s"] = round(rows / floor_s)
    figures["import_over_floor"] = round(seconds / floor_s, 2)
    if not args.keep:
        shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--small", type=int, help="the second size (default: a quarter)")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--dir", default="/tmp/guichet-bench-import")
    parser.add_argument("--keep", action="store_true", help="keep the files and databases")
    parser.add_argument(
        "--no-again", action="store_true", help="skip the second import of the large batch"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--again", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cycle", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    small = args.small or max(1000, args.subscribers // 4)
    results = []
    for size, again in ((small, False), (args.subscribers, not args.no_again)):
        command = [
            sys.executable,
            __file__,
            "--child",
            "--subscribers",
            str(size),
            "--months",
            str(args.months),
            "--dir",
            args.dir,
        ]
        if again:
            command.append("--again")
        if size == args.subscribers:
            command.append("--cycle")  # then a monthly cycle of new bills, one per contract
        if args.keep:
            command.append("--keep")
        output = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
        sys.stderr.write(output.stderr)
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    small_run, large_run = results
    print(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "date": date.today().isoformat(),
                "cores": os.cpu_count(),
                "small": small_run,
                "large": large_run,
                "rows_per_s": large_run["rows_per_s"],
                "target_rows_per_s": 20_000,
                "peak_rss_growth_mib": round(
                    float(large_run["peak_rss_mib"]) - float(small_run["peak_rss_mib"]), 1
                ),
                "reader_peak_rss_growth_mib": round(
                    float(large_run["reader_peak_rss_mib"])
                    - float(small_run["reader_peak_rss_mib"]),
                    1,
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
