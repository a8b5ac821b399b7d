"""Printing at the counter: the receipt preview, F6 copies, the printer's state, the
print queue and the printer settings, with a print worker driven by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.journal import EventKind
from app.printing.queue import JobView, pending_jobs
from app.printing.settings import load_printer_settings, queue_test_page, save_printer_settings
from app.printing.worker import PrintWorker
from db.models import JournalEvent, ReceiptCopy
from tests.factories import World
from tests.fake_printer import FakePrinter
from tests.ui.conftest import Counter, open_counter
from ui.printer_status import Level
from ui.qt import Qt

WORKSTATION = "ALG01-G01"


@pytest.fixture
def worker(counter_world: World) -> PrintWorker:
    # Never started: the test calls run_once() and check_status() itself.
    return PrintWorker(counter_world.ctx, WORKSTATION)


@pytest.fixture
def printing(counter_world: World, worker: PrintWorker, qtbot: QtBot) -> Iterator[Counter]:
    with open_counter(counter_world, qtbot, worker=worker) as opened:
        yield opened


def set_printer(world: World, uri: str | None) -> None:
    save_printer_settings(
        world.ctx, world.supervisor, WORKSTATION, printer_uri=uri, profile=None, paper_width_mm=80
    )


def jobs(world: World, workstation: str = WORKSTATION) -> list[JobView]:
    return pending_jobs(world.db, world.supervisor, workstation)


def pay(counter: Counter, account: str = "1000000002") -> None:
    counter.scan(account)
    counter.press(Qt.Key.Key_Return)  # open the payment, everything due in cash
    counter.press(Qt.Key.Key_Return)  # confirm


def shown(counter: Counter) -> str:
    """The preview's text without the direction marks around embedded values."""
    text = counter.window.counter.receipt_preview.text()
    return "".join(c for c in text if c not in "\u202a\u202b\u202c\u2066\u2067\u2069")


def journal(world: World, kind: str) -> list[JournalEvent]:
    with world.db.read() as session:
        return list(session.scalars(select(JournalEvent).where(JournalEvent.kind == kind)))


def test_a_payment_shows_the_printed_receipt_and_queues_it(printing: Counter) -> None:
    printing.sign_in()
    pay(printing)
    preview = printing.window.counter.receipt_preview
    assert preview.slip is not None and not preview.pixmap().isNull()
    assert preview.pixmap().width() <= preview.slip.width  # scaled to the panel, never blown up
    assert "ALG01-G01-000001" in preview.text()
    assert "ALG01-G01-000001" in preview.accessibleDescription()
    [job] = jobs(printing.world)
    assert (job.document_ref, job.copy_number, job.kind) == ("ALG01-G01-000001", 0, "receipt")


def test_f6_queues_duplicate_1_then_2_without_taking_the_payment_again(printing: Counter) -> None:
    printing.sign_in()
    pay(printing)
    screen = printing.window.counter
    printing.press(Qt.Key.Key_F6)  # nobody shown: the last receipt
    assert screen.last_copy is not None and screen.last_copy.copy_number == 1
    assert screen.receipt_note.text() == "Copy 1 queued for printing."
    # In the customer's language (the operator's French), as the original: not the screen's.
    assert "DUPLICATA 1" in shown(printing)
    assert screen.last_copy.language == "fr"
    printing.scan("1000000002")  # the subscriber shown: their receipt, selected or latest
    printing.press(Qt.Key.Key_F6)
    assert screen.last_copy.copy_number == 2
    assert "DUPLICATA 2" in shown(printing)
    assert "Copy 2 of receipt ALG01-G01-000001 queued" in screen.status.text()
    assert screen.payment_dialog is None
    assert [(j.document_ref, j.copy_number) for j in jobs(printing.world)] == [
        ("ALG01-G01-000001", 0),
        ("ALG01-G01-000001", 1),
        ("ALG01-G01-000001", 2),
    ]
    with printing.world.db.read() as session:
        copies = session.scalars(select(ReceiptCopy.copy_number).order_by(ReceiptCopy.id)).all()
    assert list(copies) == [1, 2]
    assert len(journal(printing.world, EventKind.RECEIPT_COPY_ISSUED)) == 2


def test_no_printer_is_never_shown_as_ready(printing: Counter, worker: PrintWorker) -> None:
    printing.sign_in()
    status = printing.window.counter.printer_status
    assert status.headline.text() == "Printer status unknown"
    assert status.level == Level.WARNING
    worker.check_status()  # no address set up for this counter
    status.update_view()
    assert status.headline.text() == "Printer not reachable"
    assert status.level == Level.STOPPED
    pay(printing)
    assert worker.run_once()
    status.refresh()
    assert status.headline.text() == "Printer not reachable · Waiting to print: 1"
    assert status.detail.text() == "No receipt printer is set up for counter ALG01-G01."
    assert status.detail.isVisible()


