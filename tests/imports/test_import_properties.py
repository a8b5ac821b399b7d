"""Any batch split into any number of files, in any order, imports to the same data."""

from __future__ import annotations

import uuid
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_sqlite_database
from tests.factories import build_world
from tests.imports.helpers import by_key, lines, run, write

HEADERS = {
    "offers": "offer_code,name,service,monthly_fee",
    "subscribers": "account_number,first_name,last_name,name_ar,mobile",
    "contracts": "contract_number,account_number,offer_code,status,requested_on,activated_on",
    "invoices": "invoice_number,contract_number,period_start,period_end,issue_date,due_date,"
    "amount,late_fee,barcode",
    "payments": "payment_reference,invoice_number,amount,channel,paid_on",
}


def _batch() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {kind: [] for kind in HEADERS}
    rows["offers"] = ["O-1,Fibre,ftth,2900", "O-2,ADSL,adsl,1600.50"]
    for n in range(1, 9):
        rows["subscribers"].append(f"A-{n},Prénom {n},Nom {n},اسم {n},0550 00 00 {n:02d}")
        rows["contracts"].append(f"C-{n},A-{n},O-{1 + n % 2},active,2024-01-0{n},2024-01-1{n}")
        for month in (10, 11, 12):
            rows["invoices"].append(
                f"F-{n}-{month},C-{n},2024-{month}-01,2024-{month}-28,2024-{month}-05,"
                f"2025-01-{n:02d},{1000 + n}.25,0,B{n}{month}"
            )
        if n % 3 == 0:
            rows["payments"].append(f"P-{n},F-{n}-10,{500 + n},post_office,2024-11-20")
    return rows


BATCH = _batch()
ALL_ROWS = [(kind, row) for kind, rows in BATCH.items() for row in rows]


def _import(directory: Path, template: Path, files: list[tuple[str, list[str]]]) -> list[object]:
    directory.mkdir(parents=True)
    database = make_sqlite_database(template, directory)
    try:
        world = build_world(database, directory / "keys")
        paths = [
            write(directory, f"{index}-{kind}.csv", HEADERS[kind] + "\n" + "\n".join(rows) + "\n")
            for index, (kind, rows) in enumerate(files)
        ]
        result = run(world.ctx, paths)
        assert result.ok and result.applied, lines(result)
        return list(by_key(database))
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def reference(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    directory = tmp_path_factory.mktemp("reference") / "one"
    return _import(directory, sqlite_template, [(kind, rows) for kind, rows in BATCH.items()])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_split_in_any_order_gives_the_same_database(
    data: st.DataObject,
    reference: list[object],
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    files: list[tuple[str, list[str]]] = []
    for kind, rows in BATCH.items():
        shuffled = data.draw(st.permutations(rows), label=f"{kind} order")
        parts = data.draw(st.integers(1, min(4, len(rows))), label=f"{kind} files")
        cuts = sorted(
            data.draw(
                st.lists(
                    st.integers(1, len(rows) - 1) if len(rows) > 1 else st.nothing(),
                    min_size=parts - 1,
                    max_size=parts - 1,
                    unique=True,
                ),
                label=f"{kind} cuts",
            )
        )
        bounds = [0, *cuts, len(rows)]
        files.extend((kind, list(shuffled[a:b])) for a, b in pairwise(bounds))
    order = data.draw(st.permutations(files), label="files order")
    directory = tmp_path_factory.mktemp("split") / uuid.uuid4().hex[:8]
    assert _import(directory, sqlite_template, list(order)) == reference
