"""The Z report printed by every close, in the close's own transaction, and its copies.

The world's agent (amina, float 5,000.00 DA at ALG01-G01) takes bill F1 (5,000.00)
paid 6,000.00 in cash, 1,000.00 change: the till should hold 10,000.00. Her count
says 9,900.00: 100.00 short. The Z that any close prints is the agent's copy: it
never shows the 10,000.00 nor the 100.00; a supervisor's copy does. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import io
import json
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, select, update

import app.closing.tills as tills_module
from app.closing.counts import ChequeInput, CountInput
from app.closing.handover import force_close_till, handover_till
from app.closing.tills import close_till, current_cash_session
from app.closing.z_prints import closing_z_state
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.i18n import gettext
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.printing.devices import PrinterError
from app.printing.documents import job_slip
from app.printing.escpos_render import PrinterModel
from app.printing.queue import _claimed, claim_next, mark_failed, mark_printed
from app.printing.slip import Slip, plain_text
from app.printing.till_report_slip import till_report_pdf
from app.reports.till_report import ReportKind, queue_till_report
from db.engine import Database
from db.models import JournalEvent, PrintJob, PrintJobKind, TenderKind, Workstation
from tests.factories import NOW, WORKSTATION, World, add_subscriber, build_world

# 9,900.00 in cash: four 2,000 notes, one 1,000, one 500, two 200.
SHORT_COUNT = CountInput(
    cash={"note-200000": 4, "note-100000": 1, "note-50000": 1, "coin-20000": 2}
)
# What the supervisor's figures say and the agent's copy must not.
SECRETS = ("10 000", "10,000", "10000", "-100", "100,00", "100.00")


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "A1", invoices=[("F1", 500000, date(2026, 10, 15))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "p1",
            "A1",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("6000")),),
            invoice_numbers=("F1",),
        ),
    )
    return world


def _till(world: World, workstation: str = WORKSTATION) -> int:
    info = current_cash_session(world.db, workstation)
    assert info is not None
    return info.session_id


def _z_jobs(world: World, till: int) -> list[PrintJob]:
    with world.db.read() as session:
        return list(
            session.scalars(
                select(PrintJob)
                .where(
                    PrintJob.kind == PrintJobKind.TILL_REPORT, PrintJob.document_ref == f"Z-{till}"
                )
                .order_by(PrintJob.id)
            )
        )


def _z_events(world: World, till: int) -> list[tuple[str, str | None, str | None, dict[str, Any]]]:
    with world.db.read() as session:
        rows = session.execute(
            select(
                JournalEvent.kind,
                JournalEvent.actor_login,
                JournalEvent.workstation,
                JournalEvent.details,
            )
            .where(JournalEvent.subject == f"Z-{till}")
            .order_by(JournalEvent.seq)
        )
        return [(kind, login, where, json.loads(details)) for kind, login, where, details in rows]


def _printed(world: World, job: PrintJob) -> str:
    """The job as the print worker renders it, as plain text."""
    with world.db.read() as session:
        row = session.get(PrintJob, job.id)
        assert row is not None
        claimed = _claimed(row, None)
    return _plain(job_slip(world.ctx, claimed, PrinterModel(), NOW))


def _plain(slip: Slip) -> str:
    text = plain_text(slip).replace("\xa0", " ").replace("\u202f", " ")
    return text.replace("\u202a", "").replace("\u202c", "")


def _blind(text: str) -> bool:
    return (
        "Expected" not in text
        and "Difference" not in text
        and not any(secret in text for secret in SECRETS)
    )


def _assert_verifies(world: World) -> None:
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


# -- every close queues its Z once ----------------------------------------------------------


def _count_close(world: World) -> str:
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT, language="en")
    return WORKSTATION


def _handover(world: World) -> str:
    handover_till(
        world.ctx,
        world.other_agent,
        world.agent,
        WORKSTATION,
        closing_count=SHORT_COUNT,
        opening_count=CountInput(cash={"note-200000": 1}),
        language="en",
    )
    return WORKSTATION


def _forced_from_the_counter(world: World) -> str:
    """The handover screen's abandoned till: the supervisor signs in at the agent's counter."""
    force_close_till(
        world.ctx, world.supervisor, WORKSTATION, WORKSTATION, "Gone home ill", language="en"
    )
    return WORKSTATION


def _forced_from_elsewhere_counted(world: World) -> str:
    """The dashboard's forced close, from the other counter, counted there and then."""
    force_close_till(
        world.ctx,
        world.supervisor,
        "ALG01-G02",
        WORKSTATION,
        "Gone home ill",
        count=SHORT_COUNT,
        language="en",
    )
    return "ALG01-G02"


