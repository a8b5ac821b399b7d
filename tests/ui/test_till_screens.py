"""The till on screen with real key events: the counted opening, a handover, the blind
close (never showing what the till should hold), an agent's F10, the supervisor's
dashboard (review with a reason, a cash movement, a forced close, the day's closing)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.cash import close_cash_session
from app.closing.counts import CountInput
from app.closing.status import tills_expected_cash
from app.closing.tills import close_till
from db.engine import Database
from db.models import (
    CashMovement,
    CashSession,
    Closing,
    PrintJob,
    PrintJobKind,
    TillCount,
    TillReview,
)
from tests.factories import PASSWORD, WORKSTATION, build_world
from tests.ui.conftest import Counter, open_counter
from tests.ui.screen_texts import traces, visible_texts
from tests.ui.test_screen_sizes import cut_texts
from ui.formatting import money
from ui.qt import QApplication, Qt, QWidget
from ui.supervisor.dashboard import DashboardDialog
from ui.supervisor.review_dialog import ReviewDialog
from ui.till.close_dialog import CloseTillDialog
from ui.till.handover_dialog import HandoverDialog
from ui.till_dialog import OpenTillDialog

DOWN, ENTER = Qt.Key.Key_Down, Qt.Key.Key_Return


def tills(counter: Counter) -> list[CashSession]:
    with counter.world.db.read() as session:
        return list(session.scalars(select(CashSession).order_by(CashSession.id)))


def pay_cash(counter: Counter, account: str = "1000000002", given: str = "1500") -> None:
    """A cash payment of bill F3 (1000.00), ``given`` in cash: the change goes back."""
    counter.scan(account)
    counter.press(ENTER)
    dialog = counter.window.counter.payment_dialog
    assert dialog is not None
    dialog.tender_rows[0].amount.selectAll()
    counter.type(given)
    counter.press(ENTER)
    assert counter.window.counter.payment_dialog is None


def everything_shown(root: QWidget) -> str:
    return "\n".join(text for _w, text in visible_texts(root))


# --- opening --------------------------------------------------------------------------------


def test_the_float_is_counted_note_by_note_then_the_counter_opens(counter: Counter) -> None:
    world = counter.world
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    counter.sign_in()
    dialog = counter.window.till_dialog
    assert isinstance(dialog, OpenTillDialog)
    grid = dialog.panel.grid
    assert counter.focus() is grid.fields["note-200000"]  # 2000 DA notes first
    counter.type("2")  # 2 × 2000
    counter.press(DOWN)
    counter.type("3")  # 3 × 1000
    assert dialog.panel.total.text() == money(Decimal("7000"), "DZD")
    counter.press(Qt.Key.Key_Up)
    assert counter.focus() is grid.fields["note-200000"]
    counter.press(Qt.Key.Key_Tab)
    counter.press(Qt.Key.Key_Tab)  # 500 DA notes: none
    counter.press(ENTER)  # Enter moves on too
    assert counter.focus() is grid.fields["note-20000"]
    for _ in range(len(grid.fields) - 4):
        counter.press(ENTER)
    assert counter.focus() is grid.fields["coin-50"]  # 0.50 DA coins, the last
    counter.type("4")
    assert dialog.panel.total.text() == money(Decimal("7002"), "DZD")
    counter.press(ENTER)  # Enter on the last opens the till
    assert counter.window.till_dialog is None
    latest = tills(counter)[-1]
    assert latest.closed_at is None and latest.opening_float_minor == 700200
    assert counter.focus() is counter.window.counter.search


def test_a_count_that_is_not_a_number_is_refused_where_it_was_typed(counter: Counter) -> None:
    world = counter.world
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    counter.sign_in()
    dialog = counter.window.till_dialog
    assert isinstance(dialog, OpenTillDialog)
    counter.type("2x")
    dialog.panel.grid.fields["coin-50"].setFocus()
    counter.press(ENTER)
    assert "2x" in dialog.error.text()
    assert counter.focus() is dialog.panel.grid.fields["note-200000"]
    assert len(tills(counter)) == 2  # nothing opened


# --- handover -------------------------------------------------------------------------------


def test_handover_the_outgoing_agent_counts_out_then_the_incoming_counts_in(
    counter: Counter,
) -> None:
    counter.sign_in()
    pay_cash(counter)  # amina's till should now hold 6000.00
    counter.window.sign_out()
    needles = [money(Decimal("6000"), "DZD").replace("\xa0", " "), "6000", "6,000", "6 000"]
    counter.sign_in("yacine")  # amina's till is open at G01
    dialog = counter.window.till_dialog
    assert isinstance(dialog, HandoverDialog)
    assert dialog.outgoing_login.text() == "amina"
    assert counter.focus() is dialog.outgoing_password
    counter.type("wrong password")
    counter.press(ENTER)
    assert dialog.who_error.text() == "Wrong login or password."
    counter.type(PASSWORD)
    counter.press(ENTER)
    assert dialog.pages.currentWidget() is dialog.out_page
    assert counter.focus() is dialog.out_panel.grid.fields["note-200000"]
    counter.type("2")  # amina counts 2 × 2000 + 1 × 1000 out
    counter.press(DOWN)
    counter.type("1")
    assert not traces(needles, counter.window)  # amina counts blind too
    dialog.out_panel.postal_transfers.setFocus()
    counter.press(ENTER)  # the last field of the count: on to the incoming float
    assert dialog.pages.currentWidget() is dialog.in_page
    counter.type("1")  # yacine brings 1 × 2000
    dialog.in_panel.grid.fields["coin-50"].setFocus()
    counter.press(ENTER)
    assert dialog.pages.currentWidget() is dialog.done_page
    assert not traces(needles, counter.window)
    counter.press(ENTER)
    assert counter.window.till_dialog is None
    old, _g02, new = tills(counter)
    assert old.closed_how == "handover" and old.closed_at is not None
    assert new.closed_at is None and new.opening_float_minor == 200000
    with counter.world.db.read() as session:
        closing = session.scalars(
            select(TillCount).where(TillCount.cash_session_id == old.id)
        ).one()
    assert closing.cash_minor == 500000 and closing.purpose == "closing"
    assert counter.focus() is counter.window.counter.search


def test_leaving_the_handover_signs_out(counter: Counter) -> None:
    counter.sign_in("yacine")
    assert isinstance(counter.window.till_dialog, HandoverDialog)
    counter.press(Qt.Key.Key_Escape)
    assert counter.window.actor is None
    assert counter.window.stack.currentWidget() is counter.window.sign_in
    assert counter.focus() is counter.window.sign_in.login  # the next person types at once


def test_an_abandoned_till_is_closed_by_a_supervisor_then_the_float_counted(
    counter: Counter,
) -> None:
    counter.sign_in("yacine")
    dialog = counter.window.till_dialog
    assert isinstance(dialog, HandoverDialog)
    counter.press(Qt.Key.Key_F8)
    assert counter.focus() is dialog.reason
    counter.type("Amina went home ill")
    counter.press(ENTER)
    counter.type("karim")
    counter.press(ENTER)
    counter.type(PASSWORD)
    counter.press(ENTER)
    assert dialog.pages.currentWidget() is dialog.in_page
    counter.type("1")
    dialog.in_panel.grid.fields["coin-50"].setFocus()
    counter.press(ENTER)
    counter.press(ENTER)
    old, _g02, new = tills(counter)
    assert old.closed_how == "forced" and old.close_reason == "Amina went home ill"
    assert new.opening_float_minor == 200000


# --- the blind close ------------------------------------------------------------------------


def test_blind_close_never_shows_what_the_till_should_hold(counter: Counter) -> None:
    world = counter.world
    counter.sign_in()
    pay_cash(counter)  # 1000.00 paid with 1500.00: 500.00 change
    [till_id] = [
        t.id
        for t in tills(counter)
        if t.closed_at is None and t.opened_by_id == world.agent.staff_id
    ]
    expected = tills_expected_cash(world.ctx, world.supervisor, [till_id])[till_id]
    assert expected == Decimal("6000.00")  # float 5000 + 1500 − 500
    needles = [money(expected, "DZD").replace("\xa0", " "), "6000", "6,000", "6 000"]

    counter.press(Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    dialog = counter.window.close_till_dialog
    assert isinstance(dialog, CloseTillDialog)
    assert not traces(needles, dialog)
    counter.press(ENTER)  # yes, count it
    grid = dialog.panel.grid
    assert counter.focus() is grid.fields["note-200000"]
    counter.type("2")  # 2 × 2000
    counter.press(DOWN)
    counter.type("1")  # 1 × 1000 (1000 short of what it should hold)
    counter.press(Qt.Key.Key_F4)  # a cheque that was never tendered here
    counter.type("123456")
    counter.press(ENTER)
    counter.type("BNA")
    counter.press(ENTER)
    counter.type("800")
    assert not traces(needles, counter.window)
    dialog.panel.postal_transfers.setFocus()
    counter.press(ENTER)
    assert "Cheque 123456 (BNA" in dialog.error.text()
    assert counter.focus() is dialog.panel.cheque_rows[0].number
    dialog.panel.remove_cheque(dialog.panel.cheque_rows[0])
    dialog.panel.postal_transfers.setFocus()
    counter.press(ENTER)
    assert dialog.pages.currentWidget() is dialog.done_page
    shown = everything_shown(dialog)
    assert "Till counted; a supervisor reviews it." in shown
    assert not traces(needles, counter.window)
    assert "difference" not in shown.lower() and "expected" not in shown.lower()
    counter.press(ENTER)  # sign out
    assert counter.window.actor is None
    assert counter.focus() is counter.window.sign_in.login
    till = next(t for t in tills(counter) if t.id == till_id)
    assert till.closed_how == "count"


# --- an agent's F10 -------------------------------------------------------------------------


def test_an_agents_f10_shows_their_own_takings(counter: Counter) -> None:
    counter.sign_in()
    pay_cash(counter)
    counter.press(Qt.Key.Key_F10)
    dialog = counter.window.my_takings_dialog
    assert dialog is not None and dialog.takings is not None
    assert dialog.takings.payments == 1
    assert dialog.total.text() == money(Decimal("1000"), "DZD")  # net of the change
    assert not traces(["6000", "6,000", "5,000", "5000"], dialog)  # neither float nor expected
    counter.press(Qt.Key.Key_Escape)
    assert counter.focus() is counter.window.counter.search


# --- the dashboard --------------------------------------------------------------------------


def open_dashboard(counter: Counter) -> DashboardDialog:
    counter.sign_in("karim")
    if isinstance(counter.window.till_dialog, OpenTillDialog):
        counter.press(Qt.Key.Key_Escape)  # no till here: a supervisor need not open one
    assert counter.window.till_dialog is None  # nor is pushed into a handover
    counter.press(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dashboard = counter.window.dashboard
    assert dashboard is not None
    return dashboard


def select_counter(counter: Counter, dashboard: DashboardDialog, workstation: str) -> None:
    rows = [r.workstation for r in dashboard.model.rows]
    dashboard.view.setFocus()
    dashboard.select_row(rows.index(workstation))
    assert dashboard.selected() is not None


def test_an_agent_has_no_dashboard(counter: Counter) -> None:
    counter.sign_in()
    counter.press(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert counter.window.dashboard is None


def test_dashboard_review_needs_a_reason_above_the_threshold(counter: Counter) -> None:
    world = counter.world
    # Amina counts 4000.00 where 5000.00 should be: 1000.00 short, above 500.00.
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    dashboard = open_dashboard(counter)
    states = {r.workstation: r.till.state for r in dashboard.model.rows}
    assert states == {"ALG01-G01": "counted", "ALG01-G02": "open"}
    select_counter(counter, dashboard, "ALG01-G01")
    counter.press(ENTER)
    review = dashboard.child
    assert isinstance(review, ReviewDialog) and review.figures is not None
    assert review.difference.text() == "Difference: " + money(Decimal("-1000"), "DZD")
    assert counter.focus() is review.reason
    counter.press(ENTER)  # no reason
    assert review.error.text().replace("\xa0", " ") == (
        "The difference is more than DZD 500.00: give its reason."
    )
    counter.type("Note of 1000 found in the safe bag")
    counter.press(ENTER)
    assert dashboard.child is None
    with world.db.read() as session:
        [done] = session.scalars(select(TillReview)).all()
    assert done.reason == "Note of 1000 found in the safe bag" and done.difference_minor == -100000
    states = {r.workstation: r.till.state for r in dashboard.model.rows}
    assert states["ALG01-G01"] == "reviewed"


def test_dashboard_recount_is_kept_beside_the_first_count(counter: Counter) -> None:
    world = counter.world
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    dashboard = open_dashboard(counter)
    select_counter(counter, dashboard, "ALG01-G01")
    counter.press(ENTER)
    review = dashboard.child
    assert isinstance(review, ReviewDialog)
    counter.press(Qt.Key.Key_F6)
    assert review.pages.currentWidget() is review.recount_page
    counter.type("2")
    counter.press(DOWN)
    counter.type("1")  # 5000.00: what it should hold
    review.recount_panel.postal_transfers.setFocus()
    counter.press(ENTER)
    assert review.pages.currentWidget() is review.figures_page
    assert review.difference.text() == "Difference: " + money(Decimal("0"), "DZD")
    counter.press(ENTER)  # no reason needed now
    with world.db.read() as session:
        purposes = [c.purpose for c in session.scalars(select(TillCount).order_by(TillCount.id))]
        assert session.scalars(select(TillReview)).one().difference_minor == 0
    assert purposes[-2:] == ["closing", "recount"]


def test_dashboard_cash_movement_signed_by_agent_and_supervisor(counter: Counter) -> None:
    world = counter.world
    dashboard = open_dashboard(counter)
    select_counter(counter, dashboard, "ALG01-G02")
    counter.press(Qt.Key.Key_F4)
    dialog = dashboard.child
    assert dialog is not None and counter.focus() is dialog.amount  # type: ignore[attr-defined]
    counter.type("3000")
    counter.press(ENTER)
    counter.type("Safe drop at noon")
    counter.press(ENTER)
    counter.type("BAG-17")
    counter.press(ENTER)
    assert counter.focus().objectName() == "agent_login"
    counter.press(ENTER)  # yacine, prefilled
    counter.type(PASSWORD)
    counter.press(ENTER)
    counter.press(ENTER)  # karim, prefilled
    counter.type(PASSWORD)
    counter.press(ENTER)
    assert dashboard.child is None
    with world.db.read() as session:
        [movement] = session.scalars(select(CashMovement)).all()
    assert (movement.kind, movement.amount_minor, movement.reference) == ("drop", 300000, "BAG-17")


def test_dashboard_force_close_then_close_the_day(counter: Counter) -> None:
    world = counter.world
    dashboard = open_dashboard(counter)
    counter.press(Qt.Key.Key_F11)
    days = dashboard.child
    assert days is not None
    counter.press(ENTER)  # close today: refused while tills are open
    assert "open" in days.error.text()  # type: ignore[attr-defined]
    assert "ALG01-G01 (amina)" in days.open_tills.text()  # type: ignore[attr-defined]
    counter.press(Qt.Key.Key_Escape)
    for workstation in ("ALG01-G01", "ALG01-G02"):
        select_counter(counter, dashboard, workstation)
        counter.press(Qt.Key.Key_F8)
        counter.type("End of the day, agent gone")
        counter.press(ENTER)
        assert dashboard.child is None
    assert {r.till.state for r in dashboard.model.rows} == {"closed"}
    counter.press(Qt.Key.Key_F11)
    days = dashboard.child
    assert days is not None
    counter.press(ENTER)
    assert days.error.text() == ""  # type: ignore[attr-defined]
    assert "closed" in days.outcome.text()  # type: ignore[attr-defined]
    with world.db.read() as session:
        assert len(session.scalars(select(Closing)).all()) >= 1
    assert days.model.rows and days.model.rows[0].kind == "daily"  # type: ignore[attr-defined]


def test_dashboard_refreshes_off_the_timer(counter: Counter) -> None:
    world = counter.world
    dashboard = open_dashboard(counter)
    assert dashboard.timer.isActive()
    assert {r.workstation: r.till.state for r in dashboard.model.rows}["ALG01-G02"] == "open"
    close_cash_session(world.ctx, world.other_agent, "ALG01-G02")  # at the other counter
    dashboard.timer.timeout.emit()  # the next tick
    QApplication.processEvents()
    assert {r.workstation: r.till.state for r in dashboard.model.rows}["ALG01-G02"] == "closed"
    counter.press(Qt.Key.Key_Escape)
    assert counter.window.dashboard is None and not dashboard.timer.isActive()


# --- every screen fits the agencies' screens, in every language --------------------------


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_till_screens_fit_and_cut_nothing(
    counter: Counter, language: str, size: tuple[int, int]
) -> None:
    world, window = counter.world, counter.window
    window.resize(*size)
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    counter.sign_in("amina")
    window.language.apply(language)
    opening = window.till_dialog
    assert isinstance(opening, OpenTillDialog)
    fits(opening, size)
    counter.press(Qt.Key.Key_Escape)
    counter.press(Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    closing = window.close_till_dialog
    assert closing is not None
    counter.press(ENTER)
    closing.panel.new_cheque()
    fits(closing, size)
    counter.press(Qt.Key.Key_Escape)
    window.sign_out()
    counter.sign_in("karim")
    window.language.apply(language)
    if window.till_dialog is not None:
        counter.press(Qt.Key.Key_Escape)
    assert window.width() <= size[0]
    counter.press(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dashboard = window.dashboard
    assert dashboard is not None
    fits(dashboard, size)
    assert cut_texts(dashboard.view) == []
    select_counter(counter, dashboard, "ALG01-G01")
    counter.press(ENTER)
    review = dashboard.child
    assert isinstance(review, ReviewDialog)
    fits(review, size)
    assert cut_texts(review.tenders) == []
    counter.press(Qt.Key.Key_Escape)
    counter.press(Qt.Key.Key_F11)
    days = dashboard.child
    assert days is not None
    fits(days, size)


def fits(dialog: QWidget, size: tuple[int, int]) -> None:
    QApplication.processEvents()
    assert dialog.width() <= size[0] and dialog.height() <= size[1], (
        f"{dialog.objectName()} is {dialog.width()}×{dialog.height()}"
    )


def test_a_supervisor_may_land_on_the_dashboard(counter: Counter) -> None:
    window = counter.window
    dashboard = open_dashboard(counter)
    assert not dashboard.land_here.isChecked()
    dashboard.land_here.setChecked(True)
    counter.press(Qt.Key.Key_Escape)
    window.sign_out()
    counter.sign_in("amina")  # an agent never does
    assert window.dashboard is None
    window.sign_out()
    counter.sign_in("karim")
    assert window.dashboard is not None and window.dashboard.isVisible()
    assert counter.focus() is window.dashboard.view


def test_a_tunisian_float_counts_its_millimes(
    sqlite_database: Database, tmp_path: Path, qtbot: QtBot
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys", currency="TND")
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    with open_counter(world, qtbot) as counter:
        counter.sign_in()
        dialog = counter.window.till_dialog
        assert isinstance(dialog, OpenTillDialog)
        grid = dialog.panel.grid
        assert list(grid.fields)[-1] == "coin-5"  # 5 millimes, the smallest coin
        counter.type("3")  # 3 × 50 TND
        grid.fields["coin-5"].setFocus()
        counter.type("3")  # 3 × 0.005
        assert dialog.panel.total.text() == money(Decimal("150.015"), "TND")
        counter.press(ENTER)
        assert tills(counter)[-1].opening_float_minor == 150015


def test_dashboard_prints_x_and_z_reports(counter: Counter) -> None:
    world = counter.world
    close_till(world.ctx, world.agent, WORKSTATION, CountInput(cash={"note-200000": 2}))
    dashboard = open_dashboard(counter)
    select_counter(counter, dashboard, "ALG01-G02")  # open: an X, never a Z
    counter.press(Qt.Key.Key_F9)
    assert dashboard.info.text() == "X report of ALG01-G02 sent to the printer."
    counter.press(Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    assert dashboard.note.text() != "" and dashboard.info.text() == ""
    select_counter(counter, dashboard, "ALG01-G01")  # counted: its Z
    counter.press(Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    assert dashboard.info.text() == "Z report of ALG01-G01 sent to the printer."
    with world.db.read() as session:
        jobs = session.scalars(
            select(PrintJob).where(PrintJob.kind == PrintJobKind.TILL_REPORT).order_by(PrintJob.id)
        ).all()
        refs = [(job.document_ref, job.copy_number) for job in jobs]
    g01, g02 = (t.id for t in tills(counter))
    # The agent's Z printed at the close, then the supervisor's full Z: a numbered copy.
    assert refs == [(f"Z-{g01}", 0), (f"X-{g02}", 0), (f"Z-{g01}", 1)]
