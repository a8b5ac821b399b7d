"""The closing screens say in one line where the till's Z report is: printing, waiting
in the print queue with the printer's reason, printed."""

from __future__ import annotations

from sqlalchemy import select, update

from app.printing.devices import PrinterError
from app.printing.queue import claim_next, mark_failed, mark_printed
from db.models import JournalEvent, PrintJob, PrintJobKind, Workstation
from tests.factories import NOW, PASSWORD, WORKSTATION
from tests.ui.conftest import Counter
from ui.qt import Qt
from ui.till.close_dialog import CloseTillDialog
from ui.till.handover_dialog import HandoverDialog

ENTER = Qt.Key.Key_Return
PRINTER = "tcp://192.0.2.10:9100"


def _line(dialog: CloseTillDialog | HandoverDialog) -> str:
    """The Z line without its direction isolates (a counter's name reads left to right)."""
    return dialog.z_line.text().replace("\u2066", "").replace("\u2069", "")


def _set_printer(counter: Counter) -> None:
    with counter.world.db.write() as session:
        session.execute(update(Workstation).values(printer_uri=PRINTER))


def _z_jobs(counter: Counter) -> list[PrintJob]:
    with counter.world.db.read() as session:
        return list(
            session.scalars(select(PrintJob).where(PrintJob.kind == PrintJobKind.TILL_REPORT))
        )


def _close_my_till(counter: Counter) -> CloseTillDialog:
    counter.sign_in()
    counter.press(Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    dialog = counter.window.close_till_dialog
    assert isinstance(dialog, CloseTillDialog)
    counter.press(ENTER)  # yes, count it
    counter.type("2")  # 2 × 2000
    dialog.panel.postal_transfers.setFocus()
    counter.press(ENTER)  # the last field: close
    assert dialog.pages.currentWidget() is dialog.done_page
    return dialog


def test_the_close_says_the_z_is_printing_then_waiting_then_printed(counter: Counter) -> None:
    _set_printer(counter)
    dialog = _close_my_till(counter)
    assert dialog.z_line.isVisible()
    assert _line(dialog) == "The Z report is printing at ALG01-G01."
    (job,) = _z_jobs(counter)
    assert (job.copy_number, job.language, job.created_by_id) == (0, "en", None)
    assert dialog.z_watch.timer.isActive()  # looks again until it is printed

    # The printer is off: the next look says so, with the printer's reason.
    claimed = claim_next(counter.world.db, WORKSTATION, NOW)
    assert claimed is not None and claimed.id == job.id
    mark_failed(
        counter.world.db,
        job.id,
        PrinterError("The printer {printer} is offline.", printer=PRINTER),
        NOW,
    )
    counter.qtbot.waitUntil(lambda: "not printing" in _line(dialog), timeout=10_000)
    assert _line(dialog) == (
        f"The printer of ALG01-G01 is not printing (The printer {PRINTER} is offline.): "
        "the Z report waits in its print queue and prints once the printer is back."
    )
    mark_printed(counter.world.db, job.id, PRINTER, NOW)
    dialog.z_watch.refresh()
    assert _line(dialog) == "The Z report of the till is printed."
    assert not dialog.z_watch.timer.isActive()
    shown = dialog.z_line.text().lower()
    assert "expected" not in shown and "difference" not in shown
    counter.press(ENTER)  # sign out
    assert counter.window.actor is None


def test_a_counter_without_a_printer_says_where_the_z_waits(counter: Counter) -> None:
    dialog = _close_my_till(counter)
    assert _line(dialog) == (
        "ALG01-G01 has no printer set up: the Z report waits in its print queue."
    )
    dialog.z_watch.stop()


def test_the_handover_says_where_the_outgoing_z_is(counter: Counter) -> None:
    _set_printer(counter)
    counter.sign_in("yacine")  # amina's till is open at G01
    dialog = counter.window.till_dialog
    assert isinstance(dialog, HandoverDialog)
    counter.type(PASSWORD)  # amina's password
    counter.press(ENTER)
    counter.type("2")  # amina counts 2 × 2000 out
    dialog.out_panel.postal_transfers.setFocus()
    counter.press(ENTER)
    counter.type("1")  # yacine brings 1 × 2000
    dialog.in_panel.grid.fields["coin-50"].setFocus()
    counter.press(ENTER)
    assert dialog.pages.currentWidget() is dialog.done_page
    assert _line(dialog) == "The Z report is printing at ALG01-G01."
    (job,) = _z_jobs(counter)
    with counter.world.db.read() as session:
        login = session.scalar(
            select(JournalEvent.actor_login).where(JournalEvent.subject == job.document_ref)
        )
    assert login == "amina"  # the outgoing agent's close
    counter.press(ENTER)
    assert counter.window.till_dialog is None
    assert not dialog.z_watch.timer.isActive()


def test_an_abandoned_till_closed_at_the_counter_prints_its_z_here(counter: Counter) -> None:
    counter.sign_in("yacine")
    dialog = counter.window.till_dialog
    assert isinstance(dialog, HandoverDialog)
    counter.press(Qt.Key.Key_F8)
    counter.type("Amina went home ill")
    counter.press(ENTER)
    counter.type("karim")
    counter.press(ENTER)
    counter.type(PASSWORD)
    counter.press(ENTER)
    counter.type("1")
    dialog.in_panel.grid.fields["coin-50"].setFocus()
    counter.press(ENTER)
    assert dialog.pages.currentWidget() is dialog.done_page
    assert _line(dialog) == (
        "ALG01-G01 has no printer set up: the Z report waits in its print queue."
    )
    (job,) = _z_jobs(counter)
    assert job.created_by_id is None  # the agent's copy, though a supervisor closed it
    counter.press(ENTER)
