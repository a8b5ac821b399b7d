"""`python main.py import FILE... [--check] [--kind K] [--encoding E] [--separator S]`."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from app.cli.main import main
from app.imports import apply, lock
from db.engine import Database
from tests.factories import World, build_world
from tests.imports.helpers import EXAMPLE_FILES, checksum, copy_examples, write


@pytest.fixture
def cli_world(sqlite_database: Database, tmp_path: Path) -> World:
    return build_world(sqlite_database, tmp_path / "keys")


def _run(world: World, tmp_path: Path, *args: str) -> int:
    key = str(tmp_path / "keys" / "signing-key.pem")
    return main(["--database", world.db.url, "--key-file", key, "import", *args])


def test_import_prints_the_report_saves_it_and_exits_0(
    cli_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_examples(tmp_path / "batch")
    assert _run(cli_world, tmp_path, *map(str, paths)) == 0
    out = capsys.readouterr().out
    assert "applied" in out
    assert "subscribers: 3 created, 0 updated, 0 unchanged, 0 refused" in out
    saved = paths[0].with_name(paths[0].name + ".report.txt")
    assert "subscribers: 3 created" in saved.read_text(encoding="utf-8")
    assert _run(cli_world, tmp_path, *map(str, paths)) == 0
    assert "subscribers: 0 created, 0 updated, 3 unchanged, 0 refused" in capsys.readouterr().out


def test_check_exits_0_and_writes_nothing_not_even_a_report(
    cli_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checksum(cli_world.db)
    paths = copy_examples(tmp_path / "batch")
    assert _run(cli_world, tmp_path, "--check", *map(str, paths)) == 0
    assert "checked, every line is accepted; nothing was written" in capsys.readouterr().out
    assert checksum(cli_world.db) == before
    assert not list((tmp_path / "batch").glob("*.report.txt"))


def test_a_refusal_exits_1_with_one_line_each(
    cli_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "subs.csv", "account_number,last_name,mobile\nA-1,Saadi,bad\nA-1,X,\n")
    assert _run(cli_world, tmp_path, str(path)) == 1
    out = capsys.readouterr().out.splitlines()
    assert "subs.csv, line 2, column mobile, value «bad»: not a phone number" in out
    assert (
        "subs.csv, line 3, column account_number, value «A-1»: the same key is already in "
        "this batch (subs.csv:2)" in out
    )
    assert "Import" in out[0] and "refused; nothing was written." in out[0]


def test_forced_kind_encoding_and_separator(
    cli_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path, "x.txt", "account_number|last_name\n", encoding="cp1256"
    )  # a header no kind recognises until forced
    path.write_bytes("account_number;last_name\nA-7;سعدي\n".encode("cp1256"))
    assert (
        _run(
            cli_world,
            tmp_path,
            "--kind",
            "subscribers",
            "--encoding",
            "cp1256",
            "--separator",
            ";",
            str(path),
        )
        == 0
    )
    assert "subscribers: 1 created" in capsys.readouterr().out


def test_bad_options_are_one_line_and_exit_2(
    cli_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "subs.csv", "account_number,last_name\nA-1,Saadi\n")
    assert _run(cli_world, tmp_path, "--separator", "|", str(path)) == 2
    assert capsys.readouterr().err.splitlines() == [
        "Error: | is not a separator: give , or ; or tab"
    ]
    assert _run(cli_world, tmp_path, "--encoding", "klingon", str(path)) == 2
    assert capsys.readouterr().err.splitlines() == [
        "Error: klingon is not an encoding: give utf-8, cp1256 or latin-1"
    ]
    assert _run(cli_world, tmp_path, str(tmp_path / "nope.csv")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.csv is not a file" in err[0]


def test_ctrl_c_rolls_everything_back_and_exits_130(
    cli_world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = checksum(cli_world.db)
    paths = copy_examples(tmp_path / "batch")
    real = apply._write_chunk
    calls = {"n": 0}

    def interrupted(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # after offers, products and subscribers were written
            raise KeyboardInterrupt
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(apply, "_write_chunk", interrupted)
    assert _run(cli_world, tmp_path, *map(str, paths)) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Import interrupted: everything was rolled back, nothing was written."]
    assert checksum(cli_world.db) == before


def _hold_the_lock(database_path: str, ready: object, release: object) -> None:
    with lock.lock_sqlite_file(database_path, "amina@counter-7 pid 1 since 2026-12-02 09:00:00"):
        ready.set()  # type: ignore[attr-defined]
        release.wait(30)  # type: ignore[attr-defined]


def test_a_second_import_is_refused_naming_who_imports(
    cli_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    path = cli_world.db.engine.url.database
    holder = context.Process(target=_hold_the_lock, args=(path, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        paths = copy_examples(tmp_path / "batch", EXAMPLE_FILES[:1])
        assert _run(cli_world, tmp_path, *map(str, paths)) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            "Error: Another import is running (amina@counter-7 pid 1 since 2026-12-02 "
            "09:00:00): try again when it has finished."
        ]
    finally:
        release.set()
        holder.join(30)
