"""`python main.py charter load|show`: an administrator loads a file; anyone reads it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth import add_user
from app.cli.main import main
from app.demo.charter import load_demo_charter
from db.engine import Database
from db.models import Charter, JournalEvent
from tests.factories import PASSWORD, World, build_world
from tests.test_charter import V1, V2


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_user(world.ctx, "root", role="admin", password=PASSWORD, full_name="Admin")
    return world


def _run(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    password: str = PASSWORD,
) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    key = str(tmp_path / "keys" / "signing-key.pem")
    return main(["--database", world.db.url, "--key-file", key, *args])


def _file(tmp_path: Path, text: str, name: str = "charte.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _charters(world: World) -> int:
    with world.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Charter)) or 0)


def _journal(world: World) -> int:
    with world.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(JournalEvent)) or 0)


def test_an_admin_loads_a_file_and_show_prints_it_in_each_language(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _file(tmp_path, V1)
    assert _run(world, tmp_path, monkeypatch, "charter", "load", path, "--admin", "root") == 0
    out = capsys.readouterr().out
    assert out.startswith("Charter version 1 loaded by root: 2 commitment(s), in force from ")
    assert _run(world, tmp_path, monkeypatch, "charter", "show") == 0
    out = capsys.readouterr().out
    assert "Charter version 1: Charte 2026" in out
    assert "1. [DERANGEMENT] Fault repaired within 72 hours" in out
    assert "   Target: 3 calendar days." in out
    assert (
        "   Compensation: 1 day of subscription credited for every started 24 hours of "
        "downtime beyond 72 hours, at most 15 days. Given automatically up to "
        "DZD\xa02,000.00; above, a supervisor approves it."
    ) in out
    assert (
        "   Target: 16 business hours (while the agency is open); the clock pauses while "
        "waiting for the customer."
    ) in out
    assert "Compensation: No compensation: a breach is recorded" in out
    assert _run(world, tmp_path, monkeypatch, "charter", "show", "--language", "ar") == 0
    out = capsys.readouterr().out
    assert "[DERANGEMENT] إصلاح العطب في أجل 72 ساعة" in out
    assert _run(world, tmp_path, monkeypatch, "charter", "show", "--language", "fr") == 0
    assert "[FACTURE] Facture non reçue" in capsys.readouterr().out


def test_a_later_version_and_the_source_as_loaded(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        _run(
            world, tmp_path, monkeypatch, "charter", "load", _file(tmp_path, V1), "--admin", "root"
        )
        == 0
    )
    later = _file(tmp_path, V2, "charte-2027.toml")
    args = ("charter", "load", later, "--admin", "root", "--effective-from", "2030-01-01")
    assert _run(world, tmp_path, monkeypatch, *args) == 0
    assert "in force from 2030-01-01 00:00" in capsys.readouterr().out
    # The version in force today is shown first, the next one listed under it.
    assert _run(world, tmp_path, monkeypatch, "charter", "show") == 0
    out = capsys.readouterr().out
    assert "Charter version 1: Charte 2026" in out
    assert "  version 2: Charte 2027, from 2030-01-01 00:00, loaded by root" in out
    assert _run(world, tmp_path, monkeypatch, "charter", "show", "--version", "2", "--source") == 0
    out = capsys.readouterr().out
    assert "Target: 2 calendar days." in out and out.endswith(V2)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--admin", "root"),
            [
                "Error: charte.toml, line 13: Unknown service fibre: use one of fixed_line, adsl, "
                "ftth, lte, mobile, electricity, gas, water.",
                "Error: charte.toml, line 16: target_days must be a whole number of at least 1, "
                "not -3.",
            ],
        ),
    ],
)
def test_a_bad_file_is_one_line_per_problem_exit_2_and_nothing_written(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    expected: list[str],
) -> None:
    bad = V1.replace('"adsl"]', '"adsl", "fibre"]', 1).replace(
        "target_days = 3", "target_days = -3"
    )
    before = _journal(world)
    assert _run(world, tmp_path, monkeypatch, "charter", "load", _file(tmp_path, bad), *args) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == expected
    assert "Traceback" not in captured.err and captured.out == ""
    # Checked before the sign-in: no attempt spent, nothing written.
    assert _charters(world) == 0 and _journal(world) == before


@pytest.mark.parametrize(
    ("extra", "password", "message"),
    [
        (("--admin", "karim"), PASSWORD, "Error: This needs the admin role; karim is supervisor."),
        (("--admin", "root"), "wrong password", "Error: "),
        (
            ("--admin", "root", "--effective-from", "2020-01-01"),
            PASSWORD,
            "Error: The charter cannot take effect in the past (2020-01-01 00:00)",
        ),
        (
            ("--admin", "root", "--effective-from", "tomorrow"),
            PASSWORD,
            "Error: tomorrow is not a date or a moment",
        ),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_no_charter(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    password: str,
    message: str,
) -> None:
    path = _file(tmp_path, V1)
    code = _run(world, tmp_path, monkeypatch, "charter", "load", path, *extra, password=password)
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(message)
    assert _charters(world) == 0


def test_the_same_file_twice_a_missing_file_and_a_missing_version(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _file(tmp_path, V1)
    assert _run(world, tmp_path, monkeypatch, "charter", "load", path, "--admin", "root") == 0
    capsys.readouterr()
    assert _run(world, tmp_path, monkeypatch, "charter", "load", path, "--admin", "root") == 2
    assert capsys.readouterr().err == (
        "Error: This file is identical to charter version 1, already loaded: nothing to do.\n"
    )
    missing = str(tmp_path / "nowhere.toml")
    assert _run(world, tmp_path, monkeypatch, "charter", "load", missing, "--admin", "root") == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: Cannot read the charter file ") and len(err.splitlines()) == 1
    assert _run(world, tmp_path, monkeypatch, "charter", "show", "--version", "7") == 2
    assert capsys.readouterr().err == "Error: There is no charter version 7.\n"
    assert _charters(world) == 1


def test_show_without_a_charter_says_how_to_load_one(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(world, tmp_path, monkeypatch, "charter", "show") == 0
    assert capsys.readouterr().out == (
        "No charter is loaded yet: load one with python main.py charter load FILE --admin LOGIN.\n"
    )


def test_verify_holds_after_loads_from_the_command_line_and_the_demo(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The demo builder's way: in its own session, journalled with the database's signer.
    with world.db.write() as session:
        charter = load_demo_charter(session, "dz", signer=world.ctx.signer)
        assert charter.version == 1
    assert (
        _run(
            world, tmp_path, monkeypatch, "charter", "load", _file(tmp_path, V1), "--admin", "root"
        )
        == 0
    )
    assert _run(world, tmp_path, monkeypatch, "verify") == 0
    assert _charters(world) == 2
