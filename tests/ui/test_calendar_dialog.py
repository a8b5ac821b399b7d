"""The supervisor's calendar screen with real keys: confirm a lunar holiday (F5), move a
feast by a day (F6), add and remove an exceptional closure (F8, Delete), an
administrator's weekly hours (F9); and the screen at 1366×768 and 1024×768 in fr, ar, en."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.auth import Actor, add_user
from app.charter.calendar_changes import add_day_exception
from app.charter.calendar_store import load_agency_calendar
from app.i18n import gettext as _
from app.i18n import set_language
from db.engine import Database
from db.models import Agency, AgencyDayException, HolidayDecision
from tests.factories import PASSWORD, World, build_world
from tests.ui.conftest import SyncRunner
from tests.ui.test_screen_sizes import cut_texts
from ui.language import LanguageSwitch
from ui.qt import QApplication, Qt, QWidget
from ui.supervisor.calendar_dialog import CalendarDialog

EID_2027 = date(2027, 3, 9)


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> Iterator[World]:
    yield build_world(sqlite_database, tmp_path)
    LanguageSwitch().apply("fr")
    HOSTS.clear()


def agency_id(world: World) -> int:
    with world.db.read() as session:
        found = session.scalar(select(Agency.id).where(Agency.code == "ALG01"))
        assert found is not None
        return found


# The windows the dialogs open over, kept alive for the test (qtbot holds them weakly).
HOSTS: list[QWidget] = []


def open_dialog(
    qtbot: QtBot, world: World, actor: Actor | None = None, *, agency: int | str | None = None
) -> CalendarDialog:
    host = QWidget()
    HOSTS.append(host)
    host.resize(1366, 768)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    dialog = CalendarDialog(
        world.ctx, actor or world.supervisor, agency or agency_id(world), SyncRunner(), host
    )
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.holidays)
    return dialog


def focus() -> QWidget:
    QApplication.processEvents()
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot: QtBot, key: Qt.Key) -> None:
    qtbot.keyClick(focus(), key)


def go_to_holiday(qtbot: QtBot, dialog: CalendarDialog, name: str, estimated_on: date) -> None:
    assert focus() is dialog.holidays
    for _row in range(dialog.holiday_model.rowCount()):
        chosen = dialog.selected_holiday()
        if chosen is not None and (chosen.name, chosen.estimated_on) == (name, estimated_on):
            return
        press(qtbot, Qt.Key.Key_Down)
    raise AssertionError(f"{name} on {estimated_on} is not listed")


def test_confirm_a_lunar_holiday_with_keys(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, world, agency="ALG01")  # by its code, as the dashboard has it
    assert dialog.agency_id == agency_id(world)
    go_to_holiday(qtbot, dialog, "Eid al-Fitr", EID_2027)
    row = dialog.holidays.currentIndex().row()
    status = dialog.holiday_model.column_index("status")
    assert dialog.holiday_model.data(dialog.holiday_model.index(row, status)) == _("Estimated date")
    press(qtbot, Qt.Key.Key_F5)
    with world.db.read() as session:
        decisions = session.scalars(select(HolidayDecision).order_by(HolidayDecision.id)).all()
        assert [(d.name, d.estimated_on, d.actual_on) for d in decisions] == [
            ("Eid al-Fitr", day, day) for day in (EID_2027, date(2027, 3, 10), date(2027, 3, 11))
        ]
    chosen = dialog.selected_holiday()
    assert chosen is not None and chosen.decided and chosen.estimated_on == EID_2027
    assert dialog.holiday_model.data(dialog.holiday_model.index(row, status)) == _("Confirmed")
    assert dialog.status.text().startswith(_("Saved."))
    assert focus() is dialog.holidays


def test_move_the_feast_by_a_day_and_cancel_a_holiday(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, world)
    go_to_holiday(qtbot, dialog, "Eid al-Fitr", EID_2027)
    press(qtbot, Qt.Key.Key_F6)
    assert dialog.pages.currentWidget() is dialog.move_page
    assert focus() is dialog.move_day
    assert dialog.move_day.currentData() == date(2027, 3, 10)  # a day later, first
    dialog.move_note.setFocus()
    qtbot.keyClicks(dialog.move_note, "Annonce officielle")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.pages.currentWidget() is dialog.main_page
    with world.db.read() as session:
        calendar = load_agency_calendar(session, agency_id(world))
        assert calendar.holiday_on(EID_2027) is None
        assert calendar.holiday_on(date(2027, 3, 12)) == "Eid al-Fitr"
    # Not a holiday (F7): the Amazigh New Year this time.
    dialog.holidays.setFocus()
    dialog.holidays.selectRow(0)
    go_to_holiday(qtbot, dialog, "Amazigh New Year", date(2027, 1, 12))
    press(qtbot, Qt.Key.Key_F7)
    with world.db.read() as session:
        assert load_agency_calendar(session, agency_id(world)).holiday_on(date(2027, 1, 12)) is None


def test_add_and_remove_an_exceptional_closure(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, world)
    press(qtbot, Qt.Key.Key_F8)
    assert focus() is dialog.add_day
    qtbot.keyClicks(dialog.add_day, "2/12/2026")
    assert "2026" in dialog.add_day_understood.text()
    press(qtbot, Qt.Key.Key_Return)
    assert focus() is dialog.add_kind  # a closure unless Down picks an opening
    dialog.add_hours.setFocus()
    qtbot.keyClicks(dialog.add_hours, "08:00-12:00")
    press(qtbot, Qt.Key.Key_Return)
    assert focus() is dialog.add_reason
    press(qtbot, Qt.Key.Key_Return)  # no reason: refused, one line naming it
    assert dialog.pages.currentWidget() is dialog.add_page
    assert dialog.add_error.text() == _("Give the reason.")
    assert "\n" not in dialog.add_error.text()
    qtbot.keyClicks(dialog.add_reason, "Travaux")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.pages.currentWidget() is dialog.main_page
    with world.db.read() as session:
        rows = session.scalars(select(AgencyDayException)).all()
        assert [(r.day, r.is_open, r.opens_at, r.reason) for r in rows] == [
            (date(2026, 12, 2), False, time(8), "Travaux")
        ]
    assert dialog.exception_model.rowCount() == 1
    dialog.exceptions.setFocus()
    dialog.exceptions.selectRow(0)
    press(qtbot, Qt.Key.Key_Delete)
    with world.db.read() as session:
        assert session.scalars(select(AgencyDayException)).all() == []
    assert dialog.exception_model.rowCount() == 0


def test_a_bad_date_is_one_line_and_escape_goes_back(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, world)
    press(qtbot, Qt.Key.Key_F8)
    qtbot.keyClicks(dialog.add_day, "31/02")
    dialog.add_reason.setFocus()
    qtbot.keyClicks(dialog.add_reason, "Inventaire")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.add_error.text() == _('Write the date as 04/12/2026 (not "{text}").').format(
        text="31/02"
    )
    assert focus() is dialog.add_day
    press(qtbot, Qt.Key.Key_Escape)
    assert dialog.pages.currentWidget() is dialog.main_page
    assert dialog.isVisible()
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_supervisors_read_the_hours_and_admins_change_them(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, world)
    assert dialog.day_hours[5].text() == "08:00-16:00"
    assert dialog.day_hours[4].isReadOnly() and not dialog.save_hours_button.isVisible()
    admin = add_user(world.ctx, "nadia", role="admin", password=PASSWORD, full_name="Nadia")
    dialog = open_dialog(qtbot, world, admin)
    friday = dialog.day_hours[4]
    friday.setFocus()
    friday.selectAll()
    qtbot.keyClicks(friday, "")
    friday.clear()
    press(qtbot, Qt.Key.Key_F9)
    with world.db.read() as session:
        assert load_agency_calendar(session, agency_id(world)).weekly_hours(4) == ()
    dialog.day_hours[0].setFocus()
    dialog.day_hours[0].setText("08:00-12:00, 11:00-16:00")
    press(qtbot, Qt.Key.Key_F9)
    assert "\n" not in dialog.error.text() and dialog.error.text()
    assert focus() is dialog.day_hours[0]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_screen_fits(qtbot: QtBot, world: World, language: str, size: tuple[int, int]) -> None:
    add_day_exception(
        world.ctx,
        world.supervisor,
        agency_id(world),
        date(2026, 12, 4),
        is_open=True,
        hours=[(time(8), time(12))],
        reason="Ouverture exceptionnelle le vendredi matin (fin d'échéance)",
    )
    LanguageSwitch().apply(language)
    host = QWidget()
    HOSTS.append(host)
    host.resize(*size)
    qtbot.addWidget(host)
    host.show()
    dialog = CalendarDialog(world.ctx, world.supervisor, agency_id(world), SyncRunner(), host)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= size[0] and dialog.height() <= size[1]
    assert dialog.holiday_model.rowCount() >= 10
    for view in (dialog.holidays, dialog.exceptions):
        assert not view.horizontalScrollBar().isVisible()
    assert cut_texts(dialog.holidays) == []
    # A long reason wraps in its cell, whose row grows to hold it.
    reason = dialog.exception_model.column_index("reason")
    dialog.exceptions.setColumnHidden(reason, True)
    assert cut_texts(dialog.exceptions) == []
    dialog.exceptions.setColumnHidden(reason, False)
    lines = dialog.exceptions.rowHeight(0) // dialog.exceptions.fontMetrics().lineSpacing()
    width = dialog.exceptions.columnWidth(reason)
    needed = dialog.exceptions.fontMetrics().horizontalAdvance(
        str(dialog.exception_model.data(dialog.exception_model.index(0, reason)))
    )
    assert lines * (width - 8) >= needed
    set_language("fr")


def test_the_week_starts_on_saturday_in_algeria(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, world)
    grid = dialog.hours_grid
    first = grid.itemAtPosition(0, 1)
    assert first is not None and first.widget() is dialog.day_hours[5]
    last = grid.itemAtPosition(6, 1)
    assert last is not None and last.widget() is dialog.day_hours[4]  # Friday