CLOSES: dict[str, tuple[Callable[[World], str], str]] = {
    "count": (_count_close, "amina"),
    "handover": (_handover, "amina"),
    "forced_at_the_counter": (_forced_from_the_counter, "karim"),
    "forced_from_elsewhere": (_forced_from_elsewhere_counted, "karim"),
}


@pytest.mark.parametrize("how", sorted(CLOSES))
def test_every_close_queues_the_agents_copy_of_its_z_once(world: World, how: str) -> None:
    close, closer = CLOSES[how]
    till = _till(world)
    printer = close(world)
    (job,) = _z_jobs(world, till)
    with world.db.read() as session:
        station = session.get(Workstation, job.workstation_id)
        assert station is not None and f"ALG01-{station.code}" == printer
    assert (job.copy_number, job.language, job.created_by_id) == (0, "en", None)
    ((kind, login, where, details),) = _z_events(world, till)
    assert (kind, login, where) == ("report.till_report_printed", closer, printer)
    assert details == {
        "till": till,
        "report": "z",
        "copy": 0,
        "figures": "agent",
        "medium": "thermal",
        "language": "en",
        "job": job.id,
        "at_close": True,
    }
    # Whoever closed, the paper holds no expected cash and no difference.
    text = _printed(world, job)
    assert "Z REPORT" in text and "DUPLICATE" not in text
    assert _blind(text), text
    counted = how != "forced_at_the_counter"  # counted later, in a recount
    assert ("Not counted." in text) is not counted
    assert (
        not counted
        or "What the till should hold and the difference are for the supervisor."
        in " ".join(text.split())
    )
    # Closing again (a double Enter; after a handover, the new till is yacine's) queues
    # nothing more.
    with pytest.raises((ConflictError, PermissionDeniedError)):
        close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    assert len(_z_jobs(world, till)) == 1
    _assert_verifies(world)


def test_a_refused_close_queues_nothing(world: World) -> None:
    till = _till(world)
    with pytest.raises(ValidationError):  # a cheque that was never tendered here
        close_till(
            world.ctx,
            world.agent,
            WORKSTATION,
            CountInput(cheques=(ChequeInput("999", "BNA", "800"),)),
        )
    with pytest.raises(PermissionDeniedError):  # not her till
        close_till(world.ctx, world.other_agent, WORKSTATION, SHORT_COUNT)
    assert _z_jobs(world, till) == [] and _z_events(world, till) == []
    assert current_cash_session(world.db, WORKSTATION) is not None


