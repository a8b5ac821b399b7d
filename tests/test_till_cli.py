"""`python main.py till status`: the tills as IT sees them, exit codes and errors."""

from __future__ import annotations

from pathlib import Path

from app.closing.counts import CountInput
from app.closing.tills import close_till
from db.engine import Database
from tests.factories import PASSWORD, WORKSTATION, build_world
from tests.test_cli import run


def test_till_status_lists_each_counter_without_expected_cash(
    sqlite_database: Database, tmp_path: Path
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    result = run("--database", sqlite_database.url, "till", "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ALG01-G01: counted, awaiting review, till #1 of amina, opened ")
    assert "float DZD" in lines[0] and "5,000.00" in lines[0]
    assert lines[1].startswith("  closed ") and lines[1].endswith(": closed with the agent's count")
    assert lines[2].startswith("ALG01-G02: open, till #2 of yacine")
    assert "expected" not in result.stdout
    one = run("--database", sqlite_database.url, "till", "status", "--workstation", "ALG01-G02")
    assert one.returncode == 0 and one.stdout.count("ALG01-") == 1


def test_expected_cash_needs_a_supervisors_password(
    sqlite_database: Database, tmp_path: Path
) -> None:
    build_world(sqlite_database, tmp_path / "keys")
    key = str(tmp_path / "keys" / "signing-key.pem")
    base = ("--database", sqlite_database.url, "--key-file", key, "till", "status")
    shown = run(*base, "--supervisor", "karim", stdin=f"{PASSWORD}\n")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("expected cash now: DZD\xa05,000.00") == 2
    agent = run(*base, "--supervisor", "amina", stdin=f"{PASSWORD}\n")
    assert agent.returncode == 2 and "needs the supervisor role" in agent.stderr
    assert "expected" not in agent.stdout
    wrong = run(*base, "--supervisor", "karim", stdin="not the password\n")
    assert wrong.returncode == 2 and "Wrong login or password" in wrong.stderr


def test_till_status_errors_are_one_line_and_exit_two(
    sqlite_database: Database, tmp_path: Path
) -> None:
    build_world(sqlite_database, tmp_path / "keys")
    unknown = run("--database", sqlite_database.url, "till", "status", "--workstation", "X-9")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "Error: Unknown workstation X-9; expected AGENCY-WORKSTATION, e.g. ALG01-G01."
    ]
    agency = run("--database", sqlite_database.url, "till", "status", "--agency", "ZZZ")
    assert agency.returncode == 2 and "Unknown agency ZZZ" in agency.stderr
    both = run(
        "--database",
        sqlite_database.url,
        "till",
        "status",
        "--agency",
        "ALG01",
        "--workstation",
        WORKSTATION,
    )
    assert both.returncode == 2 and "not both" in both.stderr
    missing = run("--database", f"sqlite:///{tmp_path / 'none.db'}", "till", "status")
    assert missing.returncode == 2
    bare = run("--database", sqlite_database.url, "till")
    assert bare.returncode == 0 and "status" in bare.stdout  # as `db` alone: the help
