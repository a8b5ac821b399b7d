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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_foundation import bench_agent, percentiles, prepare  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.cash import current_cash_session, open_cash_session  # noqa: E402
from app.station import load_station  # noqa: E402
from db.models import Invoice, InvoiceStatus, Subscriber  # noqa: E402
from ui.language import LanguageSwitch  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.qt import QApplication, QEvent, QKeyEvent, Qt  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402


def wait_until(app: QApplication, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")


def press_enter(widget: object) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            widget,
            QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),  # type: ignore[arg-type]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    work = Path("/tmp/guichet-bench")
    work.mkdir(exist_ok=True)
    url = args.database or f"sqlite:///{work / f'demo-{args.subscribers}.db'}"
    database, ctx = prepare(url, args.subscribers, work / f"key-{args.subscribers}.pem")
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
                .limit(args.samples * 3)
            )
        )
    random.Random(5).shuffle(accounts)
    accounts = accounts[: args.samples]

    app = QApplication.instance() or QApplication([])
    switch = LanguageSwitch()
    switch.apply("fr")
    window = MainWindow(ctx, station, TaskRunner(), switch)
    window.show()
    window.sign_in._signed_in(agent)  # signed in already: the benchmark is about serving
    app.processEvents()
    counter = window.counter
    scan_ms, ready_ms = [], []
    for account in accounts:
        counter.search.setText(account)
        start = time.perf_counter()
        press_enter(counter.search)
        wait_until(
            app,
            lambda a=account: (
                counter.subscriber is not None and counter.subscriber.account_number == a
            ),
        )
        scan_ms.append((time.perf_counter() - start) * 1000)
        counter.open_payment()
        wait_until(app, lambda: counter.payment_dialog is not None)
        dialog = counter.payment_dialog
        assert dialog is not None
        start = time.perf_counter()
        dialog.submit()
        wait_until(app, lambda: counter.payment_dialog is None and counter.search.text() == "")
        ready_ms.append((time.perf_counter() - start) * 1000)
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
