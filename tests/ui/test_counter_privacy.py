"""The customer served leaves the screen: on Esc, at the next search, on lock and at sign-out.

Each test pays a customer with real key events, then looks at every text a
person could see on screen (labels, fields, table cells, tool tips, what a screen
reader reads) for the customer's name, account, phone, amounts and receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

import ui.counter
from db.models import ContractStatus, Payment
from tests.factories import PASSWORD, add_subscriber
from tests.ui.conftest import Counter
from tests.ui.screen_texts import traces
from ui.qt import Qt


class DeferredRunner:
    """Holds each task until the test lets it finish: an answer that comes late."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []

    def submit(
        self,
        work: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.waiting.append((work, on_result))

    def finish_all(self) -> None:
        while self.waiting:
            work, on_result = self.waiting.pop(0)
            on_result(work())


def pay_with_change(counter: Counter) -> str:
    """Hélène Benali (1000000001) pays her two bills, 4,300.00, with 5,000.00 in cash."""
    counter.sign_in()
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    dialog.tender_rows[0].amount.selectAll()
    counter.type("5000")
    counter.press(Qt.Key.Key_Return)
    with counter.world.db.read() as session:
        [receipt_no] = session.scalars(select(Payment.receipt_no)).all()
    return receipt_no


def customer_traces(receipt_no: str) -> list[str]:
    return [
        "Hélène Benali",
        "هيلين بن علي",
        "1000000001",
        "555 12 34 56",
        "4,300.00",
        "1,800.00",
        "2,500.00",
        "5,000.00",
        "700.00",  # the change
        receipt_no,
    ]


def assert_served_customer_on_screen(counter: Counter, receipt_no: str) -> None:
    # What the test looks for is really there before: the receipt and the change.
    shown = {
        needle for needle, _where, _text in traces(customer_traces(receipt_no), counter.window)
    }
    assert {receipt_no, "700.00", "Hélène Benali"} <= shown, shown


def assert_no_trace(counter: Counter, receipt_no: str) -> None:
    found = traces(customer_traces(receipt_no), counter.window)
    assert not found, found
    screen = counter.window.counter
    assert screen.subscriber is None and screen.results.rows == []
    assert screen.panel.invoices.rows == [] and screen.panel.payments.rows == []
    assert screen.receipt_preview.slip is None and not screen.change_given.text()


def test_escape_clears_the_customer_and_the_receipt(counter: Counter) -> None:
    receipt_no = pay_with_change(counter)
    assert_served_customer_on_screen(counter, receipt_no)
    counter.press(Qt.Key.Key_Escape)
    assert_no_trace(counter, receipt_no)
    screen = counter.window.counter
    search = screen.search
    assert search.text() == ""
    counter.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo brings nothing back
    assert search.text() == ""
    assert counter.focus() is search


def test_a_new_search_clears_the_customer_before_its_answer(counter: Counter) -> None:
    receipt_no = pay_with_change(counter)
    screen = counter.window.counter
    late = DeferredRunner()
    screen._runner = late
    counter.scan("1000000003")
    assert late.waiting, "the search should still be running"
    assert_no_trace(counter, receipt_no)
    assert screen.search.text() == "1000000003"
    screen.search.undo()  # what was searched before is not in the box's history
    assert screen.search.text() == "1000000003"
    late.finish_all()  # the search, then the subscriber it opens
    late.finish_all()
    assert screen.subscriber is not None and screen.subscriber.account_number == "1000000003"
    assert_no_trace_but_the_new_one(counter, receipt_no)


def assert_no_trace_but_the_new_one(counter: Counter, receipt_no: str) -> None:
    found = traces(customer_traces(receipt_no), counter.window)
    assert not found, found


def test_locking_clears_the_customer(counter: Counter) -> None:
    receipt_no = pay_with_change(counter)
    counter.press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert counter.window.sign_in.locked
    assert_no_trace(counter, receipt_no)
    counter.type(PASSWORD)  # the same agent unlocks: the counter is blank
    counter.press(Qt.Key.Key_Return)
    assert not counter.window.sign_in.locked
    assert_no_trace(counter, receipt_no)


def test_signing_out_leaves_nothing_for_the_next_agent(counter: Counter) -> None:
    receipt_no = pay_with_change(counter)
    counter.qtbot.mouseClick(counter.window.sign_out_button, Qt.MouseButton.LeftButton)
    assert counter.window.actor is None
    assert_no_trace(counter, receipt_no)
    counter.sign_in("yacine")
    assert counter.window.actor is not None and counter.window.actor.login == "yacine"
    assert_no_trace(counter, receipt_no)
    # F6 with nobody shown reprints the last receipt: not the previous agent's customer's.
    screen = counter.window.counter
    assert screen.last_receipt is None
    counter.press(Qt.Key.Key_F6)
    assert screen.last_copy is None


def test_a_late_answer_never_brings_the_customer_back(counter: Counter) -> None:
    counter.sign_in()
    screen = counter.window.counter
    late = DeferredRunner()
    screen._runner = late
    counter.scan("1000000001")  # the search is on its way...
    counter.press(Qt.Key.Key_Escape)  # ...and the agent moves on
    late.finish_all()
    assert screen.subscriber is None and screen.results.rows == []
    assert not traces(["Hélène Benali", "1000000001"], counter.window)

    counter.scan("Mansouri")  # found, one name: the list waits for the agent
    late.finish_all()
    assert [hit.account_number for hit in screen.results.rows] == ["1000000002"]
    counter.press(Qt.Key.Key_Down)
    counter.press(Qt.Key.Key_Return)  # the subscriber is being read...
    assert late.waiting
    counter.press(Qt.Key.Key_Escape)  # ...and Esc comes first
    late.finish_all()
    assert screen.subscriber is None
    assert not traces(["Hélène Mansouri", "1000000002", "1,000.00"], counter.window)


# --- search results that tell namesakes apart ------------------------------------------------


def test_results_show_phone_city_amount_status_and_how_many_more(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = counter.world
    add_subscriber(
        world.db,
        "1000000004",
        first_name="Mohamed",
        last_name="Benali",
        phone="+213661000111",
        status=ContractStatus.SUSPENDED,
        invoices=[("F5", 123456, date(2026, 8, 1))],
    )
    for account in ("1000000005", "1000000006", "1000000007"):
        add_subscriber(world.db, account, first_name="Mohamed", last_name="Benali")
    monkeypatch.setattr(ui.counter, "RESULTS_PAGE", 2)
    counter.sign_in()
    counter.scan("Mohamed Benali")
    screen = counter.window.counter
    model = screen.results
    rows = {
        model.row_at(row).account_number: {
            column.name: model.data(model.index(row, index)).replace("\xa0", " ")
            for index, column in enumerate(model.columns)
        }
        for row in range(model.rowCount())
    }
    assert list(rows) == ["1000000003", "1000000004"]
    suspended = rows["1000000004"]
    # The account over the phone, each isolated: digits stay in order in Arabic.
    assert suspended["account"] == "\u20661000000004\u2069\n\u20660661 00 01 11\u2069"
    assert suspended["name"] == "Mohamed Benali\nهيلين بن علي"
    assert suspended["city"] == "Alger"
    assert suspended["due"] == "DZD 1,234.56"
    assert suspended["status"] == "Suspended"
    assert rows["1000000003"]["due"] == "DZD 990.00" and rows["1000000003"]["status"] == "Active"
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == ["Name", "Account and phone", "City", "Amount due", "Status"]
    assert screen.results_footer.isVisible()
    assert screen.results_footer.text() == "3 more matches — refine the search"
    assert screen.status.text() == "2 subscribers found"
    counter.press(Qt.Key.Key_Escape)
    assert not screen.results_footer.isVisible() and screen.results_footer.text() == ""


def test_no_footer_when_the_page_holds_every_match(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("Benali")
    screen = counter.window.counter
    assert len(screen.results.rows) == 2
    assert not screen.results_footer.isVisible()


def test_a_count_that_stopped_says_more_than(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.lookup import service as lookup_service

    for account in ("1000000005", "1000000006", "1000000007", "1000000008"):
        add_subscriber(counter.world.db, account, first_name="Mohamed", last_name="Benali")
    monkeypatch.setattr(ui.counter, "RESULTS_PAGE", 2)
    monkeypatch.setattr(lookup_service, "COUNT_LIMIT", 4)  # 5 match: counted to 4 only
    counter.sign_in()
    counter.scan("Mohamed Benali")
    footer = counter.window.counter.results_footer
    assert footer.text() == "More than 2 more matches — refine the search"


def test_undo_in_the_search_box_never_brings_back_the_last_customer(counter: Counter) -> None:
    counter.sign_in()
    screen = counter.window.counter
    counter.scan("1000000001")  # shown; the next scan replaces the selected text
    assert screen.subscriber is not None
    counter.scan("1000000003")
    assert screen.subscriber is not None and screen.subscriber.account_number == "1000000003"
    counter.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "1000000001" not in screen.search.text()
    counter.press(Qt.Key.Key_Escape)
    counter.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert screen.search.text() == ""
