"""The cut-off list on a national-scale demo database, beside a raw-query floor.

Times ``app.billing.cutoff.cutoff_list`` (every agency, then one) and, in the same
run, two floors: one raw ``SELECT count(*)`` of the open bills overdue beyond the
grace (the scan the list cannot avoid: no index leads on the invoices' status or
due date), and the list's main query with its rows fetched by the driver. Prints
one JSON line.

    .venv/bin/python tests/benchmarks/bench_cutoff.py --database sqlite:////tmp/h5bench/demo-100000.db \
        --key-file /tmp/h5bench/key.pem --subscribers 100000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from bench_foundation import prepare  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app.billing.cutoff import DEFAULT_GRACE_DAYS, _overdue_bills, cutoff_list  # noqa: E402
from db.models import Agency, OperatorSettings  # noqa: E402


def timed(call: Callable[[], object], runs: int) -> dict[str, float]:
    """Wall time and this process's CPU time: on a shared machine the wall time also
    counts the waits for a core (see load_average); the database's own time is in
    the wall time only."""
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="database URL (default: the foundation bench's SQLite)")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--key-file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--date", help="the list's day (default: the demo's today)")
    args = parser.parse_args()
    work = Path("/tmp/guichet-bench")
    work.mkdir(exist_ok=True)
    url = args.database or f"sqlite:///{work / f'demo-{args.subscribers}.db'}"
    key_file = args.key_file or work / f"key-{args.subscribers}.pem"
    database, _ctx = prepare(url, args.subscribers, key_file)
    on = date.fromisoformat(args.date) if args.date else date.today()
    with database.read() as session:
        grace = session.scalar(select(OperatorSettings.cutoff_grace_days))
        agency = session.scalar(select(Agency.code).order_by(Agency.id))
        subscribers = session.scalar(text("SELECT count(*) FROM subscribers"))
        invoices = session.scalar(text("SELECT count(*) FROM invoices"))
    cut = on - timedelta(days=DEFAULT_GRACE_DAYS if grace is None else grace)

    def floor() -> object:
        with database.read() as session:
            return session.scalar(
                text(
                    "SELECT count(*) FROM invoices WHERE status IN ('open', 'partly_paid')"
                    " AND due_date < :cut AND amount_minor + late_fee_minor - paid_minor > 0"
                ),
                {"cut": cut},
            )

    statement = _overdue_bills(cut, None).compile(
        dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
    )

    def rows_floor() -> object:
        # The list's main query, its rows fetched by the driver: no grouping, no objects.
        with database.read() as session:
            return session.connection().exec_driver_sql(str(statement)).fetchall()

    result = cutoff_list(database, on)  # warm the caches, and say what the list holds
    figures = {
        "database": database.engine.dialect.name,
        "subscribers": subscribers,
        "invoices": invoices,
        "on": on.isoformat(),
        "proposed": len(result.proposed),
        "excluded": len(result.excluded),
        "excluded_by_reason": {
            reason: sum(
                1 for line in result.excluded if any(e.reason == reason for e in line.exclusions)
            )
            for reason in ("late_delivery", "complaint", "paid_since_extract")
        },
        "cutoff_list": timed(lambda: cutoff_list(database, on), args.runs),
        "cutoff_list_one_agency": timed(
            lambda: cutoff_list(database, on, agency_code=agency), args.runs
        ),
        "raw_count_floor": timed(floor, args.runs),
        "raw_rows_floor": timed(rows_floor, args.runs),
    }
    listed, floor_ms = figures["cutoff_list"], figures["raw_rows_floor"]
    assert isinstance(listed, dict) and isinstance(floor_ms, dict)
    figures["vs_rows_floor"] = round(listed["median_ms"] / max(floor_ms["median_ms"], 0.1), 1)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
