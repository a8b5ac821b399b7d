"""`python main.py outage record|end|close|list|show` from a supervisor's terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli.main import main
from db.engine import Database
from tests.factories import PASSWORD, World, build_world
from tests.test_outages import HIT, TWO_DAYS, add_charter, populate


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    from db.models import Agency

    world = build_world(sqlite_database, tmp_path / "keys")
    with sqlite_database.write() as session:
        session.add(Agency(code="ORN01", name="Oran", timezone="Africa/Algiers"))
    add_charter(sqlite_database)
    populate(sqlite_database)
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


SUPERVISOR = ("--supervisor", "karim")


def test_record_end_close_list_and_show(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = ("outage", "record", "--service", "adsl", "--scope", "exchanges", "ALC1")
    # 09:00 in Algiers is 08:00 UTC: the tests' START; the end 49 hours later.
    assert (
        _run(world, tmp_path, monkeypatch, *record, "--start", "2026-11-18 09:00", *SUPERVISOR) == 0
    )
    out = capsys.readouterr().out
    assert "Outage INT-2026-00001 recorded." in out
    assert "from 2026-11-18 09:00 to -" in out
    end = ("outage", "end", "int-2026-00001", "--at", "2026-11-20T09:00:00+00:00", *SUPERVISOR)
    assert _run(world, tmp_path, monkeypatch, *end) == 0
    assert "to 2026-11-20 10:00" in capsys.readouterr().out
    assert _run(world, tmp_path, monkeypatch, "outage", "close", "INT-2026-00001", *SUPERVISOR) == 0
    out = capsys.readouterr().out
    assert f"{len(HIT)} contract(s) hit; {len(HIT)} new claim(s): {len(HIT)} applied" in out
    assert "Compensated in all: DZD\xa0320.01 (commitment OUTAGE)." in out
    assert TWO_DAYS * 3 == 32001
    assert _run(world, tmp_path, monkeypatch, "outage", "close", "INT-2026-00001", *SUPERVISOR) == 0
    assert "0 new claim(s)" in capsys.readouterr().out
    assert _run(world, tmp_path, monkeypatch, "outage", "list", "--state", "closed") == 0
    out = capsys.readouterr().out
    assert out.startswith("INT-2026-00001  ADSL  Closed  from 2026-11-18 09:00 to 2026-11-20 10:00")
    assert "closed by karim" in out
    assert _run(world, tmp_path, monkeypatch, "outage", "show", "INT-2026-00001") == 0
    assert "recorded by karim" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (
                "record",
                "--service",
                "adsl",
                "--scope",
                "agencies",
                "ZZZ",
                "--start",
                "2026-11-18 09:00",
            ),
            "Error: There is no agency ZZZ.",
        ),
        (
            (
                "record",
                "--service",
                "adsl",
                "--scope",
                "lines",
                "0x",
                "--start",
                "2026-11-18 09:00",
            ),
            "Error: 0x is not a line number.",
        ),
        (
            ("record", "--service", "adsl", "--scope", "agencies", "ALG01", "--start", "yesterday"),
            "Error: yesterday is not a time for the outage's start: give it as YYYY-MM-DD HH:MM.",
        ),
        (
            (
                "record",
                "--service",
                "adsl",
                "--scope",
                "agencies",
                "ALG01",
                "--start",
                "2026-11-18 09:00",
                "--end",
                "2026-11-18 08:00",
            ),
            "Error: The outage's end must come after its start.",
        ),
        (("close", "INT-2026-00099"), "Error: There is no outage INT-2026-00099."),
    ],
)
def test_refusals_are_one_translated_line_and_exit_2(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    assert _run(world, tmp_path, monkeypatch, "outage", *args, *SUPERVISOR) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == message
    assert "Traceback" not in captured.err


def test_a_wrong_password_or_an_agent_is_refused(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = (
        "outage",
        "record",
        "--service",
        "adsl",
        "--scope",
        "agencies",
        "ALG01",
        "--start",
        "2026-11-18 09:00",
    )
    assert _run(world, tmp_path, monkeypatch, *record, *SUPERVISOR, password="wrong") == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert _run(world, tmp_path, monkeypatch, *record, "--supervisor", "amina") == 2
    assert "supervisor" in capsys.readouterr().err
    assert _run(world, tmp_path, monkeypatch, "outage", "list") == 0
    assert capsys.readouterr().out.strip() == "No outage."
