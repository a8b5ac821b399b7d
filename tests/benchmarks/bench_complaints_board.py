"""The supervisor's board of complaints with 10,000 open complaints: the query and the
table filled and drawn, next to a floor measured in the same run.

Target: under 200 ms from asking to a board on screen (query + model fill + first
paint). The floor is a raw DB-API SELECT of the same rows (the same columns, joins
and order), through the engine's own driver connection. Prints one JSON line;
asserts nothing.

    .venv/bin/python tests/benchmarks/bench_complaints_board.py [--complaints 10000] [--runs 20]
    .venv/bin/python tests/benchmarks/bench_complaints_board.py --postgres postgresql://postgres@127.0.0.1/postgres

With ``--postgres ADMIN_URL`` it runs on a PostgreSQL database of its own (created
from the URL's server, migrated, dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert, select

from app.complaints.board import Board, BoardFilters, _select_rows, complaints_board
from db import migrate
from db.engine import Database
from db.models import (
    CommitmentClock,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    Contract,
    Staff,
)
from tests.factories import NOW, add_subscriber, build_world
from tests.test_complaint_world import add_charter
from ui.supervisor.complaints_board import FIRST_PAGE

SUBSCRIBERS = 500
EVERYTHING = BoardFilters()


def timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    action()  # warm: statement caches, calendars, fonts
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def fill(database: Database, count: int, seed: int = 1) -> None:
    """``count`` complaints still being handled, of every clock, some past their deadline."""
    rng = random.Random(seed)
    with database.read() as session:
        contracts = session.execute(
            select(Contract.id, Contract.subscriber_id).order_by(Contract.id)
        ).all()
        staff = session.scalars(select(Staff.id)).all()
    clocks = [
        (CommitmentClock.BUSINESS_HOURS, 480, "FAULT-8H"),
        (CommitmentClock.CALENDAR_DAYS, 14400, "BILL-10D"),
        (CommitmentClock.REAL_TIME, 3, "HOTLINE-3M"),
        (None, None, None),
    ]
    rows: list[dict[str, Any]] = []
    for index in range(count):
        contract_id, subscriber_id = contracts[index % len(contracts)]
        clock, target, code = clocks[rng.choices(range(4), weights=(5, 3, 1, 1))[0]]
        opened = NOW - timedelta(minutes=rng.randint(0, 30 * 1440))
        status = rng.choice(ComplaintStatus.ACTIVE)
        paused = status == ComplaintStatus.WAITING_CUSTOMER and clock is not None
        due = (
            None if clock is None or paused else opened + timedelta(minutes=rng.randint(60, 20000))
        )
        rows.append(
            {
                "number": f"ALG01-2026-{index + 1:06d}",
                "agency_id": 1,
                "workstation_id": 1,
                "subscriber_id": subscriber_id,
                "contract_id": contract_id,
                "category": rng.choice(ComplaintCategory.ALL),
                "channel": ComplaintChannel.COUNTER,
                "description": "Plus de connexion depuis hier, le modem clignote en rouge",
                "proof_reference": None,
                "language": "fr",
                "opened_at": opened,
                "opened_by_id": staff[0],
                "assigned_to_id": rng.choice([None, *staff]),
                "status": status,
                "charter_id": 1 if clock else None,
                "commitment_code": code,
                "clock": clock,
                "target_minutes": target,
                "used_minutes": rng.randint(0, 60) if paused else 0,
                "running_since": None if paused or clock is None else opened,
                "due_at": due,
                "breached_at": due
                if due is not None and due < NOW and rng.random() < 0.5
                else None,
                "updated_at": opened,
            }
        )
    with database.write() as session:
        session.execute(insert(Complaint), rows)


def raw_floor(database: Database, now: datetime) -> tuple[Callable[[], int], Any]:
    """The board's SELECT through the driver, without the ORM: compiled once, run raw."""
    statement = _select_rows(now, full=False).where(Complaint.status.in_(ComplaintStatus.ACTIVE))
    compiled = statement.compile(
        dialect=database.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = str(compiled)
    params = compiled.params
    if database.is_sqlite:
        values: Any = tuple(
            (v.replace(tzinfo=None) if isinstance(v, datetime) else v)
            for v in (params[name] for name in compiled.positiontup or [])
        )
    else:
        values = {k: v for k, v in params.items()}
    connection = database.engine.raw_connection()

    def run() -> int:
        cursor = connection.cursor()
        cursor.execute(sql, values)
        rows = cursor.fetchall()
        cursor.close()
        return len(rows)

    return run, connection


def model_figures(
    board_of: Callable[[], Board], board_of_page: Callable[[], Board], runs: int
) -> dict[str, Any]:
    """The board's table filled and drawn (its first screen's clocks counted)."""
    from ui.qt import QApplication, QTableView
    from ui.supervisor.complaints_board import BoardModel

    app = QApplication.instance() or QApplication([])
    view = QTableView()
    model = BoardModel()
    view.setModel(model)
    view.resize(1366, 700)
    view.show()
    app.processEvents()

    def fill_and_draw() -> None:
        model.set_board(board_of())
        view.viewport().repaint()  # the first screen's cells, clocks included

    board = board_of()

    def fill_only() -> None:
        model.set_board(board)
        view.viewport().repaint()

    def first_page() -> None:
        model.set_board(board_of_page())
        view.viewport().repaint()

    return {
        "model_fill_and_paint": timed(fill_only, runs),
        "query_fill_and_paint": timed(fill_and_draw, runs),
        "first_page_to_show": timed(first_page, runs),
    }


@contextmanager
def bench_database(postgres: str | None) -> Iterator[Database]:
    if postgres is None:
        folder = Path(tempfile.mkdtemp(prefix="guichet-bench-complaints-"))
        database = Database(f"sqlite:///{folder}/bench.db")
        migrate.upgrade(database)
        yield database
        database.dispose()
        return
    import psycopg

    name = f"guichet_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = Database(postgres.rsplit("/", 1)[0] + f"/{name}")
    try:
        migrate.upgrade(database)
        yield database
    finally:
        database.dispose()
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", metavar="ADMIN_URL")
    args = parser.parse_args()
    with bench_database(args.postgres) as database:
        world = build_world(database, Path(tempfile.mkdtemp(prefix="guichet-bench-keys-")))
        for index in range(SUBSCRIBERS):
            add_subscriber(database, f"B{index:07d}")
        add_charter(database)
        started = time.perf_counter()
        fill(database, args.complaints)
        print(
            f"  {args.complaints} complaints written in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        now = NOW.astimezone(UTC)

        def board_of(filters: BoardFilters = EVERYTHING) -> Board:
            return complaints_board(database, world.supervisor, filters, now=now)

        board = board_of()
        floor, floor_connection = raw_floor(database, now)
        figures: dict[str, Any] = {
            "backend": database.dialect,
            "complaints": args.complaints,
            "rows_on_board": len(board.rows),
            "breaches": board.breaches,
            "board_query": timed(board_of, args.runs),
            "raw_select_floor": timed(floor, args.runs),
            "board_query_filtered": timed(
                lambda: board_of(
                    BoardFilters(agency="ALG01", category=ComplaintCategory.NO_SERVICE)
                ),
                args.runs,
            ),
            "board_query_breached_only": timed(
                lambda: board_of(BoardFilters(breached_only=True)), args.runs
            ),
        }
        figures.update(
            model_figures(
                board_of,
                lambda: complaints_board(
                    database, world.supervisor, BoardFilters(), now=now, limit=FIRST_PAGE
                ),
                args.runs,
            )
        )
        figures["query_vs_floor_p50"] = round(
            figures["board_query"]["p50_ms"] / max(figures["raw_select_floor"]["p50_ms"], 0.01), 2
        )
        figures["target_ms"] = {"to_show": 200}
        assert floor() == len(board.rows)
        floor_connection.close()  # before the benchmark's database is dropped
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
