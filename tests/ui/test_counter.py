"""The counter as an agent uses it: real key events, real services, SQLite."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db.models import Payment
from tests.ui.conftest import Counter
from ui.qt import Qt


def payments(counter: Counter) -> list[Payment]:
    with counter.world.db.read() as session:
        return list(
            session.scalars(
                select(Payment).options(selectinload(Payment.tenders)).order_by(Payment.id)
            )
        )


def test_sign_in_shows_errors_then_the_counter(counter: Counter) -> None:
    counter.sign_in(password="wrong password")
    assert counter.window.stack.currentWidget() is counter.window.sign_in
    assert counter.window.sign_in.error.text() == "Wrong login or password."
    counter.sign_in()
    assert counter.window.actor is not None and counter.window.actor.login == "amina"
    assert counter.window.stack.currentWidget() is not counter.window.sign_in
    assert counter.focus() is counter.window.counter.search


def test_locked_account_is_explained(counter: Counter) -> None:
    for _ in range(5):
        counter.sign_in(password="wrong password")
    assert "locked" in counter.window.sign_in.error.text()


def test_exact_cash_payment_takes_two_keystrokes_after_the_scan(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("BCF1")  # the bill's barcode
    screen = counter.window.counter
    assert screen.subscriber is not None and screen.subscriber.account_number == "1000000001"
    counter.keys = 0
    counter.press(Qt.Key.Key_Return)  # open the payment: the scanned bill, cash, prefilled
    assert screen.payment_dialog is not None
    counter.press(Qt.Key.Key_Return)  # confirm
    assert counter.keys <= 3
    [payment] = payments(counter)
    assert payment.tendered_minor == 180000 and payment.change_minor == 0  # bill F1
    assert screen.payment_dialog is None
    assert screen.search.text() == "" and counter.focus() is screen.search
    assert payment.receipt_no in screen.receipt_preview.text()
    assert not screen.receipt_preview.pixmap().isNull()


def test_cash_with_change(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    dialog.tender_rows[0].amount.selectAll()
    counter.type("1500")
    assert dialog.change.text().replace("\xa0", " ") == "DZD 500.00"
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert payment.change_minor == 50000


def test_mixed_tenders_card_and_cash(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("0555 12 34 56")  # the phone, typed the national way
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    counter.press(Qt.Key.Key_F5)  # a card line: the focus moves to the authorisation code
    counter.type("AUTH42")
    dialog.tender_rows[1].amount.setFocus()
    dialog.tender_rows[1].amount.selectAll()
    counter.type("3000")
    counter.press(Qt.Key.Key_F8)  # another tender, cash by default
    counter.type("1500")
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert [(t.kind, t.amount_minor) for t in payment.tenders] == [
        ("card", 300000),
        ("cash", 150000),
    ]
    assert payment.change_minor == 20000
    assert payment.tenders[0].authorisation_code == "AUTH42"


def test_partial_payment_of_one_invoice(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    dialog.invoice_view.setFocus()
    dialog.invoice_view.selectRow(1)
    counter.press(Qt.Key.Key_Space)  # untick the newest invoice
    assert dialog.invoices.chosen_numbers() == ["F1"]
    dialog.amount_to_pay.setFocus()
    counter.type("1000")
    dialog.tender_rows[0].amount.setFocus()
    dialog.tender_rows[0].amount.selectAll()
    counter.type("1000")
    assert "partial payment" in dialog.summary.text()
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert payment.allocated_minor == 100000


def test_overpayment_kept_as_credit(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    dialog.tender_rows[0].amount.selectAll()
    counter.type("1500")
    counter.press(Qt.Key.Key_F9)  # keep the change on the account
    assert dialog.change.text().replace("\xa0", " ") == "DZD 0.00"
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert payment.credit_added_minor == 50000 and payment.change_minor == 0


def test_a_refused_payment_keeps_what_was_typed(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    counter.press(Qt.Key.Key_F4)  # a cheque line, but no number typed
    dialog.tender_rows[1].bank.setText("BNA")
    dialog.tender_rows[1].amount.setFocus()
    counter.press(Qt.Key.Key_Return)
    assert payments(counter) == []
    assert "cheque number" in dialog.error.text()
    assert counter.focus() is dialog.tender_rows[1].reference
    assert dialog.tender_rows[1].bank.text() == "BNA"


def test_double_enter_makes_one_payment(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    request = dialog.request()
    dialog.submit()
    # The same dialog's key, sent again (a retry after a timeout): the same receipt comes back.
    from app.payments.service import take_payment

    again = take_payment(counter.world.ctx, counter.world.agent, request)
    assert again.replayed
    assert len(payments(counter)) == 1


def test_name_search_lists_and_arrow_enter_opens(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("helene")
    screen = counter.window.counter
    assert screen.subscriber is None and len(screen.results.rows) == 2
    counter.press(Qt.Key.Key_Down)
    counter.press(Qt.Key.Key_Return)
    assert screen.subscriber is not None


def test_arabic_name_search_and_escape(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("محمد")  # a name is never an exact match: the list shows, first row selected
    screen = counter.window.counter
    assert [hit.account_number for hit in screen.results.rows] == ["1000000003"]
    counter.press(Qt.Key.Key_Return)
    assert screen.subscriber is not None and screen.subscriber.account_number == "1000000003"
    counter.press(Qt.Key.Key_Escape)
    assert screen.subscriber is None and screen.search.text() == ""


def test_idle_lock_keeps_the_payment_in_progress(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    dialog.tender_rows[0].amount.selectAll()
    counter.type("777")
    counter.window.idle_timer.setInterval(50)
    counter.window.idle_timer.start()
    counter.qtbot.waitUntil(lambda: counter.window.sign_in.locked, timeout=2000)
    assert not dialog.isVisible()
    counter.window.sign_in.password.setFocus()
    counter.window.sign_in.login.setText("yacine")  # another agent may not unlock
    counter.qtbot.keyClicks(counter.window.sign_in.password, "correct horse battery")
    counter.qtbot.keyClick(counter.window.sign_in.password, Qt.Key.Key_Return)
    assert counter.window.sign_in.locked and "Only amina" in counter.window.sign_in.error.text()
    counter.window.sign_in.login.setText("amina")
    counter.qtbot.keyClicks(counter.window.sign_in.password, "correct horse battery")
    counter.qtbot.keyClick(counter.window.sign_in.password, Qt.Key.Key_Return)
    assert not counter.window.sign_in.locked
    assert dialog.isVisible() and dialog.tender_rows[0].amount.text() == "777"
    assert payments(counter) == []


def _pay_then_select_receipt(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    counter.press(Qt.Key.Key_Return)
    counter.scan("1000000002")


def test_void_needs_a_supervisor(counter: Counter) -> None:
    _pay_then_select_receipt(counter)
    screen = counter.window.counter
    counter.press(Qt.Key.Key_F8)
    dialog = screen.void_dialog
    assert dialog is not None and dialog.receipt_no == "ALG01-G01-000001"
    counter.type("Wrong subscriber")
    counter.press(Qt.Key.Key_Return)
    counter.type("yacine")  # an agent, not a supervisor
    counter.press(Qt.Key.Key_Return)
    counter.type("correct horse battery")
    counter.press(Qt.Key.Key_Return)
    assert "not a supervisor" in dialog.error.text()
    assert len(payments(counter)) == 1
    dialog.supervisor_login.setText("karim")
    dialog.supervisor_password.setFocus()
    counter.type("correct horse battery")
    counter.press(Qt.Key.Key_Return)
    assert [p.kind for p in payments(counter)] == ["payment", "void"]
    assert "voided by ALG01-G01-000002" in screen.status.text()
    assert screen.subscriber is not None and screen.subscriber.total_due == Decimal("1000.00")


def test_arabic_lays_the_window_out_right_to_left(counter: Counter) -> None:
    counter.sign_in()
    counter.window.language.apply("ar")
    assert counter.window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert counter.window.counter.search.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert counter.window.sign_out_button.text() == "تسجيل الخروج"
    assert "امسح" in counter.window.counter.search.placeholderText()
    counter.window.language.apply("fr")
    assert counter.window.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert counter.window.sign_out_button.text() == "Se déconnecter"


def test_bill_copy_of_the_oldest_open_invoice(counter: Counter) -> None:
    counter.sign_in()
    counter.window.counter.open_documents = False  # no PDF viewer on a build machine
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_F7)
    counter.press(Qt.Key.Key_Return)  # no receipt printer here: Enter saves the PDF
    path = counter.window.counter.last_document
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    assert "F1" in path.name
    assert str(path) in counter.window.counter.status.text()
    from db.models import JournalEvent

    with counter.world.db.read() as session:
        issued = session.scalars(
            select(JournalEvent).where(JournalEvent.kind == "document.bill_copy_issued")
        ).all()
    assert [(event.actor_login, event.subject) for event in issued] == [("amina", "F1")]


def test_only_supervisors_see_todays_takings(counter: Counter) -> None:
    counter.sign_in()
    assert not counter.window.takings_button.isVisible()
    counter.press(Qt.Key.Key_F10)  # an agent's F10: their own takings, not the agency's
    assert counter.window.takings_dialog is None
    assert counter.window.my_takings_dialog is not None
    counter.press(Qt.Key.Key_Escape)
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    counter.press(Qt.Key.Key_Return)
    counter.window.sign_out()
    counter.sign_in("karim")
    assert counter.window.takings_button.isVisible()
    counter.press(Qt.Key.Key_F10)
    dialog = counter.window.takings_dialog
    assert dialog is not None and dialog.takings.payments == 1
    assert "Payments: 1 · voids: 0" in dialog.summary.text()


def test_top_up_sold_with_the_bill(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    counter.press(Qt.Key.Key_F7)
    assert dialog.topup_dialog is not None
    counter.type("0555 98 76 54")  # the number to top up; the first product is preselected
    counter.press(Qt.Key.Key_Return)
    assert [t.product_code for t in dialog.topups] == ["LTE1000"]  # products listed by service
    assert dialog.tender_rows[0].amount.text() == "2000.00"  # the bill and the top-up, in cash
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert (payment.allocated_minor, payment.topups_minor, payment.change_minor) == (
        100000,
        100000,
        0,
    )
