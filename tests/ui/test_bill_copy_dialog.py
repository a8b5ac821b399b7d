"""F7's bill copy: the agent picks the receipt printer or a PDF, with real keys."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import ui.bill_copy_dialog
from app.errors import NotFoundError
from app.printing.settings import save_printer_settings
from db.models import JournalEvent, PrintJob, PrintJobKind
from tests.factories import WORKSTATION, World
from tests.ui.conftest import Counter
from ui.bill_copy_dialog import BillCopyDialog
from ui.qt import QDialog, Qt
from ui.tasks import TaskRunner

PRINTER = "file:///dev/null"


def _with_printer(counter: Counter) -> None:
    world = counter.world
    save_printer_settings(
        world.ctx,
        world.supervisor,
        WORKSTATION,
        printer_uri=PRINTER,
        profile=None,
        paper_width_mm=80,
    )


def _open_copy(counter: Counter, account: str = "1000000001") -> BillCopyDialog:
    counter.sign_in()
    counter.scan(account)
    counter.press(Qt.Key.Key_F7)
    dialog = counter.window.counter.bill_copy_dialog
    assert dialog is not None and dialog.isVisible()
    counter.focus()  # the dialog takes the keyboard once the event loop has run
    return dialog


def _issued(counter: Counter) -> list[tuple[str, str | None]]:
    with counter.world.db.read() as session:
        events = session.scalars(
            select(JournalEvent).where(JournalEvent.kind == "document.bill_copy_issued")
        ).all()
        return [(event.subject or "", event.actor_login) for event in events]


def _bill_copy_jobs(counter: Counter) -> list[str]:
    with counter.world.db.read() as session:
        jobs = session.scalars(select(PrintJob).where(PrintJob.kind == PrintJobKind.BILL_COPY))
        return [job.document_ref for job in jobs]


def test_enter_prints_the_copy_on_the_receipt_printer(counter: Counter) -> None:
    _with_printer(counter)
    dialog = _open_copy(counter)
    assert counter.focus() is dialog.print_button and dialog.print_button.isEnabled()
    counter.press(Qt.Key.Key_Return)
    screen = counter.window.counter
    assert screen.bill_copy_dialog is None
    assert _bill_copy_jobs(counter) == ["F1"]  # the oldest open bill, queued for the printer
    assert _issued(counter) == [("F1", "amina")]
    assert "Copy of invoice \u2066F1\u2069 queued on the receipt printer." in screen.status.text()
    assert screen.last_document is None
    assert counter.focus() is screen.search  # back to the scanner


def test_one_prints_and_two_saves_a_pdf(counter: Counter) -> None:
    _with_printer(counter)
    _open_copy(counter)
    counter.press(Qt.Key.Key_1)
    assert _bill_copy_jobs(counter) == ["F1"]
    screen = counter.window.counter
    screen.open_documents = False
    counter.press(Qt.Key.Key_F7)
    counter.press(Qt.Key.Key_2)
    path = screen.last_document
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    assert _bill_copy_jobs(counter) == ["F1"]  # the PDF printed nothing
    assert f"saved as \u2066{path}\u2069" in screen.status.text()


def test_arrow_down_then_enter_saves_the_pdf(counter: Counter) -> None:
    _with_printer(counter)
    dialog = _open_copy(counter)
    counter.window.counter.open_documents = False
    dialog.open_documents = False
    counter.press(Qt.Key.Key_Down)
    assert counter.focus() is dialog.pdf_button
    counter.press(Qt.Key.Key_Up)
    assert counter.focus() is dialog.print_button
    counter.press(Qt.Key.Key_Down)
    counter.press(Qt.Key.Key_Return)
    assert counter.window.counter.last_document is not None
    assert _bill_copy_jobs(counter) == []


def test_escape_makes_no_copy(counter: Counter) -> None:
    _with_printer(counter)
    _open_copy(counter)
    counter.press(Qt.Key.Key_Escape)
    assert counter.window.counter.bill_copy_dialog is None
    assert _issued(counter) == [] and _bill_copy_jobs(counter) == []
    assert counter.focus() is counter.window.counter.search


def test_without_a_receipt_printer_only_the_pdf_is_offered(counter: Counter) -> None:
    dialog = _open_copy(counter)
    counter.window.counter.open_documents = False
    dialog.open_documents = False
    assert not dialog.print_button.isEnabled()
    assert dialog.note.isVisible() and "No receipt printer" in dialog.note.text()
    assert counter.focus() is dialog.pdf_button
    counter.press(Qt.Key.Key_1)  # nothing to print on: ignored
    assert counter.window.counter.bill_copy_dialog is dialog
    counter.press(Qt.Key.Key_Return)
    assert counter.window.counter.last_document is not None
    assert _bill_copy_jobs(counter) == [] and _issued(counter) == [("F1", "amina")]


def test_with_no_pdf_viewer_the_status_line_says_where_the_file_is(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(ui.bill_copy_dialog, "pdf_viewer_available", lambda: False)
    monkeypatch.setattr(ui.bill_copy_dialog, "open_in_viewer", lambda p: opened.append(p) or True)
    dialog = _open_copy(counter)
    counter.press(Qt.Key.Key_2)
    screen = counter.window.counter
    # The dialog stays on the file's full path (a status line may be too narrow for it).
    assert screen.bill_copy_dialog is dialog and dialog.where.isVisible()
    assert dialog.path is not None and dialog.where.text() == f"\u2066{dialog.path}\u2069"
    assert "No PDF viewer could open" in dialog.note.text()
    assert not dialog.print_button.isVisible() and not dialog.pdf_button.isVisible()
    counter.press(Qt.Key.Key_Return)
    assert screen.bill_copy_dialog is None
    path = screen.last_document
    assert path is not None and path.is_file() and opened == []
    assert counter.focus() is screen.search
    status = screen.status.text()
    assert status == (
        f"No PDF viewer could open the copy of invoice \u2066F1\u2069; the file is \u2066{path}\u2069"
    )


def test_a_viewer_that_fails_to_open_is_not_silent(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui.bill_copy_dialog, "pdf_viewer_available", lambda: True)
    monkeypatch.setattr(ui.bill_copy_dialog, "open_in_viewer", lambda _p: False)
    _open_copy(counter)
    counter.press(Qt.Key.Key_2)
    counter.press(Qt.Key.Key_Escape)  # Esc closes it too: the copy exists all the same
    assert "No PDF viewer could open" in counter.window.counter.status.text()
    assert counter.window.counter.last_document is not None


def test_an_opened_copy_still_says_where_it_is(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(ui.bill_copy_dialog, "pdf_viewer_available", lambda: True)
    monkeypatch.setattr(ui.bill_copy_dialog, "open_in_viewer", lambda p: opened.append(p) or True)
    _open_copy(counter)
    counter.press(Qt.Key.Key_2)
    path = counter.window.counter.last_document
    assert opened == [path]
    assert "opened in the PDF viewer" in counter.window.counter.status.text()


def test_in_arabic_the_path_reads_left_to_right_and_follows_a_language_switch(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui.bill_copy_dialog, "pdf_viewer_available", lambda: False)
    _open_copy(counter)
    counter.window.language.apply("ar")
    counter.press(Qt.Key.Key_2)
    counter.press(Qt.Key.Key_Return)
    path = counter.window.counter.last_document
    arabic = counter.window.counter.status.text()
    assert f"\u2066{path}\u2069" in arabic
    counter.window.language.apply("en")
    assert counter.window.counter.status.text().startswith("No PDF viewer could open")


def test_a_failed_copy_is_said_in_the_dialog_which_stays_open(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_printer(counter)

    def refuse(*_args: object, **_kwargs: object) -> int:
        raise NotFoundError("No invoice with number {number}.", number="F1")

    monkeypatch.setattr(ui.bill_copy_dialog, "print_bill_copy", refuse)
    dialog = _open_copy(counter)
    counter.press(Qt.Key.Key_Return)
    assert counter.window.counter.bill_copy_dialog is dialog and dialog.isVisible()
    assert dialog.error.isVisible() and "No invoice with number F1." in dialog.error.text()
    assert counter.focus() is dialog.pdf_button
    assert dialog.print_button.isEnabled()  # try again once the fault is fixed
    counter.press(Qt.Key.Key_Escape)
    assert counter.window.counter.bill_copy_dialog is None


def test_a_copy_under_way_cannot_be_cancelled(counter: Counter) -> None:
    _with_printer(counter)
    dialog = _open_copy(counter)
    dialog.busy = True  # as while the database writes the copy (the test runner is synchronous)
    counter.press(Qt.Key.Key_Escape)
    counter.press(Qt.Key.Key_1)
    assert counter.window.counter.bill_copy_dialog is dialog and dialog.isVisible()
    assert _bill_copy_jobs(counter) == []
    dialog.busy = False
    counter.press(Qt.Key.Key_Escape)
    assert counter.window.counter.bill_copy_dialog is None


def test_with_the_real_runner_the_copy_is_made_off_the_gui_thread(
    counter_world: World, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    def no_viewer() -> bool:
        threads.append(threading.current_thread().name)
        return False

    monkeypatch.setattr(ui.bill_copy_dialog, "pdf_viewer_available", no_viewer)
    runner = TaskRunner()
    try:
        dialog = BillCopyDialog(
            counter_world.ctx, counter_world.agent, WORKSTATION, "F1", "fr", runner
        )
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitUntil(lambda: not dialog.print_button.isEnabled())  # no printer: PDF only
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.not_opened)
        assert threads and threads[0].startswith("guichet-task")
        assert dialog.path is not None and dialog.path.name.endswith("-fr.pdf")
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        assert dialog.result() == QDialog.DialogCode.Accepted
    finally:
        runner.close()