def test_a_failed_attempt_then_retry_from_the_queue(printing: Counter, worker: PrintWorker) -> None:
    with FakePrinter("refuse") as printer:
        set_printer(printing.world, printer.uri)
        printing.sign_in()
        pay(printing)
        assert worker.run_once()
        worker.check_status()
        status = printing.window.counter.printer_status
        status.refresh()
        assert status.level == Level.STOPPED
        assert "Waiting to print: 1" in status.headline.text()
        assert printer.uri in status.detail.text()  # the reason names the printer
        printer.mode = "online"  # the agent switched it back on
        printing.press(Qt.Key.Key_F9)
        dialog = printing.window.counter.print_queue_dialog
        assert dialog is not None and len(dialog.model.rows) == 1
        assert dialog.model.rows[0].error and printer.uri in dialog.model.rows[0].error
        assert dialog.view.isColumnHidden(dialog.model.column_index("workstation"))
        assert not worker.run_once()  # waiting for its next attempt
        dialog.retry_button.click()  # nothing selected: every job
        assert "Sent to the printer again: 1." in dialog.message.text()
        assert worker.run_once()
        assert len(printer.wait_for_jobs(1)) == 1
        dialog.reload()
        assert dialog.model.rows == [] and not dialog.retry_button.isEnabled()
        status.refresh()
        assert status.waiting == 0 and status.detail.text() == ""


def test_send_to_another_printer(printing: Counter, worker: PrintWorker, tmp_path: Path) -> None:
    set_printer(printing.world, "tcp://127.0.0.1:1")  # nothing listens there
    spool = tmp_path / "next-door.bin"
    save_printer_settings(  # the counter next door's printer
        printing.world.ctx,
        printing.world.supervisor,
        "ALG01-G02",
        printer_uri=f"file://{spool}",
        profile=None,
        paper_width_mm=80,
    )
    printing.sign_in()
    pay(printing)
    printing.press(Qt.Key.Key_F9)
    dialog = printing.window.counter.print_queue_dialog
    assert dialog is not None
    dialog.redirect_button.click()
    assert dialog.redirect_box.isVisible() and printing.focus() is dialog.printer_uri
    assert dialog.agency_printers.text() == (
        f"Printers of this agency: \u2066file://{spool}\u2069 (ALG01-G02)."
    )
    printing.type("lpt1")
    printing.press(Qt.Key.Key_Return)
    assert "is not a printer address" in dialog.printer_uri_error.text()
    assert printing.focus() is dialog.printer_uri
    elsewhere = tmp_path / "elsewhere.bin"
    dialog.printer_uri.setText(f"file://{elsewhere}")  # an agent writes no file at will
    printing.press(Qt.Key.Key_Return)
    assert "is not a printer of agency ALG01" in dialog.printer_uri_error.text()
    assert "needs a supervisor" in dialog.printer_uri_error.text()
    assert printing.focus() is dialog.printer_uri
    assert journal(printing.world, EventKind.PRINT_JOBS_REDIRECTED) == []
    dialog.printer_uri.setText(f"file://{spool}")
    dialog.view.selectRow(0)
    dialog.redirect_send.click()
    assert dialog.printer_uri_error.text() == ""
    assert not dialog.redirect_box.isVisible()
    assert f"Sent to \u2066file://{spool}\u2069: 1." == dialog.message.text()
    assert worker.run_once()
    assert spool.stat().st_size > 0 and not elsewhere.exists()
    dialog.reload()
    assert dialog.model.rows == []
    assert len(journal(printing.world, EventKind.PRINT_JOBS_REDIRECTED)) == 1


