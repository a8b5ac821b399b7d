"""F4 at the counter: a complaint recorded with two keys after the search, its slip
queued, the subscriber's complaints shown with their clocks; refusals in one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.complaints.slip import complaint_slip, load_complaint_document
from app.printing.slip import plain_text
from db.models import Complaint, PrintJob, PrintJobKind
from tests.factories import World
from tests.test_complaint_world import add_charter
from tests.ui.conftest import Counter, open_counter
from ui.qt import Qt


@pytest.fixture
def counter(counter_world: World, qtbot: QtBot) -> Iterator[Counter]:
    add_charter(counter_world.db)
    with open_counter(counter_world, qtbot) as opened:
        yield opened


def complaints(counter: Counter) -> list[Complaint]:
    with counter.world.db.read() as session:
        rows = list(session.scalars(select(Complaint).order_by(Complaint.id)))
        for row in rows:
            session.expunge(row)
        return rows


def test_a_complaint_takes_two_keys_after_the_search(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000001")
    window = counter.window
    assert window.counter.subscriber is not None
    counter.keys = 0
    counter.press(Qt.Key.Key_F4)  # the complaint dialog, the description in focus
    dialog = window.complaint_dialog
    assert dialog is not None
    assert counter.focus() is dialog.description
    assert dialog.contract.currentData() == "C1000000001"
    assert dialog.preview is not None and dialog.preview.code == "FAULT-8H"
    assert "Commitment FAULT-8H" in dialog.commitment.text()
    assert "Answer due by" in dialog.deadline.text()
    counter.qtbot.keyClicks(dialog.description, "No internet since yesterday")
    counter.press(Qt.Key.Key_Return)  # record and print
    assert counter.keys == 2

    [complaint] = complaints(counter)
    assert complaint.description == "No internet since yesterday"
    assert complaint.category == "no_service" and complaint.channel == "counter"
    assert complaint.commitment_code == "FAULT-8H" and complaint.due_at is not None
    assert window.complaint_dialog is None
    assert f"Complaint {complaint.number} recorded" in window.counter.status.text()
    assert counter.focus() is window.counter.search
    with counter.world.db.read() as session:
        jobs = session.scalars(select(PrintJob.kind)).all()
    assert jobs == [PrintJobKind.COMPLAINT_SLIP]
    strip = window.counter.panel.complaints
    assert strip.isVisibleTo(window) and complaint.number in strip.text()
    assert "of opening hours left" in strip.text()


def test_shift_enter_is_a_new_line_and_a_refusal_says_why(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_F4)
    dialog = counter.window.complaint_dialog
    assert dialog is not None
    counter.press(Qt.Key.Key_Return)  # nothing typed
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text() == "Describe the complaint."
    counter.qtbot.keyClicks(dialog.description, "Line one")
    counter.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    counter.qtbot.keyClicks(dialog.description, "Line two")
    assert dialog.description.toPlainText() == "Line one\nLine two"
    dialog.category.setCurrentIndex(dialog.category.findData("switching_fees"))
    assert dialog.preview is not None and dialog.preview.needs_proof
    assert "(required)" in dialog._labels[4].text()
    dialog.description.setFocus()
    counter.press(Qt.Key.Key_Return)
    assert "proof reference" in dialog.error.text()
    assert counter.focus() is dialog.proof
    counter.type("OLD-INV-9")
    counter.press(Qt.Key.Key_Return)
    [complaint] = complaints(counter)
    assert complaint.proof_reference == "OLD-INV-9"
    assert complaint.description == "Line one\nLine two"


def test_f4_without_a_subscriber_does_nothing(counter: Counter) -> None:
    counter.sign_in()
    counter.press(Qt.Key.Key_F4)
    assert counter.window.complaint_dialog is None


def test_the_slip_text_in_french_and_arabic(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_F4)
    dialog = counter.window.complaint_dialog
    assert dialog is not None
    counter.qtbot.keyClicks(dialog.description, "Coupure")
    counter.press(Qt.Key.Key_Return)
    [complaint] = complaints(counter)
    document = load_complaint_document(counter.world.db, number=complaint.number)
    french = plain_text(complaint_slip(document, "fr"))
    arabic = complaint_slip(document, "ar")
    assert complaint.number in french and "Engagement FAULT-8H" in french
    assert arabic.right_to_left and "التزام FAULT-8H" in plain_text(arabic)
