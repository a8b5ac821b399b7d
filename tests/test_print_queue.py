"""The print queue: a printer that is off never loses a receipt, prints each once, in order.

The worker is driven with ``run_once`` and a clock the test moves, except where a
real thread and a real killed process are the point.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from app.printing.copies import copy_pdf, print_bill_copy, reprint
from app.printing.queue import pending_jobs, redirect, retry_now
from app.printing.settings import load_printer_settings, queue_test_page, save_printer_settings
from app.printing.status import PrinterStatus
from app.printing.worker import PrintWorker
from db.engine import Database
from db.models import (
    Agency,
    JournalEvent,
    Payment,
    PrintJob,
    PrintJobStatus,
    ReceiptCopy,
    ReceiptSeries,
    TenderKind,
    Workstation,
    WorkstationKind,
)
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.fake_printer import FakePrinter

RECEIPT = re.compile(rb"ALG01-G01-\d{6}")


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


@pytest.fixture
def printer() -> FakePrinter:
    with FakePrinter("online") as fake:
        yield fake


def use_printer(world: World, uri: str, workstation: str = WORKSTATION) -> None:
    save_printer_settings(
        world.ctx,
        world.supervisor,
        workstation,
        printer_uri=uri,
        profile="TM-T20II",
        paper_width_mm=80,
    )


def pay(world: World, account: str, key: str, language: str = "fr"):
    request = PaymentRequest(
        key,
        account,
        WORKSTATION,
        (TenderInput(TenderKind.CASH, Decimal("100")),),
        receipt_language=language,
    )
    return take_payment(world.ctx, world.agent, request)


def drain(worker: PrintWorker) -> int:
    attempts = 0
    while worker.run_once():
        attempts += 1
    return attempts


def printed_receipts(printer: FakePrinter, since: int = 0) -> list[str]:
    found = [RECEIPT.search(job) for job in printer.jobs[since:]]
    return [match.group().decode() if match else "?" for match in found]


def wait_for_receipt(printer: FakePrinter, receipt: str, timeout: float = 5.0) -> None:
    """The fake records a job when its connection ends, a moment after the worker's
    confirmation: wait for it rather than read too early."""
    deadline = time.monotonic() + timeout
    while receipt not in printed_receipts(printer):
        assert time.monotonic() < deadline, f"{receipt} never printed"
        time.sleep(0.01)


def job_statuses(world: World) -> list[str]:
    with world.db.read() as session:
        return list(session.scalars(select(PrintJob.status).order_by(PrintJob.id)))


def test_payment_and_its_print_job_commit_together(world: World) -> None:
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    with pytest.raises(ValidationError):  # refused payment: no receipt to print either
        take_payment(
            world.ctx,
            world.agent,
            PaymentRequest("k2", "A1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("-1")),)),
        )
    with world.db.read() as session:
        jobs = session.scalars(select(PrintJob)).all()
        payments = session.scalar(select(func.count()).select_from(Payment))
    assert payments == 1 and len(jobs) == 1
    assert jobs[0].document_ref == "ALG01-G01-000001" and jobs[0].copy_number == 0
    assert jobs[0].language == "fr" and jobs[0].status == PrintJobStatus.PENDING


def test_printer_off_during_fifty_payments_then_on_prints_all_once_in_order(
    world: World, printer: FakePrinter
) -> None:
    use_printer(world, printer.uri)
    printer.mode = "refuse"
    worker = PrintWorker(world.ctx, WORKSTATION)
    for number in range(50):
        account = f"A{number:03d}"
        add_subscriber(world.db, account, invoices=[(f"F{number:03d}", 10000, date(2026, 11, 15))])
        pay(world, account, f"key-{number}")
        worker.run_once()  # the counter goes on; each attempt fails and waits its turn

    assert printer.jobs == []
    waiting = pending_jobs(world.db, world.agent, WORKSTATION, language="en")
    assert len(waiting) == 50
    assert "refused the connection" in (waiting[0].error or "")
    assert worker.check_status() == PrinterStatus.UNREACHABLE

    printer.mode = "online"
    world.ctx.clock.now += timedelta(minutes=2)  # type: ignore[attr-defined]
    assert drain(worker) == 50
    printer.wait_for_jobs(50)
    assert printed_receipts(printer) == [f"ALG01-G01-{n:06d}" for n in range(1, 51)]
    assert job_statuses(world) == ["printed"] * 50
    assert pending_jobs(world.db, world.agent, WORKSTATION) == []
    assert worker.check_status() == PrinterStatus.ONLINE


@pytest.mark.parametrize("mode", ["paper_out", "cover_open", "close_mid_job", "stall"])
def test_a_failed_attempt_keeps_the_job_and_says_why(
    world: World, printer: FakePrinter, mode: str
) -> None:
    use_printer(world, printer.uri)
    printer.mode = mode
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    worker = PrintWorker(world.ctx, WORKSTATION, send_timeout=0.5)
    assert worker.run_once()
    (job,) = pending_jobs(world.db, world.agent, WORKSTATION, language="en")
    assert job.attempts == 1 and job.error
    assert worker.snapshot().last_error is not None
    assert not worker.run_once()  # it waits for its next attempt, with backoff

    printer.mode = "online"
    retry_now(world.ctx, world.agent, [job.id], workstation=WORKSTATION)
    assert worker.run_once()
    assert pending_jobs(world.db, world.agent, WORKSTATION) == []
    wait_for_receipt(printer, "ALG01-G01-000001")


def test_no_printer_set_up_is_said_plainly(world: World) -> None:
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    worker = PrintWorker(world.ctx, WORKSTATION)
    worker.run_once()
    (job,) = pending_jobs(world.db, world.agent, WORKSTATION, language="fr")
    assert job.error and "ALG01-G01" in job.error
    assert worker.check_status() == PrinterStatus.UNREACHABLE  # never shown as fine


def test_redirect_to_the_printer_next_door(world: World, tmp_path: Path) -> None:
    use_printer(world, "tcp://127.0.0.1:1")  # nothing listens there
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    worker = PrintWorker(world.ctx, WORKSTATION, send_timeout=0.5)
    worker.run_once()
    (job,) = pending_jobs(world.db, world.agent, WORKSTATION)
    with FakePrinter("online") as next_door:
        use_printer(world, next_door.uri, "ALG01-G02")  # the counter next door's printer
        assert (
            redirect(world.ctx, world.agent, [job.id], next_door.uri, workstation=WORKSTATION) == 1
        )
        assert worker.run_once()
        next_door.wait_for_jobs(1)  # the fake records a job when its connection ends
        assert printed_receipts(next_door) == ["ALG01-G01-000001"]
    with world.db.read() as session:
        assert session.scalar(select(PrintJob.printed_on)) == next_door.uri
        kinds = list(session.scalars(select(JournalEvent.kind)))
    assert "print.jobs_redirected" in kinds
    with pytest.raises(ValidationError) as bad:
        redirect(world.ctx, world.agent, [job.id], "ftp://printer", workstation=WORKSTATION)
    assert bad.value.field == "printer_uri"


def queued_test_page(world: World, workstation: str) -> int:
    return queue_test_page(world.ctx, world.supervisor, workstation, language="en")


def next_attempts(world: World) -> dict[int, datetime]:
    with world.db.read() as session:
        rows = session.execute(select(PrintJob.id, PrintJob.next_attempt_at))
        return {job_id: at for job_id, at in rows}


def test_agents_list_their_own_queue_and_supervisors_every_queue(world: World) -> None:
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    page = queued_test_page(world, "ALG01-G02")
    assert [j.document_ref for j in pending_jobs(world.db, world.agent, WORKSTATION)] == [
        "ALG01-G01-000001"
    ]
    assert [j.id for j in pending_jobs(world.db, world.other_agent, "ALG01-G02")] == [page]
    with pytest.raises(PermissionDeniedError) as refused:
        pending_jobs(world.db, world.agent, WORKSTATION, every_workstation=True)
    assert "supervisor" in refused.value.translated("en")
    every = pending_jobs(world.db, world.supervisor, WORKSTATION, every_workstation=True)
    assert [j.workstation for j in every] == ["ALG01-G01", "ALG01-G02"]
    with pytest.raises(NotFoundError):
        pending_jobs(world.db, world.agent, "ALG01-G99")


def test_an_agent_retries_only_their_own_counters_jobs(world: World) -> None:
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    (own,) = pending_jobs(world.db, world.agent, WORKSTATION)
    other = queued_test_page(world, "ALG01-G02")
    before = next_attempts(world)
    world.ctx.clock.now += timedelta(minutes=5)  # type: ignore[attr-defined]
    for ids in ([other], [own.id, other]):
        with pytest.raises(PermissionDeniedError) as refused:
            retry_now(world.ctx, world.agent, ids, workstation=WORKSTATION)
        assert refused.value.field == "jobs"
        assert "ALG01-G01" in refused.value.translated("en")
    assert next_attempts(world) == before  # nothing moved, not even her own job
    assert retry_now(world.ctx, world.other_agent, [other], workstation="ALG01-G02") == 1
    assert retry_now(world.ctx, world.supervisor, [own.id, other], workstation=WORKSTATION) == 2


def add_other_agency_printer(world: World, uri: str) -> None:
    with world.db.write() as session:
        agency = Agency(code="ORN01", name="Oran", name_ar="وهران", timezone="Africa/Algiers")
        session.add(
            Workstation(
                agency=agency,
                code="G01",
                name="Guichet G01",
                kind=WorkstationKind.COUNTER,
                series=ReceiptSeries(code="ORN01-G01"),
                printer_uri=uri,
            )
        )


def test_an_agent_redirects_only_to_a_printer_of_the_agency(world: World, tmp_path: Path) -> None:
    """The redirect is no way to write a file anywhere: an agent sends their own
    counter's jobs to a printer set up for the agency; anything else is a supervisor's."""
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    pay(world, "A1", "k1")
    (own,) = pending_jobs(world.db, world.agent, WORKSTATION)
    stolen = tmp_path / "anywhere.bin"

    with pytest.raises(PermissionDeniedError) as refused:  # nothing set up in the agency yet
        redirect(world.ctx, world.agent, [own.id], "tcp://10.0.0.12:9100", workstation=WORKSTATION)
    assert refused.value.field == "printer_uri"
    assert "ALG01 has no printer" in refused.value.translated("en")

    use_printer(world, "tcp://10.0.0.12:9100", "ALG01-G02")
    add_other_agency_printer(world, "tcp://10.9.9.9:9100")
    other = queued_test_page(world, "ALG01-G02")
    for target in (f"file://{stolen}", "tcp://10.9.9.9:9100", "tcp://10.0.0.13:9100"):
        with pytest.raises(PermissionDeniedError) as refused:
            redirect(world.ctx, world.agent, [own.id], target, workstation=WORKSTATION)
        assert refused.value.field == "printer_uri"
        assert "tcp://10.0.0.12:9100 (ALG01-G02)" in refused.value.translated("en")
    with pytest.raises(PermissionDeniedError) as refused:  # G02's page is not hers to move
        redirect(world.ctx, world.agent, [other], "tcp://10.0.0.12:9100", workstation=WORKSTATION)
    assert refused.value.field == "jobs"
    with world.db.read() as session:
        assert list(session.scalars(select(PrintJob.printer_uri))) == [None, None]
        kinds = list(session.scalars(select(JournalEvent.kind)))
    assert "print.jobs_redirected" not in kinds

    assert (
        redirect(
            world.ctx, world.agent, [own.id], " tcp://10.0.0.12:9100 ", workstation=WORKSTATION
        )
        == 1
    )
    spool = tmp_path / "supervisor.bin"
    assert (
        redirect(
            world.ctx, world.supervisor, [own.id, other], f"file://{spool}", workstation=WORKSTATION
        )
        == 2
    )
    with world.db.read() as session:
        assert set(session.scalars(select(PrintJob.printer_uri))) == {f"file://{spool}"}
        events = list(
            session.scalars(
                select(JournalEvent)
                .where(JournalEvent.kind == "print.jobs_redirected")
                .order_by(JournalEvent.id)
            )
        )
    assert [(e.actor_login, json.loads(e.details)["printer"]) for e in events] == [
        ("amina", "tcp://10.0.0.12:9100"),
        ("karim", f"file://{spool}"),
    ]
    assert not stolen.exists()
    with pytest.raises(ValidationError) as too_long:  # what the database can hold, named
        redirect(
            world.ctx, world.supervisor, [own.id], f"file:///{'x' * 300}", workstation=WORKSTATION
        )
    assert too_long.value.field == "printer_uri" and "300" in too_long.value.translated("en")


def test_reprints_are_numbered_copies_journaled_and_printed(
    world: World, printer: FakePrinter
) -> None:
    use_printer(world, printer.uri)
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    paid = pay(world, "A1", "k1", language="en")
    worker = PrintWorker(world.ctx, WORKSTATION)
    drain(worker)
    first = reprint(world.ctx, world.agent, paid.receipt_no, workstation=WORKSTATION, language="en")
    second = reprint(
        world.ctx, world.agent, paid.receipt_no, workstation=WORKSTATION, language="en"
    )
    issued, pdf = copy_pdf(world.ctx, paid.receipt_no, language="en")
    assert (first.copy_number, second.copy_number, issued.copy_number) == (1, 2, 3)
    assert pdf.startswith(b"%PDF")
    drain(worker)
    original, copy1, copy2 = printer.wait_for_jobs(3)
    assert b"DUPLICATE" not in original
    assert b"DUPLICATE 1" in copy1 and b"DUPLICATE 2" in copy2
    assert b"\x1bp" in original and b"\x1bp" not in copy1  # the drawer opens once
    with world.db.read() as session:
        copies = session.scalars(select(ReceiptCopy.copy_number).order_by(ReceiptCopy.id)).all()
        events = session.scalars(
            select(JournalEvent.details).where(JournalEvent.kind == "receipt.copy_issued")
        ).all()
    assert copies == [1, 2, 3] and len(events) == 3


def test_void_prints_a_cancellation_slip(world: World, printer: FakePrinter) -> None:
    use_printer(world, printer.uri)
    add_subscriber(world.db, "A1", invoices=[("F1", 10000, date(2026, 11, 15))])
    paid = pay(world, "A1", "k1", language="en")
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest(
            "v1",
            paid.receipt_no,
            WORKSTATION,
            "Wrong account",
            "karim",
            PASSWORD,
            receipt_language="en",
        ),
    )
    drain(PrintWorker(world.ctx, WORKSTATION))
    _original, cancellation = printer.wait_for_jobs(2)
    assert b"CANCELLATION" in cancellation and b"ALG01-G01-000001" in cancellation
    assert b"ALG01-G01-000002" in cancellation


def test_printer_settings_and_test_page_are_for_supervisors(
    world: World, printer: FakePrinter
) -> None:
    with pytest.raises(PermissionDeniedError):
        save_printer_settings(
            world.ctx,
            world.agent,
            WORKSTATION,
            printer_uri=printer.uri,
            profile=None,
            paper_width_mm=80,
        )
    with pytest.raises(ValidationError) as bad:
        save_printer_settings(
            world.ctx,
            world.supervisor,
            WORKSTATION,
            printer_uri=printer.uri,
            profile="TM-T20II",
            paper_width_mm=70,
        )
    assert bad.value.field == "paper_width_mm"
    saved = save_printer_settings(
        world.ctx,
        world.supervisor,
        WORKSTATION,
        printer_uri=printer.uri,
        profile="POS-5890",
        paper_width_mm=58,
    )
    assert load_printer_settings(world.db, WORKSTATION) == saved
    queue_test_page(world.ctx, world.supervisor, WORKSTATION, language="en")
    drain(PrintWorker(world.ctx, WORKSTATION))
    (page,) = printer.wait_for_jobs(1)
    assert b"TEST PAGE" in page and b"POS-5890" in page and b"58 mm" in page


KILLED_WORKER = textwrap.dedent(
    """
    import sys
    from app.context import AppContext
    from app.integrity.keys import load_signer
    from app.printing.worker import PrintWorker
    from db.engine import Database

    ctx = AppContext(Database(sys.argv[1]), load_signer(__import__("pathlib").Path(sys.argv[2])))
    worker = PrintWorker(ctx, "ALG01-G01", send_timeout=30)
    worker.run_once()  # stalls on the printer until it is killed
    """
)


def test_jobs_left_by_a_killed_application_print_after_restart(
    world: World, printer: FakePrinter, tmp_path: Path
) -> None:
    use_printer(world, printer.uri)
    for number in range(3):
        add_subscriber(world.db, f"A{number}", invoices=[(f"F{number}", 10000, date(2026, 11, 15))])
        pay(world, f"A{number}", f"k{number}")
    printer.mode = "stall"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_WORKER,
            world.db.url,
            str(tmp_path / "keys" / "signing-key.pem"),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    try:
        deadline = time.monotonic() + 30
        while "printing" not in job_statuses(world):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.2)  # let it start sending
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert job_statuses(world) == ["printing", "pending", "pending"]

    # The stalled connection is recorded only when the fake stops, after the checks.
    printer.mode = "online"
    before = len(printer.jobs)
    worker = PrintWorker(world.ctx, WORKSTATION, idle_seconds=0.05)
    worker.start()  # the restarted application: a real thread
    try:
        printer.wait_for_jobs(before + 3, timeout=20)
        deadline = time.monotonic() + 10
        while job_statuses(world) != ["printed"] * 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert job_statuses(world) == ["printed"] * 3
    assert printed_receipts(printer, since=before) == [f"ALG01-G01-{n:06d}" for n in range(1, 4)]


def test_bill_copy_prints_on_the_thermal_printer(world: World, printer: FakePrinter) -> None:
    use_printer(world, printer.uri)
    add_subscriber(world.db, "A1", invoices=[("F2026-77", 1234567, date(2026, 11, 15))])
    print_bill_copy(world.ctx, world.agent, "f2026-77", workstation=WORKSTATION, language="en")
    drain(PrintWorker(world.ctx, WORKSTATION))
    (slip,) = printer.wait_for_jobs(1)
    assert b"F2026-77" in slip and b"12,345.67" in slip
    with pytest.raises(NotFoundError):
        print_bill_copy(world.ctx, world.agent, "nope", workstation=WORKSTATION, language="en")
    with world.db.read() as session:
        assert "document.bill_copy_issued" in session.scalars(select(JournalEvent.kind)).all()
