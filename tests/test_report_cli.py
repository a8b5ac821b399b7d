"""`python main.py report x|z`: through real processes, exit codes, one-line errors, no traceback."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.closing.counts import CountInput
from app.closing.tills import close_till
from app.journal import EventKind
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import JournalEvent, PrintJob, PrintJobKind, TenderKind
from tests.factories import PASSWORD, TODAY, WORKSTATION, World, add_subscriber, build_world
from tests.test_cli import run

# 100.00 short of the 5,000.00 float + 1,000.00 bill paid in cash.
COUNT = CountInput(cash={"note-200000": 2, "note-100000": 1, "coin-10000": 9})


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "A1", invoices=[("F1", 100000, date(2026, 10, 15))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest("k1", "A1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1000")),)),
    )
    return world


def _key(tmp_path: Path) -> str:
    return str(tmp_path / "keys" / "signing-key.pem")


def _clean(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_x_without_a_sign_in_shows_no_expected_figure(world: World, tmp_path: Path) -> None:
    result = run("--database", world.db.url, "report", "x", "--workstation", WORKSTATION)
    assert result.returncode == 0, result.stderr
    out = _clean(result.stdout)
    assert "X REPORT" in out and "ALG01-G01-000001" in out and "DZD 1,000.00" in out
    assert "Expected" not in out and "Difference" not in out
    assert "Traceback" not in result.stderr


def test_z_with_a_supervisor_pdf_and_print(world: World, tmp_path: Path) -> None:
    close_till(world.ctx, world.agent, WORKSTATION, COUNT)
    pdf = tmp_path / "z.pdf"
    result = run(
        "--database",
        world.db.url,
        "--key-file",
        _key(tmp_path),
        "report",
        "z",
        "--workstation",
        WORKSTATION,
        "--date",
        TODAY.isoformat(),
        "--pdf",
        str(pdf),
        "--print",
        "--supervisor",
        "karim",
        stdin=f"{PASSWORD}\n",
    )
    assert result.returncode == 0, result.stderr
    out = _clean(result.stdout)
    assert "Z REPORT" in out and "Total difference" in out and "-DZD 100.00" in out
    assert f"Report written to {pdf}." in out and "queued on the printer of ALG01-G01" in out
    text = unicodedata.normalize(
        "NFKC", PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    )
    assert "Z REPORT" in text and "ALG01-G01-000001" in text
    with world.db.read() as session:
        # The PDF is a journaled copy of the Z, written by the supervisor.
        written = session.scalars(
            select(JournalEvent).where(JournalEvent.kind == EventKind.TILL_REPORT_PDF_WRITTEN)
        ).one()
        assert written.actor_login == world.supervisor.login
        jobs = session.scalars(
            select(PrintJob)
            .where(PrintJob.kind == PrintJobKind.TILL_REPORT)
            .order_by(PrintJob.copy_number)
        ).all()
        # Copy 0: the agent's Z printed at the close; then the supervisor's, numbered.
        assert jobs[0].copy_number == 0 and len(jobs) >= 2
        job = next(job for job in jobs if job.created_by_id == world.supervisor.staff_id)
        assert job.document_ref.startswith("Z-") and job.copy_number >= 1
    # In Arabic too.
    arabic = run(
        "--database",
        world.db.url,
        "report",
        "z",
        "--workstation",
        WORKSTATION,
        "--report-language",
        "ar",
    )
    assert arabic.returncode == 0, arabic.stderr
    # The operator's Arabic name comes first on an Arabic report; numbers stay whole.
    assert arabic.stdout.strip().splitlines()[0].strip() == "اتصالات الجزائر"
    assert "ALG01-G01-000001" in arabic.stdout


def test_refusals_are_one_line_exit_two(sqlite_database: Database, tmp_path: Path) -> None:
    build_world(sqlite_database, tmp_path / "keys")
    url = sqlite_database.url

    def refused(*args: str, stdin: str | None = None) -> str:
        result = run("--database", url, "--key-file", _key(tmp_path), "report", *args, stdin=stdin)
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), lines
        return lines[0]

    assert "is not a date" in refused("x", "--workstation", WORKSTATION, "--date", "2026-13-40")
    assert "Unknown workstation ALG01-G99" in refused("x", "--workstation", "ALG01-G99")
    assert "No till of ALG01-G01 is closed yet" in refused("z", "--workstation", WORKSTATION)
    assert "No till was opened at ALG01-G01 on 2026-01-02" in refused(
        "x", "--workstation", WORKSTATION, "--date", "2026-01-02"
    )
    assert "folder does not exist" in refused(
        "x", "--workstation", WORKSTATION, "--pdf", str(tmp_path / "missing" / "x.pdf")
    )
    # A folder nobody may write in, even root (tests may run as root, who ignores modes).
    assert "Cannot write /sys/x.pdf" in refused(
        "x", "--workstation", WORKSTATION, "--pdf", "/sys/x.pdf"
    )
    assert "is a folder" in refused("x", "--workstation", WORKSTATION, "--pdf", str(tmp_path))
    assert "Wrong login or password" in refused(
        "x", "--workstation", WORKSTATION, "--supervisor", "karim", stdin="nope\n"
    )
    # An agent signing in as the "supervisor" sees their own till's report, still blind.
    agent = run(
        "--database",
        url,
        "--key-file",
        _key(tmp_path),
        "report",
        "x",
        "--workstation",
        WORKSTATION,
        "--supervisor",
        "amina",
        stdin=f"{PASSWORD}\n",
    )
    assert agent.returncode == 0 and "Expected" not in agent.stdout
    assert "belongs to amina" in refused(
        "x", "--workstation", WORKSTATION, "--supervisor", "yacine", stdin=f"{PASSWORD}\n"
    )
