"""A long day at one counter: many customers in one process, memory read as it goes.

Serves ``--customers`` customers (scan, payment, Enter) through the real window
offscreen with the real background runner and a print worker that renders every
receipt (the bytes go nowhere), and prints resident memory every
``--report-every`` customers. Memory must stay flat after the first hundred
(caches filled once); the process must not crash.

Prints progress lines on stderr and one JSON line of figures on stdout.

    .venv/bin/python tests/benchmarks/bench_counter_soak.py --subscribers 20000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_counter import open_bench
from bench_foundation import percentiles

from app.context import AppContext
from app.printing.status import PrinterStatus
from app.printing.worker import PrintWorker
from ui.qt import QObject


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def discarding_worker(ctx: AppContext, workstation: str) -> PrintWorker:
    """The application's print worker, rendering every job, with a printer that takes anything."""
    sent = [0]

    def send(address: object, data: bytes) -> None:
        sent[0] += len(data)

    return PrintWorker(ctx, workstation, send=send, query=lambda address: PrinterStatus.ONLINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database")
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--report-every", type=int, default=100)
    parser.add_argument(
        "--trace", action="store_true", help="also show where Python memory grew (slow)"
    )
    args = parser.parse_args()
    bench, worker = open_bench(
        args.database, args.subscribers, args.customers, worker=discarding_worker
    )
    window = bench.window
    if args.trace:
        tracemalloc.start(10)
    snapshot = tracemalloc.take_snapshot() if args.trace else None
    started = time.perf_counter()
    rss = [{"customers": 0, "rss_mb": rss_mb()}]
    print(f"start: {rss[0]['rss_mb']} MB", file=sys.stderr)
    scan_ms: list[float] = []
    ready_ms: list[float] = []
    try:
        for served, account in enumerate(bench.accounts, start=1):
            scan, ready = bench.serve(account)
            scan_ms.append(scan)
            ready_ms.append(ready)
            if served % args.report_every == 0:
                bench.settle()
                gc.collect()
                row = {
                    "customers": served,
                    "rss_mb": rss_mb(),
                    "python_objects": len(gc.get_objects()),
                    "qobjects": len(window.findChildren(QObject)),
                    "threads": threading.active_count(),
                    "printed": worker.snapshot().printed if worker is not None else 0,
                }
                rss.append(row)
                print(json.dumps(row), file=sys.stderr)
                if snapshot is not None:
                    now = tracemalloc.take_snapshot()
                    for stat in now.compare_to(snapshot, "traceback")[:5]:
                        print(stat, *stat.traceback.format()[-6:], sep="\n  ", file=sys.stderr)
                    snapshot = now
    finally:
        bench.settle()
        bench.close()
        if worker is not None:
            worker.stop()
    after_first = [row["rss_mb"] for row in rss if row["customers"] >= args.report_every]
    print(
        json.dumps(
            {
                "subscribers": args.subscribers,
                "customers": len(scan_ms),
                "seconds": round(time.perf_counter() - started, 1),
                "rss_mb": {str(row["customers"]): row["rss_mb"] for row in rss},
                "growth_after_first_report_mb": round(max(after_first) - min(after_first), 1)
                if after_first
                else None,
                "scan_to_subscriber": percentiles(scan_ms),
                "confirm_to_ready": percentiles(ready_ms),
            }
        )
    )


if __name__ == "__main__":
    main()
