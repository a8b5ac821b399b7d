"""The supervisor's board (order, filters, CSV), the acknowledgment slip in three
languages, and `complaint list|show|breaches` (exit codes, one-line errors)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.complaints.board import BoardFilters, complaints_board, export_board_csv
from app.complaints.lifecycle import assign_complaint, set_status
from app.complaints.slip import complaint_job_slip, complaint_slip, load_complaint_document
from app.documents.arabic import isolate
from app.errors import PermissionDeniedError, ValidationError
from app.printing.queue import claim_next
from app.printing.slip import plain_text
from db.engine import Database
from db.models import ComplaintCategory, ComplaintStatus
from tests.factories import NOW, WORKSTATION, World
from tests.test_complaint_world import complaint_world, record


@pytest.fixture
def world(database: Database, tmp_path: Path) -> tuple[World, int]:
    return complaint_world(database, tmp_path)


EVERYTHING = BoardFilters()


def _numbers(world: World, filters: BoardFilters = EVERYTHING, minutes: int = 10) -> list[str]:
    board = complaints_board(
        world.db, world.supervisor, filters, now=NOW + timedelta(minutes=minutes)
    )
    return [row.number for row in board.rows]


def test_board_breaches_first_then_by_deadline_then_paused(world: tuple[World, int]) -> None:
    w, subscriber = world
    fault = record(w, subscriber)  # due Monday
    billing = record(w, subscriber, ComplaintCategory.BILLING)  # due in 10 days
    hotline = record(w, subscriber, ComplaintCategory.HOTLINE)  # due in 3 minutes
    other = record(w, subscriber, ComplaintCategory.OTHER)  # no commitment
    waiting = record(w, subscriber)
    set_status(w.ctx, w.agent, waiting.number, ComplaintStatus.WAITING_CUSTOMER)

    assert _numbers(w) == [
        hotline.number,
        fault.number,
        billing.number,
        waiting.number,
        other.number,
    ]
    board = complaints_board(w.db, w.supervisor, BoardFilters(), now=NOW + timedelta(minutes=10))
    assert board.breaches == 1
    assert board.left(board.rows[0]).overdue
    assert _numbers(w, BoardFilters(breached_only=True)) == [hotline.number]


def test_board_filters(world: tuple[World, int]) -> None:
    w, subscriber = world
    fault = record(w, subscriber)
    billing = record(w, subscriber, ComplaintCategory.BILLING)
    assign_complaint(w.ctx, w.supervisor, billing.number, "yacine")
    set_status(w.ctx, w.agent, fault.number, ComplaintStatus.IN_PROGRESS)

    assert _numbers(w, BoardFilters(category=ComplaintCategory.BILLING)) == [billing.number]
    assert _numbers(w, BoardFilters(status=ComplaintStatus.IN_PROGRESS)) == [fault.number]
    assert _numbers(w, BoardFilters(agent="yacine")) == [billing.number]
    assert _numbers(w, BoardFilters(agency="alg01")) == [fault.number, billing.number]
    assert _numbers(w, BoardFilters(agency="TUN01")) == []
    with pytest.raises(ValidationError):
        _numbers(w, BoardFilters(status="lost"))
    with pytest.raises(PermissionDeniedError):
        complaints_board(w.db, w.agent, BoardFilters(), now=NOW)


def test_board_csv_is_utf8_and_formula_neutral(world: tuple[World, int]) -> None:
    w, subscriber = world
    record(w, subscriber, description='=HYPERLINK("http://x") انقطاع')
    stream = io.BytesIO()
    rows = export_board_csv(w.ctx, w.supervisor, BoardFilters(), stream, language="fr")
    text = stream.getvalue().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert rows == 1 and table[0][0] == "number"
    line = dict(zip(table[0], table[1], strict=True))
    assert line["description"].startswith("'=HYPERLINK") and "انقطاع" in line["description"]
    assert line["category"] in ("Absence de service", "No service")
    assert line["breached"] == "false"


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_slip_says_number_commitment_deadline_and_how_to_follow(
    world: tuple[World, int], language: str
) -> None:
    w, subscriber = world
    opened = record(w, subscriber)
    document = load_complaint_document(w.db, number=opened.number)
    slip = complaint_slip(document, language)
    text = plain_text(slip)
    assert opened.number in text
    assert "Plus d'internet depuis hier soir" in text
    title = {"fr": "Engagement", "en": "Commitment", "ar": "التزام"}[language]
    assert f"{title} FAULT-8H" in text
    assert isolate("12") in text  # the hotline
    assert slip.right_to_left == (language == "ar")
    if language == "en":
        assert "COMPLAINT ACKNOWLEDGMENT" in text
        assert "We must answer by" in text and "23 Nov 2026 11:30" in text
        assert "call" in text and "any agency" in text


def test_the_print_worker_renders_the_queued_slip(world: tuple[World, int]) -> None:
    w, subscriber = world
    opened = record(w, subscriber)
    job = claim_next(w.db, WORKSTATION, NOW + timedelta(seconds=1))
    assert job is not None and job.document_ref == f"C-{opened.id}"
    slip = complaint_job_slip(w.ctx, job)
    assert slip.language == "fr" and opened.number in plain_text(slip)
    assert "ACCUSÉ" in plain_text(slip) or "COMPLAINT" in plain_text(slip)


def _cli(world: World, tmp_path: Path, *args: str) -> int:
    key = str(tmp_path / "signing-key.pem")
    return main(["--database", world.db.url, "--key-file", key, "--language", "en", *args])


def test_cli_list_show_and_breaches(
    sqlite_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w, subscriber = complaint_world(sqlite_database, tmp_path)
    assert _cli(w, tmp_path, "complaint", "list") == 1
    assert "No complaint to list." in capsys.readouterr().out

    fault = record(w, subscriber)
    record(w, subscriber, ComplaintCategory.OTHER)
    assert _cli(w, tmp_path, "complaint", "list", "--agency", "ALG01") == 0
    out = capsys.readouterr().out.splitlines()
    # The command runs today, long after the world's Saturday: the fault is past its deadline.
    assert out[0].startswith(f"! {fault.number}") and "late" in out[0]
    assert out[-1] == "2 complaint(s), 1 past their deadline."

    assert _cli(w, tmp_path, "complaint", "breaches") == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        fault.number,
        "1 complaint(s) marked past their deadline; 1 compensation(s) proposed.",
    ]
    assert _cli(w, tmp_path, "complaint", "breaches") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 complaint(s)")

    assert _cli(w, tmp_path, "complaint", "show", fault.number) == 0
    shown = capsys.readouterr().out
    assert "Commitment: FAULT-8H" in shown and "opened" in shown and "breached" in shown
    assert _cli(w, tmp_path, "complaint", "list", "--breached") == 0
    assert capsys.readouterr().out.count("\n") == 2


def test_cli_errors_are_one_line_and_exit_two(
    sqlite_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w, _ = complaint_world(sqlite_database, tmp_path)
    assert _cli(w, tmp_path, "complaint", "show", "ALG01-2026-999999") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Error: Unknown complaint ALG01-2026-999999."]
    with pytest.raises(SystemExit) as bad:
        _cli(w, tmp_path, "complaint", "list", "--status", "lost")
    assert bad.value.code == 2
