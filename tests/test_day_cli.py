"""`python main.py day close|status`: a supervisor closes a day from the command line."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cash import close_cash_session
from app.cli.main import main
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import Closing, TenderKind
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 100000, date(2026, 10, 1))])
    take_payment(  # on Saturday 21 November 2026 (the factories' frozen clock)
        world.ctx,
        world.agent,
        PaymentRequest(
            "p1", "1000000001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1500")),)
        ),
    )
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


def _closings(world: World) -> int:
    with world.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Closing)) or 0)


def _close_tills(world: World) -> None:
    for station in (WORKSTATION, "ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, station)


CLOSE = ("day", "close", "--agency", "ALG01", "--date", "2026-11-21", "--supervisor", "karim")


def test_a_supervisor_closes_the_day_and_status_lists_it(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _close_tills(world)
    assert _run(world, tmp_path, monkeypatch, *CLOSE) == 0
    out = capsys.readouterr().out
    assert "Business day 2026-11-21 of ALG01 closed by karim: 1 payment(s) for" in out
    assert _closings(world) == 1
    assert _run(world, tmp_path, monkeypatch, "day", "status", "--agency", "alg01") == 0
    out = capsys.readouterr().out
    assert "ALG01: last closed business day 2026-11-21." in out
    assert "  day 2026-11-21: period total DZD\xa01,000.00, perpetual total DZD\xa01,000.00" in out


def test_refusals_are_one_line_exit_2_and_write_nothing(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def refused(*args: str, password: str = PASSWORD) -> str:
        assert _run(world, tmp_path, monkeypatch, *args, password=password) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("Error: "), err
        return err

    assert "Tills still open at ALG01: ALG01-G01 (amina), ALG01-G02 (yacine)" in refused(*CLOSE)
    _close_tills(world)
    assert "Wrong login or password" in refused(*CLOSE, password="not the password")
    agent = (*CLOSE[:-1], "amina")
    assert "This needs the supervisor role" in refused(*agent)
    assert "is not a date" in refused(
        "day", "close", "--agency", "ALG01", "--date", "21/11", "--supervisor", "karim"
    )
    assert "is not a month" in refused(
        "day", "close", "--agency", "ALG01", "--month", "2026-13", "--supervisor", "karim"
    )
    assert "Unknown agency XYZ" in refused(
        "day", "close", "--agency", "XYZ", "--date", "2026-11-21", "--supervisor", "karim"
    )
    assert _closings(world) == 0
    assert _run(world, tmp_path, monkeypatch, *CLOSE) == 0
    capsys.readouterr()
    assert "already closed by karim" in refused(*CLOSE)
    assert "cannot be closed yet: 2026-11-22 is not closed" in refused(
        "day", "close", "--agency", "ALG01", "--month", "2026-11", "--supervisor", "karim"
    )
    assert _closings(world) == 1