def test_a_close_that_fails_after_queueing_its_z_leaves_neither(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Z is written in the close's transaction: when anything after it fails, the
    close, its count and its Z are all rolled back."""
    till = _till(world)
    real = tills_module.queue_closing_z

    def queue_then_fail(*args: Any, **kwargs: Any) -> PrintJob:
        real(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tills_module, "queue_closing_z", queue_then_fail)
    with pytest.raises(RuntimeError):
        close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    assert _z_jobs(world, till) == [] and _z_events(world, till) == []
    assert current_cash_session(world.db, WORKSTATION) is not None
    monkeypatch.setattr(tills_module, "queue_closing_z", real)
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    assert len(_z_jobs(world, till)) == 1
    _assert_verifies(world)


# -- copies ----------------------------------------------------------------------------------


def test_copies_are_numbered_and_journaled_on_paper_and_as_pdf(world: World) -> None:
    till = _till(world)
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT, language="fr")
    agent_copy = queue_till_report(
        world.ctx, till, ReportKind.Z, workstation=WORKSTATION, language="en", actor=world.agent
    )
    supervisor_copy = queue_till_report(
        world.ctx,
        till,
        ReportKind.Z,
        workstation="ALG01-G02",
        language="en",
        actor=world.supervisor,
    )
    pdf = till_report_pdf(world.ctx, None, [till], ReportKind.Z, language="en")
    original, agent_job, supervisor_job = _z_jobs(world, till)
    assert (agent_job.id, supervisor_job.id) == (agent_copy, supervisor_copy)
    assert [j.copy_number for j in (original, agent_job, supervisor_job)] == [0, 1, 2]

    events = _z_events(world, till)
    assert [
        (kind, login, d["copy"], d["figures"], d["medium"]) for kind, login, _w, d in events
    ] == [
        ("report.till_report_printed", "amina", 0, "agent", "thermal"),
        ("report.till_report_printed", "amina", 1, "agent", "thermal"),
        ("report.till_report_printed", "karim", 2, "supervisor", "thermal"),
        ("report.till_report_pdf_written", None, 3, "agent", "pdf"),  # the command line
    ]
    assert events[2][2] == "ALG01-G02"  # printed where the supervisor asked

    agent_text = _printed(world, agent_job)
    assert "DUPLICATE 1" in agent_text and _blind(agent_text)
    supervisor_text = _printed(world, supervisor_job)
    assert "DUPLICATE 2" in supervisor_text
    assert "Total difference" in supervisor_text and "-DZD 100.00" in supervisor_text
    pdf_text = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "DUPLICATE 3" in pdf_text and "Difference" not in pdf_text
    _assert_verifies(world)


def test_a_pdf_of_an_x_is_journaled_and_an_x_on_paper_is_not(world: World) -> None:
    till = _till(world)
    queue_till_report(
        world.ctx, till, ReportKind.X, workstation=WORKSTATION, language="fr", actor=world.agent
    )
    pdf = till_report_pdf(
        world.ctx, world.supervisor, [till], ReportKind.X, language="ar", workstation="ALG01-G02"
    )
    assert pdf.startswith(b"%PDF")
    with world.db.read() as session:
        rows = session.execute(
            select(JournalEvent.kind, JournalEvent.actor_login, JournalEvent.details).where(
                JournalEvent.subject == f"X-{till}"
            )
        ).all()
    ((kind, login, details),) = rows
    assert (kind, login) == ("report.till_report_pdf_written", "karim")
    assert json.loads(details) == {
        "till": till,
        "report": "x",
        "copy": 0,
        "figures": "supervisor",
        "medium": "pdf",
        "language": "ar",
    }
    with pytest.raises(PermissionDeniedError):  # another agent's till: no PDF, no event
        till_report_pdf(world.ctx, world.other_agent, [till], ReportKind.Z, language="fr")


def test_a_z_copy_in_three_languages_says_duplicate(world: World) -> None:
    till = _till(world)
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    for number, language in enumerate(("fr", "ar", "en"), start=1):
        pdf = till_report_pdf(world.ctx, world.agent, [till], ReportKind.Z, language=language)
        text = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
        assert str(number) in text and _blind(text)
        if language != "ar":  # Arabic is drawn shaped; its words are checked as images elsewhere
            assert gettext("Z REPORT", language) in text


# -- where the close's Z is ------------------------------------------------------------------


def test_where_the_closes_z_is(world: World) -> None:
    till = _till(world)
    assert closing_z_state(world.db, till) is None  # not closed yet
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    state = closing_z_state(world.db, till)
    assert state is not None and state.workstation == WORKSTATION
    assert (state.status, state.ahead, state.has_printer) == ("pending", 1, False)  # P1's receipt
    assert state.waiting  # no printer set up at G01
    with world.db.write() as session:
        session.execute(update(Workstation).values(printer_uri="tcp://192.0.2.10:9100"))
    state = closing_z_state(world.db, till)
    assert state is not None and state.has_printer and not state.waiting
    # The printer is off: the receipt ahead fails, and says why.
    job = claim_next(world.db, WORKSTATION, NOW)
    assert job is not None
    mark_failed(
        world.db, job.id, PrinterError("The printer {printer} is offline.", printer="tcp://x"), NOW
    )
    state = closing_z_state(world.db, till, language="en")
    assert state is not None and state.waiting
    assert state.reason == "The printer tcp://x is offline."
    # Back on: both print.
    mark_printed(world.db, job.id, "tcp://192.0.2.10:9100", NOW)
    (z,) = _z_jobs(world, till)
    mark_printed(world.db, z.id, "tcp://192.0.2.10:9100", NOW)
    state = closing_z_state(world.db, till)
    assert state is not None and state.printed and state.reason is None and state.ahead == 0


def test_two_closes_of_two_counters_each_get_their_own_z(world: World) -> None:
    first, second = _till(world), _till(world, "ALG01-G02")
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    close_till(world.ctx, world.other_agent, "ALG01-G02", CountInput(cash={"note-200000": 2}))
    assert [len(_z_jobs(world, t)) for t in (first, second)] == [1, 1]
    assert [e[3]["copy"] for t in (first, second) for e in _z_events(world, t)] == [0, 0]


@pytest.mark.postgres
def test_copies_asked_at_once_get_one_number_each(
    postgres_database: Database, tmp_path: Path
) -> None:
    """Four supervisors' reprints of one Z at the same moment, on PostgreSQL: the till's
    lock makes them take 1, 2, 3 and 4, never one number twice."""
    world = build_world(postgres_database, tmp_path / "keys")
    till = _till(world)
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    start = threading.Barrier(4)

    def reprint(_index: int) -> int:
        start.wait()
        return queue_till_report(
            world.ctx,
            till,
            ReportKind.Z,
            workstation=WORKSTATION,
            language="fr",
            actor=world.supervisor,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(reprint, range(4)))
    assert sorted(job.copy_number for job in _z_jobs(world, till)) == [0, 1, 2, 3, 4]
    assert sorted(e[3]["copy"] for e in _z_events(world, till)) == [0, 1, 2, 3, 4]
    _assert_verifies(world)


def test_verify_names_a_z_print_deleted_edited_or_added(world: World) -> None:
    till = _till(world)
    close_till(world.ctx, world.agent, WORKSTATION, SHORT_COUNT)
    queue_till_report(
        world.ctx, till, ReportKind.Z, workstation=WORKSTATION, language="fr", actor=world.agent
    )
    till_report_pdf(world.ctx, world.agent, [till], ReportKind.Z, language="fr")
    _assert_verifies(world)
    original, copy = _z_jobs(world, till)

    def problems() -> list[str]:
        report = verify_database(world.db, world.ctx.signer.verifier)
        return [f"{p.chain} {p.record}: {p.translated()}" for p in report.problems]

    with world.db.write() as session:  # a copy made to look like the original
        session.execute(update(PrintJob).where(PrintJob.id == copy.id).values(copy_number=0))
    (problem,) = problems()
    assert f"#{copy.id}" in problem and f"Z-{till} copy 1" in problem
    with world.db.write() as session:  # the evidence of the first print removed
        session.execute(update(PrintJob).where(PrintJob.id == copy.id).values(copy_number=1))
        session.execute(delete(PrintJob).where(PrintJob.id == original.id))
    (problem,) = problems()
    assert f"Z-{till} copy 0" in problem and "missing" in problem
    with world.db.write() as session:  # and one printed behind the journal's back
        session.add(
            PrintJob(
                workstation_id=original.workstation_id,
                kind=PrintJobKind.TILL_REPORT,
                document_ref=f"Z-{till}",
                copy_number=3,
                language="fr",
                status="pending",
                attempts=0,
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )
    assert any("not in the journal" in p for p in problems())
