"""Closing an outage over 100,000 contracts on a 1,000,000-subscriber SQLite database.

    .venv/bin/python tests/benchmarks/bench_outage.py
    .venv/bin/python tests/benchmarks/bench_outage.py --subscribers 200000 --hit 20000

The base database is built once, raw and fast (the operator, 20 agencies, the
subscribers through the demo's bulk writer, one contract each, placed in
communes and exchanges so that one commune holds exactly ``--hit`` live ADSL
lines, plus terminated, suspended and other-service lines there that the outage
must not hit), in ``/tmp/guichet-bench-outage/base-N.db`` with a key of its own
(``key-N.pem``); a file there signed with another key is refused. Each run copies
it to a scratch file beside it (deleted afterwards), adds a supervisor and a
charter whose "no service" commitment credits days of subscription, records an
outage on that commune through ``record_outage`` and times ``close_outage``
(find the contracts, compute, write the claims, sign and write the credits,
journal), then closes it again (nothing new: the idempotent path).

Floors, measured in the same run on the same scratch file:

- ``floor_insert_select_s``: one raw ``INSERT INTO ... SELECT`` of the same
  contracts (the same join and filters) into a scratch copy of the claims table;
- ``floor_sign_s``: raw Ed25519 signing of as many compensation records as the
  close signs (the same canonical signing input, without any database);
- ``floor_s``: their sum, and ``close_over_floor``;
- ``close_cpu_s`` and ``floor_sign_cpu_s``: this process's CPU time for each (the
  database is SQLite, in process), comparable on a loaded machine where wall times
  are not.

Prints one JSON line of figures (progress on stderr). Target: under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from app.auth import add_user  # noqa: E402
from app.compensation.ledger import compensation_record_of  # noqa: E402
from app.context import AppContext  # noqa: E402
from app.demo.bulk import BulkWriter  # noqa: E402
from app.demo.population import SUBSCRIBER_COLUMNS  # noqa: E402
from app.integrity.canonical import signing_input  # noqa: E402
from app.integrity.keys import Signer, create_signer, load_signer  # noqa: E402
from app.outages.fanout import affected_contracts_query, close_outage  # noqa: E402
from app.outages.records import OutageRequest, record_outage  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    Charter,
    CharterCommitment,
    Offer,
    OperatorSettings,
    SigningKey,
)

WORK = Path("/tmp/guichet-bench-outage")
COMMUNES = 10
AGENCIES = 20
BATCH = 50_000
FEE_MINOR = (160000, 240000, 350000)
LOGIN, PASSWORD = "bench-outage", "bench outage password"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def base_files(subscribers: int) -> tuple[Path, Path]:
    return WORK / f"base-{subscribers}.db", WORK / f"key-{subscribers}.pem"


def _contract_rows(first: int, count: int, hit: int, subscribers: int) -> list[tuple[object, ...]]:
    """One contract per subscriber. Commune C00 holds ``hit`` live ADSL lines; around
    them, in the same commune, lines the outage must leave alone."""
    rows: list[tuple[object, ...]] = []
    for index in range(first, first + count):
        ident = index + 1
        in_target = index < hit
        commune = "C00" if in_target else f"C{1 + index % (COMMUNES - 1):02d}"
        service, status, activated, suspended, terminated = (
            "adsl",
            "active",
            "2020-02-01",
            None,
            None,
        )
        if not in_target:
            kind = index % 10
            if kind == 0:
                service = "fixed_line"
            elif kind == 1:
                status, terminated = "terminated", "2023-05-01"
            elif kind == 2:
                status, suspended = "suspended", "2024-01-15"
            if index % 97 == 0:
                commune = "C00"  # the target commune, but not hit (another service, gone...)
                if kind > 2:
                    service = "fixed_line"
        agency = 1 + index % AGENCIES
        rows.append(
            (
                ident,
                f"K{ident:09d}",
                ident,
                service,
                f"+21321{ident:07d}",
                None,
                1 + index % len(FEE_MINOR),
                status,
                "2020-01-15",
                activated,
                suspended,
                terminated,
                agency,
                commune,
                f"X{commune}{index % 7}",
            )
        )
    return rows


CONTRACT_COLUMNS = (
    "id",
    "number",
    "subscriber_id",
    "service",
    "line_e164",
    "meter_number",
    "offer_id",
    "status",
    "requested_on",
    "activated_on",
    "suspended_on",
    "terminated_on",
    "agency_id",
    "commune",
    "exchange_code",
)


def ensure_base(subscribers: int, hit: int) -> float | None:
    """Build the base database once with a key of its own; the build seconds, or
    None when it was there (refused when signed with another key)."""
    path, key_file = base_files(subscribers)
    WORK.mkdir(exist_ok=True)
    if path.exists():
        database = Database(f"sqlite:///{path}")
        with database.read() as session:
            keys = list(session.scalars(select(SigningKey.key_id)))
        database.dispose()
        if not key_file.exists() or load_signer(key_file).key_id not in keys:
            raise SystemExit(f"{path} is not signed with {key_file}: not ours, refusing it")
        return None
    log(f"building the {subscribers:,}-subscriber base in {path} ...")
    began = time.perf_counter()
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    signer = create_signer(key_file)
    with database.write() as session:
        signer.register(session)
        session.add(
            OperatorSettings(
                code="BENCH",
                name="Télécom Algérie Banc",
                country="DZ",
                currency="DZD",
                default_language="fr",
                timezone="Africa/Algiers",
            )
        )
        for number in range(1, AGENCIES + 1):
            session.add(
                Agency(code=f"A{number:02d}", name=f"Agence {number}", timezone="Africa/Algiers")
            )
        for number, fee in enumerate(FEE_MINOR, start=1):
            session.add(
                Offer(
                    code=f"ADSL{number}",
                    name=f"ADSL {number}",
                    service="adsl",
                    monthly_fee_minor=fee,
                )
            )
    with database.engine.connect() as connection:
        writer = BulkWriter(connection)
        writer.tune()
        for first in range(0, subscribers, BATCH):
            count = min(BATCH, subscribers - first)
            with connection.begin():
                writer.insert(
                    "subscribers",
                    SUBSCRIBER_COLUMNS,
                    [
                        (
                            i + 1,
                            f"{7000000000 + i}",
                            "Amel",
                            f"Abonné{i}",
                            None,
                            f"amel abonne{i}",
                            None,
                            "Alger",
                            "16000",
                            None,
                            "fr",
                            "2020-01-01",
                        )
                        for i in range(first, first + count)
                    ],
                )
                writer.insert(
                    "contracts", CONTRACT_COLUMNS, _contract_rows(first, count, hit, subscribers)
                )
            log(f"  {first + count:,} subscribers ({time.perf_counter() - began:.0f} s)")
        with connection.begin():
            writer.after_load(["subscribers", "contracts"])
        writer.untune()
    database.dispose()
    return time.perf_counter() - began


def prepare(database: Database, signer: Signer, now: datetime) -> AppContext:
    ctx = AppContext(database, signer, lambda: now)
    add_user(ctx, LOGIN, role="supervisor", password=PASSWORD)
    with database.write() as session:
        charter = Charter(
            version=1,
            effective_from=datetime(2020, 1, 1, tzinfo=UTC),
            title="Charte du banc",
            loaded_at=now,
            loaded_by="bench",
            source_text="",
            source_sha256="0" * 64,
        )
        session.add(charter)
        session.flush()
        session.add(
            CharterCommitment(
                charter_id=charter.id,
                position=1,
                code="PANNE",
                texts=json.dumps({"fr": {"title": "Panne", "text": "Jours offerts"}}),
                services=json.dumps(["adsl", "ftth", "fixed_line"]),
                categories=json.dumps(["no_service"]),
                clock="real_time",
                target_minutes=1440,
                pauses_when_waiting=False,
                needs_proof=False,
                rule_kind="days_credit",
                rule=json.dumps(
                    {"days": 1, "per_hours": 24, "threshold_hours": 24, "cap_days": 30}
                ),
                automatic=True,
                approval_above_minor=None,
            )
        )
    return ctx


def floor_insert_select(
    path: Path, database: Database, start: datetime, end: datetime
) -> tuple[float, int]:
    """The same contracts, found and written as claim-like rows by one raw statement."""
    query = affected_contracts_query(
        service="adsl",
        scope="communes",
        values=["C00"],
        started_at=start,
        ended_at=end,
        timezone="Africa/Algiers",
    )
    compiled = query.compile(database.engine, compile_kwargs={"literal_binds": True})
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(
            "CREATE TABLE bench_floor_claims AS SELECT * FROM compensation_claims WHERE 0"
        )
        connection.execute(
            "CREATE UNIQUE INDEX bench_floor_claims_key ON bench_floor_claims"
            " (source, source_id, contract_id, commitment_code)"
        )
        began = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            "INSERT INTO bench_floor_claims (id, source, source_id, subscriber_id, contract_id,"
            " charter_id, commitment_code, rule_kind, basis, kind, invoice_id, amount_minor,"
            " currency, status, created_at)"
            " SELECT NULL, 'outage', 999, f.subscriber_id, f.id, 1, 'PANNE', 'days_credit', '{}',"
            " 'credit', NULL, f.monthly_fee_minor / 15, 'DZD', 'applied', '2026-01-01 00:00:00'"
            f" FROM ({compiled}) AS f"
        )
        connection.execute("COMMIT")
        seconds = time.perf_counter() - began
        return seconds, cursor.rowcount
    finally:
        connection.close()


def floor_sign(signer: Signer, count: int) -> float:
    """Ed25519 over as many compensation records as the close signs, nothing else."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    prev = ""
    for seq in range(1, count + 1):
        record = compensation_record_of(
            {
                "uid": str(uuid.uuid4()),
                "claim_id": seq,
                "subscriber_id": seq,
                "contract_id": seq,
                "invoice_id": None,
                "kind": "credit",
                "source": "outage",
                "amount_minor": 10667,
                "currency": "DZD",
                "created_at": now,
                "agency_id": None,
                "business_day": None,
            }
        )
        prev = signer.sign(signing_input("compensations", seq, record, prev))
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--hit", type=int, default=100_000)
    args = parser.parse_args()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    build_s = ensure_base(args.subscribers, args.hit)
    path, key_file = base_files(args.subscribers)
    scratch = WORK / f"scratch-{os.getpid()}.db"
    log(f"copying {path.name} to {scratch.name} ...")
    shutil.copyfile(path, scratch)
    figures: dict[str, object] = {"subscribers": args.subscribers, "build_s": build_s}
    try:
        database = Database(f"sqlite:///{scratch}")
        signer = load_signer(key_file)
        now = datetime.now(UTC).replace(microsecond=0)
        start, end = now - timedelta(days=3), now - timedelta(hours=20)  # 52 h: two days' credit
        ctx = prepare(database, signer, now)
        from app.auth import authenticate

        actor = authenticate(ctx, LOGIN, PASSWORD)
        summary = record_outage(
            ctx,
            actor,
            OutageRequest("adsl", "communes", ["C00"], start, end, "Bench: fibre cut"),
        )
        log("closing the outage ...")
        began = time.perf_counter()
        cpu = time.process_time()
        outcome = close_outage(ctx, actor, summary.id)
        close_s = time.perf_counter() - began
        close_cpu_s = time.process_time() - cpu
        log(f"  {outcome.affected:,} contracts, {outcome.created:,} claims in {close_s:.1f} s")
        began = time.perf_counter()
        again = close_outage(ctx, actor, summary.id)
        again_s = time.perf_counter() - began
        database.dispose()
        log("floors ...")
        insert_s, inserted = floor_insert_select(scratch, database, start, end)
        cpu = time.process_time()
        sign_s = floor_sign(signer, outcome.applied)
        sign_cpu_s = time.process_time() - cpu
        floor_s = insert_s + sign_s
        figures.update(
            affected=outcome.affected,
            claims_created=outcome.created,
            applied=outcome.applied,
            compensated_minor=outcome.compensated_minor,
            close_s=round(close_s, 2),
            close_cpu_s=round(close_cpu_s, 2),
            close_again_s=round(again_s, 2),
            close_again_created=again.created,
            close_again_already_there=again.already_there,
            floor_insert_select_s=round(insert_s, 2),
            floor_insert_select_rows=inserted,
            floor_sign_s=round(sign_s, 2),
            floor_sign_cpu_s=round(sign_cpu_s, 2),
            close_cpu_over_sign_cpu=round(close_cpu_s / sign_cpu_s, 2) if sign_cpu_s else None,
            floor_s=round(floor_s, 2),
            close_over_floor=round(close_s / floor_s, 2) if floor_s else None,
            cores=os.cpu_count(),
            load_at_start=load_at_start,
            load_at_end=[round(x, 2) for x in os.getloadavg()],
            target_s=60,
        )
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
