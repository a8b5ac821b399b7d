"""The counter at the screen sizes agencies have (1366×768, 1024×768), in every language.

What an agent would check with a customer in front of them: the open bills get
the room (at least five bills and two lines in sight without scrolling), no
column header or amount is cut short ("1 500,00 D…"), nothing scrolls sideways,
and the receipt panel folds away when the room is needed.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from db.models import Contract, ContractStatus, Invoice, InvoiceStatus, Offer, ServiceType
from db.models import Subscriber as SubscriberRow
from tests.factories import add_subscriber
from tests.ui.conftest import Counter
from ui.qt import QStyle, Qt, QTableView

SIZES = [(1366, 768), (1024, 768)]
LANGUAGES = ["fr", "ar", "en"]
ACCOUNT = "1000000009"


def add_busy_subscriber(counter: Counter) -> None:
    """Six open bills on a fixed line and one on a suspended fibre line."""
    db = counter.world.db
    add_subscriber(
        db,
        ACCOUNT,
        phone="+213555000111",
        invoices=[(f"G{i}", 150000 + i * 1000, date(2026, 5 + i, 10)) for i in range(6)],
    )
    with db.write() as session:
        subscriber = session.scalars(
            select(SubscriberRow).where(SubscriberRow.account_number == ACCOUNT)
        ).one()
        fibre = Contract(
            number=f"C2{ACCOUNT}",
            subscriber=subscriber,
            service=ServiceType.FTTH,
            line_e164="+21321000111",
            offer=session.scalars(select(Offer)).first(),
            status=ContractStatus.SUSPENDED,
            requested_on=date(2021, 1, 1),
        )
        session.add(fibre)
        session.add(
            Invoice(
                number="H1",
                contract=fibre,
                subscriber=subscriber,
                period_start=date(2026, 9, 1),
                period_end=date(2026, 9, 30),
                issue_date=date(2026, 10, 1),
                delivery_date=date(2026, 10, 28),  # delivered late: both marks show
                due_date=date(2026, 10, 20),
                amount_minor=1_234_567,
                late_fee_minor=0,
                paid_minor=0,
                status=InvoiceStatus.OPEN,
                barcode="BCH1",
            )
        )


def fully_visible_rows(view: QTableView) -> int:
    height = view.viewport().height()
    return sum(
        1
        for row in range(view.model().rowCount())
        if view.rowViewportPosition(row) >= 0
        and view.rowViewportPosition(row) + view.rowHeight(row) <= height
    )


def cut_texts(view: QTableView) -> list[str]:
    """Header and cell texts wider than their column: Qt would draw them with "…"."""
    model = view.model()
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    header_metrics = header.fontMetrics()
    # Qt draws a cell's text inside the focus frame's margin, one pixel more each side.
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    cut = []
    for column in range(model.columnCount()):
        if view.isColumnHidden(column):
            continue
        width = view.columnWidth(column)
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        # The header's own margins and sort indicator room, as Qt's style asks for it.
        if header_metrics.horizontalAdvance(title) + 12 > header.sectionSize(column):
            cut.append(f"header {title!r} in {header.sectionSize(column)} px")
        for row in range(model.rowCount()):
            text = str(model.data(model.index(row, column)) or "")
            if metrics.horizontalAdvance(text) + margin > width:
                cut.append(f"{text!r} in {width} px")
    return cut


def subscriber_tables(counter: Counter) -> dict[str, QTableView]:
    panel = counter.window.counter.panel
    return {
        "contracts": panel.contracts_view,
        "invoices": panel.invoices_view,
        "payments": panel.payments_view,
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_bills_get_the_room_and_nothing_is_cut(
    counter: Counter, language: str, size: tuple[int, int]
) -> None:
    add_busy_subscriber(counter)
    counter.sign_in()
    counter.scan(ACCOUNT)
    window = counter.window
    window.language.apply(language)
    window.resize(*size)
    counter.qtbot.wait(20)
    assert window.width() <= size[0] and window.height() <= size[1]
    tables = subscriber_tables(counter)
    assert fully_visible_rows(tables["invoices"]) >= 5, "fewer than 5 bills in sight"
    assert fully_visible_rows(tables["contracts"]) >= 2, "fewer than 2 lines in sight"
    for name, view in tables.items():
        assert not view.horizontalScrollBar().isVisible(), f"{name} scrolls sideways"
        assert cut_texts(view) == [], f"{name}: text cut short"
    amounts = [
        str(tables["invoices"].model().data(tables["invoices"].model().index(row, 3)))
        for row in range(tables["invoices"].model().rowCount())
    ]
    assert all(any(c.isdigit() for c in a) and not a.endswith("…") for a in amounts)


def test_the_receipt_panel_folds_away_and_comes_back(counter: Counter) -> None:
    counter.sign_in()
    screen = counter.window.counter
    counter.window.resize(1366, 768)
    counter.qtbot.wait(20)
    assert screen.receipt_panel_visible()
    counter.press(Qt.Key.Key_F12)
    assert not screen.receipt_panel_visible()
    counter.press(Qt.Key.Key_F12)
    assert screen.receipt_panel_visible()


def test_on_a_narrow_screen_the_receipt_shows_once_there_is_one(counter: Counter) -> None:
    """At 1024 px the bills get the whole width; the change and the receipt of the
    payment just taken still show, until the next customer."""
    counter.sign_in()
    screen = counter.window.counter
    counter.window.resize(1024, 768)
    counter.scan("1000000002")
    counter.qtbot.wait(20)
    assert not screen.receipt_panel_visible()
    counter.press(Qt.Key.Key_Return)  # the payment dialog
    assert screen.payment_dialog is not None
    counter.type("2000")
    counter.clock.advance(1)
    counter.press(Qt.Key.Key_Return)
    assert screen.payment_dialog is None
    assert screen.receipt_panel_visible()
    assert screen.change_given.isVisible()
    counter.qtbot.wait(20)
    assert counter.window.width() <= 1024  # the panel beside the bills, on the screen
    counter.press(Qt.Key.Key_Escape)  # the next customer
    assert not screen.receipt_panel_visible()
    counter.press(Qt.Key.Key_F12)  # the agent wants it back
    assert screen.receipt_panel_visible()
