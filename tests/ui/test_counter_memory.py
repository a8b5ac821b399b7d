"""A day of customers leaves nothing behind: each payment dialog goes when it closes.

Kept, they held about 3 MB each (the counter grew from 294 to 444 MB over 42
customers); tests/benchmarks/bench_counter_soak.py measures a thousand.
"""

from __future__ import annotations

import gc

from tests.ui.conftest import Counter
from ui.payment_dialog import PaymentDialog
from ui.qt import QApplication, QEvent, QObject


def _serve(counter: Counter, account: str) -> None:
    screen = counter.window.counter
    counter.scan(account)
    assert screen.subscriber is not None and screen.subscriber.account_number == account
    screen.open_payment()
    dialog = screen.payment_dialog
    assert dialog is not None
    dialog.submit()
    assert screen.payment_dialog is None and screen.search.text() == ""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # what exec() does
    gc.collect()


def _alive_dialogs() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, PaymentDialog))


def test_each_payment_dialog_is_released_with_its_python_side(counter: Counter) -> None:
    counter.sign_in()
    before = _alive_dialogs()  # earlier tests in this process may have left theirs open
    _serve(counter, "1000000002")
    qobjects = len(counter.window.findChildren(QObject))
    _serve(counter, "1000000003")
    assert len(counter.window.findChildren(QObject)) == qobjects
    assert _alive_dialogs() <= before