def test_only_supervisors_see_the_printer_settings_and_every_queue(printing: Counter) -> None:
    window, screen = printing.window, printing.window.counter
    queue_test_page(printing.world.ctx, printing.world.supervisor, "ALG01-G02", language="en")
    printing.sign_in()  # amina, an agent
    printing.press(Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    assert screen.print_queue_dialog is None
    printing.press(Qt.Key.Key_F9)
    dialog = screen.print_queue_dialog
    assert dialog is not None and dialog.model.rows == []  # G02's page is not hers
    assert not dialog.every_workstation.isVisible()
    assert not dialog.settings_button.isVisible()
    screen.open_printer_settings(dialog)
    assert screen.printer_settings_dialog is None
    dialog.reject()
    assert printing.focus() is screen.search
    window.sign_out()
    printing.sign_in("karim")
    printing.press(Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    dialog = screen.print_queue_dialog
    assert dialog is not None and dialog.every_workstation.isChecked()
    assert [(j.workstation, j.kind) for j in dialog.model.rows] == [("ALG01-G02", "test_page")]
    assert not dialog.view.isColumnHidden(dialog.model.column_index("workstation"))
    dialog.every_workstation.setChecked(False)
    assert dialog.model.rows == []
    assert dialog.settings_button.isVisible()
    dialog.settings_button.click()
    settings = screen.printer_settings_dialog
    assert settings is not None and settings.parent() is dialog
    settings.reject()
    assert screen.printer_settings_dialog is None and screen.print_queue_dialog is dialog


def test_printer_settings_errors_and_test_page(
    printing: Counter, worker: PrintWorker, tmp_path: Path
) -> None:
    printing.sign_in("karim")
    printing.press(Qt.Key.Key_F9)
    queue = printing.window.counter.print_queue_dialog
    assert queue is not None
    queue.settings_button.click()
    dialog = printing.window.counter.printer_settings_dialog
    assert dialog is not None
    assert dialog.printer_uri.text() == "" and dialog.paper_width.currentData() == 80
    assert dialog.profile.count() >= 5
    assert printing.focus() is dialog.printer_uri
    printing.type("tcp://10.0.0.12:99999")
    printing.press(Qt.Key.Key_Return)  # Enter saves
    error = dialog.errors["printer_uri"]
    assert error.isVisible() and "99999" in error.text() and "1 to 65535" in error.text()
    assert printing.focus() is dialog.printer_uri
    assert load_printer_settings(printing.world.db, WORKSTATION).printer_uri is None
    spool = tmp_path / "counter.bin"
    dialog.printer_uri.setText(f"file://{spool}")
    dialog.paper_width.setCurrentIndex(dialog.paper_width.findData(58))
    dialog.test_button.click()  # changed: saved first, then the page queued
    assert not error.isVisible()
    saved = load_printer_settings(printing.world.db, WORKSTATION)
    assert (saved.printer_uri, saved.paper_width_mm) == (f"file://{spool}", 58)
    assert [j.kind for j in jobs(printing.world)] == ["test_page"]
    assert dialog.note.text() == "Test page queued; checking the printer…"
    assert worker.run_once()
    worker.check_status()
    dialog.show_printer_state()
    assert dialog.note.text() == "The test page went to the printer."
    assert dialog.printer_state.text().startswith("Printer now: ")
    assert spool.stat().st_size > 0
    assert len(journal(printing.world, EventKind.PRINTER_SETTINGS_CHANGED)) == 1


def test_the_printing_screens_are_right_to_left_in_arabic(printing: Counter) -> None:
    printing.sign_in("karim")
    printing.window.language.apply("ar")
    screen = printing.window.counter
    assert screen.printer_status.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert screen.receipt_preview.layoutDirection() == Qt.LayoutDirection.RightToLeft
    printing.press(Qt.Key.Key_F9)
    queue = screen.print_queue_dialog
    assert queue is not None and queue.layoutDirection() == Qt.LayoutDirection.RightToLeft
    queue.settings_button.click()
    settings = screen.printer_settings_dialog
    assert settings is not None and settings.layoutDirection() == Qt.LayoutDirection.RightToLeft
    settings.reject()
    queue.reject()
    with printing.world.db.write() as session:
        from db.models import Subscriber

        customer = session.scalars(
            select(Subscriber).where(Subscriber.account_number == "1000000002")
        ).one()
        customer.language = "ar"
    pay(printing)  # the receipt comes out in the customer's language, shaped right to left
    slip = screen.receipt_preview.slip
    assert slip is not None and slip.right_to_left
    [job] = jobs(printing.world)
    assert job.copy_number == 0
    with printing.world.db.read() as session:
        from db.models import PrintJob

        assert session.scalars(select(PrintJob.language)).all() == ["ar"]


def test_every_kind_of_print_job_is_named_in_the_queue() -> None:
    """A Z report waiting to print reads "Till report Z-3", not the job's code."""
    from datetime import UTC, datetime

    from app.printing.queue import JobView
    from db.models import PrintJobKind
    from ui.print_queue_dialog import document_label

    at = datetime(2026, 11, 21, 18, tzinfo=UTC)
    for kind in PrintJobKind:
        job = JobView(1, "ALG01-G01", kind.value, "Z-3", 0, "pending", 0, at, at, None, None)
        label = document_label(job)
        assert not label.startswith(kind.value), label
    till = JobView(1, "ALG01-G01", "till_report", "Z-3", 0, "pending", 0, at, at, None, None)
    assert document_label(till).startswith("Till report")
