"""Counter screen latency on a national-scale demo: what the agent waits for.

- scan to subscriber: from the scanner's Enter in the search box to the
  subscriber view on screen;
- confirm to ready: from Enter in the payment dialog to the empty search box
  ready for the next customer (the payment committed with synchronous FULL).

Runs the real window offscreen with the real background runner. Prints one
JSON line; builds the demo database like bench_foundation.py when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_foundation import bench_agent, percentiles, prepare  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.cash import current_cash_session, open_cash_session  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.printing.worker import PrintWorker  # noqa: E402
from app.station import load_station  # noqa: E402
from db.models import Invoice, InvoiceStatus, Subscriber  # noqa: E402
from ui.language import LanguageSwitch  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.qt import QApplication, QEvent, QKeyEvent, QObject, Qt  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402


def wait_until(app: QApplication, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        app.processEvents()
        # What app.exec() does between events and processEvents() does not: objects
        # handed to deleteLater() (closed dialogs, finished animations) go now.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")


def press_enter(widget: QObject) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            widget, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
        )


@dataclass
class CounterBench:
    """The real counter window, signed in, on the demo database; serves one customer at a time."""

    app: QApplication
    window: MainWindow
    runner: TaskRunner
    accounts: list[str]

    def serve(self, account: str) -> tuple[float, float]:
        """Scan, open the payment, Enter: (scan to subscriber, confirm to ready) in ms."""
        counter = self.window.counter
        counter.search.setText(account)
        start = time.perf_counter()
        press_enter(counter.search)
        wait_until(
            self.app,
            lambda: counter.subscriber is not None and counter.subscriber.account_number == account,
        )
        scan_ms = (time.perf_counter() - start) * 1000
        counter.open_payment()
        wait_until(self.app, lambda: counter.payment_dialog is not None)
        dialog = counter.payment_dialog
        assert dialog is not None
        start = time.perf_counter()
        dialog.submit()
        wait_until(self.app, lambda: counter.payment_dialog is None and counter.search.text() == "")
        return scan_ms, (time.perf_counter() - start) * 1000

    def settle(self) -> None:
        """Let the last receipt's preview and the background work finish."""
        wait_until(self.app, lambda: self.runner.pending == 0)

    def close(self) -> None:
        self.runner.close()
        self.window.close()
        self.window.deleteLater()
        self.app.processEvents()


def open_bench(
    database_url: str | None,
    subscribers: int,
    customers: int,
    worker: Callable[[AppContext, str], PrintWorker] | None = None,
) -> tuple[CounterBench, PrintWorker | None]:
    """The counter on the demo database (built when missing) and ``customers`` accounts
    that have open bills, in a fixed random order."""
    work = Path("/tmp/guichet-bench")
    work.mkdir(exist_ok=True)
    url = database_url or f"sqlite:///{work / f'demo-{subscribers}.db'}"
    database, ctx = prepare(url, subscribers, work / f"key-{subscribers}.pem")
    agent = bench_agent(ctx)
    station = load_station(database)
    if current_cash_session(database, station.ref) is None:
        open_cash_session(ctx, agent, station.ref, "0")
    with database.read() as session:
        accounts = list(
            session.scalars(
                select(Subscriber.account_number)
                .join(Invoice, Invoice.subscriber_id == Subscriber.id)
                .where(Invoice.status == InvoiceStatus.OPEN)
                .group_by(Subscriber.account_number)
                .limit(customers * 3)
            )
        )
    random.Random(5).shuffle(accounts)
    if len(accounts) < customers:
        raise SystemExit(
            f"only {len(accounts)} subscribers still have open bills: use a bigger demo"
        )
    accounts = accounts[:customers]

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    switch = LanguageSwitch()
    switch.apply("fr")
    printer = worker(ctx, station.ref) if worker is not None else None
    if printer is not None:
        printer.start()
    runner = TaskRunner()
    window = MainWindow(ctx, station, runner, switch, worker=printer)
    window.show()
    window.sign_in._signed_in(agent)  # signed in already: the benchmark is about serving
    app.processEvents()
    return CounterBench(app, window, runner, accounts), printer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    bench, _ = open_bench(args.database, args.subscribers, args.samples)
    scan_ms, ready_ms = [], []
    for account in bench.accounts:
        scan, ready = bench.serve(account)
        scan_ms.append(scan)
        ready_ms.append(ready)
    bench.settle()
    bench.close()
    print(
        json.dumps(
            {
                "subscribers": args.subscribers,
                "scan_to_subscriber": percentiles(scan_ms),
                "confirm_to_ready": percentiles(ready_ms),
            }
        )
    )


if __name__ == "__main__":
    main()
