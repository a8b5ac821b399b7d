"""A big file is read and parsed by a second process: same data, same report, nothing left.

Every test here makes every file "big" (the threshold at 0 bytes), so that the reading
really happens in a spawned process, and checks what an administrator would: the
database holds the same data as an import read in one process, each refusal names
the same file, line, column and value, and no reader process outlives the import,
whether it ends, is refused or is cancelled.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.imports import reader
from app.imports.apply import ImportOptions, import_files
from db.engine import Database
from tests.conftest import make_sqlite_database
from tests.factories import World, build_world
from tests.imports.helpers import by_key, checksum, copy_examples, lines, run, write

SUBSCRIBERS_HEADER = "account_number,first_name,last_name,name_ar,mobile\n"


@pytest.fixture
def second_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every file read in a second process; yields the names of the files so read."""
    monkeypatch.setattr(reader, "SECOND_PROCESS_FROM_BYTES", 0)
    monkeypatch.setattr(reader.os, "cpu_count", lambda: 2)
    start_reader = reader._start_reader
    names: list[str] = []

    def spy(source: reader.Source, *args: object) -> tuple[object, object] | None:
        started = start_reader(source, *args)  # type: ignore[arg-type]
        if started is not None:
            names.append(source.path.name)
        return started

    monkeypatch.setattr(reader, "_start_reader", spy)
    yield names
    assert multiprocessing.active_children() == [], "a reader process outlived the import"


def as_text(rows: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
    return [tuple(str(value) for value in row) for row in rows]


def subscribers(count: int, *, bad_line: int | None = None, duplicate_of: int | None = None) -> str:
    """``count`` subscribers; the subscriber on file line ``bad_line`` has a bad phone,
    the last line repeats the key of line ``duplicate_of``."""
    rows = [SUBSCRIBERS_HEADER]
    for n in range(count):
        line = n + 2
        phone = "not-a-phone" if line == bad_line else f"0555{n:06d}"
        rows.append(f"A-{n},Ali,Saadi {n},سعدي,{phone}\n")
    if duplicate_of is not None:
        rows.append(f"A-{duplicate_of - 2},Ali,Again,,\n")
    return "".join(rows)


def test_the_examples_give_the_same_data_read_in_a_second_process(
    world: World, tmp_path: Path, sqlite_template: Path, second_process: list[str]
) -> None:
    result = run(world.ctx, copy_examples(tmp_path / "elsewhere"))
    assert result.applied, lines(result)
    assert "invoices.csv" in second_process and "subscribers.csv" in second_process

    # The same batch read in this process, into a database of its own.
    here = make_sqlite_database(sqlite_template, tmp_path)
    try:
        other = build_world(here, tmp_path / "keys-here")
        reader_threshold = reader.SECOND_PROCESS_FROM_BYTES
        reader.SECOND_PROCESS_FROM_BYTES = 1 << 60
        try:
            again = run(other.ctx, copy_examples(tmp_path / "here"))
        finally:
            reader.SECOND_PROCESS_FROM_BYTES = reader_threshold
        assert again.applied
        # (as text: PostgreSQL gives dates where SQLite's raw query gives their text)
        assert as_text(by_key(world.db)) == as_text(by_key(here))
        assert {k: vars(c) for k, c in result.counts.items()} == {
            k: vars(c) for k, c in again.counts.items()
        }
    finally:
        here.dispose()


def test_refusals_name_the_same_lines_across_chunks(
    world: World, tmp_path: Path, second_process: list[str]
) -> None:
    # Past the reader's first chunk: line numbers and the first line of a duplicate
    # key must still be the file's own.
    count = reader.CHUNK_ROWS * 2 + 150
    path = write(
        tmp_path, "many.csv", subscribers(count, bad_line=reader.CHUNK_ROWS + 7, duplicate_of=3)
    )
    before = checksum(world.db)
    result = run(world.ctx, [path])
    assert second_process == ["many.csv"]
    assert lines(result) == [
        f"many.csv, line {reader.CHUNK_ROWS + 7}, column mobile, value «not-a-phone»: "
        "not a phone number",
        f"many.csv, line {count + 2}, column account_number, value «A-1»: the same key is "
        "already in this batch (many.csv:3)",
    ]
    assert result.counts["subscribers"].refused == 2
    assert not result.applied and checksum(world.db) == before


def test_a_file_unreadable_half_way_is_refused_at_its_line(
    world: World, tmp_path: Path, second_process: list[str]
) -> None:
    huge = "x" * (5 * 1024 * 1024)
    body = subscribers(reader.CHUNK_ROWS + 10) + f'A-huge,"{huge}",S,,\n'
    result = run(world.ctx, [write(tmp_path, "huge.csv", body)])
    assert second_process == ["huge.csv"]
    assert lines(result) == [
        f"huge.csv, line {reader.CHUNK_ROWS + 12}: a field is longer than 131072 characters: "
        "is this a table file?"
    ]
    assert not result.applied


def test_a_workbook_is_read_in_a_second_process_too(
    world: World, tmp_path: Path, second_process: list[str]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["offer_code", "name", "service", "monthly_fee"])
    sheet.append(["X-1", "Fibre XLSX", "ftth", 2900.5])
    sheet.append(["X-2", "ADSL XLSX", "adsl", -1])
    path = tmp_path / "offers.xlsx"
    book.save(path)
    result = run(world.ctx, [path])
    assert second_process == ["offers.xlsx"]
    assert lines(result) == ["offers.xlsx, line 3, column monthly_fee, value «-1»: negative"]


class Cancelled(Exception):
    pass


def test_where_no_process_can_start_the_file_is_read_here(
    world: World, tmp_path: Path, second_process: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(reader.multiprocessing.context.SpawnProcess, "start", refuse)
    result = run(world.ctx, [write(tmp_path, "few.csv", subscribers(3, bad_line=3))])
    assert second_process == []
    assert lines(result) == [
        "few.csv, line 3, column mobile, value «not-a-phone»: not a phone number"
    ]


def test_a_cancel_stops_the_reader_and_writes_nothing(
    database: Database, tmp_path: Path, second_process: list[str]
) -> None:
    world = build_world(database, tmp_path / "keys")
    path = write(tmp_path, "many.csv", subscribers(reader.CHUNK_ROWS * 5))
    before = checksum(world.db)
    seen: list[int] = []

    def progress(_name: str, done: int, _total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise Cancelled  # as the import screen's Cancel does, from the progress call

    with pytest.raises(Cancelled):
        import_files(world.ctx, [path], ImportOptions(), progress=progress)
    assert second_process == ["many.csv"]
    assert checksum(world.db) == before
    # The fixture checks that the reader is gone.
