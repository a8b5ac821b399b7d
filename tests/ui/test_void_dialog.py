"""Receipts in the customer's language, and the void that shows what it reverses:
real key events on the counter, real services, SQLite.

Subscriber 1000000001 owes DZD 4,300.00 and has a mobile, 0555 12 34 56;
1000000002 owes DZD 1,000.00 (see ``add_counter_subscribers``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.payments.void import VoidRequest, void_payment
from db.models import Payment, PrintJob, Subscriber
from tests.factories import PASSWORD
from tests.ui.conftest import Counter
from ui.qt import QApplication, Qt
from ui.void_dialog import VoidDialog

WORKSTATION = "ALG01-G01"


def payments(counter: Counter) -> list[Payment]:
    with counter.world.db.read() as session:
        return list(
            session.scalars(
                select(Payment).options(selectinload(Payment.topups)).order_by(Payment.id)
            )
        )


def job_languages(counter: Counter) -> list[tuple[str, str]]:
    with counter.world.db.read() as session:
        return [
            (job.document_ref, job.language)
            for job in session.scalars(select(PrintJob).order_by(PrintJob.id))
        ]


def speaks(counter: Counter, account: str, language: str) -> None:
    with counter.world.db.write() as session:
        subscriber = session.scalars(
            select(Subscriber).where(Subscriber.account_number == account)
        ).one()
        subscriber.language = language


def plain(text: str) -> str:
    drop = "\u2066\u2067\u2068\u2069\u200e\u200f"
    return "".join(c for c in text if c not in drop).replace("\xa0", " ").replace("\u202f", " ")


# --- the receipt's language ------------------------------------------------------------------


def test_the_receipt_is_in_the_customers_language_whatever_the_screen(counter: Counter) -> None:
    speaks(counter, "1000000002", "ar")
    counter.sign_in()  # the screen is in English
    counter.scan("1000000002")
    counter.keys = 0
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    assert dialog.receipt_language.currentData() == "ar"  # theirs, preselected
    assert dialog.receipt_language.currentText() == "العربية"
    assert dialog.request().receipt_language is None  # the service applies the rule
    assert counter.focus() is dialog.tender_rows[0].amount  # the combo takes no focus
    counter.press(Qt.Key.Key_Return)  # exact cash: still two keystrokes
    assert counter.keys == 2
    [payment] = payments(counter)
    assert job_languages(counter) == [(payment.receipt_no, "ar")]
    # The receipt on screen is the one the customer got: Arabic, right to left.
    slip = counter.window.counter.receipt_preview.slip
    assert slip is not None and slip.right_to_left


def test_the_agent_can_print_the_receipt_in_another_language(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000002")  # no language of their own: the operator's, French
    counter.press(Qt.Key.Key_Return)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None and dialog.receipt_language.currentData() == "fr"
    dialog.receipt_language.setFocus()  # Tab brings the agent here; the arrows choose
    counter.press(Qt.Key.Key_Down)
    counter.press(Qt.Key.Key_Down)
    assert dialog.receipt_language.currentData() == "en"
    counter.press(Qt.Key.Key_Return)  # Enter on the list still confirms the payment
    [payment] = payments(counter)
    assert job_languages(counter) == [(payment.receipt_no, "en")]
    assert "Payment receipt" in counter.window.counter.receipt_preview.text()


# --- the void ----------------------------------------------------------------------------------


def _pay_and_select(counter: Counter, account: str = "1000000002") -> None:
    counter.sign_in()
    counter.scan(account)
    counter.press(Qt.Key.Key_Return)
    counter.press(Qt.Key.Key_Return)
    counter.scan(account)  # the subscriber again: the latest receipt is selected


def _open_void(counter: Counter) -> VoidDialog:
    counter.press(Qt.Key.Key_F8)
    dialog = counter.window.counter.void_dialog
    assert dialog is not None
    return dialog


def test_the_void_shows_what_it_reverses_before_the_credentials(counter: Counter) -> None:
    _pay_and_select(counter)
    dialog = _open_void(counter)
    assert dialog.preview is not None and dialog.details.isVisible()
    shown = plain(dialog.preview_text())
    for expected in (
        "ALG01-G01-000001",
        "11:30",  # 10:30 UTC, in Algiers
        "Hélène Mansouri",
        "Account 1000000002",
        "Cash DZD 1,000.00",
        "F3 DZD 1,000.00",  # the bill that opens again
        "Français",  # the slip's language: the customer's (here the operator's)
        "The drawer opens when the CANCELLATION slip prints.",
    ):
        assert expected in shown, expected
    assert plain(dialog.amount.text()) == "DZD 1,000.00"  # paid
    assert plain(dialog.cash_back.text()) == "DZD 1,000.00"  # leaves the drawer
    assert not dialog.topup_warning.isVisible() and not dialog.topups_confirmed.isVisible()
    assert dialog.confirm.isEnabled()
    assert counter.focus() is dialog.reason  # the keyboard flow is unchanged
    counter.type("Wrong subscriber")
    counter.press(Qt.Key.Key_Return)
    counter.type("karim")
    counter.press(Qt.Key.Key_Return)
    counter.type(PASSWORD)
    counter.press(Qt.Key.Key_Return)
    assert [p.kind for p in payments(counter)] == ["payment", "void"]
    assert counter.window.counter.void_dialog is None


def test_a_top_up_void_is_blocked_until_the_delivery_is_acknowledged(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_Return)
    counter.press(Qt.Key.Key_F7)
    counter.press(Qt.Key.Key_Return)  # a top-up to the subscriber's mobile
    counter.press(Qt.Key.Key_Return)  # everything due and the top-up, in cash
    [paid] = payments(counter)
    assert paid.topups
    counter.scan("1000000001")
    dialog = _open_void(counter)
    assert dialog.topup_warning.isVisible()
    warning = plain(dialog.topup_warning.text())
    assert "0555 12 34 56" in warning and "cannot take the top-up back" in warning
    assert dialog.topups_confirmed.isVisible() and not dialog.topups_confirmed.isChecked()
    assert not dialog.confirm.isEnabled()  # blocked until ticked
    counter.type("Customer changed their mind")
    counter.press(Qt.Key.Key_Return)
    assert counter.focus() == dialog.topups_confirmed  # the box is on the way
    counter.press(Qt.Key.Key_Return)  # passed without ticking
    counter.type("karim")
    counter.press(Qt.Key.Key_Return)
    counter.type(PASSWORD)
    counter.press(Qt.Key.Key_Return)
    assert "Tick the box" in dialog.error.text()
    assert counter.focus() == dialog.topups_confirmed
    assert [p.kind for p in payments(counter)] == ["payment"]  # nothing voided
    counter.press(Qt.Key.Key_Space)  # ticked
    assert dialog.topups_confirmed.isChecked() and dialog.confirm.isEnabled()
    counter.press(Qt.Key.Key_Return)
    assert counter.focus() is dialog.supervisor_login
    dialog.supervisor_password.setFocus()
    QApplication.processEvents()
    counter.press(Qt.Key.Key_Return)
    voids = [p for p in payments(counter) if p.kind == "void"]
    assert len(voids) == 1 and voids[0].topups_minor == -paid.topups_minor


def test_a_receipt_that_cannot_be_voided_is_refused_by_name(counter: Counter) -> None:
    _pay_and_select(counter)
    world = counter.world
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v-elsewhere", "ALG01-G01-000001", WORKSTATION, "Mistake", "karim", PASSWORD),
    )
    runner = counter.window.counter._runner  # the counter's own (synchronous in tests)
    dialog = VoidDialog(world.ctx, world.agent, WORKSTATION, "ALG01-G01-000001", runner)
    counter.qtbot.addWidget(dialog)
    assert dialog.preview is None and not dialog.confirm.isEnabled()
    assert dialog.error.text() == "ALG01-G01-000001 was already voided by ALG01-G01-000002."
    missing = VoidDialog(world.ctx, world.agent, WORKSTATION, "ALG01-G01-000999", runner)
    counter.qtbot.addWidget(missing)
    assert missing.error.text() == "No receipt ALG01-G01-000999."
    missing.supervisor_password.returnPressed.emit()  # Enter: nothing to approve
    assert len(payments(counter)) == 2


class LaterRunner:
    """A runner whose work finishes when the test says: the preview read off the GUI thread."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []

    def submit(
        self,
        work: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.waiting.append((work, on_result))

    def finish(self) -> None:
        for work, on_result in self.waiting:
            on_result(work())
        self.waiting.clear()


def test_nothing_is_approved_before_the_preview_arrives(counter: Counter) -> None:
    _pay_and_select(counter)
    world, runner = counter.world, LaterRunner()
    dialog = VoidDialog(world.ctx, world.agent, WORKSTATION, "ALG01-G01-000001", runner)
    counter.qtbot.addWidget(dialog)
    assert dialog.loading.text() == "Reading the receipt…" and not dialog.confirm.isEnabled()
    dialog.supervisor_password.returnPressed.emit()  # Enter: nothing to approve yet
    runner.finish()
    assert dialog.preview is not None and dialog.confirm.isEnabled()
    closed = VoidDialog(world.ctx, world.agent, WORKSTATION, "ALG01-G01-000001", runner)
    counter.qtbot.addWidget(closed)
    closed.reject()  # Esc before the answer: the late answer is dropped quietly
    runner.finish()
    assert closed.preview is None and [p.kind for p in payments(counter)] == ["payment"]
