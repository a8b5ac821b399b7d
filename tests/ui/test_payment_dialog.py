"""The payment dialog never misleads about money: real key events, a clock the test moves.

Subscriber 1000000001 owes DZD 4,300.00 (F1 1,800.00 then F2 2,500.00) and has a
mobile; 1000000002 owes DZD 1,000.00 (F3). The clock only moves when the test
says: ``counter.press`` waits a person's second unless told ``after=``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.amount_input import describe_amount
from db.models import Payment, TopUpSale
from tests.ui.conftest import Counter
from ui.payment_dialog import DEBOUNCE_SECONDS, PaymentDialog
from ui.qt import QApplication, QLabel, QPushButton, Qt, QWidget

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def payments(counter: Counter) -> list[Payment]:
    with counter.world.db.read() as session:
        return list(
            session.scalars(
                select(Payment).options(selectinload(Payment.tenders)).order_by(Payment.id)
            )
        )


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("\u200f", "")


def open_payment(
    counter: Counter, query: str = "1000000001", *, sign_in: bool = True
) -> PaymentDialog:
    if sign_in:
        counter.sign_in()
    counter.scan(query)
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    return dialog


def retype(counter: Counter, field_text: str) -> None:
    """Select what the focused field holds and type over it, as an agent does."""
    counter.focus().selectAll()  # type: ignore[attr-defined]
    counter.type(field_text)


def ticked(dialog: PaymentDialog) -> list[str]:
    return dialog.invoices.chosen_numbers()


# --- the Enter debounce ----------------------------------------------------------------------


def test_an_enter_right_after_opening_does_not_confirm(counter: Counter) -> None:
    dialog = open_payment(counter)
    counter.press(Qt.Key.Key_Return, after=0.05)  # the habitual double press
    counter.press(Qt.Key.Key_Return, after=DEBOUNCE_SECONDS - 0.06)  # still within 300 ms
    assert payments(counter) == [] and dialog.isVisible()
    counter.press(Qt.Key.Key_Return, after=0.2)  # the agent looked at the amount
    [payment] = payments(counter)
    assert payment.tendered_minor == 430000 and payment.change_minor == 0


def test_exact_cash_is_two_keystrokes_after_the_scan_for_an_agent_who_looks(
    counter: Counter,
) -> None:
    counter.sign_in()
    counter.scan("1000000002")
    counter.keys = 0
    counter.press(Qt.Key.Key_Return, after=0.05)  # right after the scanner's Enter: opens
    assert counter.window.counter.payment_dialog is not None
    counter.press(Qt.Key.Key_Return, after=DEBOUNCE_SECONDS + 0.05)
    assert counter.keys == 2
    [payment] = payments(counter)
    assert payment.tendered_minor == 100000 and payment.change_minor == 0


# --- what was handed over, and the change ---------------------------------------------------


def test_cash_follows_the_amount_to_pay_until_typed(counter: Counter) -> None:
    dialog = open_payment(counter)
    cash = dialog.tender_rows[0]
    assert cash.amount.text() == "4300.00" and not cash.typed
    dialog.amount_to_pay.setFocus()
    counter.type("1000")
    assert cash.amount.text() == "1000.00"  # not 4300.00: no change out of thin air
    assert plain(dialog.change.text()) == "DZD 0.00"
    assert plain(dialog.amount_reading.understood.text()) == "DZD 1,000.00"
    counter.press(Qt.Key.Key_Return)  # an amount to pay was typed: no question asked
    [payment] = payments(counter)
    assert (payment.tendered_minor, payment.allocated_minor, payment.change_minor) == (
        100000,
        100000,
        0,
    )


def test_change_only_from_the_cash_typed_as_received(counter: Counter) -> None:
    dialog = open_payment(counter)
    dialog.amount_to_pay.setFocus()
    counter.type("5000")  # more than due: the surplus stays as credit, not as change
    assert dialog.tender_rows[0].amount.text() == "5000.00"
    assert plain(dialog.change.text()) == "DZD 0.00"
    assert "kept as credit: DZD 700.00" in plain(dialog.summary.text())
    dialog.amount_to_pay.selectAll()
    counter.type("1000")
    dialog.tender_rows[0].amount.setFocus()
    retype(counter, "1500")  # what the customer handed over
    assert dialog.tender_rows[0].typed
    assert plain(dialog.change.text()) == "DZD 500.00"
    dialog.amount_to_pay.setFocus()
    retype(counter, "1200")  # the typed cash no longer follows
    assert dialog.tender_rows[0].amount.text() == "1500"
    assert plain(dialog.change.text()) == "DZD 300.00"
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert (payment.tendered_minor, payment.change_minor) == (150000, 30000)


def test_cash_below_the_amount_due_needs_a_second_enter(counter: Counter) -> None:
    dialog = open_payment(counter)
    retype(counter, "1000")
    counter.press(Qt.Key.Key_Return)
    assert payments(counter) == [] and dialog.isVisible()
    assert dialog.partial_warning.isVisibleTo(dialog)
    assert plain(dialog.partial_warning.text()) == (
        "Partial payment of DZD 1,000.00, DZD 3,300.00 stays to pay"
        " — Enter to confirm, Esc to correct"
    )
    counter.press(Qt.Key.Key_Return, after=0.1)  # a double press is not a confirmation
    assert payments(counter) == []
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert (payment.allocated_minor, payment.change_minor) == (100000, 0)


def test_esc_or_an_edit_goes_back_to_correcting(counter: Counter) -> None:
    dialog = open_payment(counter)
    cash = dialog.tender_rows[0]
    retype(counter, "1000")
    counter.press(Qt.Key.Key_Return)
    assert dialog.partial_warning.isVisibleTo(dialog)
    counter.press(Qt.Key.Key_Escape)  # correct, do not close
    assert dialog.isVisible() and counter.window.counter.payment_dialog is dialog
    assert not dialog.partial_warning.isVisibleTo(dialog)
    assert counter.focus() is cash.amount
    counter.press(Qt.Key.Key_Return)  # asked again
    assert dialog.partial_warning.isVisibleTo(dialog)
    counter.press(Qt.Key.Key_End)  # moving the cursor is no edit: the question stays
    assert dialog.partial_warning.isVisibleTo(dialog)
    counter.type("0")  # 10000: any edit is a correction
    assert not dialog.partial_warning.isVisibleTo(dialog)
    assert plain(dialog.change.text()) == "DZD 5,700.00"
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert (payment.allocated_minor, payment.change_minor) == (430000, 570000)


# --- reading amounts ------------------------------------------------------------------------


def test_amounts_are_read_and_prefilled_in_french(counter: Counter) -> None:
    counter.sign_in()
    counter.window.language.apply("fr")
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    cash = dialog.tender_rows[0]
    assert cash.amount.text() == "4300,00"
    assert cash.reading.understood.text() == describe_amount(Decimal("4300"), "DZD", "fr")
    retype(counter, "5.800")  # 5 800 or 5,80? Refused, both shown
    refusal = plain(cash.reading.refusal.text())
    assert "5 800,00 DZD" in refusal and "5,80 DZD" in refusal
    assert cash.reading.understood.text() == "?"
    counter.press(Qt.Key.Key_Return)
    assert payments(counter) == [] and counter.focus() is cash.amount
    retype(counter, "5 800")
    assert cash.reading.understood.text() == describe_amount(Decimal("5800"), "DZD", "fr")
    assert not cash.reading.refusal.isVisibleTo(dialog)
    assert plain(dialog.change.text()) == "1 500,00 DZD"
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert (payment.tendered_minor, payment.change_minor) == (580000, 150000)


def test_arabic_digits_are_read_in_arabic(counter: Counter) -> None:
    counter.sign_in()
    counter.window.language.apply("ar")
    counter.scan("1000000002")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    cash = dialog.tender_rows[0]
    assert cash.amount.text() == "1000,00"
    cash.amount.selectAll()
    counter.type("١٥٠٠")  # through the input method, as an Arabic keyboard sends it
    assert cash.typed
    assert cash.reading.understood.text() == describe_amount(Decimal("1500"), "DZD", "ar")
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert payment.change_minor == 50000


# --- tender lines ---------------------------------------------------------------------------


def test_f4_adds_a_cheque_line_with_what_is_left(counter: Counter) -> None:
    dialog = open_payment(counter)
    retype(counter, "1000")  # cash handed over
    counter.press(Qt.Key.Key_F4)
    assert len(dialog.tender_rows) == 2
    cash, cheque = dialog.tender_rows
    assert cash.amount.text() == "1000" and cash.current_kind() == "cash"
    assert cheque.current_kind() == "cheque" and cheque.amount.text() == "3300.00"
    assert counter.focus() is cheque.reference
    counter.type("0012345")
    cheque.bank.setFocus()
    counter.type("BNA")
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert [(t.kind, t.amount_minor) for t in payment.tenders] == [
        ("cash", 100000),
        ("cheque", 330000),
    ]
    assert payment.change_minor == 0


def test_a_new_line_takes_over_from_the_untouched_cash_line(counter: Counter) -> None:
    dialog = open_payment(counter)
    counter.press(Qt.Key.Key_F5)  # the customer pays by card
    cash, card = dialog.tender_rows
    assert cash.amount.text() == "" and card.amount.text() == "4300.00"
    assert plain(dialog.change.text()) == "DZD 0.00"
    counter.type("AUTH42")
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert [(t.kind, t.amount_minor) for t in payment.tenders] == [("card", 430000)]


def test_every_line_can_be_removed(counter: Counter) -> None:
    dialog = open_payment(counter)
    counter.press(Qt.Key.Key_F6)  # postal transfer; the focus is in its reference
    assert len(dialog.tender_rows) == 2
    counter.press(Qt.Key.Key_Delete, CTRL)
    [cash] = dialog.tender_rows
    assert cash.amount.text() == "4300.00"  # what is left is back on the cash line
    assert counter.focus() is cash.amount
    counter.press(Qt.Key.Key_Delete, CTRL)
    assert dialog.tender_rows == []
    counter.press(Qt.Key.Key_Return)
    assert payments(counter) == [] and "at least one tender" in dialog.error.text()
    counter.press(Qt.Key.Key_F3)
    [cash] = dialog.tender_rows
    assert cash.amount.text() == "4300.00" and counter.focus() is cash.amount
    counter.press(Qt.Key.Key_F5)
    counter.qtbot.mouseClick(dialog.tender_rows[1].remove, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert len(dialog.tender_rows) == 1 and dialog.tender_rows[0].amount.text() == "4300.00"
    dialog.tender_rows[0].amount.setFocus()
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert [(t.kind, t.amount_minor) for t in payment.tenders] == [("cash", 430000)]


def test_a_line_with_a_reference_but_no_amount_is_not_dropped(counter: Counter) -> None:
    dialog = open_payment(counter)
    counter.press(Qt.Key.Key_F4)
    counter.type("0012345")  # a cheque number, then the agent changes their mind: cash
    counter.press(Qt.Key.Key_F3)
    assert dialog.tender_rows[1].amount.text() == ""
    counter.press(Qt.Key.Key_Return)
    assert payments(counter) == []
    assert dialog.error.text() == "Tender 2: enter its amount, or remove the line (Ctrl+Delete)."
    assert counter.focus() is dialog.tender_rows[1].amount


# --- top-ups --------------------------------------------------------------------------------


def test_top_ups_are_listed_prefilled_with_the_mobile_and_removable(counter: Counter) -> None:
    dialog = open_payment(counter)
    counter.press(Qt.Key.Key_F7)
    popup = dialog.topup_dialog
    assert popup is not None
    assert popup.windowTitle() == "Add a top-up" and popup.cancel.text() == "Cancel (Esc)"
    assert popup.target.text() == "0555 12 34 56"  # the subscriber's mobile
    counter.press(Qt.Key.Key_Escape)  # Cancel: nothing added
    assert dialog.topup_dialog is None and dialog.topups == []
    counter.press(Qt.Key.Key_F7)
    counter.press(Qt.Key.Key_Return)  # to the mobile
    assert [(t.product_code, t.target_number) for t in dialog.topups] == [
        ("LTE1000", "0555 12 34 56")
    ]
    shown = [label.text() for label in dialog.findChildren(QLabel, "topup_text")]
    assert len(shown) == 1 and "0555 12 34 56" in shown[0] and "DZD 1,000.00" in plain(shown[0])
    assert dialog.tender_rows[0].amount.text() == "5300.00"  # the bills and the top-up
    counter.press(Qt.Key.Key_F7, SHIFT)  # removes the last top-up
    assert dialog.topups == [] and dialog.tender_rows[0].amount.text() == "4300.00"
    counter.press(Qt.Key.Key_F7)
    counter.type("0661 00 00 00")  # typed over the prefilled number
    counter.press(Qt.Key.Key_Return)
    assert [t.target_number for t in dialog.topups] == ["0661 00 00 00"]
    counter.press(Qt.Key.Key_F7)
    counter.press(Qt.Key.Key_Return)
    assert len(dialog.topups) == 2
    first = dialog.findChild(QWidget, "topup_line_1")
    assert first is not None
    remove = first.findChild(QPushButton, "remove")
    assert remove is not None
    counter.qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert [t.target_number for t in dialog.topups] == ["0555 12 34 56"]
    dialog.tender_rows[0].amount.setFocus()
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert (payment.allocated_minor, payment.topups_minor, payment.change_minor) == (
        430000,
        100000,
        0,
    )
    with counter.world.db.read() as session:
        assert session.scalars(select(TopUpSale.target_number)).all() == ["0555 12 34 56"]


def test_a_top_up_needs_a_number(counter: Counter) -> None:
    dialog = open_payment(counter, "1000000002")  # no mobile on file
    counter.press(Qt.Key.Key_F7)
    popup = dialog.topup_dialog
    assert popup is not None and popup.target.text() == ""
    counter.press(Qt.Key.Key_Return)
    assert popup.isVisible() and "number to top up" in popup.error.text()
    assert dialog.topups == []


# --- a scanned bill -------------------------------------------------------------------------


def test_a_scanned_bill_is_the_one_ticked(counter: Counter) -> None:
    dialog = open_payment(counter, "BCF2")  # the newer bill's barcode
    assert ticked(dialog) == ["F2"]
    unticked = dialog.invoices.index(0, 0).data(Qt.ItemDataRole.CheckStateRole)
    assert unticked == Qt.CheckState.Unchecked  # F1 shown, not ticked
    assert dialog.invoices.rowCount() == 2
    assert dialog.tender_rows[0].amount.text() == "2500.00"
    assert "F2" in dialog.scanned_note.text() and dialog.scanned_note.isVisibleTo(dialog)
    counter.press(Qt.Key.Key_F10)  # every bill
    assert ticked(dialog) == ["F1", "F2"]
    assert dialog.tender_rows[0].amount.text() == "4300.00"
    counter.press(Qt.Key.Key_Return)
    [payment] = payments(counter)
    assert payment.allocated_minor == 430000


def test_an_invoice_number_ticks_that_bill_an_account_ticks_all(counter: Counter) -> None:
    dialog = open_payment(counter, "F1")
    assert ticked(dialog) == ["F1"]
    counter.press(Qt.Key.Key_Escape)
    assert counter.window.counter.payment_dialog is None
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None and ticked(dialog) == ["F1", "F2"]
    assert not dialog.scanned_note.isVisibleTo(dialog)


# --- after the payment ----------------------------------------------------------------------


def test_the_change_stays_on_the_counter_until_the_next_customer(counter: Counter) -> None:
    open_payment(counter, "1000000002")
    retype(counter, "1500")
    counter.press(Qt.Key.Key_Return)
    screen = counter.window.counter
    assert screen.payment_dialog is None
    assert screen.change_given.isVisibleTo(screen)
    assert plain(screen.change_given.text()) == "Change to give: DZD 500.00"
    assert counter.focus() is screen.search
    counter.press(Qt.Key.Key_Escape)  # the next customer
    assert not screen.change_given.isVisibleTo(screen)
    open_payment(counter, "1000000001", sign_in=False)
    counter.press(Qt.Key.Key_Return)
    assert not screen.change_given.isVisibleTo(screen)  # no change: nothing to hand back
    screen.search.setFocus()
    counter.scan("1000000002")
    assert not screen.change_given.isVisibleTo(screen)
